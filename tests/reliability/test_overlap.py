"""Two ingest cycles start at the same moment on the same database (a manual `newsflow run`
while the scheduler's cycle runs). Work is shared, nothing is done twice, the clustering lock
holds: each article is assigned once, by a cluster step that saw everything committed before.

The stories are not compared with an undisturbed run: the two cycles split extraction between
them, so one cycle clusters the articles extracted so far and the other the rest, later. Online
assignment in two batches may group some articles differently than one batch would; that is the
same effect as articles arriving in two cycles, not a duplicate.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import psycopg

from tests.reliability import harness
from tests.reliability.checks import PROCESS_BOUND_MB, cycle_statuses, totals, watching
from tests.reliability.conftest import SOAK

ROUNDS = 3 if SOAK else 1


def test_two_cycles_at_once(workspace, feeds, shared_corpus, webhook, ledger):
    row = ledger.row("two cycles at once", "2x `newsflow run` started together")
    feeds.documents.update(shared_corpus.documents(datetime.now(UTC), feeds.base_url))
    workspace.write_feeds(shared_corpus.feeds_yaml(feeds.base_url))
    peak = 0.0
    outcomes = []
    clustered = 0
    for n in range(ROUNDS):
        if n:
            harness.make_all_due(workspace.settings())
        procs = [harness.newsflow(workspace, "run", "--json") for _ in range(2)]
        with watching(procs[0].pid) as m0, watching(procs[1].pid) as m1:
            results = [p.communicate(timeout=600) for p in procs]
        peak = max(peak, m0.peak_mb, m1.peak_mb)
        steps = []
        for proc, (out, err) in zip(procs, results, strict=True):
            # Either both finish, or the later one says in one line why it stopped.
            assert proc.returncode == 0 or (
                proc.returncode == 2 and len(err.strip().splitlines()) == 1
            ), f"exit {proc.returncode}: {err[-3000:]}"
            outcomes.append(proc.returncode)
            if proc.returncode == 0:
                steps.append(json.loads(out)["stages"]["cluster"])
        # The cluster step that ran second restored everything the first had committed: the
        # lock made it wait instead of deciding against a state without the first's stories.
        steps.sort(key=lambda s: s["restored_articles"])
        if len(steps) == 2 and steps[0]["articles"] and steps[1]["articles"]:
            first, second = steps
            assert second["restored_articles"] >= first["restored_articles"] + first["articles"]
        clustered += sum(s["articles"] for s in steps)
    # Alerts for the same changes, evaluated by two overlapping runs as well.
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda _: harness.alerts(workspace.settings()), range(2)))

    with psycopg.connect(workspace.url, autocommit=True) as conn:
        found = totals(conn, shared_corpus)
        statuses = cycle_statuses(conn)
        in_stories = conn.execute("SELECT count(*) FROM story_articles").fetchone()[0]
    found.assert_exact()
    assert clustered == in_stories, "every article was assigned exactly once"
    assert webhook.repeated == 0 and webhook.received == found.alerts
    assert statuses["succeeded"] == outcomes.count(0)
    assert peak < PROCESS_BOUND_MB, f"a cycle process reached {peak:.0f} MB"
    row.totals(found)
    row.injected = ROUNDS
    row.peak_rss_mb = peak
    row.note = f"exit codes {outcomes}; {clustered} assignments for {in_stories} articles"
    row.survived = True
