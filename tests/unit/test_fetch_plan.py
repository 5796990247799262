"""plan_next_fetch: what each outcome does to a feed's schedule and state (pure)."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from pipeline.fetch import (
    FAILED,
    GONE,
    NOT_MODIFIED,
    REJECTED,
    RETRY_LATER,
    STORED,
    FeedState,
    FetchResult,
    plan_next_fetch,
    retry_after_seconds,
)
from pipeline.settings import Settings

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
SETTINGS = Settings(backoff_base_s=60, backoff_max_s=6 * 3600)
STATE = FeedState("f", "https://x.example.com/feed", poll_interval_s=600, etag='"old"',
                  last_modified="Mon, 24 Nov 2026 10:00:00 GMT")  # fmt: skip


def result(outcome: str, status: int | None = None, **kw) -> FetchResult:
    return FetchResult("f", STATE.url, NOW, 120, outcome, http_status=status, **kw)


def plan(state: FeedState, res: FetchResult, seed: int = 1):
    return plan_next_fetch(state, res, SETTINGS, NOW, random.Random(seed))


def test_stored_resets_failures_and_takes_the_new_validators() -> None:
    failing = replace(STATE, consecutive_failures=4)
    update = plan(failing, result(STORED, 200, body=b"<rss/>", etag='"new"', last_modified=None))
    assert update.next_fetch_at == NOW + timedelta(seconds=600)
    assert update.consecutive_failures == 0
    assert (update.etag, update.last_modified) == ('"new"', None)
    assert update.last_success_at == NOW and update.last_error is None
    assert update.enabled is None  # success never re-enables a feed an operator disabled


def test_not_modified_keeps_the_validators_it_sent() -> None:
    update = plan(STATE, result(NOT_MODIFIED, 304))
    assert (update.etag, update.last_modified) == (STATE.etag, STATE.last_modified)
    assert update.next_fetch_at == NOW + timedelta(seconds=600)
    assert update.last_status == "304 not_modified"


def test_410_disables_the_feed_with_a_gone_reason() -> None:
    update = plan(STATE, result(GONE, 410, error="GET ...: HTTP 410 Gone"))
    assert update.enabled is False
    assert update.disabled_reason.startswith("gone: https://x.example.com/feed answered 410")
    assert "feeds.yaml" in update.disabled_reason


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("3600", 3600),
        ("Wed, 25 Nov 2026 14:00:00 GMT", 2 * 3600),  # HTTP-date form
        ("120", 600),  # never sooner than the poll interval
        ("Wed, 25 Nov 2026 11:00:00 GMT", 600),  # a date in the past: the interval
        ("99999999", 7 * 24 * 3600),  # absurd values are capped at a week
    ],
)
def test_retry_after_is_honoured_in_both_forms(header: str, seconds: int) -> None:
    update = plan(STATE, result(RETRY_LATER, 429, retry_after=header))
    assert update.next_fetch_at == NOW + timedelta(seconds=seconds)
    assert update.consecutive_failures == 1
    assert update.enabled is None


def test_503_without_usable_retry_after_backs_off() -> None:
    state = replace(STATE, poll_interval_s=60, consecutive_failures=5)
    update = plan(state, result(RETRY_LATER, 503, retry_after="soon"))
    delay = (update.next_fetch_at - NOW).total_seconds()
    assert 60 * 2**5 * 0.5 <= delay <= 60 * 2**5


def test_failures_back_off_exponentially_with_jitter_up_to_the_cap_and_never_stop() -> None:
    state = replace(STATE, poll_interval_s=60)
    delays = []
    for failures in range(0, 40):
        update = plan(replace(state, consecutive_failures=failures), result(FAILED, 500))
        assert update.consecutive_failures == failures + 1
        assert update.enabled is None  # never disabled, however long it fails
        delays.append((update.next_fetch_at - NOW).total_seconds())
    for n, delay in enumerate(delays, start=1):
        ceiling = min(SETTINGS.backoff_max_s, 60 * 2 ** (n - 1))
        assert max(60, ceiling * 0.5) <= delay <= max(60, ceiling), (n, delay)
    assert max(delays) <= SETTINGS.backoff_max_s
    assert delays[-1] >= SETTINGS.backoff_max_s * 0.5  # still polled, at most every 6 h


def test_jitter_spreads_feeds_that_failed_together() -> None:
    state = replace(STATE, poll_interval_s=60, consecutive_failures=6)
    times = {plan(state, result(FAILED, None), seed=s).next_fetch_at for s in range(20)}
    assert len(times) > 15


def test_backoff_never_polls_faster_than_the_normal_interval() -> None:
    update = plan(replace(STATE, poll_interval_s=3600), result(REJECTED, None, error="refused"))
    assert update.next_fetch_at - NOW >= timedelta(hours=1)
    assert update.last_error == "refused" and update.last_status == "rejected"


def test_retry_after_parsing() -> None:
    assert retry_after_seconds(" 30 ", NOW) == 30
    assert retry_after_seconds("Wed, 25 Nov 2026 12:01:00 GMT", NOW) == 60
    assert retry_after_seconds("tomorrow", NOW) is None
    assert retry_after_seconds(None, NOW) is None
