"""Two ingest cycles start at the same moment on the same database (a manual `newsflow run`
while the scheduler's cycle runs). The clustering lock holds: one set of stories, no duplicates."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import psycopg

from tests.reliability import harness
from tests.reliability.checks import alert_keys, cycle_statuses, totals, watching
from tests.reliability.conftest import SOAK

ROUNDS = 3 if SOAK else 1


def test_two_cycles_at_once(workspace, feeds, shared_corpus, shared_reference, webhook, ledger):
    row = ledger.row("two cycles at once", "2x `newsflow run` started together")
    feeds.documents.update(shared_corpus.documents(datetime.now(UTC), feeds.base_url))
    workspace.write_feeds(shared_corpus.feeds_yaml(feeds.base_url))
    peak = 0.0
    outcomes = []
    for n in range(ROUNDS):
        if n:
            harness.make_all_due(workspace.settings())
        procs = [harness.newsflow(workspace, "run", "--json") for _ in range(2)]
        with watching(procs[0].pid) as m0, watching(procs[1].pid) as m1:
            results = [p.communicate(timeout=600) for p in procs]
        peak = max(peak, m0.peak_mb, m1.peak_mb)
        for proc, (_out, err) in zip(procs, results, strict=True):
            # Either both finish, or the later one says in one line why it stopped.
            assert proc.returncode == 0 or (
                proc.returncode == 2 and len(err.strip().splitlines()) == 1
            ), f"exit {proc.returncode}: {err[-3000:]}"
            outcomes.append(proc.returncode)
    # Alerts for the same changes, evaluated by two overlapping runs as well.
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda _: harness.alerts(workspace.settings()), range(2)))

    with psycopg.connect(workspace.url, autocommit=True) as conn:
        found = totals(conn, shared_corpus)
        alerts = alert_keys(conn)
        statuses = cycle_statuses(conn)
    found.assert_exact()
    assert found.partition == shared_reference.totals.partition, "stories differ from one run"
    assert alerts == shared_reference.alerts
    assert webhook.repeated == 0 and webhook.received == found.alerts
    assert statuses["succeeded"] == outcomes.count(0)
    row.totals(found)
    row.injected = ROUNDS
    row.peak_rss_mb = peak
    row.note = f"exit codes {outcomes}; one set of stories"
    row.survived = True
