"""Reads for analysts (CLI tables, the HTML report): the views of migration 0007."""

from __future__ import annotations

from datetime import datetime

import psycopg
from psycopg.rows import dict_row

from pipeline.sqlfiles import statement


def _rows(conn: psycopg.Connection, name: str, params: dict | None = None) -> list[dict]:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(statement(name), params or {}).fetchall()


def stories(
    conn: psycopg.Connection, since: datetime, org: str | None = None, limit: int = 50
) -> list[dict]:
    """Stories active since `since`, optionally only those mentioning organization `org`."""
    return _rows(conn, "report_stories", {"since": since, "org": org, "limit": limit})


def story(conn: psycopg.Connection, story_id: int) -> dict | None:
    found = _rows(conn, "report_story", {"id": story_id})
    return found[0] if found else None


def timelines(conn: psycopg.Connection, story_ids: list[int]) -> list[dict]:
    """Each article of the given stories with outlet, language and time, in order."""
    return _rows(conn, "report_story_timeline", {"ids": story_ids})


def feeds(conn: psycopg.Connection) -> list[dict]:
    return _rows(conn, "report_feeds")


def deals(conn: psycopg.Connection) -> list[dict]:
    return _rows(conn, "report_deals")


def alerts(conn: psycopg.Connection) -> list[dict]:
    """Every alert with its per-channel delivery status."""
    return _rows(conn, "report_alerts")


def data_quality(conn: psycopg.Connection) -> list[dict]:
    """Results per suite and outcome, and how many quarantined rows are still held."""
    return _rows(conn, "report_dq")


def open_quarantine(conn: psycopg.Connection) -> int:
    """How many quarantined rows are still held back."""
    return conn.execute(statement("report_open_quarantine")).fetchone()[0]
