"""The benchmark harness behind `make bench` / `newsflow bench`.

All figures come from one run on one machine, so ratios between them are meaningful:
NER ceiling, full cycle (1 and 2 processes), idle cycle, clustering cost, peak memory.
"""

from __future__ import annotations

import multiprocessing as mp
import resource
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from bench import corpus as bench_corpus
from pipeline import db
from pipeline.demo.feeds import FeedServer, demo_now
from pipeline.settings import PROJECT_ROOT, Settings


@dataclass(frozen=True)
class Profile:
    outlets: int
    items_per_outlet: int
    idle_feeds: int
    cluster_sizes: tuple[int, ...]


QUICK = Profile(outlets=20, items_per_outlet=50, idle_feeds=200, cluster_sizes=(2_000, 4_000))
FULL = Profile(outlets=40, items_per_outlet=100, idle_feeds=200,
               cluster_sizes=(10_000, 50_000, 100_000))  # fmt: skip


def peak_rss_mb() -> float:
    """Peak resident memory of this process, in MB (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def scratch_database(server_url: str) -> Iterator[str]:
    """A migrated, throw-away database on the given server, dropped afterwards."""
    name = f"newsflow_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = make_conninfo(**{**conninfo_to_dict(server_url), "dbname": name})
    try:
        with db.connect(url, autocommit=True) as conn:
            db.migrate(conn, PROJECT_ROOT / "sql" / "migrations")
        yield url
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def _settings(url: str, home: Path, feeds_yaml: str) -> Settings:
    config = home / "config"
    config.mkdir(parents=True, exist_ok=True)
    for name in ("organizations.yaml", "tracked_deals.yaml"):
        shutil.copy(PROJECT_ROOT / "config" / name, config / name)
    (config / "feeds.yaml").write_text(feeds_yaml)
    return Settings(database_url=url, home=home, config_dir=config, allow_private_hosts=True)


def ner_ceiling(texts: list[str], settings: Settings) -> dict:
    """Bare nlp.pipe of the English model with NER only, on the same texts: items/s."""
    from pipeline.extract.pipelines import english_pipeline

    nlp = english_pipeline(settings).nlp
    list(nlp.pipe(texts[:64], batch_size=64))  # warm-up
    started = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=settings.extract_batch_size):
        pass
    seconds = time.perf_counter() - started
    return {"items": len(texts), "seconds": round(seconds, 3),
            "items_per_s": round(len(texts) / seconds, 1)}  # fmt: skip


def _prepare(settings: Settings) -> None:
    from pipeline.cycle import sync_config

    with db.connect(settings.database_url, autocommit=True) as conn:
        sync_config(conn, settings)


def warm_worker(settings: Settings):
    """What a long-running worker has done before its first cycle: load the spaCy pipelines and
    import Great Expectations. Returns the extractor and the seconds this cold start took."""
    from pipeline.extract.extractor import Extractor

    started = time.perf_counter()
    extractor = Extractor.from_settings(settings)
    for lang in settings.languages:
        extractor.pipeline(lang)
    import great_expectations  # noqa: F401  (its import alone costs seconds)

    return extractor, round(time.perf_counter() - started, 3)


def full_cycle(settings: Settings, items: int) -> dict:
    """One in-process cycle over every feed, in a warm worker (cold start reported apart)."""
    from pipeline.cycle import run_cycle

    _prepare(settings)
    extractor, cold_start = warm_worker(settings)
    with db.connect(settings.database_url, autocommit=True) as conn:
        started = time.perf_counter()
        report = run_cycle(conn, settings, extractor=extractor)
        seconds = time.perf_counter() - started
        stored = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    return {"items": items, "articles_stored": stored, "seconds": round(seconds, 3),
            "items_per_s": round(items / seconds, 1), "stage_seconds": report.seconds,
            "cold_start_seconds": cold_start, "peak_rss_mb": round(peak_rss_mb(), 1)}  # fmt: skip


def _worker(settings: Settings, feed_ids: list[str], start, between, results, index: int) -> None:
    """One of the parallel workers: its share of fetch+parse, then extraction from the shared
    queue (row claims with SKIP LOCKED split the work), then the single-writer stages."""
    from pipeline import quality
    from pipeline.cycle import new_cycle_id
    from pipeline.steps import cluster, extract, fetch, parse
    from pipeline.store import cycles

    extractor, _ = warm_worker(settings)
    cycle_id = f"{new_cycle_id()}-{index}"
    seconds: dict[str, float] = {}
    with db.connect(settings.database_url, autocommit=True) as conn:
        cycles.begin_cycle(conn, cycle_id)
        start.wait()
        stages: list[tuple[str, Callable]] = [
            ("fetch", lambda: fetch.fetch_feeds(conn, settings, cycle_id, feed_ids)),
            ("parse", lambda: parse.parse_fetches(conn, settings, cycle_id)),
            ("sync", between.wait),
            ("extract", lambda: extract.extract_pending(conn, settings, extractor=extractor)),
            ("sync2", between.wait),
        ]
        if index == 0:
            stages += [
                ("gate", lambda: quality.gate_batch(conn, settings, cycle_id)),
                ("cluster", lambda: cluster.cluster_pending(conn, settings)),
                ("validate", lambda: quality.validate_after_clustering(conn, settings, cycle_id)),
            ]
        for name, stage in stages:
            started = time.perf_counter()
            stage()
            seconds[name] = round(time.perf_counter() - started, 3)
    results[index] = {"seconds": seconds, "peak_rss_mb": round(peak_rss_mb(), 1)}


def parallel_cycle(settings: Settings, items: int, processes: int = 2) -> dict:
    """The same cycle with `processes` worker processes; wall time from the common start."""
    _prepare(settings)
    with db.connect(settings.database_url) as conn:
        feed_ids = [r[0] for r in conn.execute("SELECT id FROM feeds WHERE enabled ORDER BY id")]
    ctx = mp.get_context("spawn")
    start, between = ctx.Barrier(processes + 1), ctx.Barrier(processes)
    results = ctx.Manager().dict()
    procs = [
        ctx.Process(
            target=_worker, args=(settings, feed_ids[i::processes], start, between, results, i)
        )
        for i in range(processes)
    ]
    for p in procs:
        p.start()
    start.wait()  # every worker has loaded its models
    started = time.perf_counter()
    for p in procs:
        p.join()
    seconds = time.perf_counter() - started
    return {"processes": processes, "items": items, "seconds": round(seconds, 3),
            "items_per_s": round(items / seconds, 1),
            "workers": [results.get(i) for i in range(processes)]}  # fmt: skip


def idle_cycle(settings: Settings) -> dict:
    """Every feed answers 304: the cost of a cycle with nothing new."""
    from pipeline.cycle import run_cycle
    from pipeline.store import feeds as feed_store

    _prepare(settings)
    extractor, _ = warm_worker(settings)
    with db.connect(settings.database_url, autocommit=True) as conn:
        run_cycle(conn, settings, extractor=extractor)  # first contact: 200s, ETags stored
        ids = [r[0] for r in conn.execute("SELECT id FROM feeds")]
        feed_store.make_due(conn, ids)
        started = time.perf_counter()
        report = run_cycle(conn, settings, extractor=extractor)
        seconds = time.perf_counter() - started
    outcomes = report.stages["fetch"]["outcomes"]
    return {"feeds": len(ids), "outcomes": outcomes, "seconds": round(seconds, 3),
            "stage_seconds": report.seconds}  # fmt: skip


def clustering_cost(sizes: tuple[int, ...]) -> dict:
    """Per-article cost of assigning new articles with N stories already stored."""
    from pipeline.cluster import cost_at_size

    return {str(n): cost_at_size(n) for n in sizes}


def run(profile: Profile, server_url: str, log: Callable[[str], None] = print) -> dict:
    """Every figure of the benchmark, in one process tree, in one run."""
    results: dict = {"profile": profile.__dict__, "started": demo_now().isoformat()}
    corpus = bench_corpus.generate(profile.outlets, profile.items_per_outlet)
    now = demo_now()
    with tempfile.TemporaryDirectory() as tmp:
        server = FeedServer().start()
        try:
            server.documents.update(bench_corpus.render(corpus, now, server.base_url))
            feeds_yaml = bench_corpus.feeds_yaml(corpus, server.base_url)
            log(f"corpus: {corpus.item_count} items from {profile.outlets} outlets")
            with scratch_database(server_url) as url:
                settings = _settings(url, Path(tmp) / "one", feeds_yaml)
                results["ner_ceiling"] = ner_ceiling(corpus.texts(), settings)
                log(f"NER ceiling: {results['ner_ceiling']['items_per_s']} items/s")
                results["full_cycle"] = full_cycle(settings, corpus.item_count)
                ratio = results["full_cycle"]["items_per_s"] / results["ner_ceiling"]["items_per_s"]
                results["full_cycle"]["ratio_to_ner_ceiling"] = round(ratio, 3)
                log(f"full cycle: {results['full_cycle']['items_per_s']} items/s ({ratio:.2f}×)")
            with scratch_database(server_url) as url:
                settings = _settings(url, Path(tmp) / "two", feeds_yaml)
                results["two_processes"] = parallel_cycle(settings, corpus.item_count, 2)
                log(f"2 processes: {results['two_processes']['items_per_s']} items/s")
            idle = bench_corpus.generate(profile.idle_feeds, 1, seed=11)
            server.documents.update(bench_corpus.render(idle, now, server.base_url))
            with scratch_database(server_url) as url:
                settings = _settings(url, Path(tmp) / "idle",
                                     bench_corpus.feeds_yaml(idle, server.base_url))  # fmt: skip
                results["idle_cycle"] = idle_cycle(settings)
                log(f"idle cycle of {profile.idle_feeds} feeds: "
                    f"{results['idle_cycle']['seconds']} s")  # fmt: skip
        finally:
            server.stop()
    results["clustering_ms_per_article"] = clustering_cost(profile.cluster_sizes)
    log(f"clustering ms/article by stored stories: {results['clustering_ms_per_article']}")
    results["peak_rss_mb"] = round(peak_rss_mb(), 1)
    return results
