"""The data-quality gate of an ingest cycle and the checks after clustering.

gate_batch: every pending article (and its mentions) is checked; bad rows go to quarantine with
the expectation and value that failed, and their article is held back; the rest become 'ok'.
validate_after_clustering: stories (critical) and feeds (warning). Both record one dq_results row
per suite and raise DataQualityError when a critical check fails beyond the batch tolerance.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from pipeline import db
from pipeline.quality import gx_run
from pipeline.quality.report import CheckOutcome, DataQualityError, DQReport, SuiteOutcome
from pipeline.quality.suites import Suite, batch_suites, feed_suite, story_suite, tolerated_fraction
from pipeline.settings import Settings
from pipeline.sqlfiles import statement

# Serializes validations: overlapping cycles (or a task and its retry) must not claim and judge
# the same rows at once, nor write the same Data Docs pages.
QUALITY_LOCK = 0x6E657773_0D51
FAILED_SAMPLE = 20  # failing rows listed per check in dq_results (all of them are quarantined)


def gate_batch(conn: psycopg.Connection, settings: Settings, cycle_id: str) -> DQReport:
    """Validate the batch of `cycle_id` (all pending articles and their mentions) and sort it.

    A bad mention quarantines the mention and holds its article back too: analysts never see an
    article with a mention that failed. Raises DataQualityError (after recording everything)
    when a check is broken by more than the tolerated share of the batch or could not run.
    A retry of the same cycle re-checks the same batch and changes nothing.
    """
    with _own_transactions(conn), db.advisory_lock(conn, QUALITY_LOCK):
        batch_id = conn.execute(statement("dq_open_batch"), {"cycle_id": cycle_id}).fetchone()[0]
        conn.execute(statement("dq_claim_pending"), {"batch_id": batch_id})
        planned = _plan(conn, settings, batch_suites(settings), batch_id=batch_id)
        validation = _validate(conn, settings, cycle_id, planned)
        report = DQReport(cycle_id, docs_index=_str(validation.docs_index))
        with conn.transaction():
            for run in validation.suites:
                report.quarantine_entries += _quarantine(conn, run, cycle_id)
                _resolve(conn, run, batch_id=batch_id)
            if not any(c.error for run in validation.suites for c in run.checks):
                conn.execute(statement("dq_apply_status"), {"batch_id": batch_id})
            counts = conn.execute(statement("dq_batch_counts"), {"batch_id": batch_id}).fetchone()
            report.articles, report.articles_ok, report.articles_quarantined = counts[:3]
            report.articles_pending = counts[3]
            batch = dict(zip(("articles", "ok", "quarantined", "pending"), counts, strict=True))
            for run in validation.suites:
                extra = {"batch": batch} if run.suite.name == "articles" else {}
                report.suites.append(_record(conn, cycle_id, run, extra))
    report.seconds = round(validation.seconds, 3)
    if not report.success:
        raise DataQualityError(report)
    return report


def validate_after_clustering(
    conn: psycopg.Connection, settings: Settings, cycle_id: str
) -> DQReport:
    """Check stories changed within the story window (critical) and feed health (warning).

    A story without articles or with languages that differ from its articles' is quarantined
    (table 'stories'); feeds below the success-rate or freshness thresholds are only recorded.
    """
    with _own_transactions(conn), db.advisory_lock(conn, QUALITY_LOCK):
        suites = [story_suite()]
        age = conn.execute(statement("dq_feed_suite_age")).fetchone()[0]
        if age is None or age >= settings.dq_feed_check_minutes:
            suites.append(feed_suite(settings))
        planned = _plan(conn, settings, tuple(suites), window_hours=settings.story_window_hours)
        validation = _validate(conn, settings, cycle_id, planned)
        report = DQReport(cycle_id, docs_index=_str(validation.docs_index))
        with conn.transaction():
            for run in validation.suites:
                report.quarantine_entries += _quarantine(conn, run, cycle_id)
                if run.suite.table == "stories":
                    _resolve_stories(conn, run, settings.story_window_hours)
                report.suites.append(_record(conn, cycle_id, run, {}))
    report.seconds = round(validation.seconds, 3)
    if not report.success:
        raise DataQualityError(report)
    return report


@contextmanager
def _own_transactions(conn: psycopg.Connection) -> Iterator[None]:
    """Run in autocommit so each step commits: GX reads on its own connection and must see it."""
    if conn.autocommit:
        yield
        return
    conn.commit()
    conn.autocommit = True
    try:
        yield
    finally:
        conn.autocommit = False


def _plan(
    conn: psycopg.Connection, settings: Settings, suites: tuple[Suite, ...], **params: int
) -> list[tuple[Suite, str, int, float]]:
    """Each suite with its asset query, its row count and the share of rows that must pass."""
    planned = []
    for suite in suites:
        template = sql.SQL(statement(suite.query_name))
        text = template.format(**{k: sql.Literal(v) for k, v in params.items()}).as_string(conn)
        query = gx_run.asset_query(text)
        rows = conn.execute(f"SELECT count(*) FROM ({query}) AS batch").fetchone()[0]
        # Warnings are about every row; critical checks tolerate a few bad rows (quarantined).
        mostly = 1.0 if suite.severity == "warning" else 1.0 - tolerated_fraction(settings, rows)
        planned.append((suite, query, rows, round(mostly, 6)))
    return planned


def _validate(
    conn: psycopg.Connection,
    settings: Settings,
    cycle_id: str,
    planned: list[tuple[Suite, str, int, float]],
) -> gx_run.Validation:
    if not any(rows for _, _, rows, _ in planned):
        # Nothing to check (an idle cycle): record the suites as passed on 0 rows without
        # starting Great Expectations, whose import alone costs seconds.
        skipped = [
            gx_run.SuiteRun(suite, True, 0, [], {"skipped": "no rows to check"})
            for suite, _, _, _ in planned
        ]
        return gx_run.Validation(skipped, None, 0.0)
    return gx_run.run_suites(
        gx_run.sqlalchemy_url(conn),
        planned,
        run_name=cycle_id,
        docs_dir=settings.data_docs_folder,
        store_dir=settings.home / "gx" / "validations",
        retention_days=settings.dq_docs_retention_days,
    )


def _quarantine(conn: psycopg.Connection, run: gx_run.SuiteRun, cycle_id: str) -> int:
    """Upsert one entry per (row, failed check); returns how many rows it names."""
    if run.suite.table is None:
        return 0
    params = {}
    for check in run.checks:
        for bad in check.bad_rows:
            params[(bad.row_key, check.check.name)] = {
                "table_name": run.suite.table,
                "row_key": bad.row_key,
                "article_key": bad.article_key,
                "expectation": check.check.name,
                "failed_value": bad.value,
                "reason": f"{check.check.reason} [{check.check.label}]",
                "row_data": Jsonb(bad.row),
                "cycle_id": cycle_id,
            }
    if params:
        with conn.cursor() as cur:
            cur.executemany(statement("dq_quarantine_upsert"), list(params.values()))
    return len(params)


def _failed_pairs(run: gx_run.SuiteRun) -> dict[str, list]:
    pairs = [(b.row_key, c.check.name) for c in run.checks for b in c.bad_rows]
    return {
        "checks": [c.check.name for c in run.checks if c.error is None],
        "failed_rows": [p[0] for p in pairs],
        "failed_checks": [p[1] for p in pairs],
    }


def _resolve(conn: psycopg.Connection, run: gx_run.SuiteRun, *, batch_id: int) -> None:
    if run.suite.table is not None:
        params = {"table_name": run.suite.table, "batch_id": batch_id, **_failed_pairs(run)}
        conn.execute(statement("dq_resolve_batch"), params)


def _resolve_stories(conn: psycopg.Connection, run: gx_run.SuiteRun, window_hours: int) -> None:
    conn.execute(
        statement("dq_resolve_stories"), {"window_hours": window_hours, **_failed_pairs(run)}
    )


def _record(
    conn: psycopg.Connection, cycle_id: str, run: gx_run.SuiteRun, extra: dict
) -> SuiteOutcome:
    """Store the suite's result (idempotently) and return its outcome for the report."""
    bad_rows = {b.row_key for c in run.checks for b in c.bad_rows}
    outcome = SuiteOutcome(run.suite.name, run.suite.severity, run.success, run.rows, len(bad_rows))
    results = []
    for c in run.checks:
        allowed = round((1.0 - c.mostly) * 100, 2)
        results.append(
            {
                "check": c.check.name,
                "expectation": c.check.gx_type,
                "column": c.check.column,
                "success": c.success,
                "rows": c.rows,
                "unexpected": c.unexpected,
                "unexpected_percent": c.unexpected_percent,
                "allowed_percent": allowed,
                "failed": [{"row_key": b.row_key, "value": b.value} for b in c.bad_rows][
                    :FAILED_SAMPLE
                ],
                "error": c.error,
            }
        )
        if c.unexpected or c.error or not c.success:
            outcome.checks.append(
                CheckOutcome(
                    run.suite.name,
                    c.check.name,
                    c.check.label,
                    run.suite.severity,
                    c.success,
                    c.rows,
                    c.unexpected,
                    c.unexpected_percent,
                    allowed,
                    c.error,
                )
            )
    statistics = {
        **run.statistics,
        "rows": run.rows,
        "bad_rows": len(bad_rows),
        "failed_checks": {c.check: c.unexpected for c in outcome.checks},
        **extra,
    }
    conn.execute(
        statement("dq_record_result"),
        {
            "cycle_id": cycle_id,
            "suite": run.suite.name,
            "success": run.success,
            "severity": run.suite.severity,
            "statistics": Jsonb(statistics),
            "results": Jsonb(results),
        },
    )
    return outcome


def _str(path: object) -> str | None:
    return None if path is None else str(path)
