"""Which alerts a story deserves for a tracked deal. Pure: snapshots in, due alerts out.

What a deal already knows about a story is read back from the alerts it already got (each
alert's payload records the languages and amounts the story had then), so evaluating the same
story twice, or concurrently, never yields a second alert for the same change.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from pipeline.alerts.deals import TrackedDeal

KINDS = ("breaking", "new_language", "new_amount", "escalation")
LANGUAGE_NAMES = {"en": "English", "de": "German"}
QUALIFIER_WORDS = {
    "up_to": "up to",
    "about": "about",
    "more_than": "more than",
    "less_than": "less than",
    "nearly": "nearly",
}
# Two figures within 3 % in USD are the same amount reported in two currencies.
USD_TOLERANCE = Decimal("0.03")


@dataclass(frozen=True)
class SourceArticle:
    key: str
    title: str
    url: str
    language: str
    outlet: str
    first_seen_at: datetime
    summary: str = ""


@dataclass(frozen=True)
class StoryAmount:
    """A normalized money mention of one of the story's articles."""

    amount: Decimal  # upper bound for ranges
    currency: str
    qualifier: str | None = None
    amount_min: Decimal | None = None
    amount_usd: Decimal | None = None
    surface: str = ""
    first_seen_at: datetime | None = None
    outlet: str = ""

    @property
    def usd(self) -> Decimal | None:
        if self.amount_usd is not None:
            return self.amount_usd
        return self.amount if self.currency == "USD" else None

    @property
    def key(self) -> str:
        """Identity of the figure: currency and amount to three significant digits."""
        return f"{self.currency} {_three_digits(self.amount)}"

    @property
    def display(self) -> str:
        """'up to USD 50 bn', 'USD 30–50 bn', 'about EUR 2.5 bn (≈ USD 2.7 bn)'."""
        if self.qualifier == "range" and self.amount_min is not None:
            text = f"{self.currency} {_range(self.amount_min, self.amount)}"
        else:
            words = QUALIFIER_WORDS.get(self.qualifier or "", "")
            text = f"{words} {self.currency} {_short(self.amount)}".strip()
        if self.currency != "USD" and self.amount_usd is not None:
            text += f" (≈ USD {_short(self.amount_usd)})"
        return text

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "display": self.display,
            "amount": str(self.amount),
            "currency": self.currency,
            "qualifier": self.qualifier,
            "amount_min": None if self.amount_min is None else str(self.amount_min),
            "amount_usd": None if self.usd is None else str(self.usd),
            "surface": self.surface,
            "outlet": self.outlet,
            "first_seen_at": self.first_seen_at.isoformat() if self.first_seen_at else None,
        }


@dataclass(frozen=True)
class StorySnapshot:
    """A story as it stands now, with its articles, organizations and amounts."""

    id: int
    title: str
    updated_at: datetime
    articles: tuple[SourceArticle, ...]  # ordered by first_seen_at
    org_ids: frozenset[str] = frozenset()  # mentioned organizations and all their parents
    registry_roots: frozenset[str] = frozenset()  # top parents of registry organizations
    org_names: dict[str, str] = field(default_factory=dict)
    amounts: tuple[StoryAmount, ...] = ()  # ordered by first_seen_at

    @property
    def languages(self) -> list[str]:
        """Languages in the order their first source appeared."""
        return list(dict.fromkeys(a.language for a in self.articles))


@dataclass(frozen=True)
class PastAlert:
    kind: str
    detail: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class DueAlert:
    """An alert the story deserves now; `detail` is part of its unique key."""

    kind: str
    detail: str
    change: str  # one sentence for the recipient: what changed
    facts: dict[str, Any] = field(default_factory=dict)


def story_matches(deal: TrackedDeal, story: StorySnapshot) -> bool:
    """True when the story is about the deal (parties or catch-all rule, keywords, amount)."""
    if deal.rule == "any_orgs":
        if len(story.registry_roots) < deal.min_orgs:
            return False
    elif not set(deal.parties) <= story.org_ids:
        return False
    if not _keywords_found(deal, story.articles):
        return False
    return deal.min_amount_usd is None or bool(qualifying_amounts(deal, story.amounts))


def _keywords_found(deal: TrackedDeal, articles: Iterable[SourceArticle]) -> bool:
    words = [w.casefold() for ws in deal.all_keywords.values() for w in ws]
    if not words:
        return True
    # Substring on purpose: German compounds ("Milliardeninvestition") hide the stem mid-word.
    texts = [f"{a.title}\n{a.summary}".casefold() for a in articles]
    return any(w in t for t in texts for w in words)


def qualifying_amounts(deal: TrackedDeal, amounts: Iterable[StoryAmount]) -> list[StoryAmount]:
    """The amounts that count for the deal: all, or those of at least min_amount_usd."""
    if deal.min_amount_usd is None:
        return list(amounts)
    return [m for m in amounts if m.usd is not None and m.usd >= deal.min_amount_usd]


def due_alerts(
    deal: TrackedDeal,
    story: StorySnapshot,
    past: Sequence[PastAlert],
    *,
    escalation_outlets: int,
    escalation_minutes: int,
) -> list[DueAlert]:
    """The alerts `story` deserves for `deal` given the alerts it already got, in send order."""
    if not story_matches(deal, story):
        return []
    due: list[DueAlert] = []
    kinds_done = {(p.kind, p.detail) for p in past}
    if not any(p.kind == "breaking" for p in past):
        due.append(_breaking(story))
    else:
        due += _new_languages(story, past)
        due += _new_amounts(deal, story, past)
    escalation = _escalation(story, escalation_outlets, escalation_minutes)
    if escalation and ("escalation", escalation.detail) not in kinds_done:
        due.append(escalation)
    return due


def _breaking(story: StorySnapshot) -> DueAlert:
    first = story.articles[0] if story.articles else None
    by = f" ({first.outlet})" if first else ""
    return DueAlert("breaking", "", f"New story matching the deal{by}: {story.title}")


def _known_languages(past: Sequence[PastAlert]) -> set[str]:
    known = {p.detail for p in past if p.kind == "new_language"}
    for p in past:
        known.update(p.payload.get("languages") or ())
    return known


def _new_languages(story: StorySnapshot, past: Sequence[PastAlert]) -> list[DueAlert]:
    known = _known_languages(past)
    due = []
    for language in story.languages:
        if language in known:
            continue
        first = next(a for a in story.articles if a.language == language)
        name = LANGUAGE_NAMES.get(language, language)
        due.append(
            DueAlert(
                "new_language",
                language,
                f"First {name} source: {first.outlet} — {first.title}",
                {"language": language, "article": first.key},
            )
        )
    return due


@dataclass(frozen=True)
class _KnownAmount:
    key: str
    currency: str
    usd: Decimal | None


def _known_amounts(past: Sequence[PastAlert]) -> list[_KnownAmount]:
    known = []
    for p in past:
        for m in p.payload.get("amounts") or ():
            usd = m.get("amount_usd")
            known.append(_KnownAmount(m["key"], m["currency"], Decimal(usd) if usd else None))
    return known


def _same_amount(m: StoryAmount, k: _KnownAmount) -> bool:
    if m.key == k.key:
        return True
    if m.usd is None or k.usd is None or m.currency == k.currency:
        return False
    return abs(m.usd - k.usd) <= USD_TOLERANCE * max(m.usd, k.usd)


def _new_amounts(
    deal: TrackedDeal, story: StorySnapshot, past: Sequence[PastAlert]
) -> list[DueAlert]:
    known = _known_amounts(past)
    previous = list(dict.fromkeys(m["display"] for p in past for m in p.payload.get("amounts", ())))
    due = []
    for m in qualifying_amounts(deal, story.amounts):
        if any(_same_amount(m, k) for k in known):
            continue
        known.append(_KnownAmount(m.key, m.currency, m.usd))
        was = f" (before: {', '.join(previous)})" if previous else ""
        source = f" — {m.outlet}" if m.outlet else ""
        due.append(
            DueAlert(
                "new_amount",
                m.key,
                f"New amount: {m.display}{was}{source}",
                {"amount": m.as_json(), "previous": previous},
            )
        )
    return due


def outlets_first_seen(story: StorySnapshot) -> list[tuple[str, datetime]]:
    """Each outlet with the time its first article on the story was seen, earliest first."""
    first: dict[str, datetime] = {}
    for a in story.articles:
        if a.outlet not in first or a.first_seen_at < first[a.outlet]:
            first[a.outlet] = a.first_seen_at
    return sorted(first.items(), key=lambda item: (item[1], item[0]))


def _escalation(story: StorySnapshot, outlets: int, minutes: int) -> DueAlert | None:
    seen = outlets_first_seen(story)
    window = timedelta(minutes=minutes)
    for i in range(len(seen) - outlets + 1):
        group = seen[i : i + outlets]
        if group[-1][1] - group[0][1] <= window:
            names = ", ".join(f"{o} ({t.astimezone(UTC):%H:%M} UTC)" for o, t in group)
            return DueAlert(
                "escalation",
                f"{outlets} outlets in {minutes} min",
                f"Reported by {outlets} outlets within {minutes} minutes: {names}",
                {"outlets": [o for o, _ in group]},
            )
    return None


def _three_digits(value: Decimal) -> str:
    rounded = Decimal(f"{value:.3g}") if value else Decimal(0)
    return format(rounded.normalize(), "f")


SCALES = ((Decimal(10) ** 12, "tn"), (Decimal(10) ** 9, "bn"), (Decimal(10) ** 6, "m"))


def _short(value: Decimal) -> str:
    for scale, word in SCALES:
        if abs(value) >= scale:
            return f"{_trim(value / scale)} {word}"
    return _trim(value)


def _range(low: Decimal, high: Decimal) -> str:
    for scale, word in SCALES:
        if abs(high) >= scale:
            return f"{_trim(low / scale)}–{_trim(high / scale)} {word}"
    return f"{_trim(low)}–{_trim(high)}"


def _trim(value: Decimal) -> str:
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text
