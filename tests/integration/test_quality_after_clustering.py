"""Checks after clustering: stories (critical, quarantined) and feed health (warnings only)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from pipeline.quality import DataQualityError, release, validate_after_clustering
from tests.integration.test_quality_gate import add_article, add_feeds, make_settings

NOW = datetime.now(UTC)


def add_story(
    conn: psycopg.Connection, key: str, languages: list[str], articles: list[str]
) -> None:
    story_id = conn.execute(
        """INSERT INTO stories (story_key, title, languages, first_seen_at, last_seen_at,
                                article_count)
           VALUES (%s, %s, %s, now(), now(), %s) RETURNING id""",
        (key, f"Story {key}", languages, len(articles)),
    ).fetchone()[0]
    for article in articles:
        conn.execute(
            "INSERT INTO story_articles (article_key, story_id, method) VALUES (%s, %s, 'exact')",
            (article, story_id),
        )


def add_fetches(conn: psycopg.Connection, feed_id: str, outcomes: list[str]) -> None:
    for i, outcome in enumerate(outcomes):
        conn.execute(
            """INSERT INTO fetches (feed_id, started_at, duration_ms, outcome)
               VALUES (%s, %s, 120, %s)""",
            (feed_id, NOW - timedelta(hours=i + 1), outcome),
        )


def stories_world(conn: psycopg.Connection) -> None:
    add_feeds(conn)
    add_article(conn, "amz-en")
    add_article(conn, "amz-de", feed_id="blatt-de", language="de", title="Amazon plant Milliarden")
    add_article(conn, "port-en")
    add_article(conn, "port-de", feed_id="blatt-de", language="de", title="Hafen wächst")
    add_story(conn, "amz-en", ["en", "de"], ["amz-en", "amz-de"])
    add_story(conn, "port-en", ["en"], ["port-en", "port-de"])  # German article not listed
    add_story(conn, "empty", ["en"], [])  # an orphan: nothing points at it
    add_fetches(conn, "wire-en", ["stored", "not_modified", "stored"])
    add_fetches(conn, "blatt-de", ["stored"])


def test_orphan_story_and_language_mismatch_are_quarantined(
    conn: psycopg.Connection, db_url: str, tmp_path: Path
) -> None:
    stories_world(conn)
    settings = make_settings(db_url, tmp_path)  # 2 bad of 3 stories is within 5 tolerated rows

    report = validate_after_clustering(conn, settings, "cycle-s")

    assert report.success
    entries = set(
        conn.execute(
            "SELECT table_name, row_key, expectation, failed_value FROM quarantine "
            "WHERE released_at IS NULL"
        )
    )
    assert entries == {
        ("stories", "empty", "has_articles", "0"),
        (
            "stories",
            "port-en",
            "languages_consistent",
            "story lists [en], its articles are [de,en]",
        ),
    }
    stored = dict(conn.execute("SELECT suite, success FROM dq_results WHERE cycle_id = 'cycle-s'"))
    assert stored == {"stories": True, "feeds": True}
    stats = conn.execute("SELECT statistics FROM dq_results WHERE suite = 'stories'").fetchone()[0]
    assert stats["rows"] == 3 and stats["bad_rows"] == 2

    # Once clustering fixes the story, the next validation closes its entry by itself.
    conn.execute(
        "UPDATE stories SET languages = '{de,en}', updated_at = now() WHERE story_key = 'port-en'"
    )
    validate_after_clustering(conn, settings, "cycle-s2")
    open_keys = [
        r[0] for r in conn.execute("SELECT row_key FROM quarantine WHERE released_at IS NULL")
    ]
    assert open_keys == ["empty"]

    # Releasing a story entry without a fix: the next validation opens it again.
    entry = conn.execute("SELECT id FROM quarantine WHERE row_key = 'empty'").fetchone()[0]
    assert release(conn, entry).article_status is None
    validate_after_clustering(conn, settings, "cycle-s3")
    assert conn.execute(
        "SELECT released_at FROM quarantine WHERE id = %s", (entry,)
    ).fetchone() == (None,)


def test_story_failures_beyond_tolerance_fail_the_task(
    conn: psycopg.Connection, db_url: str, tmp_path: Path
) -> None:
    stories_world(conn)
    settings = make_settings(db_url, tmp_path, dq_tolerated_bad_rows=0)

    with pytest.raises(DataQualityError) as failure:
        validate_after_clustering(conn, settings, "cycle-strict")

    message = str(failure.value)
    assert (
        "stories/has_articles (expect_column_values_to_be_between on article_count) broken by 1 of 3 rows"
        in message
    )
    assert (
        "stories/languages_consistent (expect_column_values_to_be_null on language_mismatch) broken by 1 of 3 rows"
        in message
    )
    assert "feeds/" not in message
    success = conn.execute("SELECT success FROM dq_results WHERE suite = 'stories'").fetchone()[0]
    assert success is False


def test_unhealthy_feeds_are_recorded_as_warnings_without_failing(
    conn: psycopg.Connection, db_url: str, tmp_path: Path
) -> None:
    add_feeds(conn)
    conn.execute(
        """INSERT INTO feeds (id, outlet, url, language, poll_interval_s, created_at) VALUES
           ('flaky', 'Flaky', 'https://flaky.example/rss', 'en', 600, now() - interval '3 days'),
           ('silent', 'Silent', 'https://silent.example/rss', 'de', 600, now() - interval '5 days')"""
    )
    add_fetches(conn, "wire-en", ["stored", "stored", "not_modified", "stored", "stored"])
    add_fetches(conn, "blatt-de", ["stored", "failed", "stored", "stored", "stored"])  # 80 %: ok
    add_fetches(conn, "flaky", ["stored", "failed", "failed", "retry_later", "failed"])  # 20 %
    conn.execute(
        "UPDATE feeds SET last_success_at = now() - interval '40 hours' WHERE id = 'silent'"
    )
    settings = make_settings(db_url, tmp_path)

    report = validate_after_clustering(conn, settings, "cycle-f")

    assert report.success  # warnings never fail the task
    warned = {(w.check, w.unexpected) for w in report.warnings}
    assert warned == {("success_rate_24h", 1), ("fresh", 1)}
    success, severity, results = conn.execute(
        "SELECT success, severity, results FROM dq_results WHERE suite = 'feeds'"
    ).fetchone()
    assert (success, severity) == (False, "warning")
    failed = {r["check"]: r["failed"] for r in results}
    assert failed["success_rate_24h"] == [{"row_key": "flaky", "value": "0.200"}]
    assert failed["fresh"] == [{"row_key": "silent", "value": "40.0"}]
    assert conn.execute("SELECT count(*) FROM quarantine").fetchone()[0] == 0


def test_an_idle_cycle_records_passing_suites_without_running_gx(
    conn: psycopg.Connection, db_url: str, tmp_path: Path
) -> None:
    from pipeline.quality import gate_batch

    add_feeds(conn)
    add_fetches(conn, "wire-en", ["stored"])
    settings = make_settings(db_url, tmp_path)
    validate_after_clustering(conn, settings, "cycle-1")  # feeds checked: never checked before
    gate = gate_batch(conn, settings, "cycle-2")  # nothing pending
    after = validate_after_clustering(conn, settings, "cycle-2")  # feeds checked < 60 min ago
    assert gate.articles == 0 and gate.success and after.success
    rows = conn.execute(
        "SELECT cycle_id, suite, success, statistics->>'skipped' FROM dq_results ORDER BY 1, 2"
    ).fetchall()
    suites_2 = {suite: skipped for cycle, suite, ok, skipped in rows if cycle == "cycle-2"}
    assert "feeds" not in suites_2  # checked at most every dq_feed_check_minutes
    assert suites_2 and all(skipped == "no rows to check" for skipped in suites_2.values())
    assert ("cycle-1", "feeds") in {(c, s) for c, s, _, _ in rows}
