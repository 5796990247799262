"""Delivering through the outbox: a channel that is down is retried with growing waits while
the others deliver; given-up deliveries are visible; e-mail over STARTTLS with a login; secrets
from the environment or an Airflow connection."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest

from pipeline.alerts import notifiers, outbox
from pipeline.alerts.run import run_alerts
from pipeline.settings import Settings
from pipeline.store import alerts as store
from tests.integration.test_alert_support import (
    HttpReceiver,
    SmtpInbox,
    StoryWorld,
    bn,
    channel_env,
    http_receiver,
    self_signed_tls,
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


def _delivery(conn: psycopg.Connection, channel: str) -> list[tuple]:
    return conn.execute(
        "SELECT a.kind, d.status, d.attempts, d.last_error, d.next_attempt_at"
        " FROM alert_deliveries d JOIN alerts a ON a.id = d.alert_id"
        " WHERE d.channel = %s ORDER BY a.id",
        (channel,),
    ).fetchall()


def _db_now(conn: psycopg.Connection):
    return conn.execute("SELECT now()").fetchone()[0]


def test_a_down_webhook_is_retried_with_backoff_and_never_blocks_the_others(
    conn: psycopg.Connection,
    db_url: str,
    http: HttpReceiver,
    smtp: SmtpInbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    channel_env(monkeypatch, http)
    http.status["/hook"] = 500
    config = tracked(http, smtp.port)
    settings = Settings(database_url=db_url, alert_backoff_base_s=30, alert_backoff_max_s=3600)
    w = StoryWorld(conn)
    story = w.story("s1", "Amazon to invest up to $50 billion in OpenAI")
    w.article(story, "wsj", "Amazon to invest up to $50 billion in OpenAI", minutes=0,
              money=(bn(50, qualifier="up_to"),))  # fmt: skip

    first = run_alerts(conn, settings, deals=config)
    assert first.deliveries.sent == 3 and first.deliveries.retrying == 1
    assert "HTTP 500" in first.deliveries.errors["hook"]
    assert len(http.bodies(SLACK)) == 1 and len(smtp.mails) == 1
    [(kind, status, attempts, error, next_at)] = _delivery(conn, "hook")
    assert (kind, status, attempts) == ("breaking", "pending", 1)
    assert error.startswith("POST http://127.0.0.1:") and "answered HTTP 500" in error
    assert "/hook" not in error  # the path of a webhook URL may hold its token
    t1 = next_at
    assert timedelta(seconds=29) <= t1 - _db_now(conn) <= timedelta(seconds=31)

    # The story gains a German source: Slack and e-mail get it at once; the webhook keeps the
    # order (breaking first), so its new_language waits behind the failed breaking.
    w.article(story, "handelsblatt", "Amazon plant Investition in OpenAI", minutes=60)
    second = run_alerts(conn, settings, deals=config)
    assert [a["kind"] for a in second.alerts] == ["new_language"]
    assert len(http.bodies(SLACK)) == 2 and len(smtp.mails) == 2
    assert http.count("/hook") == 1  # not due yet: no new attempt
    assert [row[1:3] for row in _delivery(conn, "hook")] == [("pending", 1), ("pending", 0)]

    # Before the backoff ends nothing is tried; after it, one attempt per run while it fails.
    report = outbox.deliver_due(conn, config, settings, now=t1 - timedelta(seconds=5))
    assert report.sent == report.retrying == 0 and http.count("/hook") == 1
    report = outbox.deliver_due(conn, config, settings, now=t1)
    assert report.retrying == 1 and http.count("/hook") == 2
    t2 = _delivery(conn, "hook")[0][4]
    assert t2 - t1 == timedelta(seconds=60)  # doubled
    outbox.deliver_due(conn, config, settings, now=t2)
    t3 = _delivery(conn, "hook")[0][4]
    assert t3 - t2 == timedelta(seconds=120)

    # The receiver recovers: both alerts arrive once, in order, and nothing is sent twice.
    http.status["/hook"] = 200
    report = outbox.deliver_due(conn, config, settings, now=t3)
    assert report.sent == 2 and report.retrying == 0
    assert [b["kind"] for b in http.bodies("/hook")] == ["breaking", "new_language"]
    assert [row[1:3] for row in _delivery(conn, "hook")] == [("sent", 4), ("sent", 1)]
    assert outbox.deliver_due(conn, config, settings, now=t3 + timedelta(hours=1)).sent == 0
    assert len(http.bodies(SLACK)) == 2 and len(smtp.mails) == 2


def test_a_delivery_is_given_up_after_max_attempts_and_can_be_retried(
    conn: psycopg.Connection,
    db_url: str,
    http: HttpReceiver,
    smtp: SmtpInbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    channel_env(monkeypatch, http)
    monkeypatch.delenv("NF_TEST_SLACK_URL")  # a secret the operator forgot to set
    config = tracked(http, smtp.port)
    settings = Settings(database_url=db_url, alert_max_attempts=2, alert_backoff_base_s=10)
    w = StoryWorld(conn)
    story = w.story("s1", "Amazon to invest in OpenAI")
    w.article(story, "wsj", "Amazon to invest in OpenAI", minutes=0)
    run_alerts(conn, settings, deals=config)
    [(_, status, attempts, error, next_at)] = _delivery(conn, "slack")
    assert (status, attempts) == ("pending", 1)
    assert error == ("environment variable NF_TEST_SLACK_URL is not set; set it to the webhook URL")
    report = outbox.deliver_due(conn, config, settings, now=next_at)
    assert report.given_up == 1
    [(_, status, attempts, _, _)] = _delivery(conn, "slack")
    assert (status, attempts) == ("failed", 2)
    assert outbox.deliver_due(conn, config, settings, now=next_at + timedelta(days=1)).sent == 0

    listed = store.recent_alerts(conn)
    assert listed[0]["kind"] == "breaking"
    by_channel = {d["channel"]: d for d in listed[0]["deliveries"]}
    assert (
        by_channel["slack"]["status"] == "failed"
        and "NF_TEST_SLACK_URL" in (by_channel["slack"]["last_error"])
    )
    assert {by_channel[c]["status"] for c in ("hook", "mail", "log")} == {"sent"}

    # The operator sets the secret and asks for one more try.
    channel_env(monkeypatch, http)
    assert store.retry_failed(conn, "slack") == 1
    assert outbox.deliver_due(conn, config, settings).sent == 1
    assert len(http.bodies(SLACK)) == 1


def test_email_over_starttls_with_login_from_the_environment(
    conn: psycopg.Connection,
    db_url: str,
    http: HttpReceiver,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key, cert = self_signed_tls(tmp_path)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    monkeypatch.setenv("NF_TEST_SMTP_USER", "alerts")
    monkeypatch.setenv("NF_TEST_SMTP_PASSWORD", "correct horse")
    with smtp_server(tls_context=tls, credentials=("alerts", "correct horse")) as inbox:
        mail = {
            "type": "email", "host": "127.0.0.1", "port": inbox.port, "starttls": True,
            "ca_file": str(cert), "username_env": "NF_TEST_SMTP_USER",
            "password_env": "NF_TEST_SMTP_PASSWORD", "sender": "newsflow@test.example",
            "recipients": ["desk@test.example"],
        }  # fmt: skip
        deal = {"id": "amazon-openai", "name": "Amazon–OpenAI", "parties": ["amazon", "openai"],
                "channels": ["mail"]}  # fmt: skip
        config = tracked(http, inbox.port, deals=[deal], mail=mail)
        settings = Settings(database_url=db_url)
        w = StoryWorld(conn)
        story = w.story("s1", "Amazon und OpenAI: Gespräche über Milliarden")
        w.article(story, "welt", "Amazon und OpenAI: Gespräche über Milliarden", minutes=0)
        report = run_alerts(conn, settings, deals=config)
        assert report.deliveries.sent == 1, report.deliveries.errors
        assert inbox.logins == ["alerts"]
        [(_, _, message)] = inbox.mails
        assert "Gespräche über Milliarden" in message["Subject"]
        assert "[de] Amazon und OpenAI: Gespräche über Milliarden" in message.get_content()

        # A wrong password is a recorded, retried failure that names the server, not the secret.
        monkeypatch.setenv("NF_TEST_SMTP_PASSWORD", "wrong")
        w.article(story, "wsj", "Amazon and OpenAI in talks", minutes=5)
        report = run_alerts(conn, settings, deals=config)
        error = report.deliveries.errors["mail"]
        assert error.startswith(f"SMTP 127.0.0.1:{inbox.port}: login refused")
        assert "wrong" not in error and len(inbox.mails) == 1


def test_webhook_url_from_an_airflow_connection(
    http: HttpReceiver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path / "airflow"))
    monkeypatch.setenv(
        "AIRFLOW_CONN_NF_TEST_HOOK",
        f'{{"conn_type": "http", "extra": {{"url": "{http.url("/from-conn")}"}}}}',
    )
    channel = tracked(http, 25, hook={"type": "webhook", "airflow_conn": "nf_test_hook"}).channels
    payload = {"kind": "breaking", "deal": {"id": "d"}, "story": {"id": 1}, "change": "x"}
    notifiers.send(channel["hook"], notifiers.Outgoing(7, "hook", payload), timeout_s=5)
    assert http.bodies("/from-conn") == [{"alert_id": 7, "channel": "hook", **payload}]

    missing = tracked(http, 25, hook={"type": "webhook", "airflow_conn": "nf_absent"}).channels
    with pytest.raises(notifiers.DeliveryError, match="Airflow connection 'nf_absent'"):
        notifiers.send(missing["hook"], notifiers.Outgoing(8, "hook", payload), timeout_s=5)
