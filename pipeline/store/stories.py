"""Stories: read what clustering needs (pending articles, the stories active in the window, their
mentions) and save its assignments idempotently.

Natural keys: story_articles by article_key, stories by story_key (the founding article's key).
Saving the same assignments twice changes nothing; a story's updated_at moves only when its
title, languages, first/last seen or article count changed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

import psycopg
from psycopg.rows import dict_row

from pipeline.records import Article, EntityMention, Extraction, MoneyMention, OrgMention
from pipeline.sqlfiles import statement
from pipeline.store.articles import article_from_row

if TYPE_CHECKING:
    from pipeline.cluster import Assignment


@dataclass(frozen=True)
class StoredArticle:
    """An article as clustering sees it, with the version it was read at."""

    article: Article
    extraction: Extraction
    at: datetime  # published, else first seen
    version: datetime  # articles.updated_at when read: a later revision must not be marked done
    story_key: str | None  # its story, when it was clustered before


@dataclass
class SaveReport:
    assigned: int = 0
    new_stories: int = 0
    merged_stories: int = 0
    moved: int = 0
    changed_stories: list[int] = field(default_factory=list)
    left_pending: list[str] = field(default_factory=list)  # revised while we clustered


def load_pending(conn: psycopg.Connection, limit: int | None = None) -> list[StoredArticle]:
    """Extracted, admitted, not yet clustered articles in (published-or-first-seen, key) order."""
    return _load(conn, "story_pending_articles", {"limit": limit})


def load_active(
    conn: psycopg.Connection, since: datetime, pending: Sequence[StoredArticle]
) -> list[StoredArticle]:
    """Clustered members of the stories `pending` may join: stories active since `since`, the
    stories of re-opened articles and stories holding exact duplicates of pending articles."""
    params = {
        "since": since,
        "keys": [p.article.key for p in pending],
        "urls": sorted({p.article.canonical_url for p in pending}),
        "hashes": sorted({p.article.content_hash for p in pending}),
    }
    return _load(conn, "story_active_members", params)


def load_org_roots(conn: psycopg.Connection) -> dict[str, str]:
    """Organization id -> its top parent, for every organization that has a parent."""
    parent = dict(conn.execute(statement("story_org_parents")).fetchall())
    roots = {}
    for org in parent:
        seen, node = {org}, parent[org]
        while node in parent and parent[node] not in seen:  # a cycle in the registry stops here
            seen.add(node)
            node = parent[node]
        roots[org] = node
    return roots


def _load(conn: psycopg.Connection, name: str, params: dict) -> list[StoredArticle]:
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(statement(name), params).fetchall()
    mentions = _mentions(conn, [r["key"] for r in rows])
    out = []
    for r in rows:
        article = article_from_row(r)
        orgs, money, entities = mentions.get(r["key"], ((), (), ()))
        extraction = Extraction(
            r["key"],
            r["language"],
            tuple(orgs),
            tuple(money),
            tuple(entities),
            frozenset(o.org_id for o in orgs),
        )
        out.append(
            StoredArticle(article, extraction, r["reported_at"], r["updated_at"], r["story_key"])
        )
    return out


def _mentions(conn: psycopg.Connection, keys: list[str]) -> dict[str, tuple[list, list, list]]:
    found: dict[str, tuple[list, list, list]] = defaultdict(lambda: ([], [], []))
    if not keys:
        return found
    params = {"keys": keys}
    for key, s, e, org_id, surface, source in conn.execute(statement("story_org_mentions"), params):
        found[key][0].append(OrgMention(s, e, org_id, surface, source))
    for row in conn.execute(statement("story_money_mentions"), params):
        key, s, e, amount, currency, surface, qualifier, lo, hi, usd = row
        found[key][1].append(MoneyMention(s, e, amount, currency, surface, qualifier, lo, hi, usd))
    for key, s, e, label, norm, surface in conn.execute(statement("story_entity_mentions"), params):
        found[key][2].append(EntityMention(s, e, label, norm, surface))
    return found


def save_assignments(
    conn: psycopg.Connection, results: Sequence[tuple[StoredArticle, Assignment]]
) -> SaveReport:
    """Store where each article went, fold merged stories into their survivors, refresh the
    touched stories and mark the articles clustered, all in one transaction."""
    report = SaveReport()
    with conn.transaction():
        for item, a in results:
            if a.method == "founder":
                inserted = conn.execute(
                    statement("story_insert"),
                    {"story_key": a.story_key, "title": item.article.title, "at": item.at},
                ).rowcount
                report.new_stories += inserted
        ids = _story_ids(conn, _keys_of(a for _, a in results))
        touched: set[int] = set()
        vacated: dict[int, str] = {}  # story id -> where its last article went
        for _, a in results:
            survivor = ids[a.story_key]
            for loser_key in a.merged:
                loser = ids.get(loser_key)
                if loser is None or loser == survivor:
                    continue
                _merge(conn, loser, survivor, a.story_key)
                vacated[loser] = a.story_key
                report.merged_stories += 1
            if a.method != "kept":
                report.assigned += conn.execute(
                    statement("story_assign_article"),
                    {
                        "article_key": a.article_key,
                        "story_id": survivor,
                        "method": a.method,
                        "score": a.score,
                    },
                ).rowcount
            if a.moved_from is not None and a.moved_from in ids:
                report.moved += 1
                vacated.setdefault(ids[a.moved_from], a.story_key)
                touched.add(ids[a.moved_from])
            touched.add(survivor)
        touched.difference_update(_drop_emptied(conn, vacated))
        if touched:
            changed = conn.execute(statement("story_refresh"), {"ids": sorted(touched)})
            report.changed_stories = sorted(r[0] for r in changed)
        marked = conn.execute(
            statement("story_mark_clustered"),
            {
                "keys": [item.article.key for item, _ in results],
                "versions": [item.version for item, _ in results],
            },
        ).rowcount
        if marked < len(results):
            report.left_pending = _still_pending(conn, [item.article.key for item, _ in results])
    return report


def _keys_of(assignments: Iterable[Assignment]) -> set[str]:
    keys: set[str] = set()
    for a in assignments:
        keys.add(a.story_key)
        keys.update(a.merged)
        if a.moved_from:
            keys.add(a.moved_from)
    return keys


def _story_ids(conn: psycopg.Connection, keys: set[str]) -> dict[str, int]:
    rows = conn.execute(statement("story_ids"), {"keys": sorted(keys)}).fetchall()
    return dict(rows)


def _merge(conn: psycopg.Connection, loser: int, survivor: int, survivor_key: str) -> None:
    conn.execute(
        statement("story_merge"),
        {"loser": loser, "survivor": survivor, "survivor_key": survivor_key},
    )


def _drop_emptied(conn: psycopg.Connection, vacated: dict[int, str]) -> set[int]:
    """Alias and remove the stories among `vacated` left without articles; returns their ids."""
    if not vacated:
        return set()
    ids = sorted(vacated)
    rows = conn.execute(
        statement("story_drop_empty"), {"ids": ids, "into": [vacated[i] for i in ids]}
    )
    return {r[0] for r in rows}


def _still_pending(conn: psycopg.Connection, keys: list[str]) -> list[str]:
    return [r[0] for r in conn.execute(statement("story_still_pending"), {"keys": keys})]


def resolve_story(conn: psycopg.Connection, story_id: int) -> int | None:
    """The live story id for an id that may have been merged away; None if it never existed."""
    return conn.execute(statement("story_resolve"), {"id": story_id}).fetchone()[0]
