"""The fetcher against real HTTP servers on 127.0.0.1: every outcome the issue names."""

from __future__ import annotations

import gc
import random
import struct
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import psutil
import pytest
from pytest_httpserver import HTTPServer
from werkzeug.wrappers import Request, Response

from pipeline.fetch import (
    FAILED,
    GONE,
    NOT_MODIFIED,
    REJECTED,
    RETRY_LATER,
    STORED,
    FeedState,
    fetch_feed,
    fetch_many,
    plan_next_fetch,
)
from pipeline.parse import parse_feed
from pipeline.settings import Settings

FEED = (
    b"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Local</title>"
    b"<item><title>Local story</title><link>https://local.example.com/1</link></item>"
    b"</channel></rss>"
)
SETTINGS = Settings(fetch_timeout_s=5, fetch_max_bytes=10 * 1024 * 1024)


@pytest.fixture
def server() -> Iterator[HTTPServer]:
    s = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    s.start()
    yield s
    s.clear()
    s.stop()


@pytest.fixture
def other_server() -> Iterator[HTTPServer]:
    """A second loopback server: a redirect target that must never be contacted."""
    s = HTTPServer(host="127.0.0.1", port=0)
    s.start()
    yield s
    s.stop()


def feed_state(server: HTTPServer, path: str = "/feed", **kw) -> FeedState:
    return FeedState("local", server.url_for(path), allow_private=True, **kw)


def test_200_stores_the_body_with_validators_and_sends_our_headers(server: HTTPServer) -> None:
    server.expect_request("/feed").respond_with_data(
        FEED,
        content_type="application/rss+xml; charset=utf-8",
        headers={"ETag": '"v1"', "Last-Modified": "Mon, 23 Nov 2026 08:00:00 GMT"},
    )
    result = fetch_feed(feed_state(server), SETTINGS)
    assert (result.outcome, result.http_status, result.body) == (STORED, 200, FEED)
    assert (result.etag, result.last_modified) == ('"v1"', "Mon, 23 Nov 2026 08:00:00 GMT")
    assert result.content_type == "application/rss+xml; charset=utf-8"
    request, _ = server.log[0]
    assert request.headers["User-Agent"] == SETTINGS.fetch_user_agent
    assert request.headers["Accept-Encoding"] == "gzip, deflate"
    assert "application/rss+xml" in request.headers["Accept"]
    assert request.headers["Host"] == f"127.0.0.1:{server.port}"


def test_gzip_encoded_bodies_are_decoded(server: HTTPServer) -> None:
    server.expect_request("/feed").respond_with_data(
        zlib.compress(FEED, wbits=31), headers={"Content-Encoding": "gzip"}
    )
    assert fetch_feed(feed_state(server), SETTINGS).body == FEED


@pytest.mark.parametrize(
    ("validator", "request_header"),
    [("ETag", "If-None-Match"), ("Last-Modified", "If-Modified-Since")],
)
def test_304_with_conditional_get(server: HTTPServer, validator: str, request_header: str) -> None:
    value = '"abc123"' if validator == "ETag" else "Mon, 23 Nov 2026 08:00:00 GMT"
    server.expect_ordered_request("/feed").respond_with_data(FEED, headers={validator: value})
    server.expect_ordered_request("/feed", headers={request_header: value}).respond_with_data(
        "", status=304
    )
    state = feed_state(server)
    first = fetch_feed(state, SETTINGS)
    assert first.outcome == STORED
    now = datetime.now(UTC)
    update = plan_next_fetch(state, first, SETTINGS, now, random.Random(0))
    state = replace(state, etag=update.etag, last_modified=update.last_modified)
    second = fetch_feed(state, SETTINGS)
    assert (second.outcome, second.http_status, second.body) == (NOT_MODIFIED, 304, None)
    server.check_assertions()  # the second request really carried the validator
    kept = plan_next_fetch(state, second, SETTINGS, now, random.Random(0))
    assert (kept.etag or kept.last_modified) == value


def test_410_gone_disables_the_feed(server: HTTPServer) -> None:
    server.expect_request("/feed").respond_with_data("gone", status=410)
    state = feed_state(server)
    result = fetch_feed(state, SETTINGS)
    assert (result.outcome, result.http_status) == (GONE, 410)
    update = plan_next_fetch(state, result, SETTINGS, datetime.now(UTC), random.Random(0))
    assert update.enabled is False and update.disabled_reason.startswith("gone:")


@pytest.mark.parametrize("form", ["seconds", "http-date"])
def test_429_honours_retry_after(server: HTTPServer, form: str) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    header = "7200" if form == "seconds" else format_datetime(now + timedelta(hours=2), usegmt=True)
    server.expect_request("/feed").respond_with_data(
        "slow down", status=429, headers={"Retry-After": header}
    )
    state = feed_state(server)
    result = fetch_feed(state, SETTINGS)
    assert (result.outcome, result.retry_after) == (RETRY_LATER, header)
    update = plan_next_fetch(state, result, SETTINGS, now, random.Random(0))
    assert abs((update.next_fetch_at - now).total_seconds() - 7200) <= 1


def test_503_is_retry_later(server: HTTPServer) -> None:
    server.expect_request("/feed").respond_with_data("", status=503, headers={"Retry-After": "60"})
    assert fetch_feed(feed_state(server), SETTINGS).outcome == RETRY_LATER


def test_500_fails_and_backs_off(server: HTTPServer) -> None:
    server.expect_request("/feed").respond_with_data("oops", status=500)
    state = feed_state(server, poll_interval_s=60, consecutive_failures=3)
    result = fetch_feed(state, SETTINGS)
    assert result.outcome == FAILED
    assert result.error == f"GET {state.url}: HTTP 500 Internal Server Error"
    now = datetime.now(UTC)
    update = plan_next_fetch(state, result, SETTINGS, now, random.Random(0))
    assert update.consecutive_failures == 4
    assert timedelta(seconds=240) <= update.next_fetch_at - now <= timedelta(seconds=480)


def test_redirects_are_followed_and_the_final_url_recorded(server: HTTPServer) -> None:
    server.expect_request("/old").respond_with_data("", 301, headers={"Location": "/middle"})
    server.expect_request("/middle").respond_with_data("", 302, headers={"Location": "/feed"})
    server.expect_request("/feed").respond_with_data(FEED)
    result = fetch_feed(feed_state(server, "/old"), SETTINGS)
    assert result.outcome == STORED
    assert result.final_url == server.url_for("/feed")
    assert result.redirects == (server.url_for("/middle"), server.url_for("/feed"))


def test_redirect_loop_is_refused(server: HTTPServer) -> None:
    server.expect_request("/a").respond_with_data("", 302, headers={"Location": "/b"})
    server.expect_request("/b").respond_with_data("", 302, headers={"Location": "/a"})
    result = fetch_feed(feed_state(server, "/a"), SETTINGS)
    assert result.outcome == REJECTED
    assert "redirect loop" in result.error and result.error.count("->") == 2
    assert len(server.log) == 2


def test_more_than_five_redirects_are_refused(server: HTTPServer) -> None:
    for i in range(8):
        server.expect_request(f"/r{i}").respond_with_data(
            "", 302, headers={"Location": f"/r{i + 1}"}
        )
    result = fetch_feed(feed_state(server, "/r0"), SETTINGS)
    assert result.outcome == REJECTED and "more than 5 redirects" in result.error
    assert len(server.log) == 6  # the first request and five redirects, no more


def test_redirect_to_another_loopback_port_is_refused(
    server: HTTPServer, other_server: HTTPServer
) -> None:
    other_server.expect_request("/internal").respond_with_data("secret admin page")
    server.expect_request("/feed").respond_with_data(
        "", 302, headers={"Location": other_server.url_for("/internal")}
    )
    result = fetch_feed(feed_state(server), SETTINGS)
    assert result.outcome == REJECTED
    assert f"redirect to {other_server.url_for('/internal')}" in result.error
    assert "loopback" in result.error
    assert other_server.log == []  # never contacted


def test_redirect_to_localhost_by_name_is_checked_on_the_resolved_address(
    server: HTTPServer,
) -> None:
    # Same port, but "localhost" is not the allowed origin: its resolved address is loopback.
    server.expect_request("/feed").respond_with_data(
        "", 302, headers={"Location": f"http://localhost:{server.port}/feed2"}
    )
    result = fetch_feed(feed_state(server), SETTINGS)
    assert result.outcome == REJECTED
    assert f"localhost (127.0.0.1):{server.port}" in result.error
    assert len(server.log) == 1


def test_redirect_to_the_metadata_address_is_refused(server: HTTPServer) -> None:
    server.expect_request("/feed").respond_with_data(
        "", 302, headers={"Location": "http://169.254.169.254/latest/meta-data/"}
    )
    result = fetch_feed(
        feed_state(server), SETTINGS.model_copy(update={"allow_private_hosts": True})
    )
    assert result.outcome == REJECTED
    assert "169.254.169.254:80: a metadata address is never fetched" in result.error


def test_redirect_to_a_file_url_is_refused(server: HTTPServer) -> None:
    server.expect_request("/feed").respond_with_data(
        "", 302, headers={"Location": "file:///etc/passwd"}
    )
    result = fetch_feed(feed_state(server), SETTINGS)
    assert result.outcome == REJECTED and "only http and https" in result.error


def test_loopback_feed_without_allowance_is_refused_before_connecting(server: HTTPServer) -> None:
    result = fetch_feed(replace(feed_state(server), allow_private=False), SETTINGS)
    assert result.outcome == REJECTED and "loopback" in result.error
    assert server.log == []


def test_resolver_hook_pins_the_checked_address(server: HTTPServer) -> None:
    # A made-up name mapped by the test's resolver: the connection goes to the address that was
    # checked, and the server still sees the feed's own host name.
    async def resolve(host: str, port: int) -> list[str]:
        return ["127.0.0.1"] if host == "feeds.newsflow.test" else []

    server.expect_request("/feed").respond_with_data(FEED)
    state = FeedState("named", f"http://feeds.newsflow.test:{server.port}/feed", allow_private=True)
    result = fetch_feed(state, SETTINGS, resolve=resolve)
    assert result.outcome == STORED
    assert server.log[0][0].headers["Host"] == f"feeds.newsflow.test:{server.port}"


def _gzip_of_zeros(total_mib: int) -> bytes:
    """A gzip stream of `total_mib` MiB of zeros, built without ever holding them.

    After a full flush, deflate output no longer depends on what came before, so one
    compressed MiB of zeros (about 1 KB) can be repeated; the trailer carries CRC and size.
    """
    block = bytes(1024 * 1024)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    unit = deflate.compress(block) + deflate.flush(zlib.Z_FULL_FLUSH)
    assert zlib.decompressobj(-15).decompress(unit) == block
    crc = 0
    for _ in range(total_mib):
        crc = zlib.crc32(block, crc)
    end = zlib.compressobj(9, zlib.DEFLATED, -15).flush()  # an empty final block
    size = (total_mib * len(block)) & 0xFFFFFFFF
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    return header + unit * total_mib + end + struct.pack("<II", crc, size)


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    return _gzip_of_zeros(1024)  # 1 GiB of zeros


def test_gzip_bomb_is_stopped_at_the_decompressed_cap(server: HTTPServer, gzip_bomb: bytes) -> None:
    assert len(gzip_bomb) < 2 * 1024 * 1024  # a small download ...
    server.expect_request("/feed").respond_with_data(
        gzip_bomb, headers={"Content-Encoding": "gzip", "Content-Type": "application/rss+xml"}
    )
    gc.collect()
    before = psutil.Process().memory_info().rss
    result = fetch_feed(feed_state(server), SETTINGS)
    grown = (psutil.Process().memory_info().rss - before) / 1024**2
    assert result.outcome == REJECTED  # ... that would be 1 GiB once inflated
    assert "exceeds the 10,485,760-byte cap after decompression" in result.error
    assert grown < 100, f"RSS grew by {grown:.0f} MB"


def test_body_over_the_cap_with_content_length(server: HTTPServer) -> None:
    server.expect_request("/feed").respond_with_data(b"x" * 300_000)
    small = SETTINGS.model_copy(update={"fetch_max_bytes": 100_000})
    result = fetch_feed(feed_state(server), small)
    assert result.outcome == REJECTED and "Content-Length 300,000 exceeds" in result.error


def test_body_over_the_cap_without_content_length(server: HTTPServer) -> None:
    def chunks():
        for _ in range(50):
            yield b"y" * 10_000

    server.expect_request("/feed").respond_with_response(Response(chunks()))
    small = SETTINGS.model_copy(update={"fetch_max_bytes": 100_000})
    result = fetch_feed(feed_state(server), small)
    assert result.outcome == REJECTED and "exceeds the 100,000-byte cap" in result.error


class _Trickle(BaseHTTPRequestHandler):
    """Sends headers, then one byte per second, for as long as the client listens."""

    stop = threading.Event()

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.end_headers()
        try:
            for byte in FEED:
                if self.stop.wait(1.0):
                    return
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
        except OSError:
            return

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def trickle_url() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Trickle)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/feed"
    _Trickle.stop.set()
    httpd.shutdown()
    httpd.server_close()
    _Trickle.stop.clear()


def test_a_trickling_server_is_stopped_by_the_total_deadline(trickle_url: str) -> None:
    # Every read gets a byte within a second, so only a total deadline can stop this.
    quick = SETTINGS.model_copy(update={"fetch_timeout_s": 2.0})
    started = time.monotonic()
    result = fetch_feed(FeedState("slow", trickle_url, allow_private=True), quick)
    elapsed = time.monotonic() - started
    assert result.outcome == FAILED
    assert result.error == f"GET {trickle_url}: no complete response within 2 s"
    assert 1.9 <= elapsed < 3.5


def test_empty_html_and_json_bodies_are_stored_for_the_parser_to_judge(server: HTTPServer) -> None:
    server.expect_request("/empty").respond_with_data(b"", content_type="application/rss+xml")
    server.expect_request("/html").respond_with_data(
        b"<html><body>moved</body></html>", content_type="text/html"
    )
    server.expect_request("/json").respond_with_json({"error": "not found"})
    verdicts = {}
    for path in ("/empty", "/html", "/json"):
        result = fetch_feed(feed_state(server, path), SETTINGS)
        assert result.outcome == STORED
        verdicts[path] = parse_feed(
            result.body, "local", "en", content_type=result.content_type
        ).rejected
    assert verdicts == {
        "/empty": "empty document",
        "/html": "an HTML page, not an RSS or Atom feed (root element <html>)",
        "/json": "a JSON document, not an RSS or Atom feed (JSON Feed is not supported)",
    }


def test_wrong_declared_charset_from_the_server(server: HTTPServer) -> None:
    body = FEED.replace(b"Local story", "Übernahme in Düsseldorf".encode())
    server.expect_request("/feed").respond_with_data(
        body, headers={"Content-Type": "application/rss+xml; charset=iso-8859-1"}
    )
    result = fetch_feed(feed_state(server), SETTINGS)
    parsed = parse_feed(result.body, "local", "de", content_type=result.content_type)
    assert parsed.articles[0].title == "Übernahme in Düsseldorf"


def test_unreachable_port_fails_cleanly() -> None:
    result = fetch_feed(FeedState("down", "http://127.0.0.1:1/feed", allow_private=True), SETTINGS)
    assert result.outcome == FAILED and result.error.startswith("GET http://127.0.0.1:1/feed: ")


def test_fetch_many_keeps_order_and_the_per_host_limit(server: HTTPServer) -> None:
    active = 0
    peak = 0
    lock = threading.Lock()

    def slow(request: Request) -> Response:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        time.sleep(0.3)
        with lock:
            active -= 1
        return Response(FEED.replace(b"Local story", request.path.encode()))

    server.expect_request("/f", query_string=None).respond_with_handler(slow)
    for i in range(6):
        server.expect_request(f"/f{i}").respond_with_handler(slow)
    states = [FeedState(f"f{i}", server.url_for(f"/f{i}"), allow_private=True) for i in range(6)]
    settings = SETTINGS.model_copy(update={"fetch_concurrency": 8, "fetch_per_host_limit": 2})
    started = time.monotonic()
    results = fetch_many(states, settings)
    elapsed = time.monotonic() - started
    assert [r.feed_id for r in results] == [s.feed_id for s in states]
    assert all(f"/f{i}".encode() in r.body for i, r in enumerate(results))
    assert peak == 2  # one host, never more than two at once ...
    assert elapsed < 6 * 0.3  # ... yet concurrent
