"""`newsflow dq`: latest data-quality results, the quarantine, releasing a row, the benchmark."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime

from rich.markup import escape
from rich.table import Table

from pipeline.cli import add_command, connect, json_lines, out
from pipeline.settings import Settings


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(sub, "dq", cmd_results, "latest data-quality result of each suite")
    p.add_argument("--cycle", help="the results of this cycle id (default: the latest per suite)")
    p.add_argument("--json", action="store_true", help="one JSON object per suite and line")
    actions = p.add_subparsers(dest="dq_command", metavar="{quarantine,release,bench}")
    q = add_command(actions, "quarantine", cmd_quarantine, "rows held in quarantine, newest first")
    q.add_argument("--all", action="store_true", help="include released entries")
    q.add_argument("--limit", type=int, default=50, help="how many entries (default 50)")
    q.add_argument("--json", action="store_true", dest="q_json", help="one JSON object per line")
    r = add_command(
        actions,
        "release",
        cmd_release,
        "re-admit a quarantined row after a fix: its article goes back to the next gate",
    )
    r.add_argument("id", type=int, help="quarantine entry id (see `newsflow dq quarantine`)")
    b = add_command(actions, "bench", cmd_bench, "time the gate on a synthetic batch")
    b.add_argument("--articles", type=int, default=10_000, help="batch size (default 10000)")
    b.add_argument(
        "--bad-fraction", type=float, default=0.01, help="share of bad rows (default 0.01)"
    )


def cmd_results(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.quality import latest_results
    from pipeline.store import reports

    with connect(settings) as conn:
        rows = latest_results(conn, args.cycle)
        open_entries = reports.open_quarantine(conn)
    if args.json:
        json_lines(rows)
        return 0
    if not rows:
        out.print(
            "no data-quality results yet" + (f" for cycle {args.cycle}" if args.cycle else "")
        )
        return 0
    table = Table(
        "suite", "cycle", "run (UTC)", "severity", "result", "rows", "bad rows", "failed checks"
    )
    for r in rows:
        stats = r["statistics"]
        failed = ", ".join(f"{name} ×{n}" for name, n in stats.get("failed_checks", {}).items())
        errors = [f"{x['check']}: {x['error']}" for x in r["results"] if x.get("error")]
        table.add_row(
            r["suite"],
            escape(r["cycle_id"]),
            f"{r['run_at'].astimezone(UTC):%Y-%m-%d %H:%M}",
            r["severity"],
            _verdict(r),
            str(stats.get("rows", "")),
            str(stats.get("bad_rows", "")),
            escape("; ".join([failed, *errors]).strip("; ")),
        )
    out.print(table)
    out.print(
        f"{open_entries} rows in quarantine"
        + (" — `newsflow dq quarantine` lists them" if open_entries else "")
    )
    return 0


def _verdict(row: dict) -> str:
    if row["success"]:
        return "[green]passed[/]"
    return "[yellow]warning[/]" if row["severity"] == "warning" else "[red]failed[/]"


def cmd_quarantine(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.quality import list_quarantine

    with connect(settings) as conn:
        rows = list_quarantine(conn, include_released=args.all, limit=args.limit)
    if args.q_json:
        json_lines(rows)
        return 0
    if not rows:
        out.print("the quarantine is empty" if args.all else "no open quarantine entries")
        return 0
    table = Table("id", "table", "row", "check", "value", "reason", "since (UTC)", "released")
    for r in rows:
        table.add_row(
            str(r["id"]),
            r["table_name"],
            escape(r["row_key"]),
            r["expectation"],
            escape(_cut(r["failed_value"] if r["failed_value"] is not None else "(empty)", 40)),
            escape(_cut(r["reason"], 60)),
            f"{r['quarantined_at'].astimezone(UTC):%Y-%m-%d %H:%M}",
            _when(r["released_at"]),
        )
    out.print(table)
    return 0


def cmd_release(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.quality import release

    with connect(settings) as conn:
        done = release(conn, args.id)
    what = f"quarantine entry {done.id} ({done.table_name} {done.row_key}, {done.expectation})"
    if done.already_released:
        out.print(
            f"{what} was already released at {_when(done.released_at)} UTC; nothing to do",
            markup=False,
        )
    elif done.article_status == "pending":
        out.print(
            f"released {what}; article {done.article_key} is pending again: "
            "the next gate re-checks it and admits it if it passes",
            markup=False,
        )
    else:
        out.print(
            f"released {what}; the next validation re-opens it if the row still fails",
            markup=False,
        )
    return 0


def cmd_bench(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.quality.bench import run_benchmark

    figures = run_benchmark(settings, args.articles, args.bad_fraction)
    sys.stdout.write(json.dumps(figures) + "\n")
    return 0


def _when(value: datetime | None) -> str:
    return f"{value.astimezone(UTC):%Y-%m-%d %H:%M}" if value else ""


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
