"""The clustering stage on hand-made articles: each rule of story assignment, and its limits."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from pipeline import cluster, cluster_bench
from pipeline.cluster import AmountRange, StoryIndex, amount_range, numbers_of
from pipeline.records import Article, EntityMention, Extraction, MoneyMention, OrgMention

T0 = datetime(2026, 2, 3, 14, 0, tzinfo=UTC)
WINDOW = timedelta(hours=96)


def make(
    key: str,
    title: str,
    summary: str = "",
    *,
    lang: str = "en",
    hours: float = 0,
    orgs: tuple[tuple[str, str], ...] = (),
    money: tuple[tuple[str, str, str, str | None], ...] = (),
    people: tuple[str, ...] = (),
    places: tuple[str, ...] = (),
    url: str | None = None,
) -> cluster.ArticleEvidence:
    """Evidence of one article; mentions are given by surface and located in the text."""
    text = f"{title}\n\n{summary}" if summary else title
    article = Article(
        key=key, feed_id="f", url=url or f"https://x.example/{key}",
        canonical_url=url or f"https://x.example/{key}", title=title, summary=summary,
        language=lang, content_hash=hashlib.sha256(text.encode()).hexdigest(),
    )  # fmt: skip
    org_mentions = tuple(
        OrgMention(text.index(s), text.index(s) + len(s), oid, s, "registry") for oid, s in orgs
    )
    money_mentions = tuple(
        MoneyMention(text.index(s), text.index(s) + len(s), Decimal(a), cur, s, q,
                     amount_usd=Decimal(a) if cur == "USD" else None)
        for s, a, cur, q in money
    )  # fmt: skip
    entities = tuple(
        EntityMention(text.index(s), text.index(s) + len(s), label, cluster.fold(s), s)
        for label, names in (("PER", people), ("LOC", places))
        for s in names
    )
    extraction = Extraction(key, lang, org_mentions, money_mentions, entities,
                            frozenset(o for o, _ in orgs))  # fmt: skip
    return cluster.evidence_of(article, extraction, T0 + timedelta(hours=hours))


def talks_en(key: str = "wsj", hours: float = 0) -> cluster.ArticleEvidence:
    return make(
        key, "Amazon in talks to invest up to $50 billion in OpenAI",
        "The retailer is negotiating a stake in the ChatGPT maker, people familiar said. "
        "Andy Jassy and Sam Altman have met several times.",
        hours=hours, orgs=(("amazon", "Amazon"), ("openai", "OpenAI")),
        money=(("$50 billion", "50e9", "USD", "up_to"),), people=("Andy Jassy", "Sam Altman"),
    )  # fmt: skip


def talks_de(key: str = "blatt", hours: float = 6) -> cluster.ArticleEvidence:
    return make(
        key, "Amazon plant Milliardeneinstieg bei OpenAI",
        "Der Onlinehändler verhandelt über eine Beteiligung von bis zu 50 Milliarden Dollar am "
        "ChatGPT-Entwickler OpenAI. Amazon-Chef Andy Jassy will zu Microsoft aufschließen.",
        lang="de", hours=hours,
        orgs=(("amazon", "Amazon"), ("openai", "OpenAI"), ("microsoft", "Microsoft")),
        money=(("50 Milliarden Dollar", "50e9", "USD", "up_to"),), people=("Andy Jassy",),
    )  # fmt: skip


def anthropic_en(key: str = "anthropic", hours: float = 40) -> cluster.ArticleEvidence:
    return make(
        key, "Amazon to invest additional $4 billion in Anthropic",
        "Amazon will invest a further $4 billion in AI startup Anthropic, the maker of the Claude "
        "chatbot. Andy Jassy called it a long-term bet.",
        hours=hours, orgs=(("amazon", "Amazon"), ("anthropic", "Anthropic")),
        money=(("$4 billion", "4e9", "USD", None),), people=("Andy Jassy",),
    )  # fmt: skip


def assign_all(*evidence: cluster.ArticleEvidence) -> tuple[StoryIndex, list[cluster.Assignment]]:
    index = StoryIndex(WINDOW)
    return index, [index.assign(ev) for ev in evidence]


def test_an_english_and_a_german_report_of_one_deal_are_one_story() -> None:
    index, (first, second) = assign_all(talks_en(), talks_de())
    assert first.method == "founder" and first.story_key == "wsj"
    assert second.method == "same_event" and second.story_key == "wsj"


def test_same_parties_but_a_different_deal_is_another_story() -> None:
    index, results = assign_all(talks_en(), talks_de(), anthropic_en())
    assert results[2].method == "founder"
    s = cluster.score(anthropic_en(), index.story("wsj"), index.params, index)
    assert s.vetoed and s.money == "conflict"


def test_same_amount_but_other_parties_is_another_story() -> None:
    meta = make(
        "meta", "Meta to spend up to $50 billion on Louisiana AI data center",
        "Meta Platforms plans to invest as much as $50 billion in a data center campus, "
        "Mark Zuckerberg said.",
        hours=20, orgs=(("meta", "Meta"),), money=(("$50 billion", "50e9", "USD", "up_to"),),
        people=("Mark Zuckerberg",), places=("Louisiana",),
    )  # fmt: skip
    _, results = assign_all(talks_en(), meta)
    assert results[1].method == "founder"


def test_headline_parties_that_differ_veto_a_join() -> None:
    index, _ = assign_all(talks_en())
    other = make(
        "msft", "Microsoft and Nvidia agree chip supply pact",
        "Nvidia will supply Microsoft with accelerators, the companies said. Andy Jassy was not "
        "involved.",
        hours=2, orgs=(("microsoft", "Microsoft"), ("nvidia", "Nvidia")), people=("Andy Jassy",),
    )  # fmt: skip
    assert cluster.score(other, index.story("wsj"), index.params, index).party_conflict


def test_a_report_after_the_window_starts_a_new_story() -> None:
    _, results = assign_all(talks_en(), talks_de(key="late", hours=96 + 24))
    assert results[1].method == "founder"
    _, results = assign_all(talks_en(), talks_de(key="inside", hours=90))
    assert results[1].story_key == "wsj"


def test_exact_duplicates_join_whatever_the_text_says() -> None:
    same_url = make("copy", "Completely different headline", url="https://x.example/wsj", hours=1)
    original = make("wsj", "Amazon in talks with OpenAI", url="https://x.example/wsj")
    _, results = assign_all(original, same_url)
    assert results[1].method == "exact" and results[1].story_key == "wsj"

    # Same text after folding case, accents and punctuation: syndicated verbatim.
    a = make(
        "a", "Lufthansa streicht Flüge", "Wegen eines Warnstreiks fallen Flüge aus.", lang="de"
    )
    b = make("b", "LUFTHANSA streicht Flüge!", "Wegen eines Warnstreiks fallen Flüge aus", lang="de",
             hours=2)  # fmt: skip
    _, results = assign_all(a, b)
    assert results[1].method == "exact"


def test_an_exact_duplicate_revives_a_story_outside_the_window() -> None:
    original = talks_en()
    weeks_later = make("rerun", "Amazon in talks", url="https://x.example/wsj", hours=24 * 30)
    index = StoryIndex(WINDOW)
    index.assign(original)
    index.assign(make("noise", "Unrelated harbour news", hours=24 * 29))  # moves time forward
    assert "wsj" in index.dormant
    result = index.assign(weeks_later)
    assert result.method == "exact" and result.story_key == "wsj" and "wsj" in index.active


SYNDICATED = (
    "Wegen eines Warnstreiks des Bodenpersonals hat die Lufthansa für Donnerstag Hunderte Flüge an "
    "ihren Drehkreuzen Frankfurt und München abgesagt. Die Gewerkschaft Verdi fordert für die rund "
    "20.000 Beschäftigten acht Prozent mehr Lohn."
)


def test_a_syndicated_copy_with_small_edits_is_a_near_duplicate() -> None:
    a = make(
        "spiegel", "Verdi-Warnstreik: Lufthansa streicht Hunderte Flüge", SYNDICATED, lang="de"
    )
    b = make("zeit", "Warnstreik bei Lufthansa: Hunderte Flüge fallen aus",
             SYNDICATED.replace("abgesagt", "gestrichen") + " Reisende sollen sich informieren.",
             lang="de", hours=1)  # fmt: skip
    assert cluster.estimated_jaccard(a, b) >= 0.5
    _, results = assign_all(a, b)
    assert results[1].method == "near_duplicate" and results[1].story_key == "spiegel"


def test_a_near_copy_with_another_amount_is_not_a_duplicate() -> None:
    text = "The company said the investment would be paid in cash and close by the summer."
    a = make("a", "Amazon to invest $4 billion in Anthropic", text,
             orgs=(("amazon", "Amazon"), ("anthropic", "Anthropic")),
             money=(("$4 billion", "4e9", "USD", None),))  # fmt: skip
    b = make("b", "Amazon to invest $2 billion in Anthropic", text, hours=3,
             orgs=(("amazon", "Amazon"), ("anthropic", "Anthropic")),
             money=(("$2 billion", "2e9", "USD", None),))  # fmt: skip
    assert cluster.estimated_jaccard(a, b) >= 0.5
    _, results = assign_all(a, b)
    assert results[1].method == "founder"


def test_amounts_compare_as_intervals() -> None:
    def rng(amount: str, qualifier: str | None = None, **kw: str) -> AmountRange:
        extra = {k: Decimal(v) for k, v in kw.items()}
        usd = extra.pop("usd", Decimal(amount))
        m = MoneyMention(0, 1, Decimal(amount), "USD", "x", qualifier, amount_usd=usd, **extra)
        result = amount_range(m)
        assert result is not None
        return result

    assert rng("50e9", "up_to").overlaps(rng("50e9"))
    assert rng("50e9", "up_to").overlaps(rng("40e9"))  # "up to 50" admits 40
    assert not rng("50e9").overlaps(rng("40e9"))
    assert rng("45e9", "range", amount_min="40e9", amount_max="50e9").overlaps(rng("42e9"))
    assert rng("12e9", "about").overlaps(rng("13e9")) and not rng("12e9").overlaps(rng("8e9"))
    # 4.5 bn euros at 1.08 is the same figure as 4.86 bn dollars.
    euros = MoneyMention(0, 1, Decimal("4.5e9"), "EUR", "x", amount_usd=Decimal("4.86e9"))
    assert amount_range(euros).overlaps(rng("4.86e9"))
    # A share price says nothing about a deal; an unconverted currency compares with itself only.
    assert (
        amount_range(MoneyMention(0, 1, Decimal("120"), "USD", "x", amount_usd=Decimal("120")))
        is None
    )
    yen = amount_range(MoneyMention(0, 1, Decimal("5e9"), "JPY", "x"))
    assert yen.unit == "JPY" and not cluster.amounts_conflict([yen], [rng("5e9")])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("16,000 jobs", {"#16000"}),
        ("16.000 Stellen", {"#16000"}),
        ("29,9 Prozent", {"#29.9"}),
        ("29.9%", {"#29.9"}),
        ("won 3-1 in Munich", {"#3-1"}),
        ("gewann 3:1", {"#3-1"}),
        ("in 2027 at 6 sites", set()),
        ("$213.4 billion", {"#213.4"}),
    ],
)
def test_numbers_match_across_conventions(text: str, expected: set[str]) -> None:
    assert numbers_of(text) == expected


def test_an_edited_article_keeps_its_story_unless_it_now_contradicts_it() -> None:
    index, _ = assign_all(talks_en(), talks_de(), anthropic_en())
    tweaked = make(
        "blatt", "Amazon plant Einstieg bei OpenAI",
        "Der Onlinehändler verhandelt über bis zu 50 Milliarden Dollar für OpenAI.",
        lang="de", hours=6, orgs=(("amazon", "Amazon"), ("openai", "OpenAI")),
        money=(("50 Milliarden Dollar", "50e9", "USD", "up_to"),),
    )  # fmt: skip
    assert index.assign(tweaked).method == "kept"
    rewritten = make(
        "blatt", "Amazon steckt weitere vier Milliarden Dollar in Anthropic",
        "Amazon investiert weitere vier Milliarden Dollar in den Claude-Entwickler Anthropic. "
        "Andy Jassy spricht von einer langfristigen Wette.",
        lang="de", hours=40, orgs=(("amazon", "Amazon"), ("anthropic", "Anthropic")),
        money=(("vier Milliarden Dollar", "4e9", "USD", None),), people=("Andy Jassy",),
    )  # fmt: skip
    moved = index.assign(rewritten)
    assert (moved.method, moved.story_key, moved.moved_from) == ("moved", "anthropic", "wsj")
    assert set(index.story("wsj").members) == {"wsj"}


def test_the_same_input_gives_the_same_stories_in_any_process() -> None:
    """Signatures use fixed seeds and no str hash, so another interpreter agrees exactly."""
    stream = cluster_bench.synthetic_stream(120, seed=3)
    evidence = [cluster.evidence_of(s.article, s.extraction, s.at) for s in stream]
    here = cluster.cluster(evidence, WINDOW)
    code = (
        "import json; from datetime import timedelta; from pipeline import cluster, cluster_bench\n"
        "s = cluster_bench.synthetic_stream(120, seed=3)\n"
        "e = [cluster.evidence_of(x.article, x.extraction, x.at) for x in s]\n"
        "print(json.dumps(cluster.cluster(e, timedelta(hours=96)), sort_keys=True))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    there = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env=env, check=True).stdout  # fmt: skip
    assert json.loads(there) == here
    assert cluster.cluster(list(reversed(evidence)), WINDOW) == here  # input order is irrelevant


def test_candidate_scoring_stays_bounded_as_stored_stories_grow() -> None:
    """Blocking caps the stories scored per article, so cost does not grow with the store."""
    small = cluster_bench.measure(500, probe=150)
    large = cluster_bench.measure(4000, probe=150)
    cap = cluster.ClusterParams().max_scored
    assert large["stored_stories"] >= 7 * small["stored_stories"]
    assert small["candidates_scored_per_article"] <= cap
    assert large["candidates_scored_per_article"] <= cap


def test_the_synthetic_stream_clusters_into_its_events() -> None:
    stream = cluster_bench.synthetic_stream(300, seed=5)
    evidence = [cluster.evidence_of(s.article, s.extraction, s.at) for s in stream]
    predicted = cluster.cluster(evidence, WINDOW)
    truth = {s.article.key: str(s.event) for s in stream}
    from pipeline.cluster_eval import bcubed

    assert bcubed(predicted, truth).f1 >= 0.9
