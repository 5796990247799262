"""The analyst's feed_health view counts a refused body as a failed attempt."""

from __future__ import annotations

import psycopg


def test_refused_body_is_not_a_success(conn: psycopg.Connection) -> None:
    conn.execute(
        "INSERT INTO feeds (id, outlet, url, language, poll_interval_s) "
        "VALUES ('wire', 'Wire', 'https://wire.example/rss', 'en', 600)"
    )
    conn.execute(
        """INSERT INTO fetches (feed_id, started_at, duration_ms, outcome, parse_error) VALUES
           ('wire', now(), 10, 'stored', 'an HTML page, not a feed'),
           ('wire', now(), 10, 'stored', NULL),
           ('wire', now(), 10, 'not_modified', NULL),
           ('wire', now(), 10, 'failed', NULL)"""
    )
    row = conn.execute("SELECT attempts_24h, ok_24h, success_rate_24h FROM feed_health").fetchone()
    assert row[0] == 4 and row[1] == 2 and float(row[2]) == 0.5
