"""Fetch attempts and the feeds' fetch state: which feeds are due, what each attempt gave."""

from __future__ import annotations

import gzip
import hashlib
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

import psycopg

from pipeline.fetch import STORED, FeedState, FeedUpdate, FetchResult, backoff_seconds
from pipeline.settings import Settings
from pipeline.sqlfiles import statement


@dataclass(frozen=True)
class StoredFetch:
    """A stored 200 answer, decompressed, with what parsing needs to know about its feed."""

    id: int
    feed_id: str
    cycle_id: str | None
    started_at: datetime
    body: bytes
    content_type: str | None
    final_url: str | None
    feed_url: str
    language: str


def _state(row: tuple) -> FeedState:
    feed_id, url, interval, etag, modified, failures, allow_private, enabled, language = row[:9]
    return FeedState(
        feed_id=feed_id,
        url=url,
        poll_interval_s=interval,
        etag=etag,
        last_modified=modified,
        consecutive_failures=failures,
        allow_private=allow_private,
        enabled=enabled,
        language=language,
    )


def due_feeds(conn: psycopg.Connection, now: datetime) -> list[FeedState]:
    """Enabled feeds whose next_fetch_at has come, longest-waiting first."""
    return [_state(r) for r in conn.execute(statement("fetch_due_feeds"), {"now": now})]


def feed_states(conn: psycopg.Connection, feed_ids: list[str]) -> dict[str, FeedState]:
    """Fetch state of the named feeds that exist, enabled or not, by id."""
    rows = conn.execute(statement("fetch_feed_states"), {"ids": list(feed_ids)})
    return {r[0]: _state(r) for r in rows}


def disabled_reasons(conn: psycopg.Connection, feed_ids: list[str]) -> dict[str, str]:
    """Why each named feed is disabled (only the disabled ones)."""
    rows = conn.execute(statement("fetch_feed_states"), {"ids": list(feed_ids)})
    return {r[0]: (r[9] or "disabled") for r in rows if not r[7]}


def record_fetch(
    conn: psycopg.Connection,
    result: FetchResult,
    update: FeedUpdate,
    cycle_id: str | None,
    settings: Settings,
) -> int:
    """Store one attempt (a 200 body gzip-compressed, kept raw_retention_days) and update the
    feed's fetch state, in one transaction. Returns the fetch id."""
    body = result.body if result.outcome == STORED and result.body is not None else None
    with conn.transaction():
        fetch_id = conn.execute(
            statement("fetch_insert"),
            {
                "feed_id": result.feed_id,
                "cycle_id": cycle_id,
                "started_at": result.started_at,
                "duration_ms": result.duration_ms,
                "outcome": result.outcome,
                "http_status": result.http_status,
                "bytes": len(body) if body is not None else 0,
                "error": result.error,
                "final_url": result.final_url,
                "content_type": result.content_type,
                "body_gz": gzip.compress(body, compresslevel=6) if body is not None else None,
                "body_sha256": hashlib.sha256(body).hexdigest() if body is not None else None,
                "retain_until": (
                    result.started_at + timedelta(days=settings.raw_retention_days)
                    if body is not None
                    else None
                ),
            },
        ).fetchone()[0]
        conn.execute(
            statement("fetch_update_feed"),
            {
                "feed_id": update.feed_id,
                "next_fetch_at": update.next_fetch_at,
                "consecutive_failures": update.consecutive_failures,
                "etag": update.etag,
                "last_modified": update.last_modified,
                "enabled": update.enabled,
                "disabled_reason": update.disabled_reason,
                "last_status": update.last_status,
                "last_error": update.last_error,
                "last_fetch_at": update.last_fetch_at,
                "last_success_at": update.last_success_at,
            },
        )
    return fetch_id


def fetches_to_parse(conn: psycopg.Connection, fetch_ids: list[int] | None = None) -> list[int]:
    """Ids of stored bodies to parse, oldest first: the given ones that still hold a body, or
    (None) every stored body not parsed yet."""
    if fetch_ids is None:
        rows = conn.execute(statement("fetch_unparsed"))
    else:
        rows = conn.execute(statement("fetch_stored_by_ids"), {"ids": list(fetch_ids)})
    return [r[0] for r in rows]


def load_fetch(conn: psycopg.Connection, fetch_id: int) -> StoredFetch | None:
    """A stored fetch with its body decompressed; None when it has no body (any more)."""
    row = conn.execute(statement("fetch_body"), {"id": fetch_id}).fetchone()
    if row is None or row[4] is None:
        return None
    fid, feed_id, cycle_id, started_at, body_gz, content_type, final_url, url, language = row
    return StoredFetch(
        id=fid,
        feed_id=feed_id,
        cycle_id=cycle_id,
        started_at=started_at,
        body=gzip.decompress(body_gz),
        content_type=content_type,
        final_url=final_url,
        feed_url=url,
        language=language,
    )


def mark_parsed(
    conn: psycopg.Connection, fetch_id: int, parsed_at: datetime, parse_error: str | None
) -> None:
    """Record that a fetch was parsed and, if the document was rejected, why."""
    conn.execute(
        statement("fetch_mark_parsed"),
        {"id": fetch_id, "parsed_at": parsed_at, "parse_error": parse_error},
    )


def record_refused_body(
    conn: psycopg.Connection,
    fetch: StoredFetch,
    reason: str,
    settings: Settings,
    rng: random.Random | None = None,
) -> int:
    """Count a 200 body the parser refused (garbage, an HTML page) as a failed attempt of its
    feed: failures in a row, backoff, validators dropped, the reason as the feed's last error.

    A feed answering 200 with something that is not a feed is broken for its readers; without
    this it would look healthy. Returns the failures in a row.
    """
    failures = conn.execute(
        statement("fetch_refused_streak"), {"feed_id": fetch.feed_id, "id": fetch.id}
    ).fetchone()[0]
    conn.execute(
        statement("fetch_refused_feed"),
        {
            "feed_id": fetch.feed_id,
            "id": fetch.id,
            "failures": failures,
            "fetched_at": fetch.started_at,
            # Jitter seeded by the fetch, so parsing the same body again changes nothing.
            "backoff_s": backoff_seconds(failures, settings, rng or random.Random(fetch.id)),
            "backoff_max_s": settings.backoff_max_s,
            "error": f"GET {fetch.final_url or fetch.feed_url}: body refused by the parser: "
            f"{reason}",
        },
    )
    return failures


def fetch_outcome(conn: psycopg.Connection, fetch_id: int) -> tuple:
    """(outcome, http_status, bytes, duration_ms, error, final_url, next_fetch_at,
    consecutive_failures) of one attempt."""
    return conn.execute(statement("fetch_outcome"), {"id": fetch_id}).fetchone()
