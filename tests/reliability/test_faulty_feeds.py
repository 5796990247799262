"""50 feeds, 10 of them faulty: healthy ones fully ingested, faulty ones recorded and backed off."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import psutil
import psycopg

from tests.reliability import corpus as corpora
from tests.reliability import harness
from tests.reliability.checks import totals, watching
from tests.reliability.conftest import SOAK
from tests.reliability.faults import FAULTS, RETRY_AFTER_S

# What the feed's recorded error must say for each fault (fetch error or parse rejection).
EXPECTED_ERROR = {
    "timeout": "no complete response within",
    "trickle": "no complete response within",
    "http_500": "HTTP 500",
    "http_502": "HTTP 502",
    "garbage": "",  # a rejection of the document; its wording is the parser's
    "html": "HTML page",
    "storm_429": "HTTP 429",
    "redirect_loop": "redirect loop",
    "gzip_bomb": "byte cap",
    "truncated": "",  # the HTTP client's wording for a body cut short
}
CYCLES = 3 if SOAK else 2
MEMORY_GROWTH_MB = 300  # the bomb inflates to 10 GiB; the cap is 2 MiB


def test_fifty_feeds_ten_faulty(workspace, feeds, extractor, ledger):
    corpus = corpora.build(40, 10 if SOAK else 5)
    faults = {}
    for kind in FAULTS:
        fault = feeds.add_fault(kind, kind)
        feed_id = "faulty-" + kind.replace("_", "-")
        corpus.faulty[feed_id] = fault.path
        faults[feed_id] = fault
    assert len(corpus.feeds) + len(faults) == 50
    feeds.documents.update(corpus.documents(datetime.now(UTC), feeds.base_url))
    workspace.write_feeds(corpus.feeds_yaml(feeds.base_url))
    settings = workspace.settings()
    rows = {fid: ledger.row("50 feeds, 10 faulty", f.kind) for fid, f in faults.items()}

    baseline = psutil.Process().memory_info().rss / 2**20
    with watching() as memory:
        for n in range(CYCLES):
            if n:
                harness.make_all_due(settings)
            harness.ingest(settings, extractor)
        harness.alerts(settings)
    growth = memory.peak_mb - baseline

    with psycopg.connect(workspace.url, autocommit=True) as conn:
        found = totals(conn, corpus)
        found.assert_exact()
        healthy = conn.execute(
            "SELECT count(*) FROM feeds WHERE id NOT LIKE 'faulty-%%' AND consecutive_failures = 0"
            " AND last_success_at IS NOT NULL"
        ).fetchone()[0]
        assert healthy == len(corpus.feeds)
        now = datetime.now(UTC)
        problems = []
        for feed_id, fault in faults.items():
            failures, next_fetch_at, last_error, enabled = conn.execute(
                "SELECT consecutive_failures, next_fetch_at, last_error, enabled FROM feeds"
                " WHERE id = %s",
                (feed_id,),
            ).fetchone()
            attempts = conn.execute(
                "SELECT count(*), count(*) FILTER (WHERE coalesce(error, parse_error) IS NOT NULL)"
                " FROM fetches WHERE feed_id = %s",
                (feed_id,),
            ).fetchone()
            checks = {
                f"{CYCLES} attempts recorded with their error": attempts == (CYCLES, CYCLES),
                f"{CYCLES} failures in a row": failures == CYCLES,
                "still enabled": enabled,
                "backed off": next_fetch_at > now,
                "error recorded": bool(last_error) and EXPECTED_ERROR[fault.kind] in last_error,
                "fault was hit": feeds.injected(fault) >= CYCLES,
            }
            if fault.kind == "storm_429":
                later = now + timedelta(seconds=RETRY_AFTER_S - 60)
                checks["Retry-After honoured"] = next_fetch_at > later
            failed = [name for name, ok in checks.items() if not ok]
            if failed:
                problems.append(
                    f"{feed_id}: not {', '.join(failed)} (attempts {attempts}, failures {failures},"
                    f" next {next_fetch_at:%H:%M:%S}, error {last_error!r})"
                )
        assert not problems, "\n".join(problems)

    assert growth < MEMORY_GROWTH_MB, f"memory grew {growth:.0f} MB during the cycles"
    assert feeds.bomb_bytes_sent < 50 * 2**20  # the client stopped reading early
    for feed_id, row in rows.items():
        row.totals(found)
        row.injected = feeds.injected(faults[feed_id])
        row.peak_rss_mb = memory.peak_mb
        row.note = f"{CYCLES} cycles; backed off, {CYCLES} failures recorded"
        row.survived = True
