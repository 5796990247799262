"""Clustering cost at scale: a synthetic article stream and the per-article cost of assigning new
articles against N stories already in the window.

The stream is made of invented words and names (nothing is fetched or downloaded): events with two
organizations, people, a place, often an amount, and 1-6 reports each in English or German
wording, plus filler vocabulary with a Zipf-like frequency so common words are common.
"""

from __future__ import annotations

import gc
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from pipeline import cluster
from pipeline.records import Article, EntityMention, Extraction, MoneyMention, OrgMention

_SYLLABLE_TEXT = "ka lo mi ter sun vo ran del pi gro ben tas ul mar ne fis dor ai bek sto lin"
_SYLLABLES = _SYLLABLE_TEXT.split()
START = datetime(2026, 1, 5, tzinfo=UTC)


@dataclass(frozen=True)
class SyntheticArticle:
    article: Article
    extraction: Extraction
    at: datetime
    event: int


class _Vocabulary:
    def __init__(self, rng: random.Random, size: int) -> None:
        seen: set[str] = set()
        while len(seen) < size:
            seen.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))))
        self.words = sorted(seen)
        rng.shuffle(self.words)
        # Zipf-like: word i drawn with weight 1/(i+1).
        self.cum = []
        total = 0.0
        for i in range(len(self.words)):
            total += 1.0 / (i + 1)
            self.cum.append(total)

    def draw(self, rng: random.Random, k: int) -> list[str]:
        return rng.choices(self.words, cum_weights=self.cum, k=k)


def synthetic_stream(
    events: int, seed: int = 7, start: datetime = START, span: timedelta = timedelta(hours=48)
) -> list[SyntheticArticle]:
    """Reports of `events` invented events, published within `span` after `start`, in order."""
    rng = random.Random(seed)
    vocab = _Vocabulary(rng, 20_000)
    orgs = [f"org{i}" for i in range(max(50, events // 4))]
    org_names = {o: vocab.words[(i * 7) % len(vocab.words)].title() for i, o in enumerate(orgs)}
    people = [
        f"{rng.choice(vocab.words).title()} {rng.choice(vocab.words).title()}"
        for _ in range(max(100, events // 2))
    ]
    places = [rng.choice(vocab.words).title() + "burg" for _ in range(max(50, events // 20))]
    out: list[SyntheticArticle] = []
    for event in range(events):
        at = start + span * (event / max(events, 1))
        # Popular organizations come up far more often, as Amazon or Nvidia do.
        parties = rng.sample(orgs[: max(2, int(len(orgs) * rng.random() ** 3) + 2)], 2)
        person = rng.choice(people)
        place = rng.choice(places)
        topic = vocab.draw(rng, 4)
        amount = 10 ** rng.uniform(6.5, 11) if rng.random() < 0.5 else None
        figure = rng.randint(11, 9_999)
        for report in range(rng.choice((1, 1, 1, 2, 2, 3, 4, 6))):
            lang = "de" if rng.random() < 0.4 else "en"
            out.append(
                _report(
                    rng, vocab, event, report, lang, at + timedelta(minutes=rng.randint(0, 600)),
                    parties, org_names, person, place, topic, amount, figure,
                )
            )  # fmt: skip
    out.sort(key=lambda s: (s.at, s.article.key))
    return out


def _report(
    rng, vocab, event, report, lang, at, parties, names, person, place, topic, amount, figure
):  # noqa: PLR0913
    a, b = (names[p] for p in parties)
    money_text = ""
    if amount is not None:
        billions = amount / 1e9
        if lang == "en":
            money_text = f"${billions:.1f} billion"
        else:
            money_text = f"{billions:.1f} Milliarden Dollar".replace(".", ",")
    title = f"{a} {' '.join(vocab.draw(rng, 2))} {b} {topic[0]} {money_text}".strip()
    filler = " ".join(vocab.draw(rng, 28))
    summary = (
        f"{person} said in {place} that {a} and {b} {' '.join(topic)} {figure:,} {filler}".replace(
            ",", "." if lang == "de" else ","
        )
    )
    key = f"e{event}-r{report}"
    text = f"{title}\n\n{summary}"
    orgs = tuple(
        OrgMention(
            text.index(names[p]), text.index(names[p]) + len(names[p]), p, names[p], "registry"
        )
        for p in parties
    )
    money: tuple[MoneyMention, ...] = ()
    if money_text:
        start = text.index(money_text)
        value = Decimal(str(round(amount, -6)))
        end = start + len(money_text)
        money = (MoneyMention(start, end, value, "USD", money_text, None, None, None, value),)
    entities = tuple(
        EntityMention(
            text.index(name), text.index(name) + len(name), label, cluster.fold(name), name
        )
        for label, name in (("PER", person), ("LOC", place))
    )
    article = Article(
        key=key, feed_id=f"outlet{report}", url=f"https://o{report}.example/{key}",
        canonical_url=f"https://o{report}.example/{key}", title=title, summary=summary,
        language=lang, content_hash=f"h-{key}", published_at=at,
    )  # fmt: skip
    extraction = Extraction(key, lang, orgs, money, entities, frozenset(parties))
    return SyntheticArticle(article, extraction, at, event)


def cost_at_size(stored_stories: int, probe: int = 1_000, seed: int = 7) -> float:
    """Milliseconds per article to assign `probe` new articles (evidence included) with about
    `stored_stories` stories active in the window."""
    return measure(stored_stories, probe, seed)["ms_per_article"]


def measure(stored_stories: int, probe: int = 1_000, seed: int = 7) -> dict:
    """Fill an index with the reports of `stored_stories` events (all inside the window), then
    time assigning the next `probe` reports. Returns the figures as a dict."""
    window = timedelta(hours=96)
    stream = synthetic_stream(stored_stories + probe // 2, seed=seed)
    filled = [s for s in stream if s.event < stored_stories]
    new = [s for s in stream if s.event >= stored_stories][:probe]
    # Probe articles arrive after the stored ones, still within the window of all of them.
    index = cluster.StoryIndex(window)
    # What every cycle pays to rebuild the window from the database (evidence included).
    restore_cpu = time.process_time()
    for s in filled:
        index.restore(cluster.evidence_of(s.article, s.extraction, s.at), f"e{s.event}")
    restore_cpu = time.process_time() - restore_cpu
    stored = len(index.active)
    gc.collect()
    scored_before = index.stats.candidates_scored
    started, cpu_started = time.perf_counter(), time.process_time()
    for s in new:
        index.assign(cluster.evidence_of(s.article, s.extraction, s.at))
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    return {
        "stored_stories": stored,
        "stored_articles": len(filled),
        "probe_articles": len(new),
        "ms_per_article": round(1000 * seconds / max(len(new), 1), 3),
        # CPU time is steadier than wall time on a shared machine; compare sizes with it.
        "cpu_ms_per_article": round(1000 * cpu / max(len(new), 1), 3),
        "restore_cpu_ms_per_article": round(1000 * restore_cpu / max(len(filled), 1), 3),
        "candidates_scored_per_article": round(
            (index.stats.candidates_scored - scored_before) / max(len(new), 1), 2
        ),
    }
