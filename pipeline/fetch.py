"""Fetch stage: polite, bounded HTTP for feeds (httpx). No database; feedparser never fetches.

One fetch is: conditional GET with the feed's ETag/Last-Modified, redirects followed by hand
(at most settings.fetch_max_redirects, http/https only, every hop's resolved addresses checked
by pipeline.fetch_guard and the connection pinned to the checked address), the body decoded
here with a cap that holds after decompression, all under one total deadline. The outcome is a
FetchResult; plan_next_fetch turns it into the feed's next state (pure).
"""

from __future__ import annotations

import asyncio
import random
import ssl
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from functools import cache
from urllib.parse import urljoin

import httpx

from pipeline.fetch_guard import (
    AddressPolicy,
    FetchRefused,
    Resolver,
    check_addresses,
    pick_address,
    system_resolver,
)
from pipeline.settings import Settings

STORED = "stored"
NOT_MODIFIED = "not_modified"
RETRY_LATER = "retry_later"
FAILED = "failed"
GONE = "gone"
REJECTED = "rejected"
OUTCOMES = (STORED, NOT_MODIFIED, RETRY_LATER, FAILED, GONE, REJECTED)

REDIRECT_STATUSES = frozenset((301, 302, 303, 307, 308))
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5"
)
MAX_RETRY_AFTER_S = 7 * 24 * 3600  # honour Retry-After, but not a date years ahead
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class FeedState:
    """What the fetcher needs to know about a feed (read from the feeds table)."""

    feed_id: str
    url: str
    poll_interval_s: int = 900
    etag: str | None = None
    last_modified: str | None = None
    consecutive_failures: int = 0
    allow_private: bool = False
    enabled: bool = True
    language: str | None = None


@dataclass(frozen=True)
class FetchResult:
    """One HTTP attempt. `body` is the decompressed body, set only when outcome is 'stored'."""

    feed_id: str
    url: str
    started_at: datetime
    duration_ms: int
    outcome: str
    http_status: int | None = None
    body: bytes | None = None
    final_url: str | None = None
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    retry_after: str | None = None  # the raw header, interpreted by plan_next_fetch
    error: str | None = None
    redirects: tuple[str, ...] = ()

    @property
    def size(self) -> int:
        return len(self.body) if self.body is not None else 0

    @property
    def succeeded(self) -> bool:
        return self.outcome in (STORED, NOT_MODIFIED)


@dataclass(frozen=True)
class FeedUpdate:
    """The feed's fetch-state columns after an attempt."""

    feed_id: str
    next_fetch_at: datetime
    consecutive_failures: int
    etag: str | None
    last_modified: str | None
    enabled: bool | None  # None: leave as it is (only a 410 changes it)
    disabled_reason: str | None
    last_status: str
    last_error: str | None
    last_fetch_at: datetime
    last_success_at: datetime | None  # None: leave the stored value


@dataclass
class _Response:
    status: int
    url: str
    headers: httpx.Headers
    body: bytes | None = None
    redirects: list[str] = field(default_factory=list)


class BodyDecoder:
    """Content-Encoding decoder whose output may never exceed `limit` bytes (gzip bombs)."""

    def __init__(self, encoding: str | None, limit: int) -> None:
        self.limit = limit
        self.parts: list[bytes] = []
        self.size = 0
        coding = (encoding or "identity").strip().lower()
        if coding in ("gzip", "x-gzip"):
            self._wbits: int | None = 16 + zlib.MAX_WBITS
        elif coding == "deflate":
            self._wbits = zlib.MAX_WBITS
        elif coding in ("identity", ""):
            self._wbits = None
        else:
            raise FetchRefused(f"unsupported Content-Encoding {encoding!r}")
        self._coding = coding
        self._inflater = zlib.decompressobj(self._wbits) if self._wbits else None
        self._first = True

    def _emit(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.limit:
            what = "after decompression " if self._inflater else ""
            raise FetchRefused(f"body exceeds the {self.limit:,}-byte cap {what}(stopped reading)")
        if data:
            self.parts.append(data)

    def feed(self, data: bytes) -> None:
        if self._inflater is None:
            self._emit(data)
            return
        if self._first and self._coding == "deflate" and data and (data[0] & 0x0F) != 8:
            self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate, no zlib header
        self._first = False
        while data:
            try:
                # max_length bounds each step, so a bomb never inflates more than _CHUNK at once.
                self._emit(self._inflater.decompress(data, _CHUNK))
            except zlib.error as exc:
                raise FetchRefused(f"corrupt {self._coding} body: {exc}") from None
            data = self._inflater.unconsumed_tail
            if self._inflater.eof and self._inflater.unused_data:
                data = self._inflater.unused_data  # concatenated gzip members
                self._inflater = zlib.decompressobj(self._wbits)

    def finish(self) -> bytes:
        if self._inflater is not None:
            self._emit(self._inflater.flush())
        return b"".join(self.parts)


@cache
def _ssl_context() -> ssl.SSLContext:
    import certifi

    return ssl.create_default_context(cafile=certifi.where())


def address_policy(state: FeedState, settings: Settings) -> AddressPolicy:
    """Allowance: the feed's own origin if it is allow_private; any private host if settings say."""
    origins: frozenset[tuple[str, int]] = frozenset()
    if state.allow_private:
        url = httpx.URL(state.url)
        host = url.raw_host.decode("ascii").lower()
        origins = frozenset({(host, url.port or _default_port(url.scheme))})
    return AddressPolicy(settings.allow_private_hosts, origins)


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


def _request_headers(state: FeedState, settings: Settings, host_header: str) -> dict[str, str]:
    headers = {
        "Host": host_header,
        "User-Agent": settings.fetch_user_agent,
        "Accept": ACCEPT,
        "Accept-Encoding": "gzip, deflate",
    }
    if state.etag:
        headers["If-None-Match"] = state.etag
    if state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    return headers


async def _get(
    client: httpx.AsyncClient,
    state: FeedState,
    settings: Settings,
    policy: AddressPolicy,
    resolve: Resolver,
) -> _Response:
    """GET the feed, following redirects by hand; the body is read only for a 2xx answer."""
    url = state.url
    visited = [url]
    for _hop in range(settings.fetch_max_redirects + 1):
        target = httpx.URL(url)
        if target.scheme not in ("http", "https"):
            raise FetchRefused(f"{url}: only http and https URLs are fetched")
        if not target.host:
            raise FetchRefused(f"{url}: no host in the URL")
        host = target.raw_host.decode("ascii")
        port = target.port or _default_port(target.scheme)
        addresses = await resolve(host, port)
        try:
            check_addresses(host, port, addresses, policy)
        except FetchRefused as exc:
            raise FetchRefused(f"redirect to {url}: {exc}" if visited[1:] else str(exc)) from None
        # Connect to the address that was checked, so DNS cannot answer differently later.
        wire = target.copy_with(host=pick_address(addresses))
        extensions = {"sni_hostname": host} if target.scheme == "https" else {}
        request = client.build_request(
            "GET",
            wire,
            headers=_request_headers(state, settings, target.netloc.decode("ascii")),
            extensions=extensions,
        )
        response = await client.send(request, stream=True)
        try:
            location = response.headers.get("location")
            if response.status_code in REDIRECT_STATUSES and location:
                following = urljoin(url, location.strip())
                if following in visited:
                    chain = " -> ".join([*visited, following])
                    raise FetchRefused(f"redirect loop: {chain}")
                visited.append(following)
                url = following
                continue
            result = _Response(response.status_code, url, response.headers, None, visited[1:])
            if 200 <= response.status_code < 300:
                result.body = await _read_body(response, settings.fetch_max_bytes)
            return result
        finally:
            await response.aclose()
    raise FetchRefused(
        f"more than {settings.fetch_max_redirects} redirects: {' -> '.join(visited)}"
    )


async def _read_body(response: httpx.Response, limit: int) -> bytes:
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise FetchRefused(f"Content-Length {int(declared):,} exceeds the {limit:,}-byte cap")
    decoder = BodyDecoder(response.headers.get("content-encoding"), limit)
    received = 0
    async for chunk in response.aiter_raw():
        received += len(chunk)
        if received > limit:
            raise FetchRefused(f"body exceeds the {limit:,}-byte cap (stopped reading)")
        decoder.feed(chunk)
    return decoder.finish()


def _classify(state: FeedState, response: _Response) -> tuple[str, str | None]:
    """(outcome, error) for a final HTTP answer."""
    status = response.status
    where = f"GET {response.url}"
    reason = httpx.codes.get_reason_phrase(status)
    if 200 <= status < 300:
        return STORED, None
    if status == 304:
        return NOT_MODIFIED, None
    if status == 410:
        return GONE, f"{where}: HTTP 410 {reason}"
    if status in (429, 503):
        after = response.headers.get("retry-after")
        hint = f" (Retry-After: {after})" if after else ""
        return RETRY_LATER, f"{where}: HTTP {status} {reason}{hint}"
    if status in REDIRECT_STATUSES:
        return FAILED, f"{where}: HTTP {status} without a Location header"
    return FAILED, f"{where}: HTTP {status} {reason}"


async def _fetch_one(
    state: FeedState,
    settings: Settings,
    resolve: Resolver,
    now: datetime | None = None,
) -> FetchResult:
    started_at = now or datetime.now(UTC)
    clock = time.monotonic()
    policy = address_policy(state, settings)
    deadline = settings.fetch_timeout_s

    def result(outcome: str, error: str | None = None, **fields) -> FetchResult:
        duration = int((time.monotonic() - clock) * 1000)
        return FetchResult(
            state.feed_id, state.url, started_at, duration, outcome, error=error, **fields
        )

    try:
        async with (
            asyncio.timeout(deadline),
            httpx.AsyncClient(
                verify=_ssl_context(),
                trust_env=False,  # a proxy would bypass the address checks
                follow_redirects=False,
                timeout=httpx.Timeout(deadline),
                limits=httpx.Limits(max_connections=2, max_keepalive_connections=0),
            ) as client,
        ):
            response = await _get(client, state, settings, policy, resolve)
    except FetchRefused as exc:
        return result(REJECTED, f"GET {state.url}: {exc}")
    except (TimeoutError, httpx.TimeoutException):
        return result(FAILED, f"GET {state.url}: no complete response within {deadline:g} s")
    except OSError as exc:  # DNS failures (socket.gaierror) and refused connections
        return result(FAILED, f"GET {state.url}: cannot connect ({exc.strerror or exc})")
    except httpx.InvalidURL as exc:
        return result(REJECTED, f"{state.url}: invalid URL ({exc})")
    except httpx.HTTPError as exc:
        detail = str(exc) or type(exc).__name__
        return result(FAILED, f"GET {state.url}: {detail}")
    outcome, error = _classify(state, response)
    headers = response.headers
    return result(
        outcome,
        error,
        http_status=response.status,
        body=response.body if outcome == STORED else None,
        final_url=response.url,
        content_type=headers.get("content-type"),
        etag=headers.get("etag"),
        last_modified=headers.get("last-modified"),
        retry_after=headers.get("retry-after"),
        redirects=tuple(response.redirects),
    )


async def _guarded(
    state: FeedState,
    settings: Settings,
    resolve: Resolver,
    limit: asyncio.Semaphore,
    host_limit: asyncio.Semaphore,
) -> FetchResult:
    async with limit, host_limit:
        try:
            return await _fetch_one(state, settings, resolve)
        except Exception as exc:  # a bug must not cost the other feeds their fetch
            return FetchResult(
                state.feed_id,
                state.url,
                datetime.now(UTC),
                0,
                FAILED,
                error=f"GET {state.url}: internal error {type(exc).__name__}: {exc}",
            )


def fetch_feed(
    state: FeedState,
    settings: Settings,
    now: datetime | None = None,
    *,
    resolve: Resolver | None = None,
) -> FetchResult:
    """Fetch one feed once. Never raises for network or server trouble: see the outcome."""
    return asyncio.run(_fetch_one(state, settings, resolve or system_resolver, now))


def fetch_many(
    states: Sequence[FeedState], settings: Settings, *, resolve: Resolver | None = None
) -> list[FetchResult]:
    """Fetch feeds concurrently (settings.fetch_concurrency, at most fetch_per_host_limit per
    host); results come back in the order of `states`."""

    async def run() -> list[FetchResult]:
        limit = asyncio.Semaphore(max(1, settings.fetch_concurrency))
        per_host: dict[str, asyncio.Semaphore] = {}
        tasks = []
        for state in states:
            host = (httpx.URL(state.url).host or state.url).lower()
            host_limit = per_host.setdefault(
                host, asyncio.Semaphore(max(1, settings.fetch_per_host_limit))
            )
            tasks.append(_guarded(state, settings, resolve or system_resolver, limit, host_limit))
        return list(await asyncio.gather(*tasks))

    return asyncio.run(run()) if states else []


def retry_after_seconds(value: str | None, now: datetime) -> int | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), None if unusable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(int(value), MAX_RETRY_AFTER_S)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return int(min(max((when - now).total_seconds(), 0), MAX_RETRY_AFTER_S))


def backoff_seconds(failures: int, settings: Settings, rng: random.Random) -> float:
    """Exponential backoff with jitter: base * 2^(failures-1), capped, times uniform(0.5, 1]."""
    exponent = min(max(failures - 1, 0), 30)
    ceiling = min(settings.backoff_max_s, settings.backoff_base_s * 2**exponent)
    return ceiling * rng.uniform(0.5, 1.0)


def plan_next_fetch(
    state: FeedState,
    result: FetchResult,
    settings: Settings,
    now: datetime,
    rng: random.Random,
) -> FeedUpdate:
    """The feed's next fetch state after `result` (pure).

    200/304: next poll after the feed's interval, failures reset, validators kept.
    429/503: wait what Retry-After says (seconds or HTTP-date; never less than the interval),
    else back off. 5xx, timeouts, refusals: exponential backoff with jitter, never sooner than
    the poll interval and never later than backoff_max_s. 410: the feed is disabled ('gone: ...').
    Nothing else ever stops polling.
    """
    interval = state.poll_interval_s
    status = (
        result.outcome if result.http_status is None else f"{result.http_status} {result.outcome}"
    )
    common = {
        "feed_id": state.feed_id,
        "last_status": status,
        "last_fetch_at": result.started_at,
    }
    if result.succeeded:
        # A 304 may omit the validators; then the ones we sent are still the right ones.
        etag = result.etag if result.etag or result.outcome == STORED else state.etag
        modified = result.last_modified
        if not modified and result.outcome == NOT_MODIFIED:
            modified = state.last_modified
        return FeedUpdate(
            next_fetch_at=now + timedelta(seconds=interval),
            consecutive_failures=0,
            etag=etag,
            last_modified=modified,
            enabled=None,
            disabled_reason=None,
            last_error=None,
            last_success_at=result.started_at,
            **common,
        )
    failures = state.consecutive_failures + 1
    if result.outcome == GONE:
        return FeedUpdate(
            next_fetch_at=now + timedelta(seconds=interval),
            consecutive_failures=failures,
            etag=None,
            last_modified=None,
            enabled=False,
            disabled_reason=(
                f"gone: {result.url} answered 410 Gone on {result.started_at:%Y-%m-%d %H:%M} UTC;"
                " put the feed's new URL in feeds.yaml and run `newsflow feeds sync`"
            ),
            last_error=result.error,
            last_success_at=None,
            **common,
        )
    delay: float | None = None
    if result.outcome == RETRY_LATER:
        after = retry_after_seconds(result.retry_after, now)
        if after is not None:
            delay = max(after, interval)
    if delay is None:
        delay = max(backoff_seconds(failures, settings, rng), min(interval, settings.backoff_max_s))
    return FeedUpdate(
        next_fetch_at=now + timedelta(seconds=delay),
        consecutive_failures=failures,
        etag=state.etag,
        last_modified=state.last_modified,
        enabled=None,
        disabled_reason=None,
        last_error=result.error,
        last_success_at=None,
        **common,
    )
