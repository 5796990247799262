"""newsflow alerts: runs when the ingest DAG announces updated stories (an Asset event)."""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import Asset, dag, task

STORIES = Asset(name="newsflow_stories", uri="newsflow://stories")


@dag(
    dag_id="news_alerts",
    schedule=[STORIES],
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={
        "owner": "newsflow",
        "retries": 3,
        "retry_delay": timedelta(seconds=30),
        "retry_exponential_backoff": True,
        "execution_timeout": timedelta(minutes=5),
    },
    tags=["newsflow", "alerts"],
    doc_md=__doc__,
)
def news_alerts():
    @task
    def evaluate_and_deliver() -> dict:
        """Evaluate tracked deals against changed stories, enqueue alerts once, deliver them."""
        from pipeline import dag_tasks

        return dag_tasks.alerts()

    evaluate_and_deliver()


news_alerts()
