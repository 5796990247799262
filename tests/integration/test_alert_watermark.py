"""Tracked deals sync like feeds do, and each alerts run only reads stories that changed since
the last one (per deal), while a replay with `since` re-reads without alerting twice."""

from __future__ import annotations

from datetime import timedelta

import psycopg

from pipeline.alerts.deals import parse_tracked_deals
from pipeline.alerts.run import run_alerts
from pipeline.settings import Settings
from pipeline.store import alerts as store
from tests.integration.test_alert_support import StoryWorld, alerts_of

CHANNELS = {"log": {"type": "log"}}


def _deals(*deals: dict):
    return parse_tracked_deals({"channels": CHANNELS, "deals": list(deals)}, "deals.yaml")


def _deal(deal_id: str = "amazon-openai", **kw) -> dict:
    return {"id": deal_id, "name": "Amazon–OpenAI", "parties": ["amazon", "openai"],
            "channels": ["log"], **kw}  # fmt: skip


def test_sync_is_idempotent_retires_removed_deals_and_names_unknown_parties(
    conn: psycopg.Connection,
) -> None:
    StoryWorld(conn)  # the organization registry
    two = _deals(_deal(), _deal("typo", parties=["amazon", "open-ai"]))
    first = store.sync_deals(conn, two)
    assert first.inserted == ["amazon-openai", "typo"]
    assert first.unknown_parties == {"typo": ["open-ai"]}
    again = store.sync_deals(conn, two)
    assert again.unchanged == ["amazon-openai", "typo"] and not again.updated
    changed = store.sync_deals(conn, _deals(_deal(keywords={"en": ["invest"]})))
    assert changed.updated == ["amazon-openai"] and changed.retired == ["typo"]
    rows = dict(conn.execute("SELECT id, enabled FROM tracked_deals").fetchall())
    assert rows == {"amazon-openai": True, "typo": False}
    kw = conn.execute("SELECT keywords FROM tracked_deals WHERE id = 'amazon-openai'").fetchone()
    assert kw[0] == {"en": ["invest"]}


def test_runs_read_only_changed_stories_and_a_replay_adds_nothing(
    conn: psycopg.Connection, db_url: str
) -> None:
    settings = Settings(database_url=db_url)
    config = _deals(_deal())
    w = StoryWorld(conn)
    story = w.story("s1", "Amazon and OpenAI in talks")
    w.article(story, "wsj", "Amazon and OpenAI in talks", minutes=0)
    quiet = w.story("s2", "Amazon and OpenAI, older news")
    w.article(quiet, "reuters", "Amazon and OpenAI, older news", minutes=0)
    # Both changed two hours ago, well before the watermark overlap.
    conn.execute("UPDATE stories SET updated_at = now() - interval '2 hours'")

    first = run_alerts(conn, settings, deals=config)
    assert first.stories_evaluated == 2 and len(first.alerts) == 2
    mark = conn.execute("SELECT evaluated_until FROM alert_watermarks").fetchone()[0]

    second = run_alerts(conn, settings, deals=config)
    assert second.stories_evaluated == 0 and second.alerts == []

    w.article(story, "handelsblatt", "Amazon und OpenAI verhandeln", minutes=30)
    third = run_alerts(conn, settings, deals=config)
    assert third.stories_evaluated == 1
    assert [(a["story"], a["kind"]) for a in third.alerts] == [(story, "new_language")]

    # A replay from before everything re-reads both stories and alerts nothing new.
    replay = run_alerts(conn, settings, since=mark - timedelta(days=1), deals=config)
    assert replay.stories_evaluated == 2 and replay.alerts == []
    assert len(alerts_of(conn)) == 3
    # A late retry carrying an older read time never moves the watermark back.
    newest = conn.execute("SELECT evaluated_until FROM alert_watermarks").fetchone()[0]
    assert newest > mark
    store.advance_watermark(conn, "amazon-openai", mark, 0)
    assert conn.execute("SELECT evaluated_until FROM alert_watermarks").fetchone()[0] == newest


def test_a_new_deal_looks_back_over_the_story_window_only(
    conn: psycopg.Connection, db_url: str
) -> None:
    settings = Settings(database_url=db_url, story_window_hours=24)
    w = StoryWorld(conn)
    old = w.story("old", "Amazon and OpenAI, last week")
    w.article(old, "wsj", "Amazon and OpenAI, last week", minutes=0)
    conn.execute("UPDATE stories SET updated_at = now() - interval '3 days' WHERE id = %s", (old,))
    recent = w.story("new", "Amazon and OpenAI, this morning")
    w.article(recent, "wsj", "Amazon and OpenAI, this morning", minutes=0)
    report = run_alerts(conn, settings, deals=_deals(_deal()))
    assert [a["story"] for a in report.alerts] == [recent]


def test_a_disabled_deal_is_not_evaluated(conn: psycopg.Connection, db_url: str) -> None:
    settings = Settings(database_url=db_url)
    w = StoryWorld(conn)
    story = w.story("s1", "Amazon and OpenAI in talks")
    w.article(story, "wsj", "Amazon and OpenAI in talks", minutes=0)
    report = run_alerts(conn, settings, deals=_deals(_deal(enabled=False)))
    assert report.deals_evaluated == 0 and alerts_of(conn) == []
