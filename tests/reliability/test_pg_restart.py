"""PostgreSQL restarts in the middle of a cycle: the cycle fails with one clear line, the next
cycle recovers and the totals are exact. The server is an embedded one this test owns."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from pipeline import db
from tests.conftest import MIGRATIONS, ROOT, with_dbname
from tests.reliability import harness
from tests.reliability.checks import PROCESS_BOUND_MB, alert_keys, totals, watching
from tests.reliability.conftest import SOAK
from tests.reliability.test_kill import LOCKED, PROGRESS


@pytest.fixture
def own_server() -> Iterator[tuple[Path, str]]:
    """An embedded PostgreSQL 16 (pgserver) started for this test, with a migrated database.

    Its data folder is short and outside the pytest tree so the Unix socket path stays short.
    """
    import tempfile

    pgdata = Path(tempfile.mkdtemp(prefix="nfpg")) / "pg"
    try:
        # Started from a child process: pgserver's exit hook would log into pytest's closed
        # streams at interpreter exit. The server outlives the child (cleanup_mode None).
        admin = subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys, pathlib, pipeline.db as d;"
                " print(d.start_embedded(pathlib.Path(sys.argv[1])))",
                str(pgdata),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier("newsflow")))
        url = with_dbname(admin, "newsflow")
        with db.connect(url) as conn:
            db.migrate(conn, MIGRATIONS)
        yield pgdata, url
    finally:
        db.stop_embedded(pgdata)
        shutil.rmtree(pgdata.parent, ignore_errors=True)


def restart(pgdata: Path) -> None:
    """Restart the server the way an operator or a crash-restarting supervisor would."""
    from pgserver._commands import pg_ctl

    user = "pgserver" if db._is_root() else None
    pg_ctl(["-w", "-m", "fast", "-l", str(pgdata / "log"), "restart"], pgdata=pgdata, user=user)


def _progress(url: str, stage: str) -> tuple[int, int]:
    try:
        with psycopg.connect(url, autocommit=True, connect_timeout=2) as conn:
            return conn.execute(PROGRESS[stage]).fetchone()
    except psycopg.OperationalError:
        return (0, 0)


def restart_midway(
    workspace: harness.Workspace, pgdata: Path, url: str, stage: str
) -> tuple[str, tuple[int, int], float]:
    """Run a cycle, restart the server while `stage` is half done; the cycle's one error line."""
    proc = harness.newsflow(workspace, "run")
    caught = (0, 0)

    def midway() -> bool:
        nonlocal caught
        assert proc.poll() is None, f"cycle ended before {stage}: {proc.stderr.read()}"
        caught = _progress(url, stage)
        return 0 < caught[0] < caught[1]

    with watching(proc.pid) as memory:
        harness.wait_for(midway, timeout_s=180, interval_s=0.01, what=f"{stage} midway")
        restart(pgdata)
        _out, err = proc.communicate(timeout=120)
    lines = err.strip().splitlines()
    assert proc.returncode == 2, f"exit {proc.returncode}; stderr:\n{err[-4000:]}"
    assert len(lines) == 1 and lines[0].startswith("newsflow: "), err
    assert "PostgreSQL" in lines[0] and "run" in lines[0], lines[0]
    return lines[0], caught, memory.peak_mb


@pytest.mark.filterwarnings("ignore:XDG_RUNTIME_DIR")  # pgserver's lock folder; harmless here
def test_postgres_restart_during_cycle(
    own_server, tmp_path, feeds, shared_corpus, shared_reference, webhook, ledger, monkeypatch
):
    pgdata, url = own_server
    monkeypatch.setenv(harness.WEBHOOK_ENV, webhook.url)
    workspace = harness.make_workspace(url, tmp_path / "home", webhook.url)
    feeds.documents.update(shared_corpus.documents(datetime.now(UTC), feeds.base_url))
    workspace.write_feeds(shared_corpus.feeds_yaml(feeds.base_url))
    stages = ["parse", "extract", "cluster"] if SOAK else ["extract"]
    rows = [ledger.row("PostgreSQL restart", f"pg_ctl restart during {s}") for s in stages]
    notes = []
    peak = 0.0
    for stage in stages:
        line, caught, peak_mb = restart_midway(workspace, pgdata, url, stage)
        peak = max(peak, peak_mb)
        reason = line.split(" stage (", 1)[-1].split(");", 1)[0]
        where = f"inside {stage}" if stage in LOCKED else f"at {caught[0]}/{caught[1]} {stage}"
        notes.append(f"restarted {where}; exit 2: {reason}")

    proc = harness.newsflow(workspace, "run")
    with watching(proc.pid) as memory:
        out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    peak = max(peak, memory.peak_mb)
    harness.alerts(workspace.settings())
    with psycopg.connect(url, autocommit=True) as conn:
        found = totals(conn, shared_corpus)
        alerts = alert_keys(conn)
    found.assert_exact()
    assert found.partition == shared_reference.totals.partition
    assert alerts == shared_reference.alerts
    assert webhook.repeated == 0
    assert peak < PROCESS_BOUND_MB, f"a cycle process reached {peak:.0f} MB"
    for row, note in zip(rows, notes, strict=True):
        row.totals(found)
        row.injected = 1
        row.peak_rss_mb = peak
        row.note = note
        row.survived = True
