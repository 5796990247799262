"""One ingest cycle: the stages composed in order, the same functions the Airflow DAG calls.

fetch due feeds -> parse -> extract -> quality gate -> cluster -> validate stories and feeds.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import psycopg

from pipeline.errors import DatabaseUnavailable
from pipeline.settings import Settings
from pipeline.store import cycles


@dataclass
class CycleReport:
    cycle_id: str
    seconds: dict[str, float] = field(default_factory=dict)
    stages: dict[str, Any] = field(default_factory=dict)

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())


def summary(report: object) -> Any:
    """A step report as plain JSON-able data (for cycle stats, XCom and --json output)."""
    if dataclasses.is_dataclass(report) and not isinstance(report, type):
        return dataclasses.asdict(report)
    return report


def new_cycle_id(now: datetime | None = None) -> str:
    """An id for a cycle run outside Airflow (Airflow runs use their run_id)."""
    return "manual__" + (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S.%fZ")


def sync_config(conn: psycopg.Connection, settings: Settings) -> dict[str, Any]:
    """Load the operator's YAML (feeds, organizations, tracked deals) into their tables."""
    from pipeline import sources
    from pipeline.alerts.deals import load_deals
    from pipeline.extract.organizations import load_registry
    from pipeline.store import alerts as alert_store
    from pipeline.store import feeds as feed_store
    from pipeline.store import organizations as org_store

    report = feed_store.sync_feeds(conn, sources.load_feeds(settings.feeds_file))
    org_store.sync_registry(conn, load_registry(settings.config_dir / "organizations.yaml"))
    alert_store.sync_deals(conn, load_deals(settings.config_dir / "tracked_deals.yaml"))
    return {"feeds_added": len(report.inserted), "feeds_updated": len(report.updated)}


def cycle_steps(
    conn: psycopg.Connection,
    settings: Settings,
    cycle_id: str,
    *,
    feed_ids: list[str] | None = None,
    extractor: Any = None,
) -> dict[str, Callable[[], Any]]:
    """The cycle's steps in order, each bound to its inputs; run_cycle runs them all, an Airflow
    task runs one."""
    from pipeline import quality
    from pipeline.steps import cluster, extract, fetch, parse

    return {
        "fetch": lambda: fetch.fetch_feeds(conn, settings, cycle_id, feed_ids),
        "parse": lambda: parse.parse_fetches(conn, settings, cycle_id),
        "extract": lambda: extract.extract_pending(conn, settings, extractor=extractor),
        "gate": lambda: quality.gate_batch(conn, settings, cycle_id),
        "cluster": lambda: cluster.cluster_pending(conn, settings),
        "validate": lambda: quality.validate_after_clustering(conn, settings, cycle_id),
    }


def run_cycle(
    conn: psycopg.Connection,
    settings: Settings,
    cycle_id: str | None = None,
    *,
    feed_ids: list[str] | None = None,
    extractor: Any = None,
    on_stage: Callable[[str], None] | None = None,
) -> CycleReport:
    """Run one complete ingest cycle in this process; returns per-stage reports and seconds.

    `conn` must be in autocommit mode: each step commits its own transactions.
    `feed_ids` limits fetching to those feeds (default: every feed that is due).
    """
    cycle_id = cycle_id or new_cycle_id()
    report = CycleReport(cycle_id)
    cycles.begin_cycle(conn, cycle_id)
    steps = cycle_steps(conn, settings, cycle_id, feed_ids=feed_ids, extractor=extractor)
    stage = ""
    try:
        for stage, step in steps.items():
            if on_stage:
                on_stage(stage)
            started = time.perf_counter()
            report.stages[stage] = summary(step())
            report.seconds[stage] = round(time.perf_counter() - started, 3)
    except psycopg.OperationalError as exc:
        if not conn.broken:
            cycles.finish_cycle(conn, cycle_id, "failed", {"seconds": report.seconds})
            raise
        # The server went away (restart, crash, network): one line instead of a traceback.
        raise DatabaseUnavailable(connection_lost(conn, exc, cycle_id, stage)) from exc
    except BaseException:
        cycles.finish_cycle(conn, cycle_id, "failed", {"seconds": report.seconds})
        raise
    cycles.finish_cycle(conn, cycle_id, "succeeded", {"seconds": report.seconds})
    return report


def connection_lost(conn: psycopg.Connection, exc: Exception, cycle_id: str, stage: str) -> str:
    """What to tell the operator when the connection broke during `stage` of a cycle.

    Every step commits in small transactions and PostgreSQL rolls back the one in flight, so
    what earlier transactions stored is kept and the next cycle picks up the rest.
    """
    from pipeline.db import describe_target

    # Cleanup on the dead connection (a lock release, a rollback) fails too and hides the
    # server's own words; the first failure in the chain says what happened.
    first: BaseException = exc
    while isinstance(first.__context__, psycopg.OperationalError):
        first = first.__context__
    lines = str(first).strip().splitlines()
    reason = lines[0] if lines else type(first).__name__
    try:
        target = describe_target(conn.info.dsn)
    except psycopg.Error:
        target = "the configured server"
    return (
        f"cycle {cycle_id}: lost the connection to PostgreSQL at {target} during the {stage} "
        f"stage ({reason}); nothing committed is lost: run the cycle again (`newsflow run`, or "
        "let Airflow retry) once the server is back"
    )
