"""Edited articles, merged stories and overlapping runs of the cluster step, on real PostgreSQL."""

from __future__ import annotations

import dataclasses
import threading
import time
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest

from pipeline import cluster_eval, db
from pipeline.cluster_eval import GoldArticle
from pipeline.steps.cluster import cluster_pending
from pipeline.store.stories import resolve_story
from tests.integration.test_stories_step import (
    partition,
    settings_for,
    store_articles,
    write_mentions,
)


@pytest.fixture(scope="module")
def gold() -> dict[str, GoldArticle]:
    return {g.article.key: g for g in cluster_eval.load_gold()}


def story_id_of(conn: psycopg.Connection, article_key: str) -> int:
    return conn.execute(
        "SELECT story_id FROM story_articles WHERE article_key = %s", (article_key,)
    ).fetchone()[0]


def revise(conn: psycopg.Connection, old: GoldArticle, new: GoldArticle) -> None:
    """What the article store does on an edit: new text and mentions, back to pending."""
    a = new.article
    conn.execute(
        """UPDATE articles SET title = %s, summary = %s, content_hash = %s, extracted_at = now(),
                  clustered_at = NULL, updated_at = now() WHERE key = %s""",
        (a.title, a.summary, a.content_hash, old.article.key),
    )
    for table in ("org_mentions", "money_mentions", "entity_mentions"):
        conn.execute(f"DELETE FROM {table} WHERE article_key = %s", (old.article.key,))
    renamed = dataclasses.replace(new, article=dataclasses.replace(a, key=old.article.key))
    write_mentions(conn, renamed)


def test_a_cosmetic_edit_keeps_the_story(
    conn: psycopg.Connection, db_url: str, tmp_path: Path, gold: dict[str, GoldArticle]
) -> None:
    settings = settings_for(db_url, tmp_path)
    talks = [g for g in gold.values() if g.story == "amzn-openai-talks"]
    store_articles(conn, talks)
    cluster_pending(conn, settings)
    target = talks[1]
    story = story_id_of(conn, target.article.key)
    stamp = conn.execute("SELECT updated_at FROM stories WHERE id = %s", (story,)).fetchone()[0]

    edited = dataclasses.replace(
        target,
        article=dataclasses.replace(
            target.article, summary=target.article.summary + " Shares of Amazon rose 1%."
        ),
    )
    revise(conn, target, edited)
    report = cluster_pending(conn, settings)

    assert report.by_method == {"kept": 1} and report.changed_stories == 0
    assert story_id_of(conn, target.article.key) == story
    assert (
        conn.execute("SELECT updated_at FROM stories WHERE id = %s", (story,)).fetchone()[0]
        == stamp
    )


def test_an_edit_that_changes_the_deal_moves_the_article(
    conn: psycopg.Connection, db_url: str, tmp_path: Path, gold: dict[str, GoldArticle]
) -> None:
    """An outlet first reports the OpenAI talks, then rewrites the item into the Anthropic deal."""
    settings = settings_for(db_url, tmp_path)
    talks = [g for g in gold.values() if g.story == "amzn-openai-talks"]
    anthropic = [g for g in gold.values() if g.story == "amzn-anthropic-4bn"]
    store_articles(conn, talks + anthropic[1:])
    cluster_pending(conn, settings)
    rewritten = talks[1]  # Reuters, 3 Feb
    talks_story = story_id_of(conn, rewritten.article.key)
    anthropic_story = story_id_of(conn, anthropic[1].article.key)
    count_before = conn.execute(
        "SELECT article_count FROM stories WHERE id = %s", (talks_story,)
    ).fetchone()[0]

    new = anthropic[0]  # the Reuters Anthropic text, same day
    revise(conn, rewritten, dataclasses.replace(new, at=rewritten.at))
    report = cluster_pending(conn, settings)

    assert report.by_method == {"moved": 1} and report.moved == 1
    assert story_id_of(conn, rewritten.article.key) == anthropic_story
    counts = dict(conn.execute("SELECT id, article_count FROM stories").fetchall())
    assert counts[talks_story] == count_before - 1
    assert counts[anthropic_story] == len(anthropic)
    assert cluster_pending(conn, settings).articles == 0


def test_a_bridging_article_merges_two_stories_and_the_old_id_still_resolves(
    conn: psycopg.Connection, db_url: str, tmp_path: Path, gold: dict[str, GoldArticle]
) -> None:
    settings = settings_for(db_url, tmp_path)
    first, second, bridge = (gold[f"aws-outage-{i}"] for i in (1, 2, 3))
    store_articles(conn, [first, second])
    cluster_pending(conn, settings)
    survivor, loser = story_id_of(conn, first.article.key), story_id_of(conn, second.article.key)
    assert survivor != loser  # on their own, the two reports are too different to join

    store_articles(conn, [bridge])
    report = cluster_pending(conn, settings)

    assert report.merged_stories == 1
    assert {story_id_of(conn, k) for k in ("aws-outage-1", "aws-outage-2", "aws-outage-3")} == {
        survivor
    }
    assert conn.execute("SELECT count(*) FROM stories WHERE id = %s", (loser,)).fetchone()[0] == 0
    assert resolve_story(conn, loser) == survivor and resolve_story(conn, survivor) == survivor
    assert resolve_story(conn, 10**9) is None
    alias = conn.execute("SELECT story_key, merged_into, reason FROM story_aliases").fetchall()
    assert alias == [("aws-outage-2", "aws-outage-1", "merged")]
    count = conn.execute("SELECT article_count FROM stories WHERE id = %s", (survivor,)).fetchone()
    assert count == (3,)


def test_a_merged_story_with_alerts_keeps_its_row_for_the_history(
    conn: psycopg.Connection, db_url: str, tmp_path: Path, gold: dict[str, GoldArticle]
) -> None:
    settings = settings_for(db_url, tmp_path)
    store_articles(conn, [gold["aws-outage-1"], gold["aws-outage-2"]])
    cluster_pending(conn, settings)
    loser = story_id_of(conn, "aws-outage-2")
    conn.execute("INSERT INTO tracked_deals (id, name) VALUES ('aws', 'AWS')")
    conn.execute(
        "INSERT INTO alerts (deal_id, story_id, kind) VALUES ('aws', %s, 'breaking')", (loser,)
    )

    store_articles(conn, [gold["aws-outage-3"]])
    cluster_pending(conn, settings)

    survivor = story_id_of(conn, "aws-outage-1")
    assert conn.execute("SELECT count(*) FROM alerts WHERE story_id = %s", (loser,)).fetchone() == (
        1,
    )
    assert resolve_story(conn, loser) == survivor


def test_overlapping_runs_wait_for_each_other(
    conn: psycopg.Connection, db_url: str, tmp_path: Path, gold: dict[str, GoldArticle]
) -> None:
    settings = settings_for(db_url, tmp_path)
    items = sorted(gold.values(), key=lambda g: (g.at, g.article.key))[:40]
    store_articles(conn, items)
    holder = db.connect(db_url, autocommit=True)
    holder.execute("SELECT pg_advisory_lock(%s)", (db.CLUSTER_LOCK,))
    results: list = []

    def run() -> None:
        with db.connect(db_url, autocommit=True) as other:
            results.append(cluster_pending(other, settings))

    worker = threading.Thread(target=run)
    worker.start()
    try:
        waiting = 0
        for _ in range(200):  # until the worker's session is seen queued on the lock
            waiting = conn.execute(  # pg_locks spans every database of the server: only ours
                """SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database
                   WHERE l.locktype = 'advisory' AND NOT l.granted
                     AND d.datname = current_database()
                     AND (l.classid::bigint << 32) | l.objid::bigint = %s""",
                (db.CLUSTER_LOCK,),
            ).fetchone()[0]
            if waiting:
                break
            time.sleep(0.05)
        assert waiting == 1
        assert conn.execute("SELECT count(*) FROM story_articles").fetchone()[0] == 0
    finally:
        holder.execute("SELECT pg_advisory_unlock(%s)", (db.CLUSTER_LOCK,))
        holder.close()
        worker.join(timeout=60)
    assert results and results[0].articles == 40


def test_concurrent_runs_assign_each_article_once(
    conn: psycopg.Connection, db_url: str, tmp_path: Path, gold: dict[str, GoldArticle]
) -> None:
    settings = settings_for(db_url, tmp_path)
    items = sorted(gold.values(), key=lambda g: (g.at, g.article.key))[:80]
    store_articles(conn, items)
    reports: list = []

    def run() -> None:
        with db.connect(db_url, autocommit=True) as other:
            reports.append(cluster_pending(other, settings))

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(r.articles for r in reports) == [0, 0, 80]
    alone = cluster_eval.evaluate(items, timedelta(hours=96)).partition
    assert partition(conn) == alone
