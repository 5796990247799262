"""Run suites through Great Expectations 1.x against PostgreSQL and return plain outcomes.

The only module that imports Great Expectations (inside functions: the import costs seconds).
Each suite becomes a query asset on a SQL data source, so every expectation runs as SQL in the
database; only the keys and values of failing rows come back to Python.
"""

from __future__ import annotations

import re
import time
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg

from pipeline.quality.suites import Check, Suite

# The columns every asset exposes to name a failing row; GX returns them for each bad row.
INDEX_COLUMNS = ["row_key", "article_key"]
DOCS_INDEX_LIMIT = 100  # validations listed on the Data Docs front page
DOCS_SITE = "newsflow"


@dataclass(frozen=True)
class BadRow:
    row_key: str
    article_key: str | None
    value: str | None
    row: dict[str, str | None]


@dataclass
class CheckRun:
    """How one expectation went: GX's verdict (with the batch tolerance) and every bad row."""

    check: Check
    success: bool
    rows: int
    unexpected: int
    unexpected_percent: float
    mostly: float
    bad_rows: list[BadRow] = field(default_factory=list)
    error: str | None = None


@dataclass
class SuiteRun:
    suite: Suite
    success: bool
    rows: int
    checks: list[CheckRun]
    statistics: dict[str, Any]


@dataclass
class Validation:
    suites: list[SuiteRun]
    docs_index: Path | None
    seconds: float


def sqlalchemy_url(conn: psycopg.Connection) -> str:
    """A SQLAlchemy URL (psycopg 3 driver) for the database `conn` is connected to.

    Built from the live connection so GX checks the very database the caller uses; a Unix
    socket folder goes in the query string, which GX's generic SQL source accepts.
    """
    from sqlalchemy.engine import URL

    info = conn.info
    host = info.host or None
    socket = host if host and host.startswith("/") else None
    url = URL.create(
        "postgresql+psycopg",
        username=info.user or None,
        password=info.password or None,
        host=None if socket else host,
        port=None if socket else info.port,
        database=info.dbname,
        query={"host": socket} if socket else {},
    )
    return url.render_as_string(hide_password=False)


def asset_query(sql_text: str) -> str:
    """The query without its leading comment lines (GX wraps it in a sub-select)."""
    lines = [line for line in sql_text.splitlines() if not line.lstrip().startswith("--")]
    return "\n".join(lines).strip()


def run_suites(
    url: str,
    suites: list[tuple[Suite, str, int, float]],
    *,
    run_name: str,
    docs_dir: Path,
    store_dir: Path,
    retention_days: int,
) -> Validation:
    """Validate each (suite, query, row count, mostly) in one checkpoint; write Data Docs.

    `mostly` is the share of rows that must pass each check for the suite to succeed; rows that
    fail are reported either way.
    """
    started = time.perf_counter()
    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier
    from sqlalchemy.pool import NullPool

    _prune(docs_dir / "validations", retention_days)
    _prune(store_dir, retention_days)
    context = gx.get_context(mode="ephemeral", project_config=_context_config(docs_dir, store_dir))
    with warnings.catch_warnings():
        # GX suggests its Postgres source, which refuses socket URLs (notes/pitfalls.md).
        warnings.filterwarnings("ignore", message=".*generic SQLDatasource.*")
        # No pool: GX builds several engines of its own, and a worker process must not keep
        # their idle connections open after the run.
        source = context.data_sources.add_sql(
            "newsflow", connection_string=url, kwargs={"poolclass": NullPool}
        )
    definitions = []
    for suite, query, _rows, mostly in suites:
        asset = source.add_query_asset(suite.name, query=query)
        batch = asset.add_batch_definition_whole_table("batch")
        gx_suite = context.suites.add(
            gx.ExpectationSuite(name=suite.name, meta={"severity": suite.severity})
        )
        for check in suite.checks:
            gx_suite.add_expectation(_expectation(check, mostly))
        definitions.append(
            context.validation_definitions.add(
                gx.ValidationDefinition(name=suite.name, data=batch, suite=gx_suite)
            )
        )
    checkpoint = context.checkpoints.add(
        gx.Checkpoint(
            name=f"newsflow_{'_'.join(s.name for s, *_ in suites)}",
            validation_definitions=definitions,
            # No UpdateDataDocsAction: it rebuilds the site once per suite (seconds each).
            actions=[],
            result_format={
                "result_format": "COMPLETE",
                "unexpected_index_column_names": INDEX_COLUMNS,
                "return_unexpected_index_query": False,
            },
        )
    )
    result = checkpoint.run(run_id=RunIdentifier(run_name=run_name, run_time=datetime.now(UTC)))
    context.build_data_docs(site_names=[DOCS_SITE], resource_identifiers=list(result.run_results))
    by_name = {r.suite_name: r for r in result.run_results.values()}
    runs = [
        _suite_run(suite, rows, mostly, by_name[suite.name]) for suite, _q, rows, mostly in suites
    ]
    index = docs_dir / "index.html"
    return Validation(runs, index if index.exists() else None, time.perf_counter() - started)


def _context_config(docs_dir: Path, store_dir: Path) -> Any:
    """Ephemeral context: suites live in memory, validation results on disk for Data Docs."""
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    defaults = InMemoryStoreBackendDefaults()
    stores = dict(defaults.stores)
    stores[defaults.validation_results_store_name] = {
        "class_name": "ValidationResultsStore",
        "store_backend": {
            "class_name": "TupleFilesystemStoreBackend",
            "base_directory": str(store_dir),
        },
    }
    return DataContextConfig(
        store_backend_defaults=defaults,
        stores=stores,
        analytics_enabled=False,
        # GX draws progress bars on stderr for every metric batch; they drown task logs.
        progress_bars=ProgressBarsConfig(globally=False),
        data_docs_sites={
            DOCS_SITE: {
                "class_name": "SiteBuilder",
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(docs_dir),
                },
                "site_index_builder": {
                    "class_name": "DefaultSiteIndexBuilder",
                    "validation_results_limit": DOCS_INDEX_LIMIT,
                },
            }
        },
    )


def _expectation(check: Check, mostly: float) -> Any:
    import great_expectations.expectations as gxe

    cls = getattr(gxe, check.expectation)
    return cls(column=check.column, mostly=mostly, meta={"check": check.name}, **check.kwargs)


def _suite_run(suite: Suite, rows: int, mostly: float, result: Any) -> SuiteRun:
    by_check = {r.expectation_config.meta.get("check"): r for r in result.results}
    checks = [_check_run(check, rows, mostly, by_check.get(check.name)) for check in suite.checks]
    statistics = {k: result.statistics.get(k) for k in _STATISTICS}
    success = all(c.success for c in checks)
    return SuiteRun(suite, success, rows, checks, statistics)


_STATISTICS = ("evaluated_expectations", "successful_expectations", "unsuccessful_expectations")


def _check_run(check: Check, rows: int, mostly: float, result: Any) -> CheckRun:
    if result is None:
        return CheckRun(check, False, rows, 0, 0.0, mostly, error="GX returned no result")
    info = result.exception_info or {}
    if info.get("raised_exception"):
        message = _one_line(info.get("exception_message") or "unknown error")
        return CheckRun(check, False, rows, 0, 0.0, mostly, error=message)
    res = result.result or {}
    bad = []
    for item in res.get("unexpected_index_list") or []:
        value = item.get(check.column)
        bad.append(
            BadRow(
                row_key=str(item["row_key"]),
                article_key=item.get("article_key"),
                value=to_text(value),
                row={k: to_text(v) for k, v in item.items()},
            )
        )
    bad.sort(key=lambda b: (b.row_key, b.value or ""))
    return CheckRun(
        check,
        bool(result.success),
        int(res.get("element_count") or rows),
        int(res.get("unexpected_count") or 0),
        round(float(res.get("unexpected_percent") or 0.0), 2),
        mostly,
        bad,
    )


def to_text(value: object) -> str | None:
    """A failing value as text for the quarantine (ISO dates, exact decimals)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _one_line(message: str) -> str:
    return re.sub(r"\s+", " ", message).strip()[:500]


def _prune(folder: Path, retention_days: int) -> None:
    """Drop stored results and pages older than the retention period (they grow every cycle)."""
    if retention_days <= 0 or not folder.is_dir():
        return
    cutoff = (datetime.now(UTC) - timedelta(days=retention_days)).timestamp()
    for path in folder.rglob("*"):
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
    for path in sorted(folder.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if path.is_dir() and not any(path.iterdir()):
            path.rmdir()
