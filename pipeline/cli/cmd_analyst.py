"""Analyst commands: `newsflow stories`, `newsflow story ID`, `newsflow feeds` (readable tables
or --json, one object per line)."""

from __future__ import annotations

import argparse
import re
from datetime import UTC, datetime, timedelta

from rich.table import Table

from pipeline.cli import add_command, connect, json_lines, out
from pipeline.errors import NewsflowError
from pipeline.settings import Settings

UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_since(text: str) -> timedelta:
    """'90m', '24h', '7d', '2w' -> timedelta; anything else is a one-line error."""
    match = re.fullmatch(r"(\d+)\s*([mhdw])", text.strip())
    if not match:
        raise NewsflowError(f"--since {text!r}: use a number and a unit, e.g. 90m, 24h, 7d, 2w")
    return timedelta(**{UNITS[match[2]]: int(match[1])})


def _when(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if value else ""


def cmd_stories(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.store import reports

    since = datetime.now(UTC) - parse_since(args.since)
    with connect(settings) as conn:
        rows = reports.stories(conn, since, org=args.org, limit=args.limit)
    if args.json:
        json_lines(rows)
        return 0
    table = Table("id", "title", "lang", "outlets", "organizations", "amounts", "last seen",
                  title=f"{len(rows)} stories since {_when(since)} UTC")  # fmt: skip
    for r in rows:
        table.add_row(
            str(r["story_id"]),
            r["title"],
            ",".join(r["languages"]),
            str(r["outlet_count"]),
            ", ".join(r["organizations"][:4]),
            ", ".join(r["amounts"][:3]),
            _when(r["last_seen"]),
        )
    out.print(table)
    return 0


def cmd_story(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.store import reports

    with connect(settings) as conn:
        story = reports.story(conn, args.id)
        if story is None:
            raise NewsflowError(
                f"story {args.id} does not exist; list them with `newsflow stories`"
            )
        timeline = reports.timelines(conn, [args.id])
    if args.json:
        json_lines([{**story, "articles": timeline}])
        return 0
    out.print(f"[bold]story {story['story_id']}[/]: {story['title']}")
    for lang in ("en", "de"):
        if story.get(f"title_{lang}"):
            out.print(f"  {lang}: {story[f'title_{lang}']}")
    out.print(f"  organizations: {', '.join(story['organizations']) or '-'}")
    out.print(f"  amounts: {', '.join(story['amounts']) or '-'}")
    table = Table("reported (UTC)", "outlet", "lang", "title", "joined by")
    for a in timeline:
        table.add_row(_when(a["reported_at"]), a["outlet"], a["language"], a["title"],
                      a["joined_by"])  # fmt: skip
    out.print(table)
    return 0


def cmd_feeds(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.store import reports

    with connect(settings) as conn:
        rows = reports.feeds(conn)
    if getattr(args, "json", False):
        json_lines(rows)
        return 0
    table = Table("feed", "outlet", "lang", "state", "ok/attempts 24h", "failures in a row",
                  "last success", "next fetch", "last error")  # fmt: skip
    for r in rows:
        state = "enabled" if r["enabled"] else f"[red]off[/] ({r['disabled_reason']})"
        table.add_row(
            r["feed_id"], r["outlet"], r["language"], state,
            f"{r['ok_24h']}/{r['attempts_24h']}", str(r["consecutive_failures"]),
            _when(r["last_success_at"]), _when(r["next_fetch_at"]), (r["last_error"] or "")[:60],
        )  # fmt: skip
    out.print(table)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(sub, "stories", cmd_stories, "list recent stories")
    p.add_argument("--since", default="24h", help="how far back, e.g. 90m, 24h, 7d (default 24h)")
    p.add_argument("--org", help="only stories mentioning this organization id")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p = add_command(sub, "story", cmd_story, "one story with its articles over time")
    p.add_argument("id", type=int)
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    feeds = sub.choices["feeds"]
    feeds.set_defaults(func=cmd_feeds)
    feeds.add_argument("--json", action="store_true", help="one JSON object per line")
