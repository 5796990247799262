"""`newsflow alerts` as an operator runs it: sync the YAML, run, list with delivery status."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg

from tests.conftest import ROOT
from tests.integration.test_alert_support import StoryWorld, http_receiver

CONFIG = """
channels:
  log: {type: log}
  hook: {type: webhook, url_env: NF_CLI_HOOK_URL}
deals:
  - id: amazon-openai
    name: Amazon–OpenAI investment talks
    parties: [amazon, openai]
    channels: [log, hook]
"""


def newsflow(args: list[str], db_url: str, config_dir: Path, **env: str):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSFLOW_")}
    full_env.update(NEWSFLOW_DATABASE_URL=db_url, NEWSFLOW_CONFIG_DIR=str(config_dir), **env)
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "alerts", *args],
        capture_output=True, text=True, env=full_env, cwd=ROOT, timeout=120,
    )  # fmt: skip


def test_sync_run_and_list(conn: psycopg.Connection, db_url: str, tmp_path: Path) -> None:
    (tmp_path / "tracked_deals.yaml").write_text(CONFIG, encoding="utf-8")
    empty = newsflow([], db_url, tmp_path)
    assert empty.returncode == 0 and "no alerts yet" in empty.stdout

    synced = newsflow(["sync"], db_url, tmp_path)
    assert synced.returncode == 0, synced.stderr
    assert "1 deals, 2 channels — 1 added" in synced.stdout
    # No registry loaded and no secret set: both are said, neither is fatal.
    assert "amazon, openai not in the organization registry" in synced.stderr
    assert "environment variable NF_CLI_HOOK_URL is not set" in synced.stderr

    w = StoryWorld(conn)
    story = w.story("s1", "Amazon and OpenAI in talks")
    w.article(story, "wsj", "Amazon and OpenAI in talks", minutes=0)
    with http_receiver() as http:
        http.status["/hook"] = 503
        ran = newsflow(["run"], db_url, tmp_path, NF_CLI_HOOK_URL=http.url("/hook"))
    assert ran.returncode == 0, ran.stderr
    assert "1 new alerts" in ran.stdout and "1 sent, 1 to retry" in ran.stdout
    assert f"#1 breaking amazon-openai story {story}" in ran.stdout
    assert "channel hook: POST http://127.0.0.1:" in ran.stderr and "HTTP 503" in ran.stderr

    listed = newsflow(["--json"], db_url, tmp_path)
    [row] = [json.loads(line) for line in listed.stdout.splitlines()]
    assert (row["kind"], row["deal_id"], row["story_title"]) == (
        "breaking", "amazon-openai", "Amazon and OpenAI in talks")  # fmt: skip
    status = {d["channel"]: (d["status"], d["attempts"]) for d in row["deliveries"]}
    assert status == {"hook": ("pending", 1), "log": ("sent", 1)}

    table = newsflow([], db_url, tmp_path)
    assert table.returncode == 0
    assert "breaking" in table.stdout and "pending" in table.stdout and "HTTP 503" in table.stdout


def test_a_bad_deals_file_is_one_line_naming_file_entry_and_field(
    db_url: str, tmp_path: Path
) -> None:
    bad = CONFIG.replace("channels: [log, hook]", "channels: [log, pager]")
    (tmp_path / "tracked_deals.yaml").write_text(bad, encoding="utf-8")
    result = newsflow(["sync"], db_url, tmp_path)
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert "tracked_deals.yaml: deals[0] (id 'amazon-openai'): field 'channels'" in line
    assert "'pager' is not defined under 'channels:'" in line

    secret = CONFIG.replace("url_env: NF_CLI_HOOK_URL", "url: https://hooks.example/T0/secret")
    (tmp_path / "tracked_deals.yaml").write_text(secret, encoding="utf-8")
    result = newsflow(["run"], db_url, tmp_path)
    assert result.returncode == 2
    assert "channels.hook: field 'url': secrets never go in this file" in result.stderr
    assert "url_env" in result.stderr
