"""Two alert runs at the same time (two connections, two threads) never duplicate an alert or a
delivery: exactly one alert per (deal, story, kind, detail), each message received once."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import psycopg
import pytest

from pipeline import db
from pipeline.alerts.run import AlertsReport, run_alerts
from pipeline.settings import Settings
from tests.integration.test_alert_support import (
    HttpReceiver,
    SmtpInbox,
    StoryWorld,
    bn,
    channel_env,
    http_receiver,
    smtp_server,
    tracked,
)

STORIES = 12


@pytest.fixture
def http() -> Iterator[HttpReceiver]:
    with http_receiver() as receiver:
        receiver.delay_s = 0.01  # keeps both runs delivering at the same time
        yield receiver


@pytest.fixture
def smtp() -> Iterator[SmtpInbox]:
    with smtp_server() as inbox:
        yield inbox


def _concurrently(db_url: str, settings: Settings, config) -> list[AlertsReport]:
    barrier = threading.Barrier(2)
    reports: list[AlertsReport] = []
    errors: list[BaseException] = []

    def one_run() -> None:
        try:
            with db.connect(db_url, autocommit=True) as conn:
                barrier.wait(timeout=10)
                reports.append(run_alerts(conn, settings, deals=config))
        except BaseException as exc:  # surfaced below: a thread cannot fail the test itself
            errors.append(exc)

    threads = [threading.Thread(target=one_run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert len(reports) == 2
    return reports


def test_two_concurrent_runs_create_and_deliver_each_alert_once(
    conn: psycopg.Connection,
    db_url: str,
    http: HttpReceiver,
    smtp: SmtpInbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    channel_env(monkeypatch, http)
    config = tracked(http, smtp.port)
    settings = Settings(database_url=db_url, escalation_outlets=3, escalation_minutes=60)
    w = StoryWorld(conn)
    stories = [w.story(f"s{i}", f"Amazon to invest in OpenAI, report {i}") for i in range(STORIES)]
    for i, sid in enumerate(stories):
        w.article(sid, "wsj", f"Amazon to invest up to $50 billion in OpenAI ({i})",
                  minutes=0, money=(bn(50, qualifier="up_to"),))  # fmt: skip

    first = _concurrently(db_url, settings, config)
    assert sum(len(r.alerts) for r in first) == STORIES  # one breaking per story, whoever won

    # Every story gains German sources and a new amount at once; again two runs race.
    for i, sid in enumerate(stories):
        w.article(sid, "handelsblatt", f"Amazon plant Investition in OpenAI ({i})",
                  minutes=120, money=(bn(38),))  # fmt: skip
    second = _concurrently(db_url, settings, config)
    assert sum(len(r.alerts) for r in second) == 2 * STORIES

    rows = conn.execute(
        "SELECT story_id, kind, detail, count(*) FROM alerts GROUP BY 1, 2, 3"
    ).fetchall()
    assert len(rows) == 3 * STORIES and all(n == 1 for *_, n in rows)
    per_story = {sid: sorted(k for s, k, _, _ in rows if s == sid) for sid in stories}
    assert all(kinds == ["breaking", "new_amount", "new_language"] for kinds in per_story.values())

    # Each alert reached each channel exactly once, although both runs were delivering.
    alert_ids = {r[0] for r in conn.execute("SELECT id FROM alerts")}
    hook_ids = [b["alert_id"] for b in http.bodies("/hook")]
    assert sorted(hook_ids) == sorted(alert_ids)
    assert len(http.bodies("/slack/T000/B000/XXXX")) == len(alert_ids)
    assert len(smtp.mails) == len(alert_ids)
    assert sum(r.deliveries.sent for r in first + second) == 4 * len(alert_ids)
    # Per story and channel, recipients read the alerts in the order they were created.
    by_story: dict[int, list[int]] = {}
    for b in http.bodies("/hook"):
        by_story.setdefault(b["story"]["id"], []).append(b["alert_id"])
    assert all(ids == sorted(ids) for ids in by_story.values())
