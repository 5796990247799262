"""Demo data for end-to-end tests: both demo rounds through the real cycle and alerts."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql

from pipeline import db
from pipeline.demo import feeds as demo
from pipeline.settings import Settings
from tests.conftest import MIGRATIONS, ROOT, with_dbname


@pytest.fixture(scope="session")
def demo_db_url(pg_admin_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database holding both demo rounds, ingested by run_cycle and evaluated by run_alerts."""
    from pipeline.alerts.run import run_alerts
    from pipeline.cycle import run_cycle, sync_config
    from pipeline.store import feeds as feed_store

    name = f"newsflow_demo_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_admin_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = with_dbname(pg_admin_url, name)
    home = tmp_path_factory.mktemp("demo")
    config = home / "config"
    shutil.copytree(ROOT / "config", config)
    try:
        with db.connect(url, autocommit=True) as conn, demo.serving() as server:
            db.migrate(conn, MIGRATIONS)
            (config / "feeds.yaml").write_text(demo.feeds_yaml(server.base_url))
            settings = Settings(database_url=url, config_dir=config, home=home)
            sync_config(conn, settings)
            now = demo.demo_now()
            for rnd in (1, 2):
                server.documents.update(demo.render_round(rnd, now, server.base_url))
                feed_store.make_due(conn, [o.id for o in demo.load_corpus()[0]])
                run_cycle(conn, settings)
                run_alerts(conn, settings)
        yield url
    finally:
        with psycopg.connect(pg_admin_url, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def as_analyst(url: str) -> str:
    return psycopg.conninfo.make_conninfo(url, user="newsflow_analyst", password="")


QUERIES = sorted((ROOT / "sql" / "queries").glob("*.sql"))
