"""A loopback HTTP server that serves healthy feed documents and injects faults by path.

Healthy paths answer like a real feed server (200 with an ETag, 304 on a match). Fault paths
misbehave in one way each; every request is counted so a scenario can report how often each
fault was injected. Bodies of the gzip bomb and the trickle are generated while streaming,
never held in memory.
"""

from __future__ import annotations

import hashlib
import random
import socket
import threading
import time
import zlib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Every fault the server can inject, with what it does (the words the summary table prints).
FAULTS: dict[str, str] = {
    "timeout": "accepts the connection, never answers",
    "trickle": "200 headers, then one body byte every 0.3 s",
    "http_500": "500 Internal Server Error on every request",
    "http_502": "502 Bad Gateway on every request",
    "garbage": "200 with 64 KiB of random bytes as application/rss+xml",
    "html": "200 with an HTML error page instead of a feed",
    "storm_429": "429 Too Many Requests, Retry-After: 3600, on every request",
    "redirect_loop": "302 A -> B -> A",
    "gzip_bomb": "200, Content-Encoding gzip, ~10 GiB of zeros inflated from a stream",
    "truncated": "200 with Content-Length 200000, connection closed after 1 KiB",
}
RETRY_AFTER_S = 3600
BOMB_INFLATED_BYTES = 10 * 1024**3


@dataclass(frozen=True)
class Fault:
    kind: str
    path: str


class FaultServer:
    """Threaded HTTP server on 127.0.0.1: `documents` by path (healthy) and `faults` by path."""

    def __init__(self) -> None:
        self.documents: dict[str, bytes] = {}
        self.faults: dict[str, str] = {}  # path -> kind
        self.hits: Counter[str] = Counter()  # path -> requests
        self.bomb_bytes_sent = 0  # compressed bytes of the bomb actually written
        self.content_type = "application/rss+xml; charset=utf-8"  # of healthy documents
        self._stop = threading.Event()
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                path = self.path
                with server._lock:
                    server.hits[path] += 1
                kind = server.faults.get(path)
                try:
                    if kind is None:
                        self._document(path)
                    else:
                        getattr(self, f"_fault_{kind}")(path)
                except (BrokenPipeError, ConnectionResetError, TimeoutError):
                    pass  # the client gave up, as it should when a fault is bounded

            def _document(self, path: str) -> None:
                body = server.documents.get(path)
                if body is None:
                    self._plain(404, b"no such feed")
                    return
                etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", server.content_type)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("ETag", etag)
                self.end_headers()
                self.wfile.write(body)

            def _plain(self, status: int, body: bytes, **headers: str) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name.replace("_", "-"), value)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _fault_timeout(self, path: str) -> None:
                server._stop.wait(30)  # hold the connection; the client's deadline must end it

            def _fault_trickle(self, path: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", "1000000")
                self.end_headers()
                self.wfile.write(b"<?xml version='1.0'?><rss><channel>")
                self.wfile.flush()
                for _ in range(100):
                    if server._stop.wait(0.3):
                        return
                    self.wfile.write(b" ")
                    self.wfile.flush()

            def _fault_http_500(self, path: str) -> None:
                self._plain(500, b"internal error")

            def _fault_http_502(self, path: str) -> None:
                self._plain(502, b"bad gateway")

            def _fault_garbage(self, path: str) -> None:
                body = random.Random(path).randbytes(64 * 1024)
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _fault_html(self, path: str) -> None:
                body = (
                    b"<!DOCTYPE html><html><head><title>Service unavailable</title></head>"
                    b"<body><h1>We are down for maintenance</h1><p>Back soon.</p></body></html>"
                )
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _fault_storm_429(self, path: str) -> None:
                self._plain(429, b"slow down", Retry_After=str(RETRY_AFTER_S))

            def _fault_redirect_loop(self, path: str) -> None:
                other = path[:-2] + ("/b" if path.endswith("/a") else "/a")
                self.send_response(302)
                self.send_header("Location", other)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def _fault_gzip_bomb(self, path: str) -> None:
                # Close-delimited body: no Content-Length that a client could refuse up front.
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Encoding", "gzip")
                self.send_header("Connection", "close")
                self.end_headers()
                self.close_connection = True
                deflate = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
                zeros = bytes(1024 * 1024)
                self.wfile.write(deflate.compress(b"<?xml version='1.0'?><rss><channel><title>"))
                for _ in range(BOMB_INFLATED_BYTES // len(zeros)):
                    if server._stop.is_set():
                        return
                    chunk = deflate.compress(zeros)
                    if chunk:
                        self.wfile.write(chunk)
                        with server._lock:
                            server.bomb_bytes_sent += len(chunk)
                self.wfile.write(deflate.flush())

            def _fault_truncated(self, path: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", "200000")
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(b"<?xml version='1.0'?><rss><channel>" + b" " * 1000)
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)

            def log_message(self, *args: object) -> None:
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 128

        self._httpd = Server(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def add_fault(self, kind: str, name: str) -> Fault:
        """Serve fault `kind` at a path named after `name`; returns the path to put in a feed."""
        if kind not in FAULTS:
            raise ValueError(f"unknown fault {kind!r}; one of {', '.join(FAULTS)}")
        if kind == "redirect_loop":
            self.faults[f"/loop/{name}/a"] = kind
            self.faults[f"/loop/{name}/b"] = kind
            return Fault(kind, f"/loop/{name}/a")
        path = f"/fault/{name}.xml"
        self.faults[path] = kind
        return Fault(kind, path)

    def injected(self, fault: Fault) -> int:
        """How many requests hit the fault (both hops of a redirect loop count)."""
        if fault.kind == "redirect_loop":
            stem = fault.path[:-2]
            return self.hits[f"{stem}/a"] + self.hits[f"{stem}/b"]
        return self.hits[fault.path]

    def start(self) -> FaultServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        time.sleep(0.05)  # let handler threads see the stop flag


@contextmanager
def serving() -> Iterator[FaultServer]:
    """A running FaultServer for the duration of the block."""
    server = FaultServer().start()
    try:
        yield server
    finally:
        server.stop()
