"""What a recipient reads: deal, titles per language, outlets with first-seen times, languages,
amounts with qualifiers, links and what changed, in e-mail text and in Slack's format."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from pipeline.alerts.deals import EmailChannel, TrackedDeal
from pipeline.alerts.messages import compose, slack_message, subject, text_body
from pipeline.alerts.notifiers import Outgoing, email_message, safe_url
from pipeline.alerts.rules import DueAlert, SourceArticle, StoryAmount, StorySnapshot

T0 = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
DEAL = TrackedDeal(id="amazon-openai", name="Amazon–OpenAI talks", parties=("amazon", "openai"),
                   channels=("log",))  # fmt: skip


def _payload(change: str = "First German source: Handelsblatt — Amazon plant Investition"):
    articles = (
        SourceArticle("k1", "Amazon <weighs> $50bn OpenAI stake & more", "https://wsj.example/1",
                      "en", "The Wall Street Journal", T0),
        SourceArticle("k2", "Amazon plant Investition in OpenAI", "https://hb.example/2", "de",
                      "Handelsblatt", T0 + timedelta(minutes=95)),
        SourceArticle("k3", "Amazon eyes OpenAI", "https://wsj.example/3", "en",
                      "The Wall Street Journal", T0 + timedelta(minutes=120)),
    )  # fmt: skip
    amounts = (StoryAmount(Decimal(50) * 10**9, "USD", "up_to", first_seen_at=T0),)
    snapshot = StorySnapshot(7, articles[0].title, T0, articles, amounts=amounts)
    return compose(DEAL, snapshot, DueAlert("new_language", "de", change))


def test_payload_holds_every_fact() -> None:
    p = _payload()
    assert p["deal"] == {"id": "amazon-openai", "name": "Amazon–OpenAI talks"}
    assert p["titles"] == {"en": "Amazon <weighs> $50bn OpenAI stake & more",
                           "de": "Amazon plant Investition in OpenAI"}  # fmt: skip
    assert p["languages"] == ["en", "de"]
    assert [(o["outlet"], o["first_seen_at"]) for o in p["outlets"]] == [
        ("The Wall Street Journal", "2026-11-25T08:00:00+00:00"),
        ("Handelsblatt", "2026-11-25T09:35:00+00:00"),
    ]
    assert p["amounts"][0]["display"] == "up to USD 50 bn"
    assert p["links"] == ["https://wsj.example/1", "https://hb.example/2", "https://wsj.example/3"]


def test_email_text() -> None:
    p = _payload()
    assert subject(p) == (
        "[newsflow] New language: Amazon–OpenAI talks — Amazon <weighs> $50bn OpenAI stake & more"
    )
    body = text_body(p)
    assert "What changed: First German source: Handelsblatt" in body
    assert "  [de] Amazon plant Investition in OpenAI" in body
    assert "  2026-11-25 09:35  Handelsblatt [de]  https://hb.example/2" in body
    assert "Amounts: up to USD 50 bn" in body and "Languages: en, de" in body
    channel = EmailChannel(type="email", host="smtp.x", sender="nf@x.org",
                           recipients=("a@x.org", "b@x.org"))  # fmt: skip
    mail = email_message(channel, Outgoing(12, "mail", p))
    assert mail["To"] == "a@x.org, b@x.org"
    assert mail["Message-ID"] == "<newsflow-alert-12-mail@newsflow>"  # the same on every retry
    assert "Amazon plant Investition" in mail.get_content()


def test_slack_format_escapes_and_limits() -> None:
    message = slack_message(_payload(change="x" * 5000))
    assert message["text"].startswith("New language: Amazon–OpenAI talks — x")
    header, body, outlets, context = message["blocks"]
    assert header == {"type": "header",
                      "text": {"type": "plain_text", "text": "New language: Amazon–OpenAI talks"}}  # fmt: skip
    assert body["text"]["type"] == "mrkdwn" and len(body["text"]["text"]) <= 3000
    short = slack_message(_payload())["blocks"][1]["text"]["text"]
    assert "Amazon &lt;weighs&gt; $50bn OpenAI stake &amp; more" in short
    assert "<https://hb.example/2|Handelsblatt> (de)" in outlets["text"]["text"]
    assert context["elements"][0]["text"] == "newsflow · deal amazon-openai · story 7"


def test_urls_in_errors_lose_their_secret_parts() -> None:
    assert safe_url("https://user:pw@hooks.slack.com/services/T0/B0/SECRET?x=1") == (
        "https://hooks.slack.com/…"
    )
