"""Fetch step: fetch the due (or named) feeds concurrently and record every attempt."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

import psycopg

from pipeline.fetch import FAILED, GONE, REJECTED, STORED, Resolver, fetch_many, plan_next_fetch
from pipeline.settings import Settings
from pipeline.store import fetches as fetch_store


@dataclass
class FetchStepReport:
    fetch_ids: list[int] = field(default_factory=list)  # every attempt recorded
    stored_fetch_ids: list[int] = field(default_factory=list)  # attempts that stored a body
    outcomes: dict[str, int] = field(default_factory=dict)  # outcome -> count
    failures: dict[str, str] = field(
        default_factory=dict
    )  # feed id -> error (failed/rejected/gone)
    skipped: dict[str, str] = field(default_factory=dict)  # feed id -> why it was not fetched
    bytes: int = 0


def due_feed_ids(conn: psycopg.Connection, now: datetime | None = None) -> list[str]:
    """Ids of enabled feeds whose next fetch time has come."""
    return [s.feed_id for s in fetch_store.due_feeds(conn, now or datetime.now(UTC))]


def fetch_feeds(
    conn: psycopg.Connection,
    settings: Settings,
    cycle_id: str | None,
    feed_ids: list[str] | None = None,
    *,
    resolve: Resolver | None = None,
    rng: random.Random | None = None,
) -> FetchStepReport:
    """Fetch `feed_ids` (default: every due feed) once each and record attempts and next state.

    Named feeds are fetched even when not due; unknown or disabled ones are skipped with the
    reason in the report. Server and network trouble never raises: it is in `failures`.
    """
    report = FetchStepReport()
    if feed_ids is None:
        states = fetch_store.due_feeds(conn, datetime.now(UTC))
    else:
        known = fetch_store.feed_states(conn, feed_ids)
        disabled = fetch_store.disabled_reasons(conn, feed_ids)
        states = []
        for feed_id in dict.fromkeys(feed_ids):
            if feed_id not in known:
                report.skipped[feed_id] = "no such feed in the database (run `newsflow feeds sync`)"
            elif feed_id in disabled:
                report.skipped[feed_id] = f"disabled: {disabled[feed_id]}"
            else:
                states.append(known[feed_id])
    results = fetch_many(states, settings, resolve=resolve)
    rng = rng or random.Random()
    outcomes: Counter[str] = Counter()
    for state, result in zip(states, results, strict=True):
        update = plan_next_fetch(state, result, settings, datetime.now(UTC), rng)
        fetch_id = fetch_store.record_fetch(conn, result, update, cycle_id, settings)
        report.fetch_ids.append(fetch_id)
        outcomes[result.outcome] += 1
        if result.outcome == STORED:
            report.stored_fetch_ids.append(fetch_id)
            report.bytes += result.size
        if result.outcome in (FAILED, REJECTED, GONE):
            report.failures[state.feed_id] = result.error or result.outcome
    report.outcomes = dict(outcomes)
    return report
