"""The DAG files import cleanly and follow the house policy."""

from __future__ import annotations

import ast
from datetime import timedelta

import pytest

from tests.dags.conftest import DAGS

EXPECTED = {"news_ingest", "news_alerts", "news_maintenance"}


def test_dagbag_has_no_import_errors(dagbag) -> None:
    assert dagbag.import_errors == {}
    assert set(dagbag.dag_ids) >= EXPECTED


def test_every_task_is_a_docstring_and_one_call() -> None:
    for path in DAGS.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and any(
                "task" in ast.unparse(d) for d in node.decorator_list
            ):
                assert ast.get_docstring(node), f"{path.name}:{node.name} has no docstring"
                calls = [n for b in node.body for n in ast.walk(b) if isinstance(n, ast.Call)]
                assert len(calls) == 1, f"{path.name}:{node.name} does more than call pipeline"


def test_dag_files_do_no_io_or_heavy_imports_at_top_level() -> None:
    heavy = ("spacy", "great_expectations", "psycopg", "httpx", "feedparser", "pipeline.")
    for path in DAGS.glob("*.py"):
        top_level = [
            line for line in path.read_text().splitlines() if line.startswith(("import", "from"))
        ]
        assert not [line for line in top_level if any(h in line for h in heavy)], path.name


@pytest.mark.parametrize("dag_id", sorted(EXPECTED))
def test_policy_retries_timeouts_catchup_tags_owner(dagbag, dag_id: str) -> None:
    dag = dagbag.dags[dag_id]
    assert dag.catchup is False
    assert "newsflow" in dag.tags
    assert dag.max_active_runs == 1
    for t in dag.tasks:
        assert t.retries >= 2, t.task_id
        assert t.retry_exponential_backoff, t.task_id
        assert t.execution_timeout is not None, t.task_id
        assert t.execution_timeout <= timedelta(hours=1), t.task_id
        assert t.owner == "newsflow", t.task_id


def test_ingest_shape(dagbag) -> None:
    dag = dagbag.dags["news_ingest"]
    fetch = dag.get_task("fetch")
    assert fetch.pool == "newsflow_http"
    assert fetch.is_mapped
    assert dag.get_task("parse").trigger_rule == "all_done"
    outlets = dag.get_task("publish").outlets
    assert [a.name for a in outlets] == ["newsflow_stories"]
    order = ["plan", "fetch", "parse", "extract", "gate", "cluster", "validate", "publish"]
    for upstream, downstream in zip(order, order[1:], strict=False):
        assert downstream in dag.get_task(upstream).downstream_task_ids


def test_alerts_dag_is_scheduled_on_the_stories_asset(dagbag) -> None:
    dag = dagbag.dags["news_alerts"]
    assets = dag.timetable.asset_condition.objects
    assert [a.name for a in assets] == ["newsflow_stories"]
