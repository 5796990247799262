"""Syncing the feed registry to PostgreSQL is idempotent and never deletes history."""

from __future__ import annotations

import psycopg

from pipeline.sources import Feed
from pipeline.store import feeds as store


def _feed(i: int, **kw) -> Feed:
    base = {"id": f"f{i}", "outlet": f"Outlet {i}", "url": f"https://o{i}.example/rss",
            "language": "en"}  # fmt: skip
    return Feed(**{**base, **kw})


def test_sync_inserts_then_is_a_no_op(conn: psycopg.Connection) -> None:
    feeds = [_feed(1), _feed(2, language="de")]
    first = store.sync_feeds(conn, feeds)
    assert first.inserted == ["f1", "f2"]
    stamp = conn.execute("SELECT max(updated_at) FROM feeds").fetchone()[0]
    second = store.sync_feeds(conn, feeds)
    assert second.unchanged == ["f1", "f2"] and not second.inserted and not second.updated
    assert conn.execute("SELECT max(updated_at) FROM feeds").fetchone()[0] == stamp


def test_changed_and_removed_feeds(conn: psycopg.Connection) -> None:
    store.sync_feeds(conn, [_feed(1), _feed(2)])
    report = store.sync_feeds(conn, [_feed(1, poll_minutes=5)])
    assert report.updated == ["f1"] and report.retired == ["f2"]
    rows = {
        r[0]: r[1:]
        for r in conn.execute("SELECT id, enabled, disabled_reason, poll_interval_s FROM feeds")
    }
    assert rows["f1"] == (True, None, 300)
    assert rows["f2"] == (False, "removed from config", 900)
    back = store.sync_feeds(conn, [_feed(1, poll_minutes=5), _feed(2)])
    assert back.updated == ["f2"]
    assert conn.execute("SELECT enabled FROM feeds WHERE id='f2'").fetchone()[0] is True


def test_a_gone_feed_stays_disabled_until_its_url_changes(conn: psycopg.Connection) -> None:
    store.sync_feeds(conn, [_feed(1)])
    conn.execute("UPDATE feeds SET enabled=false, disabled_reason='gone: HTTP 410' WHERE id='f1'")
    store.sync_feeds(conn, [_feed(1)])
    assert conn.execute("SELECT enabled FROM feeds").fetchone()[0] is False
    store.sync_feeds(conn, [_feed(1, url="https://moved.example/rss")])
    assert conn.execute("SELECT enabled, disabled_reason FROM feeds").fetchone() == (True, None)
