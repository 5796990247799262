"""One alerts run: evaluate tracked deals against changed stories, then deliver the outbox.

Retries and overlapping runs are safe: each (deal, story) is evaluated under a transaction
lock against the alerts it already has, alerts are unique on (deal, story, kind, detail), and
the per-deal watermark only moves forward. A retry of the same run therefore re-reads the same
stories and finds nothing new to say.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import psycopg

from pipeline.alerts import messages, outbox, rules
from pipeline.alerts.deals import TrackedDeal, TrackedDeals, load_deals
from pipeline.settings import Settings
from pipeline.store import alerts as store

# Stories are re-read this far behind the watermark (the time of the previous read): a
# clustering transaction that started before that read but committed after it carries an older
# updated_at. Re-reading costs little, because a story with nothing new yields no alert.
WATERMARK_OVERLAP = timedelta(minutes=30)


@dataclass
class AlertsReport:
    deals_evaluated: int = 0
    stories_evaluated: int = 0  # (deal, story) pairs looked at
    stories_matching: int = 0
    alerts: list[dict[str, Any]] = field(default_factory=list)  # the alerts created by this run
    deliveries: outbox.DeliveryReport = field(default_factory=outbox.DeliveryReport)
    warnings: list[str] = field(default_factory=list)
    evaluate_s: float = 0.0
    deliver_s: float = 0.0


@contextmanager
def _autocommit(conn: psycopg.Connection) -> Iterator[None]:
    # Each (deal, story) and each delivery commits on its own; close whatever the caller had open.
    conn.commit()
    previous, conn.autocommit = conn.autocommit, True
    try:
        yield
    finally:
        conn.autocommit = previous


def run_alerts(
    conn: psycopg.Connection,
    settings: Settings,
    since: datetime | None = None,
    *,
    deals: TrackedDeals | None = None,
    now: datetime | None = None,
) -> AlertsReport:
    """Sync the tracked deals, evaluate stories changed since each deal's watermark, deliver.

    `since` evaluates every story changed after that time instead (a replay; the watermark
    still only moves forward). `deals` defaults to settings.tracked_deals_file. `now` decides
    which deliveries are due (default: the database clock).
    """
    config = deals if deals is not None else load_deals(settings.tracked_deals_file)
    report = AlertsReport()
    with _autocommit(conn):
        started = time.perf_counter()
        sync = store.sync_deals(conn, config)
        for deal_id, parties in sync.unknown_parties.items():
            report.warnings.append(
                f"{config.source}: deal {deal_id!r}: field 'parties': "
                f"{', '.join(parties)} not in the organization registry; the deal cannot match"
            )
        evaluate(conn, config, settings, since, report)
        report.evaluate_s = round(time.perf_counter() - started, 4)
        started = time.perf_counter()
        report.deliveries = outbox.deliver_due(conn, config, settings, now=now)
        report.deliver_s = round(time.perf_counter() - started, 4)
    return report


def evaluate(
    conn: psycopg.Connection,
    config: TrackedDeals,
    settings: Settings,
    since: datetime | None,
    report: AlertsReport,
) -> None:
    """Create the alerts that changed stories deserve and queue their deliveries."""
    active = [d for d in config.deals if d.enabled]
    if not active:
        return
    db_now, marks = store.watermarks(conn)
    lookback = db_now - timedelta(hours=settings.story_window_hours)
    thresholds = {}
    for deal in active:
        if since is not None:
            thresholds[deal.id] = since
        elif deal.id in marks:
            thresholds[deal.id] = marks[deal.id] - WATERMARK_OVERLAP
        else:  # a deal never evaluated looks back over the clustering window only
            thresholds[deal.id] = lookback
    stories = store.changed_stories(conn, min(thresholds.values()))
    for deal in active:
        changed = [s for s in stories if s.updated_at > thresholds[deal.id]]
        report.deals_evaluated += 1
        report.stories_evaluated += len(changed)
        for story in changed:
            if rules.story_matches(deal, story):
                report.stories_matching += 1
                report.alerts += _alert_story(conn, deal, story, settings)
        # The read time, not the newest updated_at: a quiet period then re-reads nothing.
        store.advance_watermark(conn, deal.id, db_now, len(changed))


def _alert_story(
    conn: psycopg.Connection, deal: TrackedDeal, story: rules.StorySnapshot, settings: Settings
) -> list[dict[str, Any]]:
    created = []
    with conn.transaction():
        store.lock_pair(conn, deal.id, story.id)
        past = store.past_alerts(conn, deal.id, story.id)
        due = rules.due_alerts(
            deal,
            story,
            past,
            escalation_outlets=settings.escalation_outlets,
            escalation_minutes=settings.escalation_minutes,
        )
        for alert in due:
            payload = messages.compose(deal, story, alert)
            alert_id = store.insert_alert(
                conn, deal.id, story.id, alert.kind, alert.detail, payload
            )
            if alert_id is None:
                continue
            outbox.enqueue(conn, alert_id, deal.channels)
            created.append(
                {
                    "id": alert_id,
                    "deal": deal.id,
                    "story": story.id,
                    "kind": alert.kind,
                    "detail": alert.detail,
                }
            )
    return created
