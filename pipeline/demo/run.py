"""`make demo`: the real pipeline on demo feeds written by us and served from loopback.

Round 1 serves the first wave of news; round 2 adds German outlets picking up the Amazon–OpenAI
talks and a new amount. Each round runs the real news_ingest and news_alerts DAGs (dag.test()).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from pipeline import db
from pipeline.demo import feeds as demo
from pipeline.settings import PROJECT_ROOT, Settings


def _airflow_env(settings: Settings, url: str, config: Path) -> dict[str, str]:
    home = settings.home / "airflow"
    home.mkdir(parents=True, exist_ok=True)
    return {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "NEWSFLOW_DATABASE_URL": url,
        "NEWSFLOW_CONFIG_DIR": str(config),
        "NEWSFLOW_HOME": str(settings.home),
    }


def _run_logged(cmd: list[str], env: dict[str, str], log: Path, what: str) -> None:
    with log.open("ab") as sink:
        done = subprocess.run(cmd, env=env, stdout=sink, stderr=subprocess.STDOUT, check=False)
    if done.returncode != 0:
        raise SystemExit(f"newsflow demo: {what} failed; see {log}")


def _prepare_config(settings: Settings, base_url: str) -> Path:
    config = settings.home / "demo" / "config"
    config.mkdir(parents=True, exist_ok=True)
    for name in ("organizations.yaml", "tracked_deals.yaml"):
        shutil.copy(settings.config_dir / name, config / name)
    (config / "feeds.yaml").write_text(demo.feeds_yaml(base_url), encoding="utf-8")
    return config


def run_demo(settings: Settings, console: Console) -> int:
    """The whole demo; returns an exit code."""
    from pipeline.cli.cmd_report import write_report
    from pipeline.store import feeds as feed_store
    from pipeline.store import reports

    started = time.monotonic()
    if settings.database_url:
        url = settings.database_url
        console.print(f"database: {db.mask_url(url)} (NEWSFLOW_DATABASE_URL)")
    else:
        reused = (settings.embedded_pg_dir / "postmaster.pid").exists()
        with console.status("starting the embedded PostgreSQL …"):
            url = db.start_embedded(settings.embedded_pg_dir)
        state = "reused" if reused else "started"
        console.print(f"database: embedded PostgreSQL {state} in {settings.embedded_pg_dir}")
    with db.connect(url, autocommit=True) as conn:
        applied = db.migrate(conn, settings.sql_dir / "migrations")
    console.print(f"migrations: {len(applied)} applied" if applied else "migrations: up to date")

    log = settings.home / "demo" / "airflow.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("")
    now = demo.demo_now()
    with demo.serving() as server:
        config = _prepare_config(settings, server.base_url)
        env = _airflow_env(settings, url, config)
        console.print(f"demo feeds: 12 outlets (6 English, 6 German) at {server.base_url}")
        if not (settings.home / "airflow" / "airflow.db").exists():
            with console.status("preparing Airflow's metadata database (first run only) …"):
                airflow = str(Path(sys.executable).parent / "airflow")
                _run_logged([airflow, "db", "migrate"], env, log, "airflow db migrate")
        for rnd in (1, 2):
            server.documents.update(demo.render_round(rnd, now, server.base_url))
            with db.connect(url, autocommit=True) as conn:
                feed_store.make_due(conn, [f"{o.id}" for o in demo.load_corpus()[0]])
            for dag_id in ("news_ingest", "news_alerts"):
                with console.status(f"round {rnd}: running the {dag_id} DAG (dag.test) …"):
                    cmd = [sys.executable, "-m", "pipeline.demo.dag_run", dag_id]
                    _run_logged(cmd, env, log, f"round {rnd} {dag_id}")
                console.print(f"round {rnd}: {dag_id} succeeded")

    with db.connect(url, autocommit=True) as conn:
        _print_results(conn, console)
        report = settings.home / "demo" / "report.html"
        write_report(conn, report, since="2d")
        rows = reports.feeds(conn)
    console.print(f"feeds: {sum(r['ok_24h'] > 0 for r in rows)} of {len(rows)} answered")
    console.print(f"HTML report: {report}")
    console.print(f"Airflow log: {log}")
    console.print(f"connect as the analyst: psql '{_analyst_url(url)}'")
    console.print(f"demo finished in {time.monotonic() - started:.0f} s")
    return 0


def _analyst_url(url: str) -> str:
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    info = conninfo_to_dict(url)
    info.pop("password", None)
    return make_conninfo(**{**info, "user": "newsflow_analyst"})


def _print_results(conn, console: Console) -> None:
    from datetime import UTC, datetime, timedelta

    from pipeline.store import reports

    stories = reports.stories(conn, datetime.now(UTC) - timedelta(days=2), limit=20)
    table = Table("story", "title", "languages", "outlets", "amounts", title="Stories")
    for s in stories:
        table.add_row(str(s["story_id"]), s["title"], ", ".join(s["languages"]),
                      ", ".join(s["outlets"]), ", ".join(s["amounts"][:3]))  # fmt: skip
    console.print(table)
    alerts = reports.alerts(conn)
    table = Table("deal", "story", "kind", "detail", "delivered", title=f"Alerts ({len(alerts)})")
    for a in alerts:
        table.add_row(a["deal_id"], str(a["story_id"]), a["kind"], a["detail"],
                      ", ".join(a["deliveries"]))  # fmt: skip
    console.print(table)
    dq = reports.data_quality(conn)
    table = Table("suite", "passed", "severity", "runs", title="Data quality")
    for r in dq:
        ok = "yes" if r["success"] else "[red]no[/]"
        table.add_row(r["suite"], ok, r["severity"], str(r["runs"]))
    console.print(table)
    console.print(f"quarantined rows: {dq[0]['quarantined_open'] if dq else 0}")
