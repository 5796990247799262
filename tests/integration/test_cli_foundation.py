"""The `newsflow` command as a user runs it: demo, feeds sync, db url, and its error lines."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg

from tests.conftest import ROOT

NEWSFLOW = [sys.executable, "-m", "pipeline.cli"]


def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSFLOW_")}
    full_env.update(env)
    return subprocess.run(
        NEWSFLOW + args, capture_output=True, text=True, env=full_env, cwd=ROOT, timeout=120
    )


def test_demo_with_a_configured_server_migrates_and_loads_feeds(empty_db_url: str) -> None:
    first = run(["demo"], NEWSFLOW_DATABASE_URL=empty_db_url)
    assert first.returncode == 0, first.stderr
    assert "migrations: 1 applied" in first.stdout or "applied" in first.stdout
    assert "added" in first.stdout
    with psycopg.connect(empty_db_url) as conn:
        counts = dict(conn.execute("SELECT language, count(*) FROM feeds GROUP BY 1"))
    assert counts["en"] >= 12 and counts["de"] >= 12

    second = run(["demo"], NEWSFLOW_DATABASE_URL=empty_db_url)
    assert second.returncode == 0, second.stderr
    assert "migrations: up to date" in second.stdout
    assert "0 added, 0 updated" in second.stdout


def test_demo_without_url_starts_then_reuses_the_embedded_server(tmp_path: Path) -> None:
    home = tmp_path / "home"
    try:
        first = run(["demo"], NEWSFLOW_HOME=str(home))
        assert first.returncode == 0, first.stderr
        assert "embedded PostgreSQL started" in first.stdout
        second = run(["demo"], NEWSFLOW_HOME=str(home))
        assert second.returncode == 0, second.stderr
        assert "embedded PostgreSQL reused" in second.stdout
        assert "migrations: up to date" in second.stdout
        url = run(["db", "url"], NEWSFLOW_HOME=str(home)).stdout.strip()
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT count(*) FROM feeds").fetchone()[0] >= 24
    finally:
        stop = run(["db", "stop"], NEWSFLOW_HOME=str(home))
    assert "stopped" in stop.stdout
    assert not (home / "pg" / "postmaster.pid").exists()


def test_unreachable_database_is_one_line_naming_the_host() -> None:
    result = run(["db", "migrate"], NEWSFLOW_DATABASE_URL="postgresql://u:secret@127.0.0.1:1/x")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "host 127.0.0.1 port 1" in lines[0] and "NEWSFLOW_DATABASE_URL" in lines[0]
    assert "Traceback" not in result.stderr and "secret" not in result.stderr


def test_invalid_feeds_file_names_file_entry_and_field(empty_db_url: str, tmp_path: Path) -> None:
    config = tmp_path / "config"
    shutil.copytree(ROOT / "config", config)
    feeds = config / "feeds.yaml"
    feeds.write_text(feeds.read_text().replace("language: en", "language: english", 1))
    result = run(
        ["feeds", "sync"], NEWSFLOW_DATABASE_URL=empty_db_url, NEWSFLOW_CONFIG_DIR=str(config)
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "feeds.yaml: feeds[0] (id 'cnbc-top'): field 'language'" in result.stderr


def test_db_url_masks_the_password(empty_db_url: str) -> None:
    result = run(["db", "url"], NEWSFLOW_DATABASE_URL="postgresql://u:hunter2@db.example:5432/n")
    assert result.stdout.strip() == "postgresql://u:***@db.example:5432/n"
