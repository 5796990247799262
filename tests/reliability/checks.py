"""What the database holds compared with what the feeds contained, and process memory."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field

import psutil
import psycopg

from tests.reliability.corpus import Corpus, slug_of

# Peak resident memory allowed to one process running a cycle (both spaCy models, GX, the
# cycle's data); observed 330-530 MB on the default corpora.
PROCESS_BOUND_MB = 1536


@dataclass
class Totals:
    expected: int  # distinct articles in the feeds
    stored: int  # distinct articles in the database (by link)
    missing: int  # in the feeds, not stored
    duplicated: int  # article rows beyond one per link
    unexpected: int  # stored, not in the feeds
    sightings_missing: int  # (article, feed) pairs the feeds carried and the database lacks
    stories: int
    unclustered: int  # articles that passed the gate but belong to no story
    story_count_wrong: int  # stories whose article_count differs from their members
    empty_stories: int
    alerts: int
    alert_duplicates: int  # alerts repeating (deal, story, kind) beyond one
    split_copies: int  # identical texts (same content hash) spread over more than one story
    partition: frozenset[frozenset[str]] = field(repr=False, default=frozenset())

    def assert_exact(self) -> None:
        """Nothing lost, nothing duplicated, every article accounted for in one story."""
        problems = {
            "missing": self.missing,
            "duplicated": self.duplicated,
            "unexpected": self.unexpected,
            "sightings_missing": self.sightings_missing,
            "unclustered": self.unclustered,
            "story_count_wrong": self.story_count_wrong,
            "empty_stories": self.empty_stories,
            "alert_duplicates": self.alert_duplicates,
            "split_copies": self.split_copies,
        }
        bad = {k: v for k, v in problems.items() if v}
        assert not bad, f"database differs from the feeds: {bad} ({self})"


def totals(conn: psycopg.Connection, corpus: Corpus) -> Totals:
    """Compare the database with `corpus` (articles by link slug, sightings, stories, alerts)."""
    urls = [r[0] for r in conn.execute("SELECT url FROM articles")]
    per_slug = Counter(slug_of(u) for u in urls)
    expected = corpus.expected_slugs
    sightings = {
        (slug_of(url), feed_id)
        for url, feed_id in conn.execute(
            "SELECT a.url, s.feed_id FROM articles a JOIN article_sightings s ON s.article_key = a.key"
        )
    }
    members = conn.execute(
        """SELECT s.id, a.url FROM stories s
           JOIN story_articles sa ON sa.story_id = s.id JOIN articles a ON a.key = sa.article_key"""
    ).fetchall()
    by_story: dict[int, set[str]] = {}
    for story_id, url in members:
        by_story.setdefault(story_id, set()).add(slug_of(url) or url)
    stories, unclustered, count_wrong, empty, split = conn.execute(
        """SELECT
             (SELECT count(*) FROM stories),
             (SELECT count(*) FROM articles a WHERE a.status = 'ok'
                AND NOT EXISTS (SELECT 1 FROM story_articles sa WHERE sa.article_key = a.key)),
             (SELECT count(*) FROM stories s WHERE s.article_count <>
                (SELECT count(*) FROM story_articles sa WHERE sa.story_id = s.id)),
             (SELECT count(*) FROM stories s
                WHERE NOT EXISTS (SELECT 1 FROM story_articles sa WHERE sa.story_id = s.id)),
             (SELECT count(*) FROM (
                SELECT a.content_hash FROM articles a
                JOIN story_articles sa ON sa.article_key = a.key
                GROUP BY a.content_hash HAVING count(DISTINCT sa.story_id) > 1) AS x)"""
    ).fetchone()
    alerts, alert_dups = conn.execute(
        """SELECT count(*), count(*) - count(DISTINCT (deal_id, story_id, kind, detail))
           FROM alerts"""
    ).fetchone()
    return Totals(
        expected=len(expected),
        stored=len(per_slug),
        missing=len(expected - per_slug.keys()),
        duplicated=sum(n - 1 for n in per_slug.values()),
        unexpected=len(per_slug.keys() - expected),
        sightings_missing=len(corpus.expected_sightings - sightings),
        stories=stories,
        unclustered=unclustered,
        story_count_wrong=count_wrong,
        empty_stories=empty,
        alerts=alerts,
        alert_duplicates=alert_dups,
        split_copies=split,
        partition=frozenset(frozenset(v) for v in by_story.values()),
    )


def alert_keys(conn: psycopg.Connection) -> Counter[tuple[str, str, str, str]]:
    """Alerts by (deal, founding article's link slug, kind, detail): comparable across runs."""
    rows = conn.execute(
        """SELECT al.deal_id, a.url, al.kind, al.detail FROM alerts al
           JOIN stories s ON s.id = al.story_id JOIN articles a ON a.key = s.story_key"""
    )
    return Counter((d, slug_of(u) or u, k, x) for d, u, k, x in rows)


def cycle_statuses(conn: psycopg.Connection) -> Counter[str]:
    return Counter(r[0] for r in conn.execute("SELECT status FROM cycles"))


class MemoryWatch:
    """Peak resident memory of processes (a pid and its children), sampled every 50 ms."""

    def __init__(self, pid: int | None = None) -> None:
        self.process = psutil.Process(pid)
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _rss(self) -> int:
        total = 0
        for p in [self.process, *self.process.children(recursive=True)]:
            with suppress(psutil.Error):  # a child may exit between listing and reading
                total += p.memory_info().rss
        return total

    def _run(self) -> None:
        while True:
            try:
                self.peak = max(self.peak, self._rss())
            except psutil.Error:
                return
            if self._stop.wait(0.05):
                return

    @property
    def peak_mb(self) -> float:
        return self.peak / 2**20

    def start(self) -> MemoryWatch:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


@contextmanager
def watching(pid: int | None = None) -> Iterator[MemoryWatch]:
    watch = MemoryWatch(pid).start()
    try:
        yield watch
    finally:
        watch.stop()
