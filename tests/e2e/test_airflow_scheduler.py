"""news_ingest under a real Airflow scheduler with the CeleryExecutor, and the Asset-triggered
news_alerts run that follows it. Never skipped where Redis and PostgreSQL run on loopback."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import psycopg
import pytest

from pipeline.demo import feeds as demo
from tests.conftest import ROOT
from tests.e2e.airflow_cluster import AirflowCluster, redis_answers

pytestmark = pytest.mark.skipif(
    not redis_answers() and not os.environ.get("CI"),
    reason="no Redis on 127.0.0.1:6379 (the CI machine has one; this test never skips there)",
)


def _as_uri(conninfo: str) -> str:
    """Airflow reads AIRFLOW_CONN_* as a URI, not as libpq key=value pairs."""
    info = psycopg.conninfo.conninfo_to_dict(conninfo)
    host = info.get("host", "127.0.0.1")
    if host.startswith("/"):  # a socket folder: pass it as a query parameter
        return f"postgresql://{info.get('user', 'postgres')}@/{info['dbname']}?host={host}"
    port = info.get("port", 5432)
    return f"postgresql://{info.get('user', 'postgres')}@{host}:{port}/{info['dbname']}"


def test_ingest_runs_on_celery_and_triggers_alerts(
    pg_admin_url: str, db_url: str, tmp_path: Path
) -> None:
    config = tmp_path / "config"
    shutil.copytree(ROOT / "config", config)
    with demo.serving() as server:
        server.documents.update(demo.render_round(1, demo.demo_now(), server.base_url))
        (config / "feeds.yaml").write_text(demo.feeds_yaml(server.base_url))
        cluster = AirflowCluster(
            tmp_path / "airflow",
            pg_admin_url,
            {
                "NEWSFLOW_CONFIG_DIR": str(config),
                "NEWSFLOW_HOME": str(tmp_path / "newsflow"),
                "AIRFLOW_CONN_NEWSFLOW_DB": _as_uri(db_url),
                # Only the run this test triggers: unpausing a cron DAG also starts the latest
                # scheduled interval, which would queue ahead of ours (max_active_runs=1).
                "NEWSFLOW_INGEST_SCHEDULE": "none",
            },
        )
        (tmp_path / "airflow").mkdir()
        try:
            cluster.start({"newsflow_http": 4})
            for dag_id in ("news_ingest", "news_alerts"):
                cluster.unpause(dag_id)
            run_id = cluster.trigger("news_ingest")
            run = cluster.wait_run("news_ingest", run_id, timeout=300)
            states = {
                (t["task_id"], t["map_index"]): t["state"]
                for t in cluster.task_instances("news_ingest", run_id)
            }
            assert run["state"] == "success", (states, cluster.tail_logs())
            fetched = [k for k in states if k[0] == "fetch"]
            assert len(fetched) == 12 and all(states[k] == "success" for k in fetched)
            alerts_run = cluster.wait_run("news_alerts", None, timeout=120)
            assert alerts_run["run_type"] == "asset_triggered"
            assert alerts_run["state"] == "success", cluster.tail_logs()
        finally:
            codes = cluster.stop()
    assert codes == [0, 0, 0, 0]
    with psycopg.connect(db_url) as conn:
        articles = conn.execute("SELECT count(*) FROM articles WHERE status = 'ok'").fetchone()[0]
        stories = conn.execute("SELECT count(*) FROM stories").fetchone()[0]
    assert articles == 15  # every round-1 demo item, once
    assert 0 < stories < articles
