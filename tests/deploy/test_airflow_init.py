"""deploy/airflow-init.sh for real: the Airflow CLI and newsflow against real PostgreSQL, run the way
the airflow-init service runs it (environment only), three times: fresh, again with changed
settings, and with a broken config file."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from pipeline import db, sources
from tests.conftest import MIGRATIONS, ROOT, with_dbname

INIT_SCRIPT = ROOT / "deploy" / "airflow-init.sh"
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.slow  # three real runs of airflow db migrate and the Airflow CLI


def with_password(url: str, password: str) -> str:
    """A postgresql:// URL to the same database, carrying a password (trust auth ignores it)."""
    info = conninfo_to_dict(url)
    host = info.get("host") or "127.0.0.1"
    port = info.get("port") or 5432
    if host.startswith("/"):  # embedded server: socket folder in the query
        return f"postgresql://{info.get('user', 'postgres')}:{password}@/{info['dbname']}?host={host}&port={port}"
    return f"postgresql://{info.get('user', 'postgres')}:{password}@{host}:{port}/{info['dbname']}"


def sqlalchemy_url(url: str) -> str:
    info = conninfo_to_dict(url)
    host, port, user = info.get("host") or "127.0.0.1", info.get("port") or 5432, info.get("user")
    if host.startswith("/"):
        return f"postgresql+psycopg2://{user}@/{info['dbname']}?host={host}&port={port}"
    return f"postgresql+psycopg2://{user}@{host}:{port}/{info['dbname']}"


@pytest.fixture
def databases(pg_admin_url: str) -> Iterator[tuple[str, str]]:
    """(Airflow metadata URL, newsflow data URL): two empty databases, dropped afterwards."""
    names = [f"newsflow_init_{kind}_{uuid.uuid4().hex[:8]}" for kind in ("meta", "data")]
    with psycopg.connect(pg_admin_url, autocommit=True) as admin:
        for name in names:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield with_dbname(pg_admin_url, names[0]), with_dbname(pg_admin_url, names[1])
    finally:
        with psycopg.connect(pg_admin_url, autocommit=True) as admin:
            for name in names:
                admin.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )


@pytest.fixture
def analyst_password_kept(pg_admin_url: str) -> Iterator[str]:
    """The server-wide role newsflow_analyst, its password (hash) put back after the test."""
    role = "newsflow_analyst"
    with psycopg.connect(pg_admin_url) as admin:
        row = admin.execute("SELECT rolpassword FROM pg_authid WHERE rolname = %s", (role,))
        before = (row.fetchone() or (None,))[0]
    try:
        yield role
    finally:
        with psycopg.connect(pg_admin_url, autocommit=True) as admin:
            exists = admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,))
            if exists.fetchone():
                # PostgreSQL stores an already SCRAM-hashed password as it is
                admin.execute(
                    sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                        sql.Identifier(role), sql.Literal(before)
                    )
                )


def run_init(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(INIT_SCRIPT)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=env["AIRFLOW_HOME"],
    )


def role_password_hash(admin_url: str, role: str) -> tuple[bool, str | None]:
    with psycopg.connect(admin_url) as admin:
        return admin.execute(
            "SELECT rolcanlogin, rolpassword FROM pg_authid WHERE rolname = %s", (role,)
        ).fetchone()


def test_airflow_init_sets_up_everything_and_can_run_again(
    databases: tuple[str, str], analyst_password_kept: str, pg_admin_url: str, tmp_path: Path
) -> None:
    from cryptography.fernet import Fernet

    meta_url, data_url = databases
    fernet_key = Fernet.generate_key().decode()
    home = tmp_path / "airflow"
    (home / "dags").mkdir(parents=True)
    config = tmp_path / "config"
    shutil.copytree(ROOT / "config", config)
    # a snapshot of the migrations: the checkout may gain new ones while this test runs
    sql_dir = tmp_path / "sql"
    shutil.copytree(MIGRATIONS, sql_dir / "migrations")
    passwords_file = tmp_path / "auth" / "passwords.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "NEWSFLOW_"))}
    env |= {
        "PATH": f"{BIN}:{env.get('PATH', '')}",
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(home / "dags"),
        "AIRFLOW__CORE__FERNET_KEY": fernet_key,
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": sqlalchemy_url(meta_url),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords_file),
        "NEWSFLOW_DATABASE_URL": with_password(data_url, "first-pass"),
        "NEWSFLOW_CONFIG_DIR": str(config),
        "NEWSFLOW_SQL_DIR": str(sql_dir),
        "NEWSFLOW_HTTP_POOL_SLOTS": "5",
        "NEWSFLOW_ANALYST_PASSWORD": "analyst-pass-1",
        "AIRFLOW_ADMIN_USER": "ops",
        "AIRFLOW_ADMIN_PASSWORD": "admin-pass-1",
    }

    # Without the database URL nothing is attempted.
    missing = run_init({k: v for k, v in env.items() if k != "NEWSFLOW_DATABASE_URL"})
    assert missing.returncode == 2
    assert "NEWSFLOW_DATABASE_URL is not set" in missing.stderr

    first = run_init(env)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    assert "initialization complete" in first.stdout

    def pool_and_connections() -> tuple[list[tuple], list[tuple]]:
        with psycopg.connect(meta_url) as meta:
            pools = meta.execute(
                "SELECT pool, slots FROM slot_pool WHERE pool = 'newsflow_http'"
            ).fetchall()
            conns = meta.execute(
                "SELECT conn_type, host, port, login, schema, password, is_encrypted "
                "FROM connection WHERE conn_id = 'newsflow_db'"
            ).fetchall()
        return pools, conns

    pools, conns = pool_and_connections()
    assert pools == [("newsflow_http", 5)]
    assert len(conns) == 1
    conn_type, host, port, login, schema, password, encrypted = conns[0]
    target = conninfo_to_dict(data_url)
    assert (conn_type, schema) == ("postgres", target["dbname"])
    assert host == (target.get("host") or "127.0.0.1")
    assert port == int(target.get("port") or 5432) and login == target.get("user", "postgres")
    assert encrypted, "the connection password must be stored encrypted (Fernet)"
    assert Fernet(fernet_key.encode()).decrypt(password.encode()) == b"first-pass"

    with db.connect(data_url) as data:
        applied = [v for (v,) in data.execute("SELECT version FROM schema_migrations ORDER BY 1")]
        feeds = data.execute("SELECT count(*) FROM feeds").fetchone()[0]
        orgs = data.execute("SELECT count(*) FROM organizations").fetchone()[0]
        deals = data.execute("SELECT count(*) FROM tracked_deals").fetchone()[0]
    assert applied == [m.version for m in db.discover_migrations(sql_dir / "migrations")]
    assert feeds == len(sources.load_feeds(config / "feeds.yaml"))
    assert orgs > 0 and deals > 0, "organizations and tracked deals are synced too"

    can_login, first_hash = role_password_hash(pg_admin_url, analyst_password_kept)
    assert can_login and first_hash and first_hash.startswith("SCRAM-SHA-256$")
    assert json.loads(passwords_file.read_text()) == {"ops": "admin-pass-1"}

    # Again, as on every `docker compose up`, with settings changed in .env.
    env |= {
        "NEWSFLOW_DATABASE_URL": with_password(data_url, "second-pass"),
        "NEWSFLOW_HTTP_POOL_SLOTS": "6",
        "NEWSFLOW_ANALYST_PASSWORD": "analyst-pass-2",
    }
    second = run_init(env)
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    assert "nothing to apply" in second.stdout
    assert "feeds (0 added" in " ".join(second.stdout.split())  # rich may wrap the line
    pools, conns = pool_and_connections()
    assert pools == [("newsflow_http", 6)]
    assert len(conns) == 1
    assert Fernet(fernet_key.encode()).decrypt(conns[0][5].encode()) == b"second-pass"
    assert role_password_hash(pg_admin_url, analyst_password_kept)[1] != first_hash
    with db.connect(data_url) as data:
        assert data.execute("SELECT count(*) FROM feeds").fetchone()[0] == feeds

    # A broken feeds file stops the deployment at that step, naming the file.
    (config / "feeds.yaml").write_text("feeds: {not: a list}\n", encoding="utf-8")
    third = run_init(env)
    assert third.returncode != 0
    assert "FAILED at: config sync" in third.stderr
    assert "feeds.yaml" in " ".join(third.stderr.split())
    assert "Airflow metadata migrations" not in third.stdout  # stopped before Airflow steps
