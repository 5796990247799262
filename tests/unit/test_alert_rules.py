"""What deserves an alert, as pure logic: one alert per change of a matching story."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from pipeline.alerts.deals import TrackedDeal
from pipeline.alerts.messages import compose
from pipeline.alerts.outbox import backoff_seconds
from pipeline.alerts.rules import (
    PastAlert,
    SourceArticle,
    StoryAmount,
    StorySnapshot,
    due_alerts,
    story_matches,
)

T0 = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
BN = Decimal(10) ** 9
DEAL = TrackedDeal(
    id="amazon-openai", name="Amazon–OpenAI", parties=("amazon", "openai"),
    keywords={"en": ["invest"], "de": ["investition"]}, channels=("log",),
)  # fmt: skip


def art(outlet: str, minutes: int, lang: str = "en", title: str = "Amazon to invest in OpenAI"):
    return SourceArticle(f"{outlet}-{minutes}", title, f"https://{outlet}.example/{minutes}",
                         lang, outlet, T0 + timedelta(minutes=minutes))  # fmt: skip


def usd(billions: float, qualifier: str | None = None, **kw) -> StoryAmount:
    return StoryAmount(Decimal(str(billions)) * BN, "USD", qualifier, **kw)


def story(articles, amounts=(), orgs=("amazon", "openai"), roots=None) -> StorySnapshot:
    return StorySnapshot(1, articles[0].title, T0, tuple(articles), frozenset(orgs),
                         frozenset(roots if roots is not None else orgs), {},
                         tuple(amounts))  # fmt: skip


def evaluate(snapshot: StorySnapshot, past: list[PastAlert], deal: TrackedDeal = DEAL):
    """Due alerts, and the history after they were sent (as the store would keep it)."""
    due = due_alerts(deal, snapshot, past, escalation_outlets=3, escalation_minutes=60)
    return due, past + [PastAlert(d.kind, d.detail, compose(deal, snapshot, d)) for d in due]


def kinds(due) -> list[tuple[str, str]]:
    return [(d.kind, d.detail) for d in due]


def test_the_amazon_openai_sequence_yields_each_kind_once() -> None:
    wsj = art("wsj", 0)
    hb = art("handelsblatt", 180, "de", "Amazon plant Investition in OpenAI")
    reuters, bloomberg, welt = art("reuters", 300), art("bloomberg", 310), art("welt", 325, "de")
    fifty, thirty_eight = usd(50, "up_to"), usd(38, "about")

    steps = [
        (story([wsj], [fifty]), [("breaking", "")]),
        (story([wsj, hb], [fifty, usd(50, "up_to")]), [("new_language", "de")]),
        (story([wsj, hb, reuters], [fifty, thirty_eight]), [("new_amount", "USD 38000000000")]),
        (story([wsj, hb, reuters, bloomberg, welt], [fifty, thirty_eight, usd(38)]),
         [("escalation", "3 outlets in 60 min")]),
    ]  # fmt: skip
    past: list[PastAlert] = []
    for snapshot, expected in steps:
        due, past = evaluate(snapshot, past)
        assert kinds(due) == expected
        assert evaluate(snapshot, past)[0] == []  # the same story again: nothing new
    amount = next(p for p in past if p.kind == "new_amount")
    assert amount.payload["change"] == ("New amount: about USD 38 bn (before: up to USD 50 bn)")


def test_a_story_seen_first_with_two_languages_breaks_once() -> None:
    snapshot = story([art("wsj", 0), art("welt", 5, "de", "Amazon-Investition in OpenAI")])
    due, past = evaluate(snapshot, [])
    assert kinds(due) == [("breaking", "")]
    assert past[0].payload["languages"] == ["en", "de"]
    assert evaluate(snapshot, past)[0] == []


def test_escalation_needs_distinct_outlets_inside_the_window() -> None:
    spread = story([art("a", 0), art("b", 50), art("c", 100), art("a", 101)])
    assert kinds(evaluate(spread, [])[0]) == [("breaking", "")]
    same_outlet = story([art("a", 0), art("a", 5), art("a", 10), art("b", 15)])
    assert kinds(evaluate(same_outlet, [])[0]) == [("breaking", "")]
    burst = story([art("a", 0), art("b", 100), art("c", 130), art("d", 160)])
    due, _ = evaluate(burst, [])
    assert kinds(due) == [("breaking", ""), ("escalation", "3 outlets in 60 min")]
    assert due[1].facts["outlets"] == ["b", "c", "d"]


def test_amounts_are_compared_normalized() -> None:
    first = story([art("wsj", 0)], [usd(50, "up_to")])
    _, past = evaluate(first, [])
    # Same figure without qualifier, with rounding noise, and in euros (within 3 % in USD).
    same = [usd(50), StoryAmount(Decimal("50.04") * BN, "USD"),
            StoryAmount(Decimal(46) * BN, "EUR", amount_usd=Decimal("49.5") * BN)]  # fmt: skip
    assert evaluate(story([art("wsj", 0)], [usd(50, "up_to"), *same]), past)[0] == []
    other = StoryAmount(Decimal(40) * BN, "EUR", amount_usd=Decimal("43.2") * BN)
    due, _ = evaluate(story([art("wsj", 0)], [usd(50, "up_to"), other]), past)
    assert kinds(due) == [("new_amount", "EUR 40000000000")]
    assert due[0].change.startswith("New amount: EUR 40 bn (≈ USD 43.2 bn)")


def test_minimum_amount_gates_matching_and_new_amounts() -> None:
    deal = DEAL.model_copy(update={"min_amount_usd": BN})
    assert not story_matches(deal, story([art("wsj", 0)], [usd("0.5")]))
    with_big = story([art("wsj", 0)], [usd(2)])
    _, past = evaluate(with_big, [], deal)
    small_new = story([art("wsj", 0)], [usd(2), usd("0.3")])
    assert evaluate(small_new, past, deal)[0] == []


@pytest.mark.parametrize(
    ("title", "orgs", "matches"),
    [
        ("Amazon to invest in OpenAI", ("amazon", "openai"), True),
        ("Amazon and OpenAI report results", ("amazon", "openai"), False),  # no keyword
        ("Amazon to invest in Anthropic", ("amazon", "anthropic"), False),  # a party missing
        ("Amazon plant Milliardeninvestition in OpenAI", ("amazon", "openai"), True),  # compound
    ],
)
def test_parties_and_keywords(title: str, orgs: tuple[str, ...], matches: bool) -> None:
    assert story_matches(DEAL, story([art("x", 0, title=title)], orgs=orgs)) is matches


def test_catch_all_counts_registry_groups_and_needs_the_amount() -> None:
    rule = TrackedDeal(id="any", name="any", rule="any_orgs", min_orgs=2, min_amount_usd=BN,
                       channels=("log",))  # fmt: skip
    two = story([art("x", 0, title="Merger")], [usd(3)], roots=("microsoft", "openai"))
    one = story([art("x", 0, title="Merger")], [usd(3)], roots=("amazon",))
    cheap = story([art("x", 0, title="Merger")], [usd("0.2")], roots=("microsoft", "openai"))
    assert story_matches(rule, two) and not story_matches(rule, one)
    assert not story_matches(rule, cheap)


def test_backoff_doubles_and_is_capped() -> None:
    assert [backoff_seconds(n, 30, 600) for n in range(1, 7)] == [30, 60, 120, 240, 480, 600]


def test_amount_display() -> None:
    assert usd(50, "up_to").display == "up to USD 50 bn"
    ranged = StoryAmount(Decimal(50) * BN, "USD", "range", amount_min=Decimal(30) * BN)
    assert ranged.display == "USD 30–50 bn"
    assert StoryAmount(Decimal(750_000_000), "EUR", "more_than").display == "more than EUR 750 m"
    assert usd("2.5").key == "USD 2500000000"
