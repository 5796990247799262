"""The whole feedparser test corpus (2,107 hostile, odd and ordinary documents) as feeds served
from loopback, through one cycle: every file ends in articles, quarantined entries, a recorded
rejection or a recorded empty feed; nothing crashes; memory stays bounded."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import psutil
import psycopg
import pytest

from pipeline.parse import parse_feed
from pipeline.quality import DataQualityError
from pipeline.store.articles import QUARANTINE_TABLE, entry_row_key
from tests.conftest import shared_data
from tests.reliability import harness
from tests.reliability.checks import watching

CANDIDATES = [shared_data() / "feedparser-corpus"]
MEMORY_GROWTH_MB = 600


def _corpus() -> Path | None:
    return next((p for p in CANDIDATES if p.is_dir()), None)


def test_feedparser_corpus_through_one_cycle(workspace, feeds, extractor, ledger):
    root = _corpus()
    if root is None:
        pytest.skip(f"{CANDIDATES[0]} is absent (the shared data folder is not on this machine)")
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.name != "LICENSE")
    row = ledger.row("feedparser corpus", f"{len(files)} odd/hostile documents as feeds")
    feeds.content_type = "application/xml"  # no charset: each document declares its own
    ids = {}
    lines = ["feeds:"]
    for n, path in enumerate(files):
        feed_id = f"fp-{n:04d}"
        web_path = "/fp/" + path.relative_to(root).as_posix()
        ids[feed_id] = (path, web_path)
        feeds.documents[web_path] = path.read_bytes()
        lines.append(
            f'  - {{id: {feed_id}, outlet: "corpus {n}", language: en, '
            f'url: "{feeds.base_url}{web_path}", poll_minutes: 60, allow_private: true}}'
        )
    workspace.write_feeds("\n".join(lines) + "\n")
    settings = workspace.settings(fetch_concurrency=16, fetch_per_host_limit=16)

    baseline = psutil.Process().memory_info().rss / 2**20
    started = datetime.now(UTC)
    verdict = "cycle succeeded"
    with watching() as memory:
        try:
            harness.ingest(settings, extractor)
        except DataQualityError as exc:
            # A designed verdict, not a crash: so many bad entries in one batch mean something
            # upstream broke. Bad rows are quarantined, the rest admitted; the next cycle
            # (nothing new is due) clusters what was admitted.
            verdict = (
                f"gate failed the batch ({len(exc.report.critical_failures)} checks), next cycle ok"
            )
            harness.ingest(settings, extractor)
    growth = memory.peak_mb - baseline

    with psycopg.connect(workspace.url, autocommit=True) as conn:
        fetches = {
            r[0]: r[1:]
            for r in conn.execute(
                "SELECT feed_id, id, outcome, final_url, parsed_at, parse_error, started_at"
                " FROM fetches"
            )
        }
        sightings: dict[str, set[str]] = {}
        for key, feed_id in conn.execute("SELECT article_key, feed_id FROM article_sightings"):
            sightings.setdefault(feed_id, set()).add(key)
        quarantined: dict[str, set[str]] = {}
        for row_key, feed_id in conn.execute(
            "SELECT row_key, row_data->>'feed_id' FROM quarantine WHERE table_name = %s",
            (QUARANTINE_TABLE,),
        ):
            quarantined.setdefault(feed_id, set()).add(row_key)
        articles, gated = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE status <> 'pending') FROM articles"
        ).fetchone()
        stories, unclustered = conn.execute(
            "SELECT (SELECT count(*) FROM stories), (SELECT count(*) FROM articles a"
            " WHERE a.status = 'ok' AND NOT EXISTS"
            " (SELECT 1 FROM story_articles sa WHERE sa.article_key = a.key))"
        ).fetchone()

    outcomes: Counter[str] = Counter()
    problems = []
    for feed_id, (path, _web) in ids.items():
        name = path.relative_to(root).as_posix()
        if feed_id not in fetches:
            problems.append(f"{name}: never fetched")
            continue
        fetch_id, outcome, final_url, parsed_at, parse_error, fetched_at = fetches[feed_id]
        if outcome != "stored":
            outcomes[f"fetch {outcome}"] += 1
            continue
        if parsed_at is None:
            problems.append(f"{name}: fetched but never parsed")
            continue
        # What the parse stage makes of the file, against what the database holds for it.
        parsed = parse_feed(
            path.read_bytes(),
            feed_id,
            "en",
            content_type="application/xml",
            base_url=final_url,
            now=fetched_at,
            languages=tuple(settings.languages),
            max_bytes=settings.fetch_max_bytes,
        )
        if parsed.rejected:
            outcomes["rejected (recorded)"] += 1
            if parse_error != parsed.rejected:
                problems.append(f"{name}: rejection not recorded ({parse_error!r})")
            continue
        want = {a.key for a in parsed.articles}
        skipped = {
            entry_row_key(feed_id, p.guid, p.link, f"fetch {fetch_id} entry {p.index}")
            for p in parsed.skipped
        }
        if want - sightings.get(feed_id, set()):
            problems.append(f"{name}: articles missing {sorted(want - sightings[feed_id])[:3]}")
        if skipped - quarantined.get(feed_id, set()):
            problems.append(f"{name}: skipped entries not quarantined")
        if want:
            outcomes["articles"] += 1
        elif skipped:
            outcomes["entries quarantined"] += 1
        else:
            outcomes["valid feed, no entries"] += 1

    assert not problems, f"{len(problems)} files unaccounted for: {problems[:10]}"
    assert sum(outcomes.values()) == len(files)
    assert gated == articles, "every stored article passed the quality gate or was quarantined"
    assert unclustered == 0, "every admitted article belongs to a story"
    assert growth < MEMORY_GROWTH_MB, f"memory grew {growth:.0f} MB"
    row.injected = len(files)
    row.stored = articles
    row.stories = stories
    row.peak_rss_mb = memory.peak_mb
    seconds = (datetime.now(UTC) - started).total_seconds()
    row.note = ", ".join(f"{k} {v}" for k, v in outcomes.most_common())
    row.note += f"; {verdict}; {seconds:.0f} s"
    row.survived = True
