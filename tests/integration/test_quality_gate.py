"""The data-quality gate on real batches in a real PostgreSQL, checked by Great Expectations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from pipeline.errors import NewsflowError
from pipeline.quality import DataQualityError, gate_batch, release
from pipeline.settings import Settings

NOW = datetime.now(UTC)


def make_settings(db_url: str, home: Path, **overrides: object) -> Settings:
    return Settings(database_url=db_url, home=home, **overrides)


def add_feeds(conn: psycopg.Connection) -> None:
    conn.execute(
        """INSERT INTO feeds (id, outlet, url, language, poll_interval_s) VALUES
           ('wire-en', 'Wire', 'https://wire.example/rss', 'en', 600),
           ('blatt-de', 'Blatt', 'https://blatt.example/rss', 'de', 600)"""
    )
    conn.execute(
        """INSERT INTO organizations (id, name, source) VALUES
           ('amazon', 'Amazon', 'registry'), ('openai', 'OpenAI', 'registry'),
           ('tiny-robotics', 'Tiny Robotics', 'discovered')"""
    )


def add_article(conn: psycopg.Connection, key: str, **fields: object) -> None:
    """One pending article; any column can be overridden to make it bad."""
    row = {
        "key": key,
        "feed_id": "wire-en",
        "url": f"https://wire.example/news/{key}",
        "canonical_url": f"https://wire.example/news/{key}",
        "title": f"Harbour operator {key} expands its container terminal",
        "summary": "The operator said the new berth opens next spring.",
        "language": "en",
        "published_at": NOW - timedelta(hours=2),
        "first_seen_at": NOW - timedelta(minutes=30),
        "last_seen_at": NOW - timedelta(minutes=30),
        "content_hash": f"hash-{key}",
        "extracted_at": NOW - timedelta(minutes=29),  # the gate takes extracted articles
        **fields,
    }
    cols = ", ".join(row)
    conn.execute(
        f"INSERT INTO articles ({cols}) VALUES ({', '.join(['%s'] * len(row))})",
        list(row.values()),
    )


def add_money(conn: psycopg.Connection, key: str, start: int = 0, **fields: object) -> str:
    row = {
        "article_key": key,
        "start_char": start,
        "end_char": start + 12,
        "amount": Decimal("50000000000"),
        "currency": "USD",
        "qualifier": "up_to",
        "surface": "$50 billion",
        **fields,
    }
    conn.execute(
        f"INSERT INTO money_mentions ({', '.join(row)}) VALUES ({', '.join(['%s'] * len(row))})",
        list(row.values()),
    )
    return f"{key}@{start}-{start + 12}"


def add_org(conn: psycopg.Connection, key: str, org_id: str, start: int = 20) -> str:
    conn.execute(
        """INSERT INTO org_mentions (article_key, start_char, end_char, org_id, surface, source)
           VALUES (%s, %s, %s, %s, 'Amazon', 'registry')""",
        (key, start, start + 6, org_id),
    )
    return f"{key}@{start}-{start + 6}"


def statuses(conn: psycopg.Connection) -> dict[str, str]:
    return dict(conn.execute("SELECT key, status FROM articles"))


def open_entries(conn: psycopg.Connection) -> set[tuple]:
    return set(
        conn.execute(
            """SELECT table_name, row_key, expectation, failed_value FROM quarantine
               WHERE released_at IS NULL"""
        )
    )


def snapshot(conn: psycopg.Connection) -> dict[str, list]:
    """Everything the gate writes, with timestamps, to prove a re-run changes nothing."""
    queries = {
        "articles": "SELECT key, status, updated_at FROM articles ORDER BY key",
        "quarantine": "SELECT * FROM quarantine ORDER BY id",
        "dq_results": "SELECT * FROM dq_results ORDER BY id",
        "batches": "SELECT * FROM dq_batch_articles ORDER BY 1, 2",
    }
    return {name: conn.execute(q).fetchall() for name, q in queries.items()}


def test_clean_batch_passes_and_every_article_becomes_visible(
    conn: psycopg.Connection, db_url: str, tmp_path: Path
) -> None:
    add_feeds(conn)
    for i in range(6):
        add_article(conn, f"good-{i}")
        add_money(conn, f"good-{i}")
        add_org(conn, f"good-{i}", "amazon")
    add_article(conn, "good-de", feed_id="blatt-de", language="de", title="Hafen wächst weiter")
    settings = make_settings(db_url, tmp_path)

    report = gate_batch(conn, settings, "cycle-clean")

    assert report.success and not report.critical_failures
    assert (report.articles, report.articles_ok, report.articles_quarantined) == (7, 7, 0)
    assert set(statuses(conn).values()) == {"ok"}
    assert conn.execute("SELECT count(*) FROM quarantine").fetchone()[0] == 0
    results = dict(
        conn.execute(
            "SELECT suite, success FROM dq_results WHERE cycle_id = 'cycle-clean' ORDER BY suite"
        )
    )
    assert results == {"articles": True, "money_mentions": True, "org_mentions": True}
    rows = dict(conn.execute("SELECT suite, (statistics->>'rows')::int FROM dq_results").fetchall())
    assert rows == {"articles": 7, "money_mentions": 6, "org_mentions": 6}
    assert (tmp_path / "data_docs" / "index.html").is_file()


def test_bad_rows_go_to_quarantine_with_expectation_and_value(
    conn: psycopg.Connection, db_url: str, tmp_path: Path
) -> None:
    add_feeds(conn)
    for i in range(40):
        add_article(conn, f"good-{i:02d}")
        add_money(conn, f"good-{i:02d}")
        add_org(conn, f"good-{i:02d}", "tiny-robotics")
    future = NOW + timedelta(hours=5)
    add_article(conn, "bad-scheme", url="javascript:alert(1)")
    add_article(conn, "bad-future", published_at=future)
    add_article(conn, "bad-html", summary="<p>Shares <b>rose</b> sharply</p>")
    add_article(conn, "bad-lang", language="fr")
    add_article(conn, "bad-title", title="   ")
    add_article(conn, "bad-zero")
    zero = add_money(conn, "bad-zero", amount=Decimal("0"))
    add_article(conn, "bad-negative")
    negative = add_money(conn, "bad-negative", amount=Decimal("-3"))
    add_article(conn, "bad-currency")
    xyz = add_money(conn, "bad-currency", currency="XYZ")
    add_article(conn, "bad-qualifier")
    qual = add_money(conn, "bad-qualifier", qualifier="roughly")
    add_article(conn, "bad-org")
    # The foreign key guards org_id on normal inserts; a restore or COPY with triggers off
    # does not. Replica mode reproduces such a row; the gate must still catch it.
    conn.execute("SET session_replication_role = replica")
    ghost = add_org(conn, "bad-org", "ghost-corp")
    conn.execute("SET session_replication_role = DEFAULT")
    settings = make_settings(db_url, tmp_path)

    report = gate_batch(conn, settings, "cycle-bad-rows")

    assert report.success  # a few bad rows are quarantined, they do not fail the batch
    assert open_entries(conn) == {
        ("articles", "bad-scheme", "url_scheme", "javascript:alert(1)"),
        ("articles", "bad-future", "published_not_future", future.isoformat()),
        ("articles", "bad-html", "summary_not_html", "<p>Shares <b>rose</b> sharply</p>"),
        ("articles", "bad-lang", "language_known", "fr"),
        ("articles", "bad-title", "title_present", None),
        ("money_mentions", zero, "amount_positive", "0"),
        ("money_mentions", negative, "amount_positive", "-3"),
        ("money_mentions", xyz, "currency_iso4217", "XYZ"),
        ("money_mentions", qual, "qualifier_known", "roughly"),
        ("org_mentions", ghost, "org_known", "ghost-corp"),
    }
    reason = conn.execute(
        "SELECT reason, article_key, cycle_id FROM quarantine WHERE row_key = 'bad-scheme'"
    ).fetchone()
    assert reason == (
        "url is not an http(s) address [expect_column_values_to_match_regex on url]",
        "bad-scheme",
        "cycle-bad-rows",
    )

    # Bad mentions hold their article back; every other article is visible. Nothing is lost.
    status = statuses(conn)
    bad = {k for k in status if k.startswith("bad-")}
    assert {k for k, s in status.items() if s == "quarantined"} == bad
    assert {k for k, s in status.items() if s == "ok"} == set(status) - bad
    assert (report.articles, report.articles_ok, report.articles_quarantined) == (50, 40, 10)
    assert report.articles_ok + report.articles_quarantined == len(status)
    assert conn.execute("SELECT count(*) FROM money_mentions").fetchone()[0] == 44

    stored = {
        suite: (success, stats, results)
        for suite, success, stats, results in conn.execute(
            "SELECT suite, success, statistics, results FROM dq_results "
            "WHERE cycle_id = 'cycle-bad-rows'"
        )
    }
    assert set(stored) == {"articles", "org_mentions", "money_mentions"}
    success, stats, results = stored["articles"]
    assert success is True
    assert stats["batch"] == {"articles": 50, "ok": 40, "quarantined": 10, "pending": 0}
    assert stats["rows"] == 50 and stats["bad_rows"] == 5
    by_check = {r["check"]: r for r in results}
    assert by_check["url_scheme"]["unexpected"] == 1
    assert by_check["url_scheme"]["failed"] == [
        {"row_key": "bad-scheme", "value": "javascript:alert(1)"}
    ]
    assert by_check["url_scheme"]["expectation"] == "expect_column_values_to_match_regex"
    assert stored["money_mentions"][1]["failed_checks"] == {
        "amount_positive": 2,
        "currency_iso4217": 1,
        "qualifier_known": 1,
    }

    docs = tmp_path / "data_docs"
    pages = list((docs / "validations").rglob("*.html"))
    assert (docs / "index.html").is_file() and len(pages) == 3
    assert any("javascript:alert(1)" in p.read_text(encoding="utf-8") for p in pages)

    # An Airflow retry of the same cycle re-checks the same batch and changes nothing.
    before = snapshot(conn)
    again = gate_batch(conn, settings, "cycle-bad-rows")
    assert snapshot(conn) == before
    assert (again.articles, again.articles_ok, again.articles_quarantined) == (50, 40, 10)


def test_whole_batch_failure_raises_naming_each_expectation_and_count(
    conn: psycopg.Connection, db_url: str, tmp_path: Path
) -> None:
    add_feeds(conn)
    for i in range(10):
        add_article(conn, f"good-{i}")
    for i in range(8):
        add_article(conn, f"feed-bug-{i}", url=f"javascript:void({i})")
    for i in range(7):
        add_article(conn, f"html-bug-{i}", summary=f"<div class='teaser'>Story {i}</div>")
    settings = make_settings(db_url, tmp_path)

    with pytest.raises(DataQualityError) as failure:
        gate_batch(conn, settings, "cycle-broken-parser")

    message = str(failure.value)
    assert (
        "articles/url_scheme (expect_column_values_to_match_regex on url) broken by 8 of 25 rows"
        in message
    )
    assert (
        "articles/summary_not_html (expect_column_values_to_not_match_regex on summary) broken by 7 of 25 rows"
        in message
    )
    assert "language_known" not in message and "\n" not in message
    assert [c.check for c in failure.value.report.critical_failures] == [
        "url_scheme",
        "summary_not_html",
    ]
    # Even when failing, bad rows are quarantined, good ones admitted, the result recorded.
    status = statuses(conn)
    assert sum(s == "ok" for s in status.values()) == 10
    assert sum(s == "quarantined" for s in status.values()) == 15
    success, stats = conn.execute(
        "SELECT success, statistics FROM dq_results WHERE suite = 'articles'"
    ).fetchone()
    assert success is False
    assert stats["failed_checks"] == {"url_scheme": 8, "summary_not_html": 7}

    # A retry fails the same way and writes nothing new.
    before = snapshot(conn)
    with pytest.raises(DataQualityError) as retry:
        gate_batch(conn, settings, "cycle-broken-parser")
    assert str(retry.value) == message
    assert snapshot(conn) == before


def test_tolerance_settings_decide_what_fails_the_batch(
    conn: psycopg.Connection, db_url: str, tmp_path: Path
) -> None:
    add_feeds(conn)
    for i in range(3):
        add_article(conn, f"good-{i}")
    add_article(conn, "bad-lang", language="it")
    lenient = make_settings(db_url, tmp_path)  # 1 bad row of 4 is within the 5 tolerated rows
    assert gate_batch(conn, lenient, "cycle-lenient").success

    add_article(conn, "bad-lang-2", language="it")
    add_article(conn, "good-3")
    strict = make_settings(db_url, tmp_path, dq_tolerated_bad_rows=0, dq_max_bad_fraction=0.1)
    with pytest.raises(DataQualityError, match=r"language_known .* broken by 1 of 2 rows"):
        gate_batch(conn, strict, "cycle-strict")
    assert statuses(conn)["good-3"] == "ok"


def test_release_sends_a_fixed_article_back_through_the_gate(
    conn: psycopg.Connection, db_url: str, tmp_path: Path
) -> None:
    add_feeds(conn)
    add_article(conn, "good")
    add_article(conn, "bad-scheme", url="ftp://wire.example/x")
    add_article(conn, "bad-money")
    money_key = add_money(conn, "bad-money", currency="usd")
    settings = make_settings(db_url, tmp_path)
    gate_batch(conn, settings, "cycle-1")
    ids = dict(conn.execute("SELECT row_key, id FROM quarantine"))
    assert statuses(conn) == {"good": "ok", "bad-scheme": "quarantined", "bad-money": "quarantined"}

    # The operator fixes both rows, releases them, and the next cycle's gate admits them.
    conn.execute("UPDATE articles SET url = 'https://wire.example/x' WHERE key = 'bad-scheme'")
    conn.execute("UPDATE money_mentions SET currency = 'USD' WHERE article_key = 'bad-money'")
    first = release(conn, ids["bad-scheme"])
    assert (first.article_key, first.article_status, first.already_released) == (
        "bad-scheme",
        "pending",
        False,
    )
    assert release(conn, ids[money_key]).article_key == "bad-money"
    assert statuses(conn)["bad-money"] == "pending"
    assert release(conn, ids["bad-scheme"]).already_released  # twice changes nothing

    report = gate_batch(conn, settings, "cycle-2")
    assert report.articles == 2 and report.articles_ok == 2
    assert set(statuses(conn).values()) == {"ok"}
    assert open_entries(conn) == set()

    with pytest.raises(NewsflowError, match="quarantine entry 999999 does not exist"):
        release(conn, 999999)


def test_release_without_a_fix_quarantines_the_row_again(
    conn: psycopg.Connection, db_url: str, tmp_path: Path
) -> None:
    add_feeds(conn)
    add_article(conn, "bad-lang", language="es")
    settings = make_settings(db_url, tmp_path)
    gate_batch(conn, settings, "cycle-1")
    entry = conn.execute("SELECT id FROM quarantine").fetchone()[0]

    release(conn, entry)
    gate_batch(conn, settings, "cycle-2")

    assert statuses(conn) == {"bad-lang": "quarantined"}
    row = conn.execute("SELECT released_at, cycle_id FROM quarantine WHERE id = %s", (entry,))
    assert row.fetchone() == (None, "cycle-2")
