"""`newsflow run`: one full ingest cycle in this process, without Airflow (same functions)."""

from __future__ import annotations

import argparse
import json

from pipeline.cli import add_command, connect, out
from pipeline.settings import Settings


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from rich.status import Status

    from pipeline import db
    from pipeline.cycle import run_cycle, sync_config

    with connect(settings) as conn:
        conn.autocommit = True
        db.migrate(conn, settings.sql_dir / "migrations")
        sync_config(conn, settings)
        with Status("starting", console=out) as status:
            report = run_cycle(
                conn,
                settings,
                feed_ids=args.feed or None,
                on_stage=lambda name: status.update(f"{name} …"),
            )
    if args.json:
        print(json.dumps({"cycle_id": report.cycle_id, "seconds": report.seconds,
                          "stages": report.stages}, default=str))  # fmt: skip
        return 0
    out.print(f"cycle {report.cycle_id} finished in {report.total_seconds:.1f} s")
    for stage, seconds in report.seconds.items():
        details = report.stages.get(stage)
        brief = ", ".join(
            f"{k} {len(v) if isinstance(v, list | dict) else v}"
            for k, v in (details or {}).items()
            if isinstance(v, int | float | list | dict)
        )
        out.print(f"  {stage:<9} {seconds:6.2f} s  {brief}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(sub, "run", cmd_run, "run one full ingest cycle in-process (no Airflow)")
    p.add_argument("--feed", action="append", help="only this feed id (repeatable)")
    p.add_argument("--json", action="store_true", help="print the cycle report as JSON")
