"""Airflow for DAG tests: its own AIRFLOW_HOME and SQLite metadata, set before airflow imports."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

DAGS = ROOT / "dags"
_HOME = Path(tempfile.mkdtemp(prefix="newsflow-airflow-"))
os.environ["AIRFLOW_HOME"] = str(_HOME)
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(DAGS)
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = f"sqlite:///{_HOME / 'airflow.db'}"
os.environ["AIRFLOW__CORE__UNIT_TEST_MODE"] = "False"


@pytest.fixture(scope="session")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS))
