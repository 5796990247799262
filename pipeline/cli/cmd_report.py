"""`newsflow report --out FILE.html`: the static HTML report of stories and tracked deals."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

from pipeline.cli import add_command, connect, out
from pipeline.cli.cmd_analyst import parse_since
from pipeline.settings import Settings


def write_report(conn, out_path: Path, since: str = "7d", limit: int = 30) -> int:
    """Render the report for stories active within `since` to `out_path`; returns the count."""
    from pipeline.report import render_report
    from pipeline.store import reports

    now = datetime.now(UTC)
    stories = reports.stories(conn, now - parse_since(since), limit=limit)
    timelines = reports.timelines(conn, [s["story_id"] for s in stories])
    html = render_report(stories, timelines, reports.deals(conn), now)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(html, encoding="utf-8")
    return len(stories)


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    with connect(settings) as conn:
        count = write_report(conn, args.out, args.since, args.limit)
    out.print(f"wrote {args.out} ({count} stories)")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(sub, "report", cmd_report, "write a static HTML report of stories and deals")
    p.add_argument("--out", type=Path, required=True, help="the HTML file to write")
    p.add_argument("--since", default="7d", help="stories active within this period (default 7d)")
    p.add_argument("--limit", type=int, default=30)
