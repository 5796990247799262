"""Cycle bookkeeping and maintenance: retention, orphans, feed health."""

from __future__ import annotations

from datetime import datetime

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from pipeline.sqlfiles import statement


def begin_cycle(conn: psycopg.Connection, cycle_id: str) -> None:
    """Record that cycle `cycle_id` runs (idempotent: a retry re-opens the same row)."""
    with conn.transaction():
        conn.execute(statement("cycle_begin"), {"id": cycle_id})


def finish_cycle(conn: psycopg.Connection, cycle_id: str, status: str, stats: dict) -> None:
    """Close the cycle with its status and merge `stats` into what earlier steps recorded."""
    with conn.transaction():
        conn.execute(
            statement("cycle_finish"), {"id": cycle_id, "status": status, "stats": Jsonb(stats)}
        )


def stories_changed(conn: psycopg.Connection, cycle_id: str) -> int:
    """How many stories were created or changed since cycle `cycle_id` started."""
    return conn.execute(statement("cycle_stories_changed"), {"id": cycle_id}).fetchone()[0]


def purge_raw_bodies(conn: psycopg.Connection, now: datetime) -> int:
    """Drop raw bodies past their retention period; returns how many were dropped."""
    with conn.transaction():
        return conn.execute(statement("maintenance_purge_bodies"), {"now": now}).rowcount


def remove_orphans(conn: psycopg.Connection) -> dict[str, int]:
    """Delete rows nothing refers to any more; returns counts per kind."""
    with conn.transaction():
        stories, orgs = conn.execute(statement("maintenance_orphans")).fetchone()
    return {"stories": stories, "organizations": orgs}


def feed_health(conn: psycopg.Connection, now: datetime) -> list[dict]:
    """Per-feed health over 24 h: attempts, successes, failures in a row, last error."""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(statement("maintenance_feed_health"), {"now": now}).fetchall()
