"""`newsflow dq`, `newsflow dq quarantine` and `newsflow dq release` through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg

from pipeline.quality import gate_batch
from tests.integration.test_cli_foundation import run
from tests.integration.test_quality_gate import add_article, add_feeds, add_money, make_settings


def test_dq_shows_results_lists_quarantine_and_releases(
    conn: psycopg.Connection, db_url: str, tmp_path: Path
) -> None:
    add_feeds(conn)
    for i in range(8):
        add_article(conn, f"good-{i}")
    add_article(conn, "bad-scheme", url="javascript:alert(1)")
    add_article(conn, "bad-money")
    add_money(conn, "bad-money", currency="XYZ")
    gate_batch(conn, make_settings(db_url, tmp_path), "cycle-cli")
    env = {"NEWSFLOW_DATABASE_URL": db_url, "NEWSFLOW_HOME": str(tmp_path), "COLUMNS": "200"}

    shown = run(["dq"], **env)
    assert shown.returncode == 0, shown.stderr
    for text in ("articles", "money_mentions", "org_mentions", "cycle-cli", "passed"):
        assert text in shown.stdout
    assert "url_scheme ×1" in shown.stdout and "currency_iso4217 ×1" in shown.stdout
    assert "2 rows in quarantine" in shown.stdout

    lines = run(["dq", "--json"], **env).stdout.splitlines()
    suites = {json.loads(line)["suite"]: json.loads(line) for line in lines}
    assert set(suites) == {"articles", "org_mentions", "money_mentions"}
    assert suites["articles"]["statistics"]["batch"]["quarantined"] == 2

    listed = run(["dq", "quarantine", "--json"], **env)
    entries = {e["row_key"]: e for e in map(json.loads, listed.stdout.splitlines())}
    assert set(entries) == {"bad-scheme", "bad-money@0-12"}
    assert entries["bad-scheme"]["failed_value"] == "javascript:alert(1)"
    assert "url_scheme" in run(["dq", "quarantine"], **env).stdout

    conn.execute("UPDATE articles SET url = 'https://wire.example/fixed' WHERE key = 'bad-scheme'")
    released = run(["dq", "release", str(entries["bad-scheme"]["id"])], **env)
    assert released.returncode == 0, released.stderr
    assert "article bad-scheme is pending again" in released.stdout
    status, when = conn.execute(
        "SELECT a.status, q.released_at FROM articles a JOIN quarantine q ON q.row_key = a.key "
        "WHERE a.key = 'bad-scheme'"
    ).fetchone()
    assert status == "pending" and when is not None
    assert (
        "already released" in run(["dq", "release", str(entries["bad-scheme"]["id"])], **env).stdout
    )

    missing = run(["dq", "release", "424242"], **env)
    assert missing.returncode == 2
    assert missing.stderr.strip().splitlines() == [
        "newsflow: quarantine entry 424242 does not exist; `newsflow dq quarantine` lists the "
        "open entries and their ids"
    ]


def test_dq_before_any_run_says_so(db_url: str) -> None:
    shown = run(["dq"], NEWSFLOW_DATABASE_URL=db_url)
    assert shown.returncode == 0, shown.stderr
    assert "no data-quality results yet" in shown.stdout
