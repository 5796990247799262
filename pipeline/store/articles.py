"""Articles, their sightings in feeds and their revisions; entries that could not be articles.

Rules: an article's key is its identity (pipeline.parse_urls.article_key). The first feed an
article is seen in is its home feed; other feeds only add sightings, so two feeds that word the
same article differently cannot make it flip back and forth. A new title or summary from the
home feed, in a later fetch than the one that last changed the article, is a revision: it is
recorded, the article is updated and goes back to 'pending' with extracted_at and clustered_at
cleared, so later steps redo it. Re-processing a fetch already processed changes nothing.

A changed guid with the same link is the same article: when an entry's key is new but its link
is the link of exactly one article its feed published before, whose own key the document no
longer carries, and no other entry of the document has that link, the outlet re-keyed the
article (a CMS migration, a new guid scheme). It keeps its first key (stories, mentions and
alerts refer to it); the new guid is stored on it and a changed text is a revision. Entries
sharing a link within one document (feeds linking every item to a front page) stay apart.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

import psycopg
from psycopg.types.json import Jsonb

from pipeline.records import Article
from pipeline.sqlfiles import statement

QUARANTINE_TABLE = "feed_entries"
QUARANTINE_EXPECTATION = "entry_is_article"


@dataclass
class ArticleUpsertReport:
    new: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)  # title/summary (or language) revised
    unchanged: list[str] = field(default_factory=list)  # includes metadata-only updates
    sightings_added: list[str] = field(default_factory=list)  # seen in a feed for the first time


@dataclass(frozen=True)
class _Existing:
    key: str
    feed_id: str
    content_hash: str
    fetch_id: int | None
    title: str
    summary: str
    language: str
    first_seen_at: datetime
    last_seen_at: datetime
    metadata: tuple


def _metadata(a: Article) -> tuple:
    return (
        a.guid,
        a.url,
        a.canonical_url,
        list(a.authors),
        a.feed_language,
        a.published_at,
        a.published_raw,
    )


def _row(a: Article) -> dict:
    return {
        "key": a.key,
        "feed_id": a.feed_id,
        "guid": a.guid,
        "url": a.url,
        "canonical_url": a.canonical_url,
        "title": a.title,
        "summary": a.summary,
        "authors": list(a.authors),
        "language": a.language,
        "feed_language": a.feed_language,
        "published_at": a.published_at.isoformat() if a.published_at else None,
        "published_raw": a.published_raw,
        "content_hash": a.content_hash,
    }


def _is_later(fetch_id: int | None, seen_at: datetime, existing: _Existing) -> bool:
    """Whether this sighting is newer than the one that last changed the article."""
    if fetch_id is not None and existing.fetch_id is not None:
        return fetch_id > existing.fetch_id
    return seen_at > existing.last_seen_at


def upsert_articles(
    conn: psycopg.Connection,
    articles: Sequence[Article],
    *,
    fetch_id: int | None,
    cycle_id: str | None,
    seen_at: datetime,
) -> ArticleUpsertReport:
    """Insert new articles, revise changed ones, record sightings; one transaction.

    `seen_at` is when the document was fetched (not now), so re-processing is a no-op.
    Articles repeating a key within `articles` are collapsed to the first.
    """
    report = ArticleUpsertReport()
    unique: dict[str, Article] = {}
    for a in articles:
        unique.setdefault(a.key, a)
    if not unique:
        return report
    batch = {"fetch_id": fetch_id, "cycle_id": cycle_id, "seen_at": seen_at}
    with conn.transaction():
        unique = _follow_rekeyed(conn, unique)
        inserted = {
            r[0]
            for r in conn.execute(
                statement("article_insert"),
                {**batch, "rows": Jsonb([_row(a) for a in unique.values()])},
            )
        }
        existing = _lock_existing(conn, [k for k in unique if k not in inserted])
        revised: list[tuple[Article, _Existing]] = []
        refreshed: list[Article] = []
        for key, a in unique.items():
            if key in inserted:
                report.new.append(key)
                continue
            old = existing[key]
            if old.feed_id != a.feed_id or not _is_later(fetch_id, seen_at, old):
                report.unchanged.append(key)
            elif old.content_hash != a.content_hash or old.language != a.language:
                revised.append((a, old))
                report.changed.append(key)
            else:
                if old.metadata != _metadata(a):
                    refreshed.append(a)
                report.unchanged.append(key)
        _revise(conn, revised, batch)
        if refreshed:
            conn.execute(
                statement("article_refresh_metadata"),
                {**batch, "rows": Jsonb([_row(a) for a in refreshed])},
            )
        keys = list(unique)
        conn.execute(statement("article_touch"), {"keys": keys, "seen_at": seen_at})
        feed_ids = [a.feed_id for a in unique.values()]
        added = conn.execute(
            statement("article_sightings_upsert"),
            {"keys": keys, "feed_ids": feed_ids, "seen_at": seen_at},
        )
        report.sightings_added = [r[0] for r in added if r[1] and r[0] not in inserted]
    return report


def _follow_rekeyed(conn: psycopg.Connection, unique: dict[str, Article]) -> dict[str, Article]:
    """The entries with re-keyed articles put back under their stored keys (module docstring)."""
    links = Counter(a.canonical_url for a in unique.values())
    candidates = [
        {"key": a.key, "feed_id": a.feed_id, "canonical_url": a.canonical_url}
        for a in unique.values()
        if a.canonical_url and links[a.canonical_url] == 1
    ]
    if not candidates:
        return unique
    rekeyed = dict(
        conn.execute(
            statement("article_find_rekeyed"), {"rows": Jsonb(candidates), "keys": list(unique)}
        ).fetchall()
    )
    if not rekeyed:
        return unique
    return {
        rekeyed.get(key, key): replace(a, key=rekeyed[key]) if key in rekeyed else a
        for key, a in unique.items()
    }


def _lock_existing(conn: psycopg.Connection, keys: list[str]) -> dict[str, _Existing]:
    if not keys:
        return {}
    rows = conn.execute(statement("article_lock_existing"), {"keys": keys})
    found = {}
    for r in rows:
        key, feed_id, content_hash, fid, title, summary, language, first, last = r[:9]
        found[key] = _Existing(
            key, feed_id, content_hash, fid, title, summary, language, first, last, tuple(r[9:])
        )
    return found


def _revise(
    conn: psycopg.Connection, revised: list[tuple[Article, _Existing]], batch: dict
) -> None:
    if not revised:
        return
    with conn.cursor() as cur:
        # The first revision also records the original version, seen when the article was.
        cur.executemany(
            statement("article_revision_insert"),
            [
                {
                    "key": old.key,
                    "content_hash": old.content_hash,
                    "title": old.title,
                    "summary": old.summary,
                    "seen_at": old.first_seen_at,
                }
                for _a, old in revised
            ]
            + [
                {
                    "key": a.key,
                    "content_hash": a.content_hash,
                    "title": a.title,
                    "summary": a.summary,
                    "seen_at": batch["seen_at"],
                }
                for a, _old in revised
            ],
        )
    conn.execute(
        statement("article_revise"), {**batch, "rows": Jsonb([_row(a) for a, _ in revised])}
    )


def entry_row_key(feed_id: str, guid: str | None, link: str | None, fallback: str) -> str:
    """A stable key for an entry that is not an article, so each fetch re-finds the same row."""
    ident = guid or link or fallback
    return f"{feed_id}:{hashlib.sha256(ident.encode('utf-8')).hexdigest()[:32]}"


def quarantine_entries(
    conn: psycopg.Connection,
    entries: Sequence[dict],
    *,
    cycle_id: str | None,
) -> int:
    """Record feed entries that could not become articles in the quarantine table.

    Each entry dict has row_key, reason, failed_value and row_data. An entry already recorded
    is left alone. Returns how many rows were added.
    """
    if not entries:
        return 0
    added = 0
    with conn.cursor() as cur:
        for entry in entries:
            cur.execute(
                statement("article_quarantine_entry"),
                {
                    "table_name": QUARANTINE_TABLE,
                    "expectation": QUARANTINE_EXPECTATION,
                    "row_key": entry["row_key"],
                    "reason": entry["reason"],
                    "failed_value": entry.get("failed_value"),
                    "row_data": Jsonb(entry.get("row_data") or {}),
                    "cycle_id": cycle_id,
                },
            )
            added += cur.rowcount
    return added


def article_from_row(row: dict) -> Article:
    """An Article from a row of the articles table (columns the query left out take defaults)."""
    return Article(
        key=row["key"],
        feed_id=row["feed_id"],
        url=row["url"],
        canonical_url=row["canonical_url"],
        title=row["title"],
        summary=row["summary"],
        language=row["language"],
        content_hash=row["content_hash"],
        guid=row.get("guid"),
        authors=tuple(row.get("authors") or ()),
        feed_language=row.get("feed_language"),
        published_at=row.get("published_at"),
        published_raw=row.get("published_raw"),
    )
