"""What each Airflow task does, one function per task, so DAG files stay a docstring and a call.

Each function opens its own database connection: from the Airflow connection `newsflow_db` when
one is defined, else from NEWSFLOW_DATABASE_URL (or the embedded server). Inputs and outputs are
ids and counts only, never article bodies (they travel through PostgreSQL, not XCom).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import psycopg

from pipeline import db
from pipeline.cycle import cycle_steps, summary
from pipeline.errors import NewsflowError
from pipeline.settings import Settings, load_settings

AIRFLOW_CONN_ID = "newsflow_db"


class FeedFetchFailed(NewsflowError):
    """A feed could not be fetched; its attempt and backoff are recorded before this is raised."""


def airflow_database_url(conn_id: str = AIRFLOW_CONN_ID) -> str | None:
    """The URL of Airflow connection `conn_id`, or None when it is not defined."""
    try:
        from airflow.sdk import Connection

        c = Connection.get(conn_id)
    except Exception:  # not defined, or not running inside an Airflow task
        return None
    from psycopg.conninfo import make_conninfo

    params = {
        "host": c.host,
        "port": c.port,
        "user": c.login,
        "password": c.password,
        "dbname": c.schema,
    }
    return make_conninfo(**{k: v for k, v in params.items() if v not in (None, "")})


@contextmanager
def task_connection(settings: Settings) -> Iterator[psycopg.Connection]:
    url = airflow_database_url() or db.database_url(settings)
    with db.connect(url, autocommit=True, timeout_s=settings.connect_timeout_s) as conn:
        yield conn


def plan(cycle_id: str, settings: Settings | None = None) -> list[str]:
    """Sync config, open the cycle and return the ids of the feeds that are due."""
    from pipeline.cycle import sync_config
    from pipeline.steps.fetch import due_feed_ids
    from pipeline.store import cycles

    settings = settings or load_settings()
    with task_connection(settings) as conn:
        sync_config(conn, settings)
        cycles.begin_cycle(conn, cycle_id)
        return due_feed_ids(conn)


def fetch(cycle_id: str, feed_id: str, settings: Settings | None = None) -> dict[str, Any]:
    """Fetch one feed and store the outcome; raise FeedFetchFailed if the feed failed."""
    from pipeline.steps.fetch import fetch_feeds

    settings = settings or load_settings()
    with task_connection(settings) as conn:
        report = summary(fetch_feeds(conn, settings, cycle_id, [feed_id]))
    failures = report.get("failures") or {}
    if failures:
        raise FeedFetchFailed(f"feed {feed_id}: {failures.get(feed_id, failures)}")
    return report


def _step(name: str, cycle_id: str, settings: Settings | None) -> dict[str, Any]:
    settings = settings or load_settings()
    with task_connection(settings) as conn:
        return summary(cycle_steps(conn, settings, cycle_id)[name]())


def parse(cycle_id: str, settings: Settings | None = None) -> dict[str, Any]:
    return _step("parse", cycle_id, settings)


def extract(cycle_id: str, settings: Settings | None = None) -> dict[str, Any]:
    return _step("extract", cycle_id, settings)


def gate(cycle_id: str, settings: Settings | None = None) -> dict[str, Any]:
    return _step("gate", cycle_id, settings)


def cluster(cycle_id: str, settings: Settings | None = None) -> dict[str, Any]:
    return _step("cluster", cycle_id, settings)


def validate(cycle_id: str, settings: Settings | None = None) -> dict[str, Any]:
    return _step("validate", cycle_id, settings)


def publish(cycle_id: str, settings: Settings | None = None) -> dict[str, Any]:
    """Close the cycle; the DAG task around this emits the 'stories updated' Asset event."""
    from pipeline.store import cycles

    settings = settings or load_settings()
    with task_connection(settings) as conn:
        cycles.finish_cycle(conn, cycle_id, "succeeded", {})
        return {"stories_changed": cycles.stories_changed(conn, cycle_id)}


def alerts(settings: Settings | None = None) -> dict[str, Any]:
    """Evaluate tracked deals against stories changed since the last evaluation; deliver."""
    from pipeline.alerts.run import run_alerts

    settings = settings or load_settings()
    with task_connection(settings) as conn:
        return summary(run_alerts(conn, settings))


def retention(settings: Settings | None = None) -> dict[str, Any]:
    """Drop raw bodies past retention and rows nothing refers to any more."""
    from pipeline.store import cycles

    settings = settings or load_settings()
    with task_connection(settings) as conn:
        purged = cycles.purge_raw_bodies(conn, datetime.now(UTC))
        return {"raw_bodies_purged": purged, "orphans_removed": cycles.remove_orphans(conn)}


def feed_health(settings: Settings | None = None) -> list[dict[str, Any]]:
    """Per-feed health over 24 h, for the task log; feeds failing in a row come first."""
    from pipeline.store import cycles

    settings = settings or load_settings()
    with task_connection(settings) as conn:
        rows = cycles.feed_health(conn, datetime.now(UTC))
    return [
        {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in r.items()} for r in rows
    ]
