"""The Amazon–OpenAI story as analysts live it: it breaks in English, gains a German source,
changes amount, then spreads; each change is one alert, delivered once to every channel
(a real HTTP receiver for the webhook and Slack, a real SMTP server), however often it runs.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import psycopg
import pytest

from pipeline.alerts.run import run_alerts
from pipeline.settings import Settings
from tests.integration.test_alert_support import (
    HttpReceiver,
    SmtpInbox,
    StoryWorld,
    alerts_of,
    bn,
    channel_env,
    http_receiver,
    smtp_server,
    tracked,
)

SLACK = "/slack/T000/B000/XXXX"


@pytest.fixture
def http() -> Iterator[HttpReceiver]:
    with http_receiver() as receiver:
        yield receiver


@pytest.fixture
def smtp() -> Iterator[SmtpInbox]:
    with smtp_server() as inbox:
        yield inbox


def _settings(db_url: str) -> Settings:
    return Settings(database_url=db_url, escalation_outlets=3, escalation_minutes=60)


def _run_twice(conn, settings, config) -> list[tuple[str, str]]:
    """Run as the alerts DAG would, then again as a retry; the retry must add nothing."""
    first = run_alerts(conn, settings, deals=config)
    again = run_alerts(conn, settings, deals=config)
    assert again.alerts == [] and again.deliveries.sent == 0
    return [(a["kind"], a["detail"]) for a in first.alerts]


def test_story_breaks_gains_german_changes_amount_and_spreads(
    conn: psycopg.Connection,
    db_url: str,
    http: HttpReceiver,
    smtp: SmtpInbox,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="newsflow.alerts")
    channel_env(monkeypatch, http)
    config, settings = tracked(http, smtp.port), _settings(db_url)
    w = StoryWorld(conn)
    story = w.story("a1", "Amazon weighs investing up to $50 billion in OpenAI")
    other = w.story("x1", "Amazon adds $4 billion to its Anthropic investment")
    w.article(other, "bloomberg", "Amazon adds $4 billion to its Anthropic investment",
              minutes=0, orgs=("amazon", "anthropic"), money=(bn(4),))  # fmt: skip

    # 1. Breaks in English (WSJ): one breaking alert, nothing for the Anthropic story.
    w.article(story, "wsj", "Amazon weighs investing up to $50 billion in OpenAI",
              minutes=0, money=(bn(50, qualifier="up_to"),))  # fmt: skip
    assert _run_twice(conn, settings, config) == [("breaking", "")]

    # 2. First German source (Handelsblatt), same amount: new_language only.
    w.article(story, "handelsblatt", "Amazon erwägt Investition von bis zu 50 Milliarden Dollar "
              "in den ChatGPT-Entwickler", minutes=180, money=(bn(50, qualifier="up_to"),))  # fmt: skip
    assert _run_twice(conn, settings, config) == [("new_language", "de")]

    # 3. The amount changes (Reuters, 38 bn): new_amount naming the figure.
    w.article(story, "reuters", "Amazon's OpenAI stake talks settle near $38 billion",
              minutes=300, money=(bn(38, qualifier="about"),))  # fmt: skip
    assert _run_twice(conn, settings, config) == [("new_amount", "USD 38000000000")]

    # 4. Two more outlets within the hour: 3 outlets in 60 minutes -> escalation.
    w.article(story, "bloomberg", "Amazon nears $38 billion OpenAI investment",
              minutes=310, money=(bn(38),))  # fmt: skip
    w.article(story, "welt", "Amazon steigt mit 38 Milliarden Dollar bei OpenAI ein – "
              "Investition in KI", minutes=325, money=(bn(38),))  # fmt: skip
    assert _run_twice(conn, settings, config) == [("escalation", "3 outlets in 60 min")]

    expected = [("breaking", ""), ("new_language", "de"), ("new_amount", "USD 38000000000"),
                ("escalation", "3 outlets in 60 min")]  # fmt: skip
    assert alerts_of(conn) == expected
    statuses = conn.execute(
        "SELECT channel, status, attempts, count(*) FROM alert_deliveries GROUP BY 1, 2, 3"
    ).fetchall()
    assert sorted(statuses) == [(c, "sent", 1, 4) for c in ("hook", "log", "mail", "slack")]

    # Generic webhook: one JSON POST per alert, in order, with the whole story.
    hooks = http.bodies("/hook")
    assert [(b["kind"], b["detail"]) for b in hooks] == expected
    assert http.count("/hook") == 4
    amount_alert = hooks[2]
    assert amount_alert["deal"] == {"id": "amazon-openai", "name": "Amazon–OpenAI investment talks"}
    assert set(amount_alert["titles"]) == {"en", "de"}
    assert amount_alert["titles"]["de"].startswith("Amazon erwägt Investition")
    assert [o["outlet"] for o in amount_alert["outlets"]] == [
        "The Wall Street Journal", "Handelsblatt", "Reuters"]  # fmt: skip
    assert [m["display"] for m in amount_alert["amounts"]] == ["up to USD 50 bn", "about USD 38 bn"]
    assert (
        "about USD 38 bn" in amount_alert["change"] and "up to USD 50 bn" in amount_alert["change"]
    )
    assert len(amount_alert["links"]) == 3 and all(
        u.startswith("https://") for u in amount_alert["links"]
    )
    escalation = hooks[3]
    assert escalation["facts"]["outlets"] == ["Reuters", "Bloomberg", "WELT"]
    req = next(r for r in http.requests if r.path == "/hook")
    assert req.headers["idempotency-key"].startswith("newsflow-alert-")

    # Slack: the incoming-webhook format, a fallback text plus blocks.
    slack = http.bodies(SLACK)
    assert len(slack) == 4
    assert slack[0]["text"].startswith("Breaking: Amazon–OpenAI investment talks")
    assert [b["type"] for b in slack[1]["blocks"]] == ["header", "section", "section", "context"]
    assert slack[1]["blocks"][0]["text"]["text"] == "New language: Amazon–OpenAI investment talks"
    assert "First German source: Handelsblatt" in slack[1]["blocks"][1]["text"]["text"]
    assert "<https://handelsblatt.example/news/" in slack[1]["blocks"][2]["text"]["text"]

    # E-mail: four messages to both recipients with every fact in the body.
    assert len(smtp.mails) == 4
    sender, recipients, mail = smtp.mails[2]
    assert sender == "newsflow@test.example"
    assert recipients == ["desk@test.example", "lead@test.example"]
    assert mail["Subject"].startswith("[newsflow] New amount: Amazon–OpenAI investment talks")
    body = mail.get_content()
    for fact in ("What changed: New amount: about USD 38 bn (before: up to USD 50 bn) — Reuters",
                 "[en] Amazon weighs investing up to $50 billion in OpenAI",
                 "[de] Amazon erwägt Investition von bis zu 50 Milliarden Dollar",
                 "Languages: en, de", "Amounts: up to USD 50 bn; about USD 38 bn",
                 f"{w.t0:%Y-%m-%d %H:%M}  The Wall Street Journal [en]",
                 "https://reuters.example/news/"):  # fmt: skip
        assert fact in body
    assert len({m["Message-ID"] for _, _, m in smtp.mails}) == 4

    # Log channel: one line per alert.
    lines = [r.getMessage() for r in caplog.records if r.name == "newsflow.alerts"]
    assert len(lines) == 4 and "new_language deal=amazon-openai" in lines[1]


def test_quarantined_and_off_topic_articles_raise_no_alert(
    conn: psycopg.Connection, db_url: str, http: HttpReceiver, smtp: SmtpInbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    channel_env(monkeypatch, http)
    config, settings = tracked(http, smtp.port), _settings(db_url)
    w = StoryWorld(conn)
    # Both parties but none of the deal's keywords: quarterly results are not the deal.
    results = w.story("r1", "Amazon and OpenAI report quarterly results")
    w.article(results, "wsj", "Amazon and OpenAI report quarterly results", minutes=0)
    # A matching article that data quality quarantined never reaches a recipient.
    bad = w.story("q1", "Amazon to invest in OpenAI")
    w.article(bad, "reuters", "Amazon to invest in OpenAI", minutes=0, status="quarantined")
    report = run_alerts(conn, settings, deals=config)
    assert report.alerts == [] and alerts_of(conn) == []
    assert http.requests == [] and smtp.mails == []


def test_a_subsidiary_counts_for_its_parent(
    conn: psycopg.Connection, db_url: str, http: HttpReceiver, smtp: SmtpInbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    channel_env(monkeypatch, http)
    config, settings = tracked(http, smtp.port), _settings(db_url)
    w = StoryWorld(conn)
    story = w.story("s1", "AWS and OpenAI sign $38 billion deal")
    w.article(story, "reuters", "OpenAI takes $38 billion stake in AWS computing capacity",
              minutes=0, orgs=("aws", "openai"), money=(bn(38),))  # fmt: skip
    report = run_alerts(conn, settings, deals=config)
    assert [(a["kind"], a["story"]) for a in report.alerts] == [("breaking", story)]


def test_catch_all_rule_needs_two_registry_organizations_and_a_billion(
    conn: psycopg.Connection, db_url: str, http: HttpReceiver, smtp: SmtpInbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    channel_env(monkeypatch, http)
    catch_all = {"id": "any-billion", "name": "Any USD 1 bn deal", "rule": "any_orgs",
                 "min_orgs": 2, "min_amount_usd": 1e9, "channels": ["log"]}  # fmt: skip
    config, settings = tracked(http, smtp.port, deals=[catch_all]), _settings(db_url)
    w = StoryWorld(conn)
    big = w.story("b1", "Microsoft and OpenAI agree on $10 billion deal")
    w.article(big, "wsj", "Microsoft and OpenAI agree on $10 billion deal", minutes=0,
              orgs=("microsoft", "openai"), money=(bn(10),))  # fmt: skip
    small = w.story("b2", "Microsoft and OpenAI agree on $500 million deal")
    w.article(small, "wsj", "Microsoft and OpenAI agree on $500 million deal", minutes=0,
              orgs=("microsoft", "openai"), money=(bn("0.5"),))  # fmt: skip
    # AWS rolls up to Amazon: one organization, not two.
    same_group = w.story("b3", "Amazon moves $2 billion into AWS")
    w.article(same_group, "wsj", "Amazon moves $2 billion into AWS", minutes=0,
              orgs=("amazon", "aws"), money=(bn(2),))  # fmt: skip
    # A discovered (non-registry) organization does not count.
    unknown = w.story("b4", "Microsoft buys Acme Robotics for $3 billion")
    w.article(unknown, "wsj", "Microsoft buys Acme Robotics for $3 billion", minutes=0,
              orgs=("microsoft", "acme-robotics"), money=(bn(3),))  # fmt: skip
    report = run_alerts(conn, settings, deals=config)
    assert [(a["story"], a["kind"]) for a in report.alerts] == [(big, "breaking")]
