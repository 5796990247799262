"""Helpers for the alert tests: stories written the way clustering writes them, and real
local receivers (an HTTP server for webhooks and Slack, an SMTP server) on 127.0.0.1.

No tests here; the module name only keeps it next to the tests that use it.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import psycopg

from pipeline.alerts.deals import TrackedDeals, parse_tracked_deals

OUTLETS = {
    # feed id: (outlet, language)
    "wsj": ("The Wall Street Journal", "en"),
    "reuters": ("Reuters", "en"),
    "bloomberg": ("Bloomberg", "en"),
    "handelsblatt": ("Handelsblatt", "de"),
    "welt": ("WELT", "de"),
}
ORGS = [
    # id, name, parent, source
    ("amazon", "Amazon", None, "registry"),
    ("aws", "Amazon Web Services", "amazon", "registry"),
    ("openai", "OpenAI", None, "registry"),
    ("anthropic", "Anthropic", None, "registry"),
    ("microsoft", "Microsoft", None, "registry"),
    ("acme-robotics", "Acme Robotics", None, "discovered"),
]


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str = "USD"
    qualifier: str | None = None
    amount_usd: Decimal | None = None
    amount_min: Decimal | None = None


def bn(value: float | str, **kw: Any) -> Money:
    return Money(Decimal(str(value)) * Decimal(10) ** 9, **kw)


class StoryWorld:
    """Writes feeds, organizations, articles with mentions and stories like the pipeline does."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn
        # Articles are dated relative to a fixed past moment; story updated_at uses the clock.
        self.t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=8)
        self._n = 0
        for feed_id, (outlet, lang) in OUTLETS.items():
            conn.execute(
                "INSERT INTO feeds (id, outlet, url, language, poll_interval_s)"
                " VALUES (%s, %s, %s, %s, 900)",
                (feed_id, outlet, f"https://{feed_id}.example/rss", lang),
            )
        for org_id, name, parent, source in ORGS:
            conn.execute(
                "INSERT INTO organizations (id, name, parent_id, source) VALUES (%s, %s, %s, %s)",
                (org_id, name, parent, source),
            )

    def story(self, key: str, title: str) -> int:
        return self.conn.execute(
            "INSERT INTO stories (story_key, title, first_seen_at, last_seen_at)"
            " VALUES (%s, %s, %s, %s) RETURNING id",
            (key, title, self.t0, self.t0),
        ).fetchone()[0]

    def article(
        self,
        story_id: int,
        feed_id: str,
        title: str,
        *,
        minutes: int,
        orgs: tuple[str, ...] = ("amazon", "openai"),
        money: tuple[Money, ...] = (),
        summary: str = "",
        status: str = "ok",
    ) -> str:
        """Add an article first seen `minutes` after t0 to the story; bumps stories.updated_at."""
        self._n += 1
        key = f"a{self._n}"
        lang = OUTLETS[feed_id][1]
        seen = self.t0 + timedelta(minutes=minutes)
        url = f"https://{feed_id}.example/news/{key}"
        self.conn.execute(
            "INSERT INTO articles (key, feed_id, url, canonical_url, title, summary, language,"
            " first_seen_at, last_seen_at, content_hash, status)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (key, feed_id, url, url, title, summary, lang, seen, seen, f"h{key}", status),
        )
        for i, org in enumerate(orgs):
            self.conn.execute(
                "INSERT INTO org_mentions (article_key, start_char, end_char, org_id, surface, source)"
                " VALUES (%s, %s, %s, %s, %s, 'registry')",
                (key, i * 10, i * 10 + 5, org, org),
            )
        for i, m in enumerate(money):
            self.conn.execute(
                "INSERT INTO money_mentions (article_key, start_char, end_char, amount, currency,"
                " qualifier, amount_min, amount_max, amount_usd, surface)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                (key, 500 + i * 20, 510 + i * 20, m.amount, m.currency, m.qualifier,
                 m.amount_min, m.amount, m.amount_usd, f"{m.amount} {m.currency}"),
            )  # fmt: skip
        self.conn.execute(
            "INSERT INTO story_articles (article_key, story_id, method) VALUES (%s, %s, 'test')",
            (key, story_id),
        )
        self.touch(story_id)
        return key

    def touch(self, story_id: int) -> None:
        """What clustering does when a story changes: recount and stamp updated_at."""
        self.conn.execute(
            "UPDATE stories s SET article_count = x.n, languages = x.langs,"
            " last_seen_at = x.last, updated_at = clock_timestamp()"
            " FROM (SELECT count(*) AS n, array_agg(DISTINCT a.language) AS langs,"
            "       max(a.first_seen_at) AS last"
            "       FROM story_articles sa JOIN articles a ON a.key = sa.article_key"
            "       WHERE sa.story_id = %(id)s) x WHERE s.id = %(id)s",
            {"id": story_id},
        )


def alerts_of(conn: psycopg.Connection, story_id: int | None = None) -> list[tuple[str, str]]:
    """(kind, detail) of the alerts in creation order."""
    rows = conn.execute(
        "SELECT kind, detail FROM alerts WHERE %(s)s::bigint IS NULL OR story_id = %(s)s"
        " ORDER BY id",
        {"s": story_id},
    )
    return [tuple(r) for r in rows]


# --- receivers ------------------------------------------------------------------------------


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class HttpReceiver:
    """A real HTTP server on 127.0.0.1 recording every POST; status per path can be changed."""

    base_url: str = ""
    requests: list[Received] = field(default_factory=list)
    status: dict[str, int] = field(default_factory=dict)  # path -> status code (default 200)
    delay_s: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return self.base_url + path

    def bodies(self, path: str) -> list[Any]:
        """Bodies of the requests to `path` that were answered with success."""
        with self.lock:
            return [r.body for r in self.requests if r.path == path and r.headers["_ok"] == "1"]

    def count(self, path: str) -> int:
        with self.lock:
            return sum(1 for r in self.requests if r.path == path)


@contextmanager
def http_receiver() -> Iterator[HttpReceiver]:
    receiver = HttpReceiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the http.server API
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            if receiver.delay_s:
                time.sleep(receiver.delay_s)
            code = receiver.status.get(self.path, 200)
            headers = {k.lower(): v for k, v in self.headers.items()}
            headers["_ok"] = "1" if code < 300 else "0"
            with receiver.lock:
                receiver.requests.append(Received(self.path, headers, json.loads(raw or b"null")))
            self.send_response(code)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"ok" if code < 300 else b"internal error, try later")

        def log_message(self, *args: Any) -> None:  # keep test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class SmtpInbox:
    """What an aiosmtpd server on loopback accepted."""

    port: int = 0
    mails: list[tuple[str, list[str], EmailMessage]] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        mail = message_from_bytes(envelope.original_content, policy=policy.default)
        self.mails.append((envelope.mail_from, list(envelope.rcpt_tos), mail))
        return "250 Message accepted"


@contextmanager
def smtp_server(
    *, tls_context: Any = None, credentials: tuple[str, str] | None = None
) -> Iterator[SmtpInbox]:
    """A real SMTP server; with tls_context it offers STARTTLS, with credentials it needs AUTH."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    inbox = SmtpInbox(port=free_port())
    kwargs: dict[str, Any] = {}
    if tls_context is not None:
        kwargs.update(tls_context=tls_context, require_starttls=True)
    if credentials is not None:

        def authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:
            ok = (auth_data.login.decode(), auth_data.password.decode()) == credentials
            if ok:
                inbox.logins.append(auth_data.login.decode())
            return AuthResult(success=ok, handled=False)  # False: the server answers 535

        kwargs.update(authenticator=authenticate, auth_required=True)
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port, **kwargs)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


def self_signed_tls(folder: Any) -> tuple[Any, Any]:
    """A certificate for 127.0.0.1 (key, cert paths), made fresh for the test."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "newsflow test relay")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = folder / "relay.key", folder / "relay.pem"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


# --- configuration ----------------------------------------------------------------------------

DEAL = {
    "id": "amazon-openai",
    "name": "Amazon–OpenAI investment talks",
    "parties": ["amazon", "openai"],
    "keywords": {"en": ["invest", "stake"], "de": ["investition", "beteiligung"]},
    "channels": ["log", "hook", "slack", "mail"],
}


def tracked(
    http: HttpReceiver, smtp_port: int, deals: list[dict] | None = None, **channel_overrides: Any
) -> TrackedDeals:
    """A tracked deals config whose channels point at the local receivers."""
    channels: dict[str, Any] = {
        "log": {"type": "log"},
        "hook": {"type": "webhook", "url_env": "NF_TEST_HOOK_URL"},
        "slack": {"type": "slack", "url_env": "NF_TEST_SLACK_URL"},
        "mail": {
            "type": "email",
            "host": "127.0.0.1",
            "port": smtp_port,
            "starttls": False,
            "sender": "newsflow@test.example",
            "recipients": ["desk@test.example", "lead@test.example"],
        },
    }
    channels.update(channel_overrides)
    return parse_tracked_deals({"channels": channels, "deals": deals or [DEAL]}, "test-deals.yaml")


def channel_env(monkeypatch: Any, http: HttpReceiver) -> None:
    monkeypatch.setenv("NF_TEST_HOOK_URL", http.url("/hook"))
    monkeypatch.setenv("NF_TEST_SLACK_URL", http.url("/slack/T000/B000/XXXX"))
