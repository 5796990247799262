"""`newsflow config sync`: load every config file (feeds, organizations, deals) into PostgreSQL."""

from __future__ import annotations

import argparse

from pipeline.cli import add_command, connect, out
from pipeline.settings import Settings


def cmd_config_sync(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.cycle import sync_config

    with connect(settings) as conn:
        conn.autocommit = True
        report = sync_config(conn, settings)
    out.print(
        f"config synced from {settings.config_dir}: feeds ({report['feeds_added']} added, "
        f"{report['feeds_updated']} updated), organizations, tracked deals"
    )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    group = sub.add_parser("config", help="operator configuration files").add_subparsers(
        dest="config_command", required=True
    )
    add_command(group, "sync", cmd_config_sync,
                "validate feeds, organizations and tracked deals YAML and load them")  # fmt: skip
