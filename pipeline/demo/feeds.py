"""Render the demo corpus as RSS 2.0 / Atom documents and serve them from loopback."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

import yaml

CORPUS = Path(__file__).with_name("corpus.yaml")


@dataclass(frozen=True)
class DemoOutlet:
    id: str
    outlet: str
    language: str
    format: str


def load_corpus(path: Path = CORPUS) -> tuple[list[DemoOutlet], list[dict]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [DemoOutlet(**o) for o in data["outlets"]], data["items"]


def _link(base: str, outlet: str, slug: str) -> str:
    # A tracking parameter on purpose: canonical URLs must drop it.
    return f"{base}/articles/{outlet}/{slug}?utm_source=rss"


def render_feed(outlet: DemoOutlet, items: list[dict], now: datetime, base: str) -> bytes:
    """One outlet's feed with the given items, newest first, in the outlet's format."""
    items = sorted(items, key=lambda i: i["minutes"])
    entries = []
    for item in items:
        when = now - timedelta(minutes=item["minutes"])
        link = escape(_link(base, outlet.id, item["slug"]))
        title, summary = escape(item["title"]), escape(item["summary"])
        if outlet.format == "atom":
            entries.append(
                f"<entry><id>urn:demo:{outlet.id}:{item['slug']}</id><title>{title}</title>"
                f'<link href="{link}"/><updated>{when.isoformat()}</updated>'
                f"<summary>{summary}</summary></entry>"
            )
        else:
            entries.append(
                f'<item><guid isPermaLink="false">{outlet.id}-{item["slug"]}</guid>'
                f"<title>{title}</title><link>{link}</link>"
                f"<pubDate>{format_datetime(when)}</pubDate>"
                f"<description>{summary}</description></item>"
            )
    body = "".join(entries)
    if outlet.format == "atom":
        doc = (
            '<?xml version="1.0" encoding="utf-8"?>'
            f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{outlet.language}">'
            f"<title>{escape(outlet.outlet)}</title><id>urn:demo:{outlet.id}</id>"
            f"<updated>{now.isoformat()}</updated>{body}</feed>"
        )
    else:
        doc = (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{escape(outlet.outlet)}</title><link>{base}/</link>"
            f"<language>{outlet.language}</language><description>demo</description>"
            f"{body}</channel></rss>"
        )
    return doc.encode("utf-8")


def render_round(rnd: int, now: datetime, base: str, path: Path = CORPUS) -> dict[str, bytes]:
    """Feed documents by URL path for round `rnd` (items of this and earlier rounds)."""
    outlets, items = load_corpus(path)
    return {
        f"/feeds/{o.id}.xml": render_feed(
            o, [i for i in items if i["outlet"] == o.id and i["round"] <= rnd], now, base
        )
        for o in outlets
    }


class FeedServer:
    """A threaded HTTP server on 127.0.0.1 serving documents by path, with ETag/304 support."""

    def __init__(self) -> None:
        self.documents: dict[str, bytes] = {}
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                server.requests.append(self.path)
                body = server.documents.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/xml; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("ETag", etag)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def start(self) -> FeedServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


@contextmanager
def serving() -> Iterator[FeedServer]:
    """A running FeedServer for the duration of the block."""
    server = FeedServer().start()
    try:
        yield server
    finally:
        server.stop()


def feeds_yaml(base: str, path: Path = CORPUS) -> str:
    """A feeds.yaml declaring every demo outlet at `base` (loopback, so allow_private)."""
    outlets, _ = load_corpus(path)
    lines = ["feeds:"]
    for o in outlets:
        lines.append(
            f'  - {{id: {o.id}, outlet: "{o.outlet}", language: {o.language}, '
            f'url: "{base}/feeds/{o.id}.xml", poll_minutes: 1, allow_private: true}}'
        )
    return "\n".join(lines) + "\n"


def demo_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)
