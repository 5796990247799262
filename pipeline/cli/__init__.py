"""The `newsflow` command: a thin driver over the pipeline functions."""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys
from collections.abc import Callable, Sequence

import psycopg
from rich.console import Console
from rich.table import Table

from pipeline import db
from pipeline.errors import NewsflowError
from pipeline.settings import Settings, load_settings

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


def connect(settings: Settings):
    return db.connect(db.database_url(settings), timeout_s=settings.connect_timeout_s)


def cmd_db_migrate(args: argparse.Namespace, settings: Settings) -> int:
    with connect(settings) as conn:
        applied = db.migrate(conn, settings.sql_dir / "migrations")
    if applied:
        for m in applied:
            out.print(f"applied {m.path.name}")
    else:
        out.print("database is up to date; nothing to apply")
    return 0


def cmd_db_status(args: argparse.Namespace, settings: Settings) -> int:
    with connect(settings) as conn:
        states = db.migration_status(conn, settings.sql_dir / "migrations")
    table = Table("version", "name", "state", "applied at")
    for s in states:
        when = s.applied_at.isoformat(timespec="seconds") if s.applied_at else ""
        state = "applied" if s.applied_at else "[yellow]pending[/]"
        table.add_row(f"{s.migration.version:04d}", s.migration.name, state, when)
    out.print(table)
    return 0


def cmd_db_url(args: argparse.Namespace, settings: Settings) -> int:
    out.print(db.mask_url(db.database_url(settings)), soft_wrap=True)
    return 0


def cmd_db_analyst_password(args: argparse.Namespace, settings: Settings) -> int:
    import os

    password = os.environ.get("NEWSFLOW_ANALYST_PASSWORD")
    if not password:
        raise NewsflowError("set NEWSFLOW_ANALYST_PASSWORD to the analyst role's new password")
    with connect(settings) as conn:
        db.set_role_password(conn, "newsflow_analyst", password)
    out.print("password of role newsflow_analyst set")
    return 0


def cmd_db_stop(args: argparse.Namespace, settings: Settings) -> int:
    if settings.database_url:
        out.print("NEWSFLOW_DATABASE_URL is set: newsflow does not manage that server")
        return 0
    stopped = db.stop_embedded(settings.embedded_pg_dir)
    out.print("embedded PostgreSQL stopped" if stopped else "embedded PostgreSQL was not running")
    return 0


def cmd_feeds_sync(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline import sources
    from pipeline.store import feeds as feed_store

    feeds = sources.load_feeds(settings.feeds_file)
    with connect(settings) as conn:
        report = feed_store.sync_feeds(conn, feeds)
    out.print(
        f"{settings.feeds_file.name}: {len(feeds)} feeds — {len(report.inserted)} added, "
        f"{len(report.updated)} updated, {len(report.unchanged)} unchanged, "
        f"{len(report.retired)} retired"
    )
    return 0


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.demo.run import run_demo

    return run_demo(settings, out)


def json_lines(rows: Sequence[dict]) -> None:
    for row in rows:
        sys.stdout.write(json.dumps(row, default=str, ensure_ascii=False) + "\n")


def add_command(parent, name: str, func: Callable, help_: str) -> argparse.ArgumentParser:
    """Add a subcommand whose handler is func(args, settings) -> exit code."""
    p = parent.add_parser(name, help=help_, description=help_)
    p.set_defaults(func=func)
    return p


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsflow", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    add = add_command
    dbp = sub.add_parser("db", help="database: migrate, status, url, stop").add_subparsers(
        dest="db_command", required=True
    )
    add(dbp, "migrate", cmd_db_migrate, "apply pending migrations in order")
    add(dbp, "status", cmd_db_status, "list applied and pending migrations")
    add(dbp, "url", cmd_db_url, "print the database URL in use (password masked)")
    add(dbp, "analyst-password", cmd_db_analyst_password,
        "set the newsflow_analyst password from NEWSFLOW_ANALYST_PASSWORD")  # fmt: skip
    add(dbp, "stop", cmd_db_stop, "stop the embedded PostgreSQL server")

    feeds = sub.add_parser("feeds", help="feed registry and health").add_subparsers(
        dest="feeds_command", required=False
    )
    add(feeds, "sync", cmd_feeds_sync, "validate config/feeds.yaml and sync it to the database")

    add(
        sub,
        "demo",
        cmd_demo,
        "run the pipeline on demo feeds served from loopback and show the results",
    )
    # Each area adds its commands from pipeline/cli/cmd_<area>.py through register(sub).
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("cmd_"):
            importlib.import_module(f"{__name__}.{info.name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
        return args.func(args, settings)
    except NewsflowError as exc:
        err.print(f"newsflow: {exc}", soft_wrap=True, markup=False)
        return 2
    except psycopg.OperationalError as exc:
        # The server went away mid-command (restart, crash): one line, never a traceback.
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        err.print(
            f"newsflow: PostgreSQL failed during the command ({reason}); run it again once the "
            "server answers (`newsflow db status` checks the connection)",
            soft_wrap=True,
            markup=False,
        )
        return 2
    except KeyboardInterrupt:
        err.print("newsflow: interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
