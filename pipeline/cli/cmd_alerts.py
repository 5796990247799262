"""`newsflow alerts`: recent alerts and their deliveries; sync, run and deliver."""

from __future__ import annotations

import argparse
import dataclasses
from datetime import UTC, datetime

from rich.markup import escape
from rich.table import Table

from pipeline.cli import add_command, connect, err, json_lines, out
from pipeline.errors import ConfigError
from pipeline.settings import Settings

STATUS_STYLE = {"sent": "green", "pending": "yellow", "failed": "red"}


def register(sub) -> None:
    p = add_command(sub, "alerts", cmd_list, "recent alerts and the state of their deliveries")
    p.add_argument("--limit", type=int, default=20, help="how many alerts (default 20)")
    p.add_argument("--deal", help="only alerts of this tracked deal id")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    actions = p.add_subparsers(dest="alerts_command", metavar="{sync,run,deliver}")
    sync_help = "validate config/tracked_deals.yaml and load it into the database"
    add_command(actions, "sync", cmd_sync, sync_help)
    run = add_command(
        actions,
        "run",
        cmd_run,
        "evaluate tracked deals against changed stories, then deliver (what the alerts DAG does)",
    )
    run.add_argument(
        "--since",
        type=_timestamp,
        help="re-evaluate stories changed after this ISO time (default: since the last run)",
    )
    run.add_argument("--json", action="store_true", dest="run_json", help="the report as JSON")
    deliver = add_command(actions, "deliver", cmd_deliver, "send the deliveries that are due now")
    deliver.add_argument(
        "--retry-failed",
        action="store_true",
        help="first give deliveries that were given up one more attempt",
    )
    deliver.add_argument("--channel", help="with --retry-failed: only this channel")


def _timestamp(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO date/time such as 2026-11-25T09:00Z"
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.store import alerts as store

    with connect(settings) as conn:
        rows = store.recent_alerts(conn, limit=args.limit, deal_id=args.deal)
    if args.json:
        json_lines(rows)
        return 0
    if not rows:
        out.print("no alerts yet")
        return 0
    table = Table("id", "created (UTC)", "deal", "kind", "what changed", "story", "deliveries")
    for r in rows:
        table.add_row(
            str(r["id"]),
            f"{r['created_at'].astimezone(UTC):%Y-%m-%d %H:%M}",
            escape(r["deal_id"]),
            r["kind"],
            escape(_cut(r["change"] or r["detail"], 70)),
            escape(_cut(r["story_title"], 60)),
            "\n".join(_delivery(d) for d in r["deliveries"]) or "[red]none[/]",
        )
    out.print(table)
    return 0


def _delivery(d: dict) -> str:
    style = STATUS_STYLE.get(d["status"], "")
    text = f"{escape(d['channel'])} [{style}]{d['status']}[/] ×{d['attempts']}"
    if d["status"] == "pending" and d["attempts"]:
        when = datetime.fromisoformat(d["next_attempt_at"]).astimezone(UTC)
        text += f" next {when:%H:%M:%S}"
    if d["last_error"] and d["status"] != "sent":
        text += f"\n  {escape(_cut(d['last_error'], 90))}"
    return text


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def cmd_sync(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.alerts.deals import load_deals
    from pipeline.alerts.notifiers import missing_secrets
    from pipeline.store import alerts as store

    config = load_deals(settings.tracked_deals_file)
    with connect(settings) as conn:
        report = store.sync_deals(conn, config)
        conn.commit()
    out.print(
        f"{settings.tracked_deals_file.name}: {len(config.deals)} deals, "
        f"{len(config.channels)} channels — {len(report.inserted)} added, "
        f"{len(report.updated)} updated, {len(report.unchanged)} unchanged, "
        f"{len(report.retired)} retired"
    )
    for deal_id, parties in report.unknown_parties.items():
        err.print(
            f"warning: deal {deal_id!r}: {', '.join(parties)} not in the organization registry "
            "(sync config/organizations.yaml first); the deal cannot match until they are",
            markup=False,
        )
    used = {c for d in config.deals if d.enabled for c in d.channels}
    for line in missing_secrets(config.channels, used):
        err.print(f"warning: {line}", markup=False)
    return 0


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.alerts.run import run_alerts

    with connect(settings) as conn:
        report = run_alerts(conn, settings, since=args.since)
    if args.run_json:
        json_lines([dataclasses.asdict(report)])
        return 0
    for line in report.warnings:
        err.print(f"warning: {line}", markup=False)
    d = report.deliveries
    out.print(
        f"alerts: {report.deals_evaluated} deals × {report.stories_evaluated} changed stories "
        f"evaluated, {report.stories_matching} matching, {len(report.alerts)} new alerts "
        f"({report.evaluate_s:.2f} s); deliveries: {d.sent} sent, {d.retrying} to retry, "
        f"{d.given_up} given up ({report.deliver_s:.2f} s)"
    )
    for a in report.alerts:
        out.print(f"  #{a['id']} {a['kind']} {a['deal']} story {a['story']} {a['detail']}".rstrip())
    for channel, error in d.errors.items():
        err.print(f"channel {channel}: {error}", markup=False)
    return 0


def cmd_deliver(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.alerts.deals import load_deals
    from pipeline.alerts.outbox import deliver_due
    from pipeline.store import alerts as store

    if args.channel and not args.retry_failed:
        raise ConfigError("--channel only applies together with --retry-failed")
    config = load_deals(settings.tracked_deals_file)
    with connect(settings) as conn:
        conn.autocommit = True
        if args.retry_failed:
            revived = store.retry_failed(conn, args.channel)
            out.print(f"{revived} given-up deliveries queued again")
        report = deliver_due(conn, config, settings)
    out.print(
        f"deliveries: {report.sent} sent, {report.retrying} to retry, {report.given_up} given up"
    )
    for channel, error in report.errors.items():
        err.print(f"channel {channel}: {error}", markup=False)
    return 0
