"""A loopback webhook receiver that counts alert deliveries by their Idempotency-Key."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class WebhookReceiver:
    def __init__(self) -> None:
        self.keys: Counter[str] = Counter()  # Idempotency-Key -> deliveries received
        self.bodies: list[dict] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                with receiver._lock:
                    receiver.keys[self.headers.get("Idempotency-Key", "")] += 1
                    receiver.bodies.append(body)
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: object) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}/hook"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def received(self) -> int:
        return sum(self.keys.values())

    @property
    def repeated(self) -> int:
        """Deliveries beyond the first of the same alert and channel."""
        return sum(n - 1 for n in self.keys.values())


@contextmanager
def receiving() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    receiver._thread.start()
    try:
        yield receiver
    finally:
        receiver._httpd.shutdown()
        receiver._httpd.server_close()
