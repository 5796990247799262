"""Running real cycles for the reliability scenarios: in this process or as `newsflow run`.

A Workspace is one installation: a database, a home folder and a config folder (the shipped
organizations, a feeds.yaml pointing at the loopback servers, a tracked deal that notifies a
loopback webhook). The same Settings reach in-process cycles directly and subprocess cycles
through NEWSFLOW_* variables.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from pipeline import db
from pipeline.settings import Settings
from tests.conftest import MIGRATIONS, ROOT, with_dbname

WEBHOOK_ENV = "NEWSFLOW_RELIABILITY_WEBHOOK_URL"
# A catch-all deal: every story naming two registry organizations and USD 1 bn or more.
DEALS_YAML = f"""
channels:
  hook:
    type: webhook
    url_env: {WEBHOOK_ENV}
deals:
  - id: any-billion
    name: Any deal of USD 1 bn or more
    rule: any_orgs
    min_orgs: 2
    min_amount_usd: 1000000000
    channels: [hook]
"""
# Small limits so faults end quickly; everything else is the shipped default.
TEST_SETTINGS: dict[str, Any] = {
    "fetch_timeout_s": 3.0,
    "fetch_max_bytes": 2 * 1024 * 1024,
    "fetch_concurrency": 8,
    "fetch_per_host_limit": 8,
    "extract_batch_size": 64,
    "connect_timeout_s": 3,
}


@dataclass
class Workspace:
    url: str
    home: Path
    webhook_url: str = "http://127.0.0.1:9/unused"

    @property
    def config(self) -> Path:
        return self.home / "config"

    def settings(self, **overrides: Any) -> Settings:
        return Settings(
            database_url=self.url,
            config_dir=self.config,
            home=self.home,
            **{**TEST_SETTINGS, **overrides},
        )

    def write_feeds(self, text: str) -> None:
        (self.config / "feeds.yaml").write_text(text, encoding="utf-8")

    def env(self, **overrides: Any) -> dict[str, str]:
        """Environment for a `newsflow` subprocess with the same settings."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSFLOW_")}
        values = {
            "database_url": self.url,
            "config_dir": self.config,
            "home": self.home,
            **TEST_SETTINGS,
            **overrides,
        }
        env.update({f"NEWSFLOW_{k.upper()}": str(v) for k, v in values.items()})
        env[WEBHOOK_ENV] = self.webhook_url
        env["PYTHONPATH"] = str(ROOT)
        return env


def make_workspace(url: str, home: Path, webhook_url: str) -> Workspace:
    """A home with the shipped organization registry and the test's tracked deal."""
    config = home / "config"
    config.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "config" / "organizations.yaml", config / "organizations.yaml")
    (config / "tracked_deals.yaml").write_text(DEALS_YAML, encoding="utf-8")
    (config / "feeds.yaml").write_text("feeds: []\n", encoding="utf-8")
    return Workspace(url, home, webhook_url)


@contextmanager
def fresh_database(admin_url: str, prefix: str = "newsflow_rel") -> Iterator[str]:
    """A migrated database created for the block and dropped after it."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = with_dbname(admin_url, name)
    try:
        with db.connect(url) as conn:
            db.migrate(conn, MIGRATIONS)
        yield url
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def ingest(settings: Settings, extractor: Any = None, *, cycle_id: str | None = None) -> Any:
    """Sync the config and run one full cycle in this process; returns the CycleReport."""
    from pipeline.cycle import run_cycle, sync_config

    with db.connect(settings.database_url, autocommit=True) as conn:
        sync_config(conn, settings)
        return run_cycle(conn, settings, cycle_id, extractor=extractor)


def alerts(settings: Settings) -> Any:
    from pipeline.alerts.run import run_alerts

    with db.connect(settings.database_url, autocommit=True) as conn:
        return run_alerts(conn, settings)


def make_all_due(settings: Settings) -> int:
    """Every enabled feed due now (what the passing of time would do between cycles)."""
    with db.connect(settings.database_url, autocommit=True) as conn:
        conn.execute("UPDATE feeds SET next_fetch_at = now() WHERE enabled")
        return conn.execute("SELECT count(*) FROM feeds WHERE enabled").fetchone()[0]


def newsflow(workspace: Workspace, *args: str, **settings: Any) -> subprocess.Popen:
    """Start `python -m pipeline.cli <args>` against the workspace (stdout/stderr piped)."""
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", *args],
        cwd=ROOT,
        env=workspace.env(**settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(
    probe: Callable[[], bool], timeout_s: float, interval_s: float = 0.005, what: str = ""
) -> float:
    """Poll `probe` until it is true; returns the seconds waited, fails after timeout_s."""
    started = time.monotonic()
    while not probe():
        if time.monotonic() - started > timeout_s:
            raise AssertionError(f"timed out after {timeout_s:g} s waiting for {what}")
        time.sleep(interval_s)
    return time.monotonic() - started


def scalar(url: str, query: str) -> Any:
    """One value from a short-lived connection (the scenario's observer, not the pipeline)."""
    with psycopg.connect(url, autocommit=True, connect_timeout=3) as conn:
        return conn.execute(query).fetchone()[0]
