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


def test_migrate_and_sync_on_a_configured_server_then_again(empty_db_url: str) -> None:
    first = run(["db", "migrate"], NEWSFLOW_DATABASE_URL=empty_db_url)
    assert first.returncode == 0, first.stderr
    assert "applied 0001_schema.sql" in first.stdout
    synced = run(["feeds", "sync"], NEWSFLOW_DATABASE_URL=empty_db_url)
    assert synced.returncode == 0, synced.stderr
    with psycopg.connect(empty_db_url) as conn:
        counts = dict(conn.execute("SELECT language, count(*) FROM feeds GROUP BY 1"))
    assert counts["en"] >= 12 and counts["de"] >= 12

    second = run(["db", "migrate"], NEWSFLOW_DATABASE_URL=empty_db_url)
    assert "database is up to date" in second.stdout
    again = run(["feeds", "sync"], NEWSFLOW_DATABASE_URL=empty_db_url)
    assert "0 added, 0 updated" in again.stdout
    status = run(["db", "status"], NEWSFLOW_DATABASE_URL=empty_db_url)
    assert "pending" not in status.stdout and "applied" in status.stdout


def test_without_url_the_embedded_server_starts_then_is_reused(tmp_path: Path) -> None:
    home = tmp_path / "home"
    pid_file = home / "pg" / "postmaster.pid"
    try:
        first = run(["db", "migrate"], NEWSFLOW_HOME=str(home))
        assert first.returncode == 0, first.stderr
        assert "applied 0001_schema.sql" in first.stdout
        server_pid = pid_file.read_text().split()[0]
        second = run(["db", "migrate"], NEWSFLOW_HOME=str(home))
        assert "database is up to date" in second.stdout
        assert pid_file.read_text().split()[0] == server_pid  # the same server, reused
        url = run(["db", "url"], NEWSFLOW_HOME=str(home)).stdout.strip()
        assert str(home / "pg") in url or "host=" in url
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
    finally:
        stop = run(["db", "stop"], NEWSFLOW_HOME=str(home))
    assert "stopped" in stop.stdout
    assert not pid_file.exists()


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
