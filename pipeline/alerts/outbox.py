"""The delivery outbox: one row per (alert, channel), sent once, retried with backoff.

A delivery is locked while it is sent (a concurrent run skips it), recorded in the same
transaction, and a channel that fails is not tried again in the same run, so a dead endpoint
costs one timeout per run and never holds back the other channels.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import httpx
import psycopg

from pipeline.alerts.deals import SlackChannel, TrackedDeals, WebhookChannel
from pipeline.alerts.notifiers import DeliveryError, Outgoing, send
from pipeline.settings import Settings
from pipeline.store import alerts as store


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0  # failed this time, will be tried again after the backoff
    given_up: int = 0  # failed for the last allowed time: status 'failed'
    errors: dict[str, str] = field(default_factory=dict)  # channel -> last error this run


def enqueue(conn: psycopg.Connection, alert_id: int, channels: tuple[str, ...]) -> None:
    """Queue the alert for each channel (idempotent: a delivery exists at most once)."""
    for channel in channels:
        store.enqueue_delivery(conn, alert_id, channel)


def backoff_seconds(attempts: int, base_s: float, max_s: float) -> float:
    """Wait after the `attempts`-th failed attempt: base, 2·base, 4·base, … capped at max."""
    return float(min(base_s * 2 ** max(attempts - 1, 0), max_s))


def deliver_due(
    conn: psycopg.Connection,
    config: TrackedDeals,
    settings: Settings,
    *,
    now: datetime | None = None,
) -> DeliveryReport:
    """Send every delivery that is due; `conn` must be in autocommit mode.

    `now` (default: the database clock) decides what is due, so tests can step through
    backoff without sleeping.
    """
    report = DeliveryReport()
    failing: list[str] = []
    with _LazyHttp() as http:
        while _deliver_next(conn, config, settings, now, failing, report, http):
            pass
    return report


class _LazyHttp:
    """One HTTP client for the whole run, built only when a webhook is actually sent."""

    def __init__(self) -> None:
        self._client: httpx.Client | None = None

    def get(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(follow_redirects=False)
        return self._client

    def __enter__(self) -> _LazyHttp:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._client is not None:
            self._client.close()


def _deliver_next(
    conn: psycopg.Connection,
    config: TrackedDeals,
    settings: Settings,
    now: datetime | None,
    failing: list[str],
    report: DeliveryReport,
    http: _LazyHttp,
) -> bool:
    """Send the next due delivery and record the outcome; False when none is due."""
    with conn.transaction():
        claimed = store.claim_due_delivery(conn, now, failing)
        if claimed is None:
            return False
        try:
            _send_claimed(claimed, config, settings, http)
        except DeliveryError as exc:
            backoff = backoff_seconds(
                claimed.attempts + 1, settings.alert_backoff_base_s, settings.alert_backoff_max_s
            )
            status, _ = store.record_failure(
                conn,
                claimed.alert_id,
                claimed.channel,
                str(exc),
                now=now,
                backoff_s=backoff,
                max_attempts=settings.alert_max_attempts,
            )
            failing.append(claimed.channel)
            report.errors[claimed.channel] = str(exc)
            if status == "failed":
                report.given_up += 1
            else:
                report.retrying += 1
        else:
            store.record_sent(conn, claimed.alert_id, claimed.channel, now)
            report.sent += 1
    return True


def _send_claimed(
    claimed: store.ClaimedDelivery, config: TrackedDeals, settings: Settings, http: _LazyHttp
) -> None:
    channel = config.channels.get(claimed.channel)
    if channel is None:
        raise DeliveryError(
            f"channel {claimed.channel!r} is not defined in {config.source} any more"
        )
    send(
        channel,
        Outgoing(claimed.alert_id, claimed.channel, claimed.payload),
        timeout_s=settings.alert_send_timeout_s,
        http=http.get() if isinstance(channel, WebhookChannel | SlackChannel) else None,
    )
