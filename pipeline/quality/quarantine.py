"""Reading the quarantine and releasing rows from it after a fix."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import psycopg
from psycopg.rows import dict_row

from pipeline.errors import NewsflowError
from pipeline.sqlfiles import statement


@dataclass(frozen=True)
class Release:
    """What releasing one quarantine entry did."""

    id: int
    table_name: str
    row_key: str
    expectation: str
    article_key: str | None
    article_status: str | None  # 'pending' when its article goes back to the gate, else None
    released_at: datetime
    already_released: bool


def release(conn: psycopg.Connection, quarantine_id: int) -> Release:
    """Re-admit a quarantined row: close the entry and send its article back to 'pending'.

    The article is not made visible directly: the next gate re-checks all of it (and its
    mentions) and admits it only if it now passes; if not, the entry is opened again.
    Releasing an entry twice changes nothing. Story entries are only closed (stories have no
    status); the next validation re-opens them if the story still fails.
    """
    with conn.transaction():
        entry = conn.execute(statement("dq_quarantine_get"), {"id": quarantine_id}).fetchone()
        if entry is None:
            raise NewsflowError(
                f"quarantine entry {quarantine_id} does not exist; "
                "`newsflow dq quarantine` lists the open entries and their ids"
            )
        _id, table_name, row_key, article_key, expectation, released_at = entry
        if released_at is not None:
            return Release(
                quarantine_id,
                table_name,
                row_key,
                expectation,
                article_key,
                None,
                released_at,
                True,
            )
        released_at = conn.execute(statement("dq_release"), {"id": quarantine_id}).fetchone()[0]
        status = None
        if article_key is not None:
            row = conn.execute(
                statement("dq_release_article"), {"article_key": article_key}
            ).fetchone()
            status = row[0] if row else None
    return Release(
        quarantine_id, table_name, row_key, expectation, article_key, status, released_at, False
    )


def list_quarantine(
    conn: psycopg.Connection, *, include_released: bool = False, limit: int = 200
) -> list[dict]:
    """Quarantine entries, newest first (open ones only unless include_released)."""
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(
            statement("dq_quarantine_list"), {"include_released": include_released, "limit": limit}
        )
        return cur.fetchall()


def latest_results(conn: psycopg.Connection, cycle_id: str | None = None) -> list[dict]:
    """The latest stored result of each suite (or those of one cycle), in pipeline order."""
    order = {"articles": 0, "org_mentions": 1, "money_mentions": 2, "stories": 3, "feeds": 4}
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(statement("dq_latest_results"), {"cycle_id": cycle_id})
        rows = cur.fetchall()
    return sorted(rows, key=lambda r: (order.get(r["suite"], 99), r["suite"]))
