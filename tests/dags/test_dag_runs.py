"""news_ingest and news_alerts run with dag.test() against real PostgreSQL and loopback feeds."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from pipeline.demo import feeds as demo
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def airflow_metadata() -> None:
    """Airflow's own metadata database (SQLite under the test AIRFLOW_HOME), migrated once."""
    airflow = Path(sys.executable).parent / "airflow"
    subprocess.run([str(airflow), "db", "migrate"], check=True, capture_output=True, timeout=300)


def _counts(url: str) -> dict[str, int]:
    queries = {
        "articles": "SELECT count(*) FROM articles WHERE status = 'ok'",
        "stories": "SELECT count(*) FROM stories",
        "memberships": "SELECT count(*) FROM story_articles",
        "alerts": "SELECT count(*) FROM alerts",
        "mentions": "SELECT count(*) FROM org_mentions",
    }
    with psycopg.connect(url) as conn:
        return {k: conn.execute(q).fetchone()[0] for k, q in queries.items()}


def test_ingest_then_alerts_and_a_rerun_changes_nothing(
    airflow_metadata, dagbag, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config"
    shutil.copytree(ROOT / "config", config)
    now = demo.demo_now()
    with demo.serving() as server:
        server.documents.update(demo.render_round(1, now, server.base_url))
        (config / "feeds.yaml").write_text(demo.feeds_yaml(server.base_url))
        monkeypatch.setenv("NEWSFLOW_DATABASE_URL", db_url)
        monkeypatch.setenv("NEWSFLOW_CONFIG_DIR", str(config))
        monkeypatch.setenv("NEWSFLOW_HOME", str(tmp_path / "home"))

        run = dagbag.dags["news_ingest"].test()
        assert run.state == "success"
        first = _counts(db_url)
        assert first["articles"] == 15 and first["memberships"] == 15
        assert 0 < first["stories"] < 15 and first["mentions"] > 15
        assert dagbag.dags["news_alerts"].test().state == "success"
        after_alerts = _counts(db_url)

        # Everything again on the same input: feeds answer 304 or repeat themselves.
        with psycopg.connect(db_url, autocommit=True) as conn:
            conn.execute("UPDATE feeds SET next_fetch_at = now()")
        assert dagbag.dags["news_ingest"].test().state == "success"
        assert dagbag.dags["news_alerts"].test().state == "success"
    assert _counts(db_url) == after_alerts
