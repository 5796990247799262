"""Tracked deals, story snapshots, alerts and their delivery outbox in PostgreSQL."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from pipeline.alerts.deals import TrackedDeal, TrackedDeals
from pipeline.alerts.rules import PastAlert, SourceArticle, StoryAmount, StorySnapshot
from pipeline.sqlfiles import statement
from pipeline.store.feeds import SyncReport


@dataclass
class DealSyncReport(SyncReport):
    unknown_parties: dict[str, list[str]] = field(default_factory=dict)


def sync_deals(
    conn: psycopg.Connection, deals: TrackedDeals | Sequence[TrackedDeal]
) -> DealSyncReport:
    """Make tracked_deals match the config; deals dropped from it are disabled, not deleted.

    Also reports parties that are not known organization ids (such a deal can never match).
    """
    items = deals.deals if isinstance(deals, TrackedDeals) else tuple(deals)
    report = DealSyncReport()
    with conn.transaction():
        for deal in items:
            row = conn.execute(
                statement("alert_upsert_deal"),
                {
                    "id": deal.id,
                    "name": deal.name,
                    "rule": deal.rule,
                    "parties": list(deal.parties),
                    "min_orgs": deal.min_orgs,
                    "keywords": Jsonb({k: list(v) for k, v in deal.all_keywords.items() if v}),
                    "min_amount_usd": deal.min_amount_usd,
                    "channels": list(deal.channels),
                    "enabled": deal.enabled,
                },
            ).fetchone()
            report.record(deal.id, row)
        retired = conn.execute(statement("alert_retire_deals"), {"ids": [d.id for d in items]})
        report.retired = [r[0] for r in retired]
        for deal_id, party in conn.execute(statement("alert_unknown_parties")):
            report.unknown_parties.setdefault(deal_id, []).append(party)
    return report


def watermarks(conn: psycopg.Connection) -> tuple[datetime, dict[str, datetime]]:
    """The database clock and, per deal, the latest story change already evaluated."""
    rows = conn.execute(statement("alert_watermarks")).fetchall()
    return rows[0][0], {r[1]: r[2] for r in rows if r[1] is not None}


def advance_watermark(
    conn: psycopg.Connection, deal_id: str, evaluated_until: datetime, stories: int
) -> None:
    conn.execute(
        statement("alert_advance_watermark"),
        {"deal_id": deal_id, "evaluated_until": evaluated_until, "stories": stories},
    )


def changed_stories(conn: psycopg.Connection, since: datetime) -> list[StorySnapshot]:
    """Snapshots of every story changed after `since`, with articles, organizations, amounts."""
    heads = conn.execute(statement("alert_changed_stories"), {"since": since}).fetchall()
    if not heads:
        return []
    ids = [h[0] for h in heads]
    params = {"story_ids": ids}
    articles: dict[int, list[SourceArticle]] = defaultdict(list)
    for sid, key, title, summary, url, lang, outlet, seen in conn.execute(
        statement("alert_story_articles"), params
    ):
        articles[sid].append(SourceArticle(key, title, url, lang, outlet, seen, summary))
    orgs = _story_orgs(conn, params)
    amounts: dict[int, list[StoryAmount]] = defaultdict(list)
    for sid, amount, cur, qual, low, usd, surface, seen, outlet in conn.execute(
        statement("alert_story_money"), params
    ):
        amounts[sid].append(StoryAmount(amount, cur.strip(), qual, low, usd, surface, seen, outlet))
    snapshots = []
    for sid, title, updated_at in heads:
        org_ids, roots, names = orgs.get(sid, (frozenset(), frozenset(), {}))
        snapshots.append(
            StorySnapshot(
                sid,
                title,
                updated_at,
                tuple(articles.get(sid, ())),
                org_ids,
                roots,
                names,
                tuple(amounts.get(sid, ())),
            )
        )
    return snapshots


def _story_orgs(
    conn: psycopg.Connection, params: dict[str, Any]
) -> dict[int, tuple[frozenset[str], frozenset[str], dict[str, str]]]:
    ids: dict[int, set[str]] = defaultdict(set)
    names: dict[int, dict[str, str]] = defaultdict(dict)
    top: dict[tuple[int, str], tuple[int, str, str]] = {}  # (story, mentioned) -> deepest
    for sid, mentioned, source, org_id, name, depth in conn.execute(
        statement("alert_story_orgs"), params
    ):
        ids[sid].add(org_id)
        names[sid][org_id] = name
        if (sid, mentioned) not in top or depth > top[(sid, mentioned)][0]:
            top[(sid, mentioned)] = (depth, org_id, source)
    roots: dict[int, set[str]] = defaultdict(set)
    for (sid, _), (_, root, source) in top.items():
        if source == "registry":
            roots[sid].add(root)
    return {sid: (frozenset(ids[sid]), frozenset(roots[sid]), names[sid]) for sid in ids}


def lock_pair(conn: psycopg.Connection, deal_id: str, story_id: int) -> None:
    """Serialize evaluations of (deal, story) until the current transaction ends."""
    conn.execute(statement("alert_lock_pair"), {"deal_id": deal_id, "story_id": story_id})


def past_alerts(conn: psycopg.Connection, deal_id: str, story_id: int) -> list[PastAlert]:
    rows = conn.execute(statement("alert_history"), {"deal_id": deal_id, "story_id": story_id})
    return [PastAlert(kind, detail, payload) for kind, detail, payload in rows]


def insert_alert(
    conn: psycopg.Connection,
    deal_id: str,
    story_id: int,
    kind: str,
    detail: str,
    payload: dict[str, Any],
) -> int | None:
    """The new alert's id, or None when this (deal, story, kind, detail) already exists."""
    row = conn.execute(
        statement("alert_insert"),
        {
            "deal_id": deal_id,
            "story_id": story_id,
            "kind": kind,
            "detail": detail,
            "payload": Jsonb(payload),
        },
    ).fetchone()
    return row[0] if row else None


def enqueue_delivery(conn: psycopg.Connection, alert_id: int, channel: str) -> None:
    conn.execute(statement("alert_enqueue_delivery"), {"alert_id": alert_id, "channel": channel})


@dataclass(frozen=True)
class ClaimedDelivery:
    alert_id: int
    channel: str
    attempts: int
    payload: dict[str, Any]


def claim_due_delivery(
    conn: psycopg.Connection, now: datetime | None, skip_channels: Sequence[str]
) -> ClaimedDelivery | None:
    """Lock the next due delivery for this transaction (others skip it), or None."""
    row = conn.execute(
        statement("alert_claim_delivery"), {"now": now, "skip": list(skip_channels)}
    ).fetchone()
    return ClaimedDelivery(*row) if row else None


def record_sent(
    conn: psycopg.Connection, alert_id: int, channel: str, now: datetime | None
) -> None:
    conn.execute(
        statement("alert_delivery_sent"), {"alert_id": alert_id, "channel": channel, "now": now}
    )


def record_failure(
    conn: psycopg.Connection,
    alert_id: int,
    channel: str,
    error: str,
    *,
    now: datetime | None,
    backoff_s: float,
    max_attempts: int,
) -> tuple[str, datetime]:
    """Count a failed attempt; returns the new status and the time of the next attempt."""
    row = conn.execute(
        statement("alert_delivery_failed"),
        {
            "alert_id": alert_id,
            "channel": channel,
            "error": error,
            "now": now,
            "backoff_s": backoff_s,
            "max_attempts": max_attempts,
        },
    ).fetchone()
    return row[0], row[1]


def retry_failed(conn: psycopg.Connection, channel: str | None = None) -> int:
    """Put given-up deliveries (of one channel, or all) back in the queue; returns how many."""
    return len(conn.execute(statement("alert_retry_failed"), {"channel": channel}).fetchall())


def recent_alerts(
    conn: psycopg.Connection, *, limit: int = 20, deal_id: str | None = None
) -> list[dict[str, Any]]:
    """Newest alerts first, each with its deliveries (channel, status, attempts, last_error)."""
    cur = conn.execute(statement("alert_recent"), {"limit": limit, "deal_id": deal_id})
    names = [c.name for c in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur]
