"""Feeds table: sync from config."""

from __future__ import annotations

from dataclasses import dataclass, field

import psycopg

from pipeline.sources import Feed
from pipeline.sqlfiles import statement


@dataclass
class SyncReport:
    """What syncing a config file to its table did, by id."""

    inserted: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)

    def record(self, item_id: str, row: tuple | None) -> None:
        """Classify one upsert's answer: no row = unchanged, row (id, inserted) otherwise."""
        if row is None:
            self.unchanged.append(item_id)
        elif row[1]:
            self.inserted.append(item_id)
        else:
            self.updated.append(item_id)


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
            report.record(feed.id, row)
        retired = conn.execute(statement("retire_feeds"), {"ids": [f.id for f in feeds]})
        report.retired = [r[0] for r in retired]
    return report


def make_due(conn: psycopg.Connection, feed_ids: list[str]) -> int:
    """Schedule the given enabled feeds for the next cycle; returns how many."""
    with conn.transaction():
        return conn.execute(statement("feed_make_due"), {"ids": feed_ids}).rowcount
