"""newsflow maintenance, daily: raw-body retention, orphaned rows, feed health summary."""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import chain, dag, task


@dag(
    dag_id="news_maintenance",
    schedule="@daily",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={
        "owner": "newsflow",
        "retries": 2,
        "retry_delay": timedelta(minutes=1),
        "retry_exponential_backoff": True,
        "execution_timeout": timedelta(minutes=30),
    },
    tags=["newsflow", "maintenance"],
    doc_md=__doc__,
)
def news_maintenance():
    @task
    def retention() -> dict:
        """Drop raw bodies past their retention period and rows nothing refers to any more."""
        from pipeline import dag_tasks

        return dag_tasks.retention()

    @task
    def feed_health() -> list[dict]:
        """Summarize per-feed health over 24 h (worst first) in the task log and XCom."""
        from pipeline import dag_tasks

        return dag_tasks.feed_health()

    chain(retention(), feed_health())


news_maintenance()
