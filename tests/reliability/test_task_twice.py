"""Every Airflow task of a cycle runs twice (a retry after a lost heartbeat): one after the other,
and both at the same time. The database must end as after one undisturbed run."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest

from pipeline import dag_tasks
from tests.reliability.checks import PROCESS_BOUND_MB, alert_keys, cycle_statuses, totals, watching


def _tasks(cycle_id: str, settings: Any) -> list[tuple[str, Callable[[], Any]]]:
    """The ingest DAG's tasks in order (fetch mapped over the planned feeds), then alerts."""
    planned: list[str] = []

    def plan() -> list[str]:
        feed_ids = dag_tasks.plan(cycle_id, settings)
        planned[:] = feed_ids or planned  # a retry may find nothing due any more
        return feed_ids

    def fetch_all() -> None:
        for feed_id in planned:
            dag_tasks.fetch(cycle_id, feed_id, settings)

    return [
        ("plan", plan),
        ("fetch", fetch_all),
        ("parse", lambda: dag_tasks.parse(cycle_id, settings)),
        ("extract", lambda: dag_tasks.extract(cycle_id, settings)),
        ("gate", lambda: dag_tasks.gate(cycle_id, settings)),
        ("cluster", lambda: dag_tasks.cluster(cycle_id, settings)),
        ("validate", lambda: dag_tasks.validate(cycle_id, settings)),
        ("publish", lambda: dag_tasks.publish(cycle_id, settings)),
        ("alerts", lambda: dag_tasks.alerts(settings)),
    ]


def _twice(call: Callable[[], Any], at_once: bool) -> None:
    if not at_once:
        call()
        call()
        return
    start = threading.Barrier(2)

    def attempt() -> Any:
        start.wait()
        return call()

    with ThreadPoolExecutor(2) as pool:
        for future in [pool.submit(attempt), pool.submit(attempt)]:
            future.result()


@pytest.mark.parametrize("at_once", [False, True], ids=["in-a-row", "at-once"])
def test_every_task_twice(
    at_once, workspace, feeds, shared_corpus, shared_reference, webhook, ledger
):
    how = "concurrently" if at_once else "sequentially"
    row = ledger.row("task runs twice", f"every task twice, {how}")
    feeds.documents.update(shared_corpus.documents(datetime.now(UTC), feeds.base_url))
    workspace.write_feeds(shared_corpus.feeds_yaml(feeds.base_url))
    settings = workspace.settings()
    cycle_id = f"scheduled__retry_{'concurrent' if at_once else 'sequential'}"
    tasks = _tasks(cycle_id, settings)
    with watching() as memory:
        for _name, call in tasks:
            _twice(call, at_once)

    with psycopg.connect(workspace.url, autocommit=True) as conn:
        found = totals(conn, shared_corpus)
        alerts = alert_keys(conn)
        statuses = cycle_statuses(conn)
    found.assert_exact()
    assert found.partition == shared_reference.totals.partition, "stories differ from one run"
    assert alerts == shared_reference.alerts
    assert webhook.repeated == 0 and webhook.received == found.alerts
    assert statuses == {"succeeded": 1}
    assert memory.peak_mb < PROCESS_BOUND_MB, f"{memory.peak_mb:.0f} MB"
    row.totals(found)
    row.injected = len(tasks)
    row.peak_rss_mb = memory.peak_mb
    row.note = f"{len(tasks)} tasks x2 {how}; same stories and alerts as one run"
    row.survived = True
