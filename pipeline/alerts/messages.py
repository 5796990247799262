"""What an alert says: the payload stored with it, and its text for e-mail, Slack and logs.

The payload is composed once, when the alert is created, so a retried delivery sends exactly
what the first attempt would have sent.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pipeline.alerts.deals import TrackedDeal
from pipeline.alerts.rules import DueAlert, StorySnapshot, outlets_first_seen

KIND_LABELS = {
    "breaking": "Breaking",
    "new_language": "New language",
    "new_amount": "New amount",
    "escalation": "Escalation",
}
MAX_LINKS = 10
SLACK_SECTION_LIMIT = 2900  # Slack rejects section text over 3000 characters


def compose(deal: TrackedDeal, story: StorySnapshot, due: DueAlert) -> dict[str, Any]:
    """The JSON payload of one alert: deal, story, titles, outlets, amounts, links, change."""
    titles: dict[str, str] = {}
    for a in story.articles:
        titles.setdefault(a.language, a.title)
    first_article = {}
    for a in story.articles:
        first_article.setdefault(a.outlet, a)
    outlets = [
        {
            "outlet": name,
            "language": first_article[name].language,
            "first_seen_at": seen.isoformat(),
            "title": first_article[name].title,
            "url": first_article[name].url,
        }
        for name, seen in outlets_first_seen(story)
    ]
    amounts: dict[str, dict[str, Any]] = {}
    for m in story.amounts:
        amounts.setdefault(m.key, m.as_json())
    links = list(dict.fromkeys(a.url for a in story.articles))[:MAX_LINKS]
    return {
        "kind": due.kind,
        "detail": due.detail,
        "change": due.change,
        "deal": {"id": deal.id, "name": deal.name},
        "story": {
            "id": story.id,
            "title": story.title,
            "updated_at": story.updated_at.isoformat(),
            "article_count": len(story.articles),
        },
        "titles": titles,
        "languages": story.languages,
        "outlets": outlets,
        "amounts": list(amounts.values()),
        "links": links,
        "facts": due.facts,
    }


def subject(payload: dict[str, Any]) -> str:
    label = KIND_LABELS.get(payload["kind"], payload["kind"])
    text = f"[newsflow] {label}: {payload['deal']['name']} — {payload['story']['title']}"
    return text if len(text) <= 150 else text[:149] + "…"


def text_body(payload: dict[str, Any]) -> str:
    """Plain text for e-mail and logs: every fact a recipient needs, no markup."""
    lines = [
        f"Deal: {payload['deal']['name']} ({payload['deal']['id']})",
        f"What changed: {payload['change']}",
        "",
        f"Story: {payload['story']['title']}",
        "Titles:",
        *(f"  [{lang}] {title}" for lang, title in payload["titles"].items()),
        f"Languages: {', '.join(payload['languages'])}",
        "Amounts: " + ("; ".join(m["display"] for m in payload["amounts"]) or "none named"),
        "Outlets (first seen, UTC):",
        *(
            f"  {_when(o['first_seen_at'])}  {o['outlet']} [{o['language']}]  {o['url']}"
            for o in payload["outlets"]
        ),
        "Links:",
        *(f"  {url}" for url in payload["links"]),
    ]
    return "\n".join(lines) + "\n"


def log_line(alert_id: int, payload: dict[str, Any]) -> str:
    return (
        f"alert {alert_id} {payload['kind']} deal={payload['deal']['id']} "
        f"story={payload['story']['id']}: {payload['change']}"
    )


def slack_message(payload: dict[str, Any]) -> dict[str, Any]:
    """A Slack incoming-webhook message: `text` as the notification fallback, plus blocks."""
    label = KIND_LABELS.get(payload["kind"], payload["kind"])
    header = f"{label}: {payload['deal']['name']}"[:150]
    titles = "\n".join(f"[{lang}] {_esc(t)}" for lang, t in payload["titles"].items())
    amounts = "; ".join(_esc(m["display"]) for m in payload["amounts"]) or "none named"
    outlets = "\n".join(
        f"• {_when(o['first_seen_at'])} <{o['url']}|{_esc(o['outlet'])}> ({o['language']})"
        for o in payload["outlets"]
    )
    body = (
        f"*What changed:* {_esc(payload['change'])}\n*Story:*\n{titles}\n"
        f"*Languages:* {', '.join(payload['languages'])}\n*Amounts:* {amounts}"
    )
    return {
        "text": f"{label}: {payload['deal']['name']} — {payload['change']}",
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": header}},
            {"type": "section", "text": {"type": "mrkdwn", "text": body[:SLACK_SECTION_LIMIT]}},
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": f"*Outlets (first seen, UTC):*\n{outlets}"[:SLACK_SECTION_LIMIT],
                },
            },
            {
                "type": "context",
                "elements": [
                    {
                        "type": "mrkdwn",
                        "text": f"newsflow · deal {payload['deal']['id']} · "
                        f"story {payload['story']['id']}",
                    }
                ],
            },
        ],
    }


def _esc(text: str) -> str:
    # Slack mrkdwn treats &, < and > as control characters.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _when(iso: str) -> str:
    return datetime.fromisoformat(iso).astimezone(UTC).strftime("%Y-%m-%d %H:%M")
