"""Fetch and parse steps end to end: local HTTP server -> fetches -> articles in PostgreSQL."""

from __future__ import annotations

import gzip
import hashlib
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from pytest_httpserver import HTTPServer

from pipeline.settings import Settings
from pipeline.sources import Feed
from pipeline.steps.fetch import due_feed_ids, fetch_feeds
from pipeline.steps.parse import parse_fetches
from pipeline.store.feeds import sync_feeds

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SETTINGS = Settings(fetch_timeout_s=5)


def rss(items: str, lang: str = "en") -> bytes:
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Local</title>"
        f"<language>{lang}</language>{items}</channel></rss>"
    ).encode()


def item(title: str, link: str | None = None, guid: str | None = None, text: str = "") -> str:
    parts = [f"<title>{title}</title>"]
    if link:
        parts.append(f"<link>{link}</link>")
    if guid:
        parts.append(f"<guid>{guid}</guid>")
    if text:
        parts.append(f"<description>{text}</description>")
    return "<item>" + "".join(parts) + "</item>"


@pytest.fixture
def server() -> Iterator[HTTPServer]:
    s = HTTPServer(host="127.0.0.1", port=0)
    s.start()
    yield s
    s.clear()
    s.stop()


def add_feeds(conn: psycopg.Connection, server: HTTPServer, *paths: str, language="en") -> None:
    sync_feeds(
        conn,
        [
            Feed(
                id=p.strip("/").replace("/", "-"),
                outlet=f"Outlet {p}",
                url=server.url_for(p),
                language=language,
                allow_private=True,
            )
            for p in paths
        ],
    )


def articles(conn: psycopg.Connection) -> list[tuple]:
    return conn.execute("SELECT key, title, language FROM articles ORDER BY key").fetchall()


def test_fetch_records_attempts_bodies_and_feed_state(conn, server) -> None:
    body = rss(item("Story one", "https://local.example.com/1"))
    server.expect_request("/alpha").respond_with_data(body, headers={"ETag": '"a1"'})
    server.expect_request("/beta").respond_with_data("broken", status=500)
    add_feeds(conn, server, "/alpha", "/beta")
    assert sorted(due_feed_ids(conn)) == ["alpha", "beta"]

    report = fetch_feeds(conn, SETTINGS, "cycle-1")
    assert report.outcomes == {"stored": 1, "failed": 1}
    assert report.failures == {
        "beta": f"GET {server.url_for('/beta')}: HTTP 500 Internal Server Error"
    }
    assert report.bytes == len(body) and len(report.stored_fetch_ids) == 1

    row = conn.execute(
        "SELECT outcome, http_status, bytes, body_gz, body_sha256, retain_until - started_at,"
        " cycle_id, parsed_at FROM fetches WHERE feed_id = 'alpha'"
    ).fetchone()
    outcome, status, size, body_gz, sha, retention, cycle_id, parsed_at = row
    assert (outcome, status, size, cycle_id, parsed_at) == (
        "stored",
        200,
        len(body),
        "cycle-1",
        None,
    )
    assert gzip.decompress(body_gz) == body and sha == hashlib.sha256(body).hexdigest()
    assert retention == timedelta(days=SETTINGS.raw_retention_days)

    failed = conn.execute(
        "SELECT outcome, http_status, body_gz, error FROM fetches WHERE feed_id = 'beta'"
    ).fetchone()
    assert failed[:3] == ("failed", 500, None) and "HTTP 500" in failed[3]

    state = dict(
        (r[0], r[1:])
        for r in conn.execute(
            "SELECT id, etag, consecutive_failures, last_status, last_error IS NULL,"
            " next_fetch_at > now(), last_success_at IS NOT NULL FROM feeds"
        )
    )
    assert state["alpha"] == ('"a1"', 0, "200 stored", True, True, True)
    assert state["beta"] == (None, 1, "500 failed", False, True, False)
    assert due_feed_ids(conn) == []  # both wait now: one for its interval, one backing off


def test_second_cycle_is_a_conditional_get_and_parsing_is_idempotent(conn, server) -> None:
    body = rss(
        item("Story one", "https://local.example.com/1")
        + item("Story two", "https://local.example.com/2")
    )
    server.expect_ordered_request("/alpha").respond_with_data(body, headers={"ETag": '"v1"'})
    server.expect_ordered_request("/alpha", headers={"If-None-Match": '"v1"'}).respond_with_data(
        "", status=304
    )
    add_feeds(conn, server, "/alpha")
    fetch_feeds(conn, SETTINGS, "cycle-1")
    parsed = parse_fetches(conn, SETTINGS, "cycle-1")
    assert (parsed.fetches, parsed.articles_new, parsed.rejected) == (1, 2, {})
    assert conn.execute("SELECT count(*) FROM fetches WHERE parsed_at IS NULL").fetchone()[0] == 0

    before = conn.execute("SELECT * FROM articles ORDER BY key").fetchall()
    assert parse_fetches(conn, SETTINGS, "cycle-2").fetches == 0  # nothing left unparsed
    fetch_id = conn.execute("SELECT id FROM fetches").fetchone()[0]
    replay = parse_fetches(conn, SETTINGS, "cycle-2", [fetch_id])  # an explicit replay
    assert (replay.articles_new, replay.articles_changed, replay.articles_unchanged) == (0, 0, 2)
    assert conn.execute("SELECT * FROM articles ORDER BY key").fetchall() == before

    report = fetch_feeds(conn, SETTINGS, "cycle-2", ["alpha"])
    assert report.outcomes == {"not_modified": 1} and report.stored_fetch_ids == []
    server.check_assertions()


def test_410_disables_the_feed_and_a_resync_keeps_it_disabled(conn, server) -> None:
    server.expect_request("/alpha").respond_with_data("", status=410)
    add_feeds(conn, server, "/alpha")
    report = fetch_feeds(conn, SETTINGS, "cycle-1")
    assert report.outcomes == {"gone": 1} and "410" in report.failures["alpha"]
    enabled, reason = conn.execute("SELECT enabled, disabled_reason FROM feeds").fetchone()
    assert enabled is False and reason.startswith(f"gone: {server.url_for('/alpha')} answered 410")
    add_feeds(conn, server, "/alpha")  # feeds sync with the same URL
    assert conn.execute("SELECT enabled FROM feeds").fetchone()[0] is False
    conn.execute("UPDATE feeds SET next_fetch_at = now() - interval '1 hour'")
    assert due_feed_ids(conn) == []
    skipped = fetch_feeds(conn, SETTINGS, "cycle-2", ["alpha", "nope"])
    assert skipped.fetch_ids == []
    assert skipped.skipped["alpha"].startswith("disabled: gone:")
    assert "no such feed" in skipped.skipped["nope"]


def test_documents_that_are_not_feeds_are_recorded_as_parse_rejections(conn, server) -> None:
    server.expect_request("/html").respond_with_data(
        "<html><body>Moved</body></html>", content_type="text/html"
    )
    server.expect_request("/json").respond_with_json({"error": "no feed here"})
    server.expect_request("/empty").respond_with_data(b"")
    server.expect_request("/bomb").respond_with_data(
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">]><rss>&a;&a;</rss>'
    )
    add_feeds(conn, server, "/html", "/json", "/empty", "/bomb")
    fetch_feeds(conn, SETTINGS, "cycle-1")
    report = parse_fetches(conn, SETTINGS, "cycle-1")
    assert report.fetches == 4 and report.articles_new == 0
    errors = dict(
        conn.execute("SELECT feed_id, parse_error FROM fetches WHERE parsed_at IS NOT NULL")
    )
    assert errors["html"].startswith("an HTML page, not an RSS or Atom feed")
    assert errors["json"].startswith("a JSON document")
    assert errors["empty"] == "empty document"
    assert "entity" in errors["bomb"]
    assert sorted(report.rejected.values()) == sorted(errors.values())


def test_wrong_declared_charset_and_german_feed(conn, server) -> None:
    body = rss(
        item(
            "Übernahme: Größter Zukauf der Firmengeschichte",
            "https://de.example.de/uebernahme",
            text="Der Konzern übernimmt den Wettbewerber für 2 Milliarden Euro und zahlt in bar.",
        ),
        lang="de",
    )
    server.expect_request("/de").respond_with_data(
        body, headers={"Content-Type": "application/rss+xml; charset=ISO-8859-1"}
    )
    add_feeds(conn, server, "/de", language="de")
    fetch_feeds(conn, SETTINGS, "cycle-1")
    parse_fetches(conn, SETTINGS, "cycle-1")
    assert articles(conn) == [
        ("url:de.example.de/uebernahme", "Übernahme: Größter Zukauf der Firmengeschichte", "de")
    ]


def test_same_article_in_two_feeds_and_guid_scheme_flip(conn, server) -> None:
    shared = item("Joint story", guid="http://shared.example.com/story/1")
    flipped = item("Joint story", guid="https://shared.example.com/story/1")
    server.expect_request("/one").respond_with_data(rss(shared))
    server.expect_request("/two").respond_with_data(rss(flipped))
    add_feeds(conn, server, "/one", "/two")
    fetch_feeds(conn, SETTINGS, "cycle-1")
    report = parse_fetches(conn, SETTINGS, "cycle-1")
    assert (report.articles_new, report.articles_unchanged, report.sightings_added) == (1, 1, 1)
    assert articles(conn) == [("url:shared.example.com/story/1", "Joint story", "en")]
    feeds = [r[0] for r in conn.execute("SELECT feed_id FROM article_sightings ORDER BY 1")]
    assert feeds == ["one", "two"]


def test_entries_that_are_not_articles_are_quarantined_once(conn, server) -> None:
    body = rss(
        item("Fine", "https://ok.example.com/1") + "<item><link>javascript:void(0)</link></item>"
    )
    server.expect_request("/alpha").respond_with_data(body)
    add_feeds(conn, server, "/alpha")
    fetch_feeds(conn, SETTINGS, "cycle-1")
    report = parse_fetches(conn, SETTINGS, "cycle-1")
    assert (report.articles_new, report.entries_skipped) == (1, 1)
    rows = conn.execute(
        "SELECT table_name, reason, row_data->>'feed_id' FROM quarantine"
    ).fetchall()
    assert rows == [
        (
            "feed_entries",
            "entry has no title, summary or http(s) link (refused links: javascript:void(0))",
            "alpha",
        )
    ]
    fetch_id = conn.execute("SELECT id FROM fetches").fetchone()[0]
    parse_fetches(conn, SETTINGS, "cycle-2", [fetch_id])
    assert conn.execute("SELECT count(*) FROM quarantine").fetchone()[0] == 1


def test_newsflow_fetch_command(db_url: str, conn, server) -> None:
    server.expect_request("/alpha").respond_with_data(
        rss(item("CLI story", "https://cli.example.com/1"))
    )
    server.expect_request("/down").respond_with_data("", status=503, headers={"Retry-After": "120"})
    add_feeds(conn, server, "/alpha", "/down")
    env = {**os.environ, "NEWSFLOW_DATABASE_URL": db_url}

    def newsflow(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "pipeline.cli", *args],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip

    ok = newsflow("fetch", "alpha", "--parse")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("alpha: stored HTTP 200,")
    assert "parsed: 1 new, 0 changed, 0 unchanged articles" in ok.stdout
    assert articles(conn) == [("url:cli.example.com/1", "CLI story", "en")]

    later = newsflow("fetch", "down")
    assert later.returncode == 1
    assert "down: retry_later HTTP 503" in later.stdout and "Retry-After: 120" in later.stderr

    missing = newsflow("fetch", "no-such-feed")
    assert missing.returncode == 2
    assert missing.stderr.strip().startswith("newsflow: feed 'no-such-feed' is not in the database")
    assert "Traceback" not in missing.stderr

    next_at = conn.execute("SELECT next_fetch_at FROM feeds WHERE id = 'down'").fetchone()[0]
    assert next_at >= datetime.now(UTC) + timedelta(seconds=100)


def test_a_parser_crash_on_one_body_is_recorded_and_does_not_block_the_others(
    conn, server, monkeypatch
) -> None:
    import pipeline.steps.parse as parse_step

    server.expect_request("/good").respond_with_data(rss(item("Fine", "https://ok.example.com/1")))
    server.expect_request("/poison").respond_with_data(
        rss(item("Poison", "https://ok.example.com/2"))
    )
    add_feeds(conn, server, "/good", "/poison")
    fetch_feeds(conn, SETTINGS, "cycle-1")
    real = parse_step.parse_feed

    def crashing(body, feed_id, *args, **kw):
        if feed_id == "poison":
            raise RecursionError("maximum recursion depth exceeded")
        return real(body, feed_id, *args, **kw)

    monkeypatch.setattr(parse_step, "parse_feed", crashing)
    report = parse_fetches(conn, SETTINGS, "cycle-1")
    assert report.articles_new == 1
    errors = dict(conn.execute("SELECT feed_id, parse_error FROM fetches"))
    assert errors == {
        "good": None,
        "poison": "internal parser error RecursionError: maximum recursion depth exceeded",
    }
    assert parse_fetches(conn, SETTINGS, "cycle-2").fetches == 0  # not retried every cycle
