"""Feeds table: sync from config."""

from __future__ import annotations

from dataclasses import dataclass, field

import psycopg

from pipeline.sources import Feed
from pipeline.sqlfiles import statement


@dataclass
class SyncReport:
    inserted: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)


def sync_feeds(conn: psycopg.Connection, feeds: list[Feed]) -> SyncReport:
    """Make the feeds table match the config; feeds dropped from it are disabled, not deleted."""
    report = SyncReport()
    with conn.transaction():
        for feed in feeds:
            row = conn.execute(
                statement("upsert_feed"),
                {
                    "id": feed.id,
                    "outlet": feed.outlet,
                    "url": feed.url,
                    "language": feed.language,
                    "topics": list(feed.topics),
                    "poll_interval_s": feed.poll_minutes * 60,
                    "enabled": feed.enabled,
                    "allow_private": feed.allow_private,
                },
            ).fetchone()
            if row is None:
                report.unchanged.append(feed.id)
            elif row[1]:
                report.inserted.append(feed.id)
            else:
                report.updated.append(feed.id)
        retired = conn.execute(statement("retire_feeds"), {"ids": [f.id for f in feeds]})
        report.retired = [r[0] for r in retired]
    return report


def make_due(conn: psycopg.Connection, feed_ids: list[str]) -> int:
    """Schedule the given enabled feeds for the next cycle; returns how many."""
    with conn.transaction():
        return conn.execute(statement("feed_make_due"), {"ids": feed_ids}).rowcount
