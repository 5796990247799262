"""Shared fixtures: a throw-away PostgreSQL database per test, on a real server.

The server is NEWSFLOW_TEST_ADMIN_URL if set, else the local one on 127.0.0.1:5432 if it
answers, else an embedded PostgreSQL (pgserver) started for the test session.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from pipeline import db

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = ROOT / "sql" / "migrations"
LOCAL_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"


def shared_data() -> Path:
    """The workplace's shared data folder: NEWSFLOW_SHARED_DATA, else ../shared/data next to the
    checkout, else /work/shared/data (where CI's clone may sit elsewhere)."""
    for candidate in (
        os.environ.get("NEWSFLOW_SHARED_DATA"),
        ROOT.parent / "shared" / "data",
        "/work/shared/data",
    ):
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return ROOT.parent / "shared" / "data"


def _answers(url: str) -> bool:
    try:
        psycopg.connect(url, connect_timeout=2).close()
        return True
    except psycopg.OperationalError:
        return False


@pytest.fixture(scope="session")
def pg_admin_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A URL with the right to create databases."""
    url = os.environ.get("NEWSFLOW_TEST_ADMIN_URL")
    if url:
        return url
    if _answers(LOCAL_SERVER):
        return LOCAL_SERVER
    return db.start_embedded(tmp_path_factory.mktemp("pg"))


def with_dbname(url: str, dbname: str) -> str:
    return make_conninfo(**{**conninfo_to_dict(url), "dbname": dbname})


@pytest.fixture
def empty_db_url(pg_admin_url: str) -> Iterator[str]:
    """A freshly created, empty database; dropped after the test."""
    name = f"newsflow_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_admin_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield with_dbname(pg_admin_url, name)
    finally:
        with psycopg.connect(pg_admin_url, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture
def db_url(empty_db_url: str) -> str:
    """A throw-away database with every migration applied."""
    with db.connect(empty_db_url) as conn:
        db.migrate(conn, MIGRATIONS)
    return empty_db_url


@pytest.fixture
def conn(db_url: str) -> Iterator[psycopg.Connection]:
    """An autocommit connection to a migrated throw-away database."""
    with db.connect(db_url, autocommit=True) as c:
        yield c
