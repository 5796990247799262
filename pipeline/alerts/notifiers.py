"""How an alert is sent: log, generic webhook (JSON), Slack incoming webhook, e-mail over SMTP.

Secrets are read only here and only when sending: from the environment variable a channel
names, or from an Airflow connection (Airflow is imported only for channels that use one).
Every failure becomes a DeliveryError with one line that never contains the secret.
"""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any
from urllib.parse import urlsplit

import httpx

from pipeline.alerts import messages
from pipeline.alerts.deals import EmailChannel, LogChannel, SlackChannel, WebhookChannel

logger = logging.getLogger("newsflow.alerts")


class DeliveryError(Exception):
    """A message could not be sent; the text is safe to store and show (no secrets)."""


@dataclass(frozen=True)
class Outgoing:
    """One alert on its way to one channel."""

    alert_id: int
    channel: str
    payload: dict[str, Any]

    @property
    def idempotency_key(self) -> str:
        # Lets receivers drop a message we re-send after a crash between sending and recording.
        return f"newsflow-alert-{self.alert_id}-{self.channel}"


def send(
    channel: LogChannel | WebhookChannel | SlackChannel | EmailChannel,
    message: Outgoing,
    *,
    timeout_s: float,
    http: httpx.Client | None = None,
) -> None:
    """Send `message` through `channel`; raise DeliveryError on any failure.

    Pass `http` to reuse one HTTP client over many sends (building one costs ~0.1 s here).
    """
    if isinstance(channel, LogChannel):
        level = logging.WARNING if channel.level == "warning" else logging.INFO
        logger.log(level, messages.log_line(message.alert_id, message.payload))
    elif isinstance(channel, WebhookChannel | SlackChannel):
        if http is None:
            with httpx.Client(follow_redirects=False) as client:
                _send_http(channel, message, client, timeout_s)
        else:
            _send_http(channel, message, http, timeout_s)
    elif isinstance(channel, EmailChannel):
        _send_email(channel, message, timeout_s)
    else:  # pragma: no cover - the config model admits no other type
        raise DeliveryError(f"unknown channel type {type(channel).__name__}")


def _send_http(
    channel: WebhookChannel | SlackChannel,
    message: Outgoing,
    client: httpx.Client,
    timeout_s: float,
) -> None:
    if isinstance(channel, WebhookChannel):
        _send_webhook(channel, message, client, timeout_s)
    else:
        _send_slack(channel, message, client, timeout_s)


def _env(variable: str, what: str) -> str:
    value = os.environ.get(variable)
    if not value:
        raise DeliveryError(f"environment variable {variable} is not set; set it to the {what}")
    return value


def airflow_connection(conn_id: str) -> Any:
    """The Airflow connection `conn_id`; imported lazily so Airflow stays optional."""
    try:
        from airflow.sdk import Connection
    except ImportError:
        raise DeliveryError(
            f"Airflow connection {conn_id!r} is configured but Airflow is not installed"
        ) from None
    try:
        return Connection.get(conn_id)
    except Exception as exc:  # not defined, or no secrets backend reachable
        raise DeliveryError(
            f"Airflow connection {conn_id!r} is not available ({type(exc).__name__}); "
            f"define it or set AIRFLOW_CONN_{conn_id.upper()}"
        ) from None


def _url_from_connection(conn_id: str) -> str:
    conn = airflow_connection(conn_id)
    extra = conn.extra_dejson or {}
    for candidate in (extra.get("url"), extra.get("webhook_url"), conn.password, conn.host):
        if candidate and str(candidate).startswith(("http://", "https://")):
            return str(candidate)
    if conn.host:
        scheme = conn.schema if conn.schema in ("http", "https") else "https"
        port = f":{conn.port}" if conn.port else ""
        return f"{scheme}://{conn.host}{port}"
    raise DeliveryError(f"Airflow connection {conn_id!r} holds no http(s) URL")


def _webhook_url(channel: WebhookChannel | SlackChannel) -> str:
    if channel.url_env:
        return _env(channel.url_env, "webhook URL")
    return _url_from_connection(channel.airflow_conn or "")


def safe_url(url: str) -> str:
    """Scheme, host and port only: webhook paths and queries often carry the token."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}/…"


def _post(
    client: httpx.Client, url: str, body: dict[str, Any], headers: dict[str, str], timeout_s: float
) -> str:
    try:
        response = client.post(
            url, json=body, headers=headers, timeout=timeout_s, follow_redirects=False
        )
    except httpx.HTTPError as exc:
        raise DeliveryError(f"POST {safe_url(url)} failed: {type(exc).__name__}") from None
    if not 200 <= response.status_code < 300:
        text = " ".join(response.text.split())[:200]
        raise DeliveryError(f"POST {safe_url(url)} answered HTTP {response.status_code}: {text}")
    return response.text


def _send_webhook(
    channel: WebhookChannel, message: Outgoing, client: httpx.Client, timeout_s: float
) -> None:
    url = _webhook_url(channel)
    headers = {**channel.headers, "Idempotency-Key": message.idempotency_key}
    if channel.token_env:
        headers["Authorization"] = f"Bearer {_env(channel.token_env, 'webhook token')}"
    body = {"alert_id": message.alert_id, "channel": message.channel, **message.payload}
    _post(client, url, body, headers, timeout_s)


def _send_slack(
    channel: SlackChannel, message: Outgoing, client: httpx.Client, timeout_s: float
) -> None:
    url = _webhook_url(channel)
    _post(client, url, messages.slack_message(message.payload), {}, timeout_s)


@dataclass(frozen=True)
class _SmtpTarget:
    host: str
    port: int
    starttls: bool
    username: str | None
    password: str | None


def _smtp_target(channel: EmailChannel) -> _SmtpTarget:
    if channel.airflow_conn:
        conn = airflow_connection(channel.airflow_conn)
        extra = conn.extra_dejson or {}
        if not conn.host:
            raise DeliveryError(f"Airflow connection {channel.airflow_conn!r} has no host")
        return _SmtpTarget(
            conn.host,
            int(conn.port or channel.port),
            bool(extra.get("starttls", channel.starttls)),
            conn.login or None,
            conn.password or None,
        )
    username = channel.username
    if channel.username_env:
        username = _env(channel.username_env, "SMTP user name")
    password = _env(channel.password_env, "SMTP password") if channel.password_env else None
    return _SmtpTarget(channel.host or "", channel.port, channel.starttls, username, password)


def email_message(channel: EmailChannel, message: Outgoing) -> EmailMessage:
    """The e-mail for one alert: plain text, UTF-8, a Message-ID stable across retries."""
    mail = EmailMessage()
    mail["Subject"] = messages.subject(message.payload)
    mail["From"] = channel.sender
    mail["To"] = ", ".join(channel.recipients)
    mail["Date"] = formatdate(usegmt=True)
    mail["Message-ID"] = f"<{message.idempotency_key}@newsflow>"
    mail.set_content(messages.text_body(message.payload))
    return mail


def _send_email(channel: EmailChannel, message: Outgoing, timeout_s: float) -> None:
    target = _smtp_target(channel)
    where = f"SMTP {target.host}:{target.port}"
    try:
        with smtplib.SMTP(target.host, target.port, timeout=timeout_s) as smtp:
            if target.starttls:
                cafile = str(channel.ca_file) if channel.ca_file else None
                smtp.starttls(context=ssl.create_default_context(cafile=cafile))
            if target.username:
                smtp.login(target.username, target.password or "")
            smtp.send_message(email_message(channel, message))
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(
            f"{where}: login refused ({exc.smtp_code}); check the credentials"
        ) from None
    except (smtplib.SMTPException, OSError) as exc:
        reason = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise DeliveryError(f"{where}: {type(exc).__name__}: {reason}") from None


def missing_secrets(
    channels: dict[str, LogChannel | WebhookChannel | SlackChannel | EmailChannel],
    used: set[str],
) -> list[str]:
    """One line per environment variable a used channel names but the environment lacks.

    Airflow connections are not checked here: looking them up needs Airflow at hand.
    """
    problems = []
    for name in sorted(used):
        channel = channels.get(name)
        variables = [
            getattr(channel, attr, None)
            for attr in ("url_env", "token_env", "username_env", "password_env")
        ]
        for variable in filter(None, variables):
            if not os.environ.get(variable):
                problems.append(
                    f"channel {name!r}: environment variable {variable} is not set; "
                    "its deliveries will fail and be retried until it is"
                )
    return problems
