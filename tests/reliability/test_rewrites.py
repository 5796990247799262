"""A feed rewrites items it already published: edited titles, changed guids, reverted edits.

What a changed guid with the same link means (the decision this suite pins down): within one
feed, an entry whose guid is new but whose link is the link of an article that feed published
before, and which that article's own guid no longer accompanies in the document, is the same
article re-keyed by the outlet (a CMS migration, a guid scheme change). It stays one article
under its first key; the new guid is stored on it, and a changed text is a revision.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import psycopg

from tests.reliability import corpus as corpora
from tests.reliability import harness
from tests.reliability.checks import PROCESS_BOUND_MB, totals, watching


def _edit(feed: corpora.Feed, edits: dict[int, dict]) -> corpora.Feed:
    items = list(feed.items)
    for index, change in edits.items():
        items[index] = replace(items[index], **change)
    return replace(feed, items=tuple(items))


def test_feed_rewrites_old_items(workspace, feeds, extractor, ledger):
    corpus = corpora.build(6, 10, seed=29)
    home = corpus.feeds[0]
    guided = [n for n, i in enumerate(home.items) if i.guid not in (None, "permalink")]
    guidless = [n for n, i in enumerate(home.items) if i.guid is None]
    assert len(guided) >= 4 and guidless
    edited, rekeyed, both = guided[0], guided[1], guided[2]
    untouched = guided[3]
    plain_edit = guidless[0]
    original = {n: home.items[n] for n in (edited, rekeyed, both, plain_edit, untouched)}
    row = ledger.row("feed rewrites old items", "edited titles, changed guids, reverts")

    now = datetime.now(UTC)
    settings = workspace.settings()

    def serve(feed: corpora.Feed) -> None:
        corpus.feeds[0] = feed
        feeds.documents.update(corpus.documents(now, feeds.base_url))

    serve(home)
    workspace.write_feeds(corpus.feeds_yaml(feeds.base_url))
    with watching() as memory:
        harness.ingest(settings, extractor)
        with psycopg.connect(workspace.url, autocommit=True) as conn:
            before = totals(conn, corpus)
        before.assert_exact()

        rewritten = _edit(
            home,
            {
                edited: {"title": original[edited].title + " (updated)"},
                rekeyed: {"guid": "cms2-" + original[rekeyed].slug},
                both: {
                    "guid": "cms2-" + original[both].slug,
                    "title": original[both].title + " – correction",
                },
                plain_edit: {"summary": original[plain_edit].summary + " Updated with details."},
            },
        )
        rounds = [rewritten, rewritten, home, rewritten]  # repeat, revert, edit again
        for feed in rounds:
            serve(feed)
            harness.make_all_due(settings)
            harness.ingest(settings, extractor)

    with psycopg.connect(workspace.url, autocommit=True) as conn:
        after = totals(conn, corpus)
        after.assert_exact()

        def article(n: int) -> tuple:
            return conn.execute(
                "SELECT key, guid, title, summary FROM articles WHERE url ~ %s",
                (f"/{original[n].slug}([?]|$)",),
            ).fetchone()

        def revisions(key: str) -> list[str]:
            rows = conn.execute(
                "SELECT title FROM article_revisions WHERE article_key = %s ORDER BY seen_at",
                (key,),
            )
            return [r[0] for r in rows]

        key, guid, title, _ = article(edited)
        assert title == original[edited].title + " (updated)"
        assert revisions(key) == [original[edited].title, title]

        key, guid, title, _ = article(rekeyed)
        assert guid == "cms2-" + original[rekeyed].slug, "the new guid is kept on the article"
        assert title == original[rekeyed].title
        assert revisions(key) == [], "a new guid alone is not a revision of the text"

        key, guid, title, _ = article(both)
        assert guid == "cms2-" + original[both].slug
        assert revisions(key) == [original[both].title, title]

        key, _, _, summary = article(plain_edit)
        assert summary.endswith("Updated with details.")
        assert len(revisions(key)) == 2

        key, _, _, _ = article(untouched)
        assert revisions(key) == []

        rev_rows = conn.execute("SELECT count(*) FROM article_revisions").fetchone()[0]
        assert rev_rows == 6  # original + edit for each of the three edited articles
    # Edited articles are re-extracted and re-clustered; none founds a second story.
    assert after.stories == before.stories, (before, after)
    assert after.partition == before.partition
    assert memory.peak_mb < PROCESS_BOUND_MB, f"{memory.peak_mb:.0f} MB"
    row.totals(after)
    row.injected = len(rounds) * 4  # rewritten entries served across the rounds
    row.peak_rss_mb = memory.peak_mb
    row.note = "1 article per link; 3 edits recorded as revisions; guid change kept the key"
    row.survived = True


def test_items_sharing_one_link_stay_apart(workspace, feeds, extractor, ledger):
    """A feed linking every item to its front page: a new guid there is a new article."""
    row = ledger.row("feed rewrites old items", "every item links to the front page")
    corpus = corpora.build(1, 4, seed=31)
    feed = corpus.feeds[0]
    front = corpora.Item("front", feed.id, "", "", 0, None)
    items = [replace(i, guid=f"item-{n}") for n, i in enumerate(feed.items)]

    def serve(shown: list[corpora.Item]) -> None:
        doc = corpora.render(replace(feed, items=tuple(shown)), datetime.now(UTC), feeds.base_url)
        # Every <link> points at the same front page.
        for item in shown:
            doc = doc.replace(
                corpora.link(feeds.base_url, item).encode(),
                corpora.link(feeds.base_url, front).encode(),
            )
        feeds.documents[feed.path] = doc

    serve(items[:3])
    workspace.write_feeds(corpus.feeds_yaml(feeds.base_url))
    settings = workspace.settings()
    harness.ingest(settings, extractor)
    serve(items[1:])  # the oldest item rotates out, a new one with the same link comes in
    harness.make_all_due(settings)
    harness.ingest(settings, extractor)
    with psycopg.connect(workspace.url, autocommit=True) as conn:
        guids = sorted(r[0] for r in conn.execute("SELECT guid FROM articles"))
        revisions = conn.execute("SELECT count(*) FROM article_revisions").fetchone()[0]
    assert guids == [f"item-{n}" for n in range(4)]
    assert revisions == 0
    row.injected = 1
    row.stored = len(guids)
    row.expected = 4
    row.missing = row.duplicated = 0
    row.note = "4 guids sharing one link stay 4 articles"
    row.survived = True
