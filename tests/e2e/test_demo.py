"""`make demo` on a fresh machine: embedded PostgreSQL, loopback feeds, the real DAGs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def test_demo_end_to_end_on_an_embedded_database(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSFLOW_", "AIRFLOW"))}
    env.update(NEWSFLOW_HOME=str(tmp_path / "home"), COLUMNS="200")
    newsflow = [sys.executable, "-m", "pipeline.cli"]
    try:
        done = subprocess.run(
            [*newsflow, "demo"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, done.stdout + done.stderr
        out = done.stdout
        assert "embedded PostgreSQL started" in out
        assert "round 2: news_alerts succeeded" in out
        story_lines = [line for line in out.splitlines() if "OpenAI" in line and "Amazon" in line]
        assert any("de, en" in line for line in story_lines), out
        for kind in ("breaking", "new_language", "new_amount"):
            assert kind in out, f"no {kind} alert in:\n{out}"
        report = tmp_path / "home" / "demo" / "report.html"
        assert report.exists() and "<svg" in report.read_text()
        assert "psql 'user=newsflow_analyst" in out
    finally:
        subprocess.run([*newsflow, "db", "stop"], env=env, cwd=ROOT, timeout=60)
