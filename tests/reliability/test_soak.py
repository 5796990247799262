"""Soak: feeds keep publishing while cycles are killed at random moments, round after round.

Each round reveals more items in every feed, starts `newsflow run` and SIGKILLs it after a
random delay (some rounds are left to finish). A last cycle runs undisturbed; then every item
ever published is stored once, every article is in one story, alerts are not repeated, and no
process grew beyond the memory bound. `make reliability` (NEWSFLOW_SOAK=1) runs many rounds.
"""

from __future__ import annotations

import random
import signal
import subprocess
from dataclasses import replace
from datetime import UTC, datetime

import psycopg

from tests.reliability import corpus as corpora
from tests.reliability import harness
from tests.reliability.checks import PROCESS_BOUND_MB, totals, watching
from tests.reliability.conftest import SOAK

ROUNDS = 12 if SOAK else 2
OUTLETS, ITEMS_PER_ROUND = (30, 8) if SOAK else (12, 4)


def _revealed(corpus: corpora.Corpus, upto: int, per_round: int) -> corpora.Corpus:
    """The corpus as published after `upto` rounds: the oldest items of each feed first."""
    feeds = []
    for feed in corpus.feeds:
        items = sorted(feed.items, key=lambda i: -i.minutes)
        own = [i for i in items if i.outlet == feed.id][: upto * per_round]
        shown = {i.slug for i in own}
        wire = [i for i in items if i.outlet != feed.id]
        feeds.append(replace(feed, items=tuple(own + [i for i in wire if i.slug not in shown])))
    # A wire copy appears only once its original is out.
    published = {i.slug for f in feeds for i in f.items if i.outlet == f.id}
    feeds = [
        replace(f, items=tuple(i for i in f.items if i.outlet == f.id or i.slug in published))
        for f in feeds
    ]
    return corpora.Corpus(feeds)


def test_soak_random_kills_while_feeds_publish(workspace, feeds, webhook, ledger):
    rng = random.Random(20261125)
    full = corpora.build(OUTLETS, ITEMS_PER_ROUND * ROUNDS, seed=41)
    now = datetime.now(UTC)
    row = ledger.row("soak", f"{ROUNDS} rounds, random SIGKILLs while feeds publish")
    kills = 0
    peak = 0.0
    current = full
    with psycopg.connect(workspace.url, autocommit=True) as observer:
        for n in range(1, ROUNDS + 1):
            current = _revealed(full, n, ITEMS_PER_ROUND)
            feeds.documents.update(current.documents(now, feeds.base_url))
            if n == 1:
                workspace.write_feeds(current.feeds_yaml(feeds.base_url))
            else:
                harness.make_all_due(workspace.settings())
            proc = harness.newsflow(workspace, "run")
            with watching(proc.pid) as memory:
                if rng.random() < 0.75:
                    try:
                        proc.wait(timeout=rng.uniform(1.0, 12.0))
                    except subprocess.TimeoutExpired:  # still running: the moment to kill it
                        proc.send_signal(signal.SIGKILL)
                        kills += 1
                _out, err = proc.communicate(timeout=600)
            peak = max(peak, memory.peak_mb)
            assert proc.returncode in (0, -signal.SIGKILL), err
        harness.make_all_due(workspace.settings())
        proc = harness.newsflow(workspace, "run")
        with watching(proc.pid) as memory:
            _out, err = proc.communicate(timeout=900)
        peak = max(peak, memory.peak_mb)
        assert proc.returncode == 0, err
        harness.alerts(workspace.settings())
        harness.alerts(workspace.settings())
        found = totals(observer, current)
    found.assert_exact()
    assert found.expected == len(full.expected_slugs)
    assert webhook.repeated == 0 and webhook.received == found.alerts
    assert peak < PROCESS_BOUND_MB, f"a cycle reached {peak:.0f} MB"
    row.totals(found)
    row.injected = kills
    row.peak_rss_mb = peak
    row.note = f"{kills} kills in {ROUNDS} rounds at random moments"
    row.survived = True
