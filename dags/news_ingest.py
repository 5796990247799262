"""newsflow ingest: poll due feeds, parse, extract, gate, cluster, validate, publish stories.

Every task is one call into pipeline.dag_tasks; XCom carries feed ids and counts only.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta

from airflow.sdk import Asset, chain, dag, task

STORIES = Asset(name="newsflow_stories", uri="newsflow://stories")
HTTP_POOL = "newsflow_http"  # caps concurrent feed fetches across all workers
# Cron from NEWSFLOW_INGEST_SCHEDULE; "none" leaves the DAG to manual or external triggers.
SCHEDULE = os.environ.get("NEWSFLOW_INGEST_SCHEDULE", "*/10 * * * *")

default_args = {
    "owner": "newsflow",
    "retries": 2,
    "retry_delay": timedelta(seconds=20),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=5),
    "execution_timeout": timedelta(minutes=10),
}


@dag(
    dag_id="news_ingest",
    schedule=None if SCHEDULE.strip().lower() == "none" else SCHEDULE,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=default_args,
    tags=["newsflow", "ingest"],
    doc_md=__doc__,
)
def news_ingest():
    @task
    def plan(run_id: str | None = None) -> list[str]:
        """Sync config files to the database, open the cycle, return the due feed ids."""
        from pipeline import dag_tasks

        return dag_tasks.plan(run_id)

    @task(pool=HTTP_POOL, execution_timeout=timedelta(minutes=2))
    def fetch(feed_id: str, run_id: str | None = None) -> dict:
        """Fetch one feed; a failing feed fails only this mapped task (its backoff is recorded)."""
        from pipeline import dag_tasks

        return dag_tasks.fetch(run_id, feed_id)

    @task(trigger_rule="all_done")
    def parse(run_id: str | None = None) -> dict:
        """Parse every body stored in this cycle into articles (whatever individual feeds did)."""
        from pipeline import dag_tasks

        return dag_tasks.parse(run_id)

    @task(execution_timeout=timedelta(minutes=30))
    def extract(run_id: str | None = None) -> dict:
        """Find organizations, money, people and places in articles not yet extracted."""
        from pipeline import dag_tasks

        return dag_tasks.extract(run_id)

    @task
    def gate(run_id: str | None = None) -> dict:
        """Data-quality gate: quarantine bad rows, admit the rest; fail on critical problems."""
        from pipeline import dag_tasks

        return dag_tasks.gate(run_id)

    @task
    def cluster(run_id: str | None = None) -> dict:
        """Assign admitted articles to stories (single writer: advisory lock)."""
        from pipeline import dag_tasks

        return dag_tasks.cluster(run_id)

    @task
    def validate(run_id: str | None = None) -> dict:
        """Check stories and feed health; warnings are recorded, critical problems fail."""
        from pipeline import dag_tasks

        return dag_tasks.validate(run_id)

    @task(outlets=[STORIES])
    def publish(run_id: str | None = None) -> dict:
        """Close the cycle and announce 'stories updated' to the alerts DAG."""
        from pipeline import dag_tasks

        return dag_tasks.publish(run_id)

    fetched = fetch.expand(feed_id=plan())
    chain(fetched, parse(), extract(), gate(), cluster(), validate(), publish())


news_ingest()
