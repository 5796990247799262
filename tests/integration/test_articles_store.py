"""upsert_articles on real PostgreSQL: new, sightings, revisions, and re-runs that change nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from pipeline.records import Article
from pipeline.sources import Feed
from pipeline.store.articles import upsert_articles
from pipeline.store.feeds import sync_feeds

T0 = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


@pytest.fixture
def feeds(conn: psycopg.Connection) -> list[str]:
    sync_feeds(
        conn,
        [
            Feed(id="wire-a", outlet="Wire A", url="https://a.example.com/rss", language="en"),
            Feed(id="wire-b", outlet="Wire B", url="https://b.example.com/rss", language="en"),
        ],
    )
    return ["wire-a", "wire-b"]


def add_fetch(conn: psycopg.Connection, feed_id: str, started_at: datetime) -> int:
    return conn.execute(
        "INSERT INTO fetches (feed_id, started_at, duration_ms, outcome) "
        "VALUES (%s, %s, 10, 'stored') RETURNING id",
        (feed_id, started_at),
    ).fetchone()[0]


def article(
    key: str, feed_id: str = "wire-a", title: str = "Title", summary: str = "Text"
) -> Article:
    import hashlib

    return Article(
        key=key,
        feed_id=feed_id,
        url=f"https://{key}.example.com/",
        canonical_url=f"https://{key}.example.com/",
        title=title,
        summary=summary,
        language="en",
        content_hash=hashlib.sha256(f"{title}\n{summary}".encode()).hexdigest(),
        authors=("A. Writer",),
        published_at=T0 - timedelta(hours=1),
        published_raw="raw date",
    )


def snapshot(conn: psycopg.Connection) -> tuple:
    return tuple(
        conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
        for table in ("articles", "article_sightings", "article_revisions")
    )


def test_new_articles_are_pending_with_a_sighting(conn, feeds) -> None:
    fetch = add_fetch(conn, "wire-a", T0)
    report = upsert_articles(
        conn, [article("k1"), article("k2")], fetch_id=fetch, cycle_id="c1", seen_at=T0
    )
    assert sorted(report.new) == ["k1", "k2"] and not report.changed and not report.unchanged
    rows = conn.execute(
        "SELECT key, status, first_seen_at, last_seen_at, fetch_id, cycle_id, authors, published_at "
        "FROM articles ORDER BY key"
    ).fetchall()
    assert rows[0] == ("k1", "pending", T0, T0, fetch, "c1", ["A. Writer"], T0 - timedelta(hours=1))
    assert conn.execute("SELECT count(*) FROM article_sightings").fetchone()[0] == 2


def test_reprocessing_the_same_fetch_changes_nothing(conn, feeds) -> None:
    fetch = add_fetch(conn, "wire-a", T0)
    batch = [article("k1"), article("k2", title="Other")]
    upsert_articles(conn, batch, fetch_id=fetch, cycle_id="c1", seen_at=T0)
    before = snapshot(conn)
    again = upsert_articles(conn, batch, fetch_id=fetch, cycle_id="c2", seen_at=T0)
    assert again.new == [] and again.changed == [] and sorted(again.unchanged) == ["k1", "k2"]
    assert snapshot(conn) == before


def test_same_article_in_a_second_feed_is_a_sighting_not_a_new_article(conn, feeds) -> None:
    upsert_articles(
        conn, [article("k1")], fetch_id=add_fetch(conn, "wire-a", T0), cycle_id="c1", seen_at=T0
    )
    later = T0 + timedelta(minutes=10)
    # Feed B words the title differently: the home feed's version stays.
    other = article("k1", feed_id="wire-b", title="Title (Wire B)")
    report = upsert_articles(
        conn, [other], fetch_id=add_fetch(conn, "wire-b", later), cycle_id="c1", seen_at=later
    )
    assert report.new == [] and report.changed == [] and report.sightings_added == ["k1"]
    assert conn.execute("SELECT count(*), min(title), min(feed_id) FROM articles").fetchone() == (
        1,
        "Title",
        "wire-a",
    )
    sightings = conn.execute(
        "SELECT feed_id, first_seen_at FROM article_sightings ORDER BY feed_id"
    ).fetchall()
    assert sightings == [("wire-a", T0), ("wire-b", later)]
    assert conn.execute("SELECT last_seen_at FROM articles").fetchone()[0] == later


def test_a_revised_title_is_recorded_and_later_steps_redo_the_article(conn, feeds) -> None:
    first = add_fetch(conn, "wire-a", T0)
    upsert_articles(
        conn, [article("k1", title="Deal talks")], fetch_id=first, cycle_id="c1", seen_at=T0
    )
    conn.execute("UPDATE articles SET status = 'ok', extracted_at = now(), clustered_at = now()")
    later = T0 + timedelta(hours=1)
    second = add_fetch(conn, "wire-a", later)
    report = upsert_articles(
        conn, [article("k1", title="Deal agreed")], fetch_id=second, cycle_id="c2", seen_at=later
    )
    assert report.changed == ["k1"]
    row = conn.execute(
        "SELECT title, status, extracted_at, clustered_at, fetch_id, cycle_id FROM articles"
    ).fetchone()
    assert row == ("Deal agreed", "pending", None, None, second, "c2")
    revisions = conn.execute(
        "SELECT title, seen_at FROM article_revisions ORDER BY seen_at"
    ).fetchall()
    assert revisions == [("Deal talks", T0), ("Deal agreed", later)]
    # Re-processing the older fetch afterwards does not bring the old title back.
    before = snapshot(conn)
    stale = upsert_articles(
        conn, [article("k1", title="Deal talks")], fetch_id=first, cycle_id="c1", seen_at=T0
    )
    assert stale.changed == [] and snapshot(conn) == before


def test_metadata_changes_update_in_place_without_redoing_extraction(conn, feeds) -> None:
    upsert_articles(
        conn, [article("k1")], fetch_id=add_fetch(conn, "wire-a", T0), cycle_id="c1", seen_at=T0
    )
    conn.execute("UPDATE articles SET extracted_at = %s", (T0,))
    later = T0 + timedelta(hours=1)
    moved = replace(article("k1"), url="https://k1.example.com/moved", published_at=T0)
    report = upsert_articles(
        conn, [moved], fetch_id=add_fetch(conn, "wire-a", later), cycle_id="c2", seen_at=later
    )
    assert report.changed == [] and report.unchanged == ["k1"]
    assert conn.execute("SELECT url, published_at, extracted_at FROM articles").fetchone() == (
        "https://k1.example.com/moved",
        T0,
        T0,
    )
    assert conn.execute("SELECT count(*) FROM article_revisions").fetchone()[0] == 0


def test_a_batch_with_a_repeated_key_keeps_the_first(conn, feeds) -> None:
    fetch = add_fetch(conn, "wire-a", T0)
    report = upsert_articles(
        conn,
        [article("k1", title="First"), article("k1", title="Second")],
        fetch_id=fetch,
        cycle_id="c1",
        seen_at=T0,
    )
    assert report.new == ["k1"]
    assert conn.execute("SELECT title FROM articles").fetchone()[0] == "First"


def test_thousands_of_articles_in_one_call(conn, feeds) -> None:
    fetch = add_fetch(conn, "wire-a", T0)
    batch = [article(f"bulk{i:05d}", title=f"Story {i}") for i in range(3000)]
    report = upsert_articles(conn, batch, fetch_id=fetch, cycle_id="c1", seen_at=T0)
    assert len(report.new) == 3000
    again = upsert_articles(conn, batch, fetch_id=fetch, cycle_id="c1", seen_at=T0)
    assert len(again.unchanged) == 3000
    assert conn.execute("SELECT count(*) FROM article_sightings").fetchone()[0] == 3000
