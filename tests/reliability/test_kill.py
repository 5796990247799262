"""`newsflow run` killed with SIGKILL while it loads; the next cycle completes, totals exact."""

from __future__ import annotations

import signal
from datetime import UTC, datetime

import psycopg

from pipeline.db import CLUSTER_LOCK
from pipeline.quality.gate import QUALITY_LOCK
from tests.reliability import harness
from tests.reliability.checks import PROCESS_BOUND_MB, alert_keys, cycle_statuses, totals, watching
from tests.reliability.conftest import SOAK

# Where a cycle can be caught: a query giving (done, of); the cycle is hit when 0 < done < of.
# Gate and cluster commit once at their end, so they are caught while holding their lock.
_HOLDING = (
    "SELECT count(*) FILTER (WHERE granted), 2 FROM pg_locks WHERE locktype = 'advisory'"
    " AND classid = {:d} AND objid = {:d}"
)
PROGRESS = {
    "fetch": "SELECT (SELECT count(*) FROM fetches), (SELECT count(*) FROM feeds)",
    "parse": "SELECT count(*) FILTER (WHERE parsed_at IS NOT NULL), count(*) FROM fetches"
    " WHERE outcome = 'stored'",
    "extract": "SELECT count(*) FILTER (WHERE extracted_at IS NOT NULL), count(*) FROM articles",
    "gate": _HOLDING.format(QUALITY_LOCK >> 32, QUALITY_LOCK & 0xFFFFFFFF),
    "cluster": _HOLDING.format(CLUSTER_LOCK >> 32, CLUSTER_LOCK & 0xFFFFFFFF),
}
LOCKED = ("gate", "cluster")


def run_and_kill(workspace, stage: str, observer: psycopg.Connection) -> dict:
    """Start a cycle in a subprocess, SIGKILL it while `stage` is half done; what was stored."""
    proc = harness.newsflow(workspace, "run", "--json")
    query = PROGRESS[stage]
    caught: tuple[int, int] = (0, 0)

    def midway() -> bool:
        nonlocal caught
        if proc.poll() is not None:
            raise AssertionError(
                f"the cycle ended (code {proc.returncode}) before {stage} could be caught: "
                f"{proc.stderr.read()[-2000:]}"
            )
        caught = observer.execute(query).fetchone()
        return 0 < caught[0] < caught[1]

    with watching(proc.pid) as memory:
        harness.wait_for(midway, timeout_s=120, interval_s=0.002, what=f"{stage} midway")
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    after = observer.execute(query).fetchone()
    return {"stage": stage, "caught": caught, "after": after, "peak_mb": memory.peak_mb}


def test_sigkill_while_loading(workspace, feeds, shared_corpus, shared_reference, webhook, ledger):
    # Each kill leaves the next stage work to be caught in (fetch only while feeds are due).
    stages = ["fetch", "parse", "extract", "gate", "cluster"] if SOAK else ["parse", "extract"]
    rows = [ledger.row("SIGKILL mid-cycle", f"kill -9 during {s}") for s in stages]
    feeds.documents.update(shared_corpus.documents(datetime.now(UTC), feeds.base_url))
    workspace.write_feeds(shared_corpus.feeds_yaml(feeds.base_url))
    kills = []
    with psycopg.connect(workspace.url, autocommit=True) as observer:
        for stage in stages:
            kills.append(run_and_kill(workspace, stage, observer))
        # The cycle after the kills: nothing is due any more, the leftovers are finished.
        proc = harness.newsflow(workspace, "run", "--json")
        with watching(proc.pid) as memory:
            out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err
        harness.alerts(workspace.settings())
        found = totals(observer, shared_corpus)
        alerts = alert_keys(observer)
        statuses = cycle_statuses(observer)

    found.assert_exact()
    assert found.partition == shared_reference.totals.partition, (
        "stories differ from an undisturbed run"
    )
    assert alerts == shared_reference.alerts
    assert webhook.repeated == 0 and webhook.received == found.alerts
    # The killed cycles could not record their end; the last one succeeded.
    assert statuses["succeeded"] == 1
    assert sum(statuses.values()) == len(stages) + 1

    peaks = [k["peak_mb"] for k in kills] + [memory.peak_mb]
    assert max(peaks) < PROCESS_BOUND_MB, f"a cycle process reached {max(peaks):.0f} MB"
    for row, kill in zip(rows, kills, strict=True):
        row.totals(found)
        row.injected = 1
        row.peak_rss_mb = max(kill["peak_mb"], memory.peak_mb)
        done, of = kill["caught"]
        where = (
            f"inside {kill['stage']} (lock held)"
            if kill["stage"] in LOCKED
            else f"at {done}/{of} {kill['stage']}"
        )
        row.note = f"killed {where}; next cycle completed"
        row.survived = True
