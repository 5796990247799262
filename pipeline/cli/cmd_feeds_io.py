"""`newsflow parse FILE` (no database) and `newsflow fetch FEED_ID` (one fetch, recorded)."""

from __future__ import annotations

import argparse
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

from pipeline.cli import add_command, connect, err, json_lines, out
from pipeline.errors import ConfigError, NewsflowError
from pipeline.settings import Settings


def register(sub) -> None:
    p = add_command(
        sub,
        "parse",
        cmd_parse,
        "parse a feed file and print its normalized articles as JSON lines "
        "(exit 2 with the reason when the document is rejected)",
    )
    p.add_argument("file", help="an RSS/Atom file, or - for standard input")
    p.add_argument("--feed-id", help="feed id used in article keys (default: from the file name)")
    p.add_argument(
        "--language", help="the feed's declared language, e.g. en or de (default: the document's)"
    )
    p.add_argument("--content-type", help="the Content-Type it was served with, for its charset")
    p.add_argument("--base-url", help="URL the document came from, to resolve relative links")
    p.add_argument("--quiet", "-q", action="store_true", help="do not list entry problems")

    f = add_command(sub, "fetch", cmd_fetch, "fetch one feed now, record the attempt, report it")
    f.add_argument("feed_id", help="a feed id from config/feeds.yaml")
    f.add_argument("--parse", action="store_true", help="also parse what was fetched")


def _feed_id_for(path: str) -> str:
    stem = Path(path).stem.lower() if path != "-" else "stdin"
    return re.sub(r"[^a-z0-9_-]+", "-", stem).strip("-")[:63] or "file"


def _article_json(article) -> dict:
    from dataclasses import asdict

    row = asdict(article)
    if article.published_at:
        row["published_at"] = article.published_at.isoformat()
    return row


def cmd_parse(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.parse import parse_feed

    if args.file == "-":
        body = sys.stdin.buffer.read()
    else:
        try:
            body = Path(args.file).read_bytes()
        except OSError as exc:
            raise NewsflowError(f"{args.file}: cannot read ({exc.strerror})") from None
    result = parse_feed(
        body,
        args.feed_id or _feed_id_for(args.file),
        args.language,
        content_type=args.content_type,
        base_url=args.base_url,
        languages=tuple(settings.languages),
        max_bytes=settings.fetch_max_bytes,
    )
    if result.rejected:
        raise NewsflowError(f"{args.file}: rejected: {result.rejected}")
    json_lines([_article_json(a) for a in result.articles])
    if not args.quiet:
        for problem in result.problems:
            verb = "skipped" if problem.skipped else "note"
            err.print(
                f"{args.file}: entry {problem.index}: {verb}: {problem.reason}",
                markup=False,
                soft_wrap=True,
            )
    err.print(
        f"{args.file}: {result.version or 'feed'}, {result.entries} entries -> "
        f"{len(result.articles)} articles, {len(result.skipped)} skipped, "
        f"{result.duplicates} duplicates",
        markup=False,
        soft_wrap=True,
    )
    return 0


def cmd_fetch(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.steps.fetch import fetch_feeds
    from pipeline.store import fetches as fetch_store

    cycle_id = "fetch__" + datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    with connect(settings) as conn:
        conn.autocommit = True
        state = fetch_store.feed_states(conn, [args.feed_id]).get(args.feed_id)
        if state is None:
            raise ConfigError(
                f"feed {args.feed_id!r} is not in the database; check the id in "
                f"{settings.feeds_file} and run `newsflow feeds sync`"
            )
        report = fetch_feeds(conn, settings, cycle_id, [args.feed_id])
        if args.feed_id in report.skipped:
            raise NewsflowError(f"feed {args.feed_id}: not fetched: {report.skipped[args.feed_id]}")
        fetch_id = report.fetch_ids[0]
        row = fetch_store.fetch_outcome(conn, fetch_id)
        outcome, status, size, duration, error, final_url, next_at, failures = row
        status_text = f" HTTP {status}" if status else ""
        out.print(
            f"{args.feed_id}: {outcome}{status_text}, {size:,} bytes in {duration} ms "
            f"(fetch id {fetch_id}); next fetch {next_at:%Y-%m-%d %H:%M:%S} UTC"
            + (f", {failures} failures in a row" if failures else ""),
            markup=False,
        )
        if final_url and final_url != state.url:
            out.print(f"  redirected to {final_url}", markup=False, soft_wrap=True)
        if error:
            err.print(f"{args.feed_id}: {error}", markup=False, soft_wrap=True)
        if args.parse and report.stored_fetch_ids:
            from pipeline.steps.parse import parse_fetches

            parsed = parse_fetches(conn, settings, cycle_id, report.stored_fetch_ids)
            if parsed.rejected:
                err.print(
                    f"{args.feed_id}: rejected: {parsed.rejected[fetch_id]}",
                    markup=False,
                    soft_wrap=True,
                )
                return 1
            out.print(
                f"  parsed: {parsed.articles_new} new, {parsed.articles_changed} changed, "
                f"{parsed.articles_unchanged} unchanged articles; "
                f"{parsed.entries_skipped} entries skipped",
                markup=False,
            )
    return 0 if outcome in ("stored", "not_modified") else 1
