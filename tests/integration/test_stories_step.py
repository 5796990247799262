"""The cluster step against a real PostgreSQL: gold articles in, stories out, idempotently."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from pipeline import cluster_eval
from pipeline.cluster_eval import GOLD_ORG_ROOTS, GoldArticle
from pipeline.settings import Settings
from pipeline.steps.cluster import cluster_pending


def settings_for(db_url: str, home: Path) -> Settings:
    return Settings(database_url=db_url, home=home)


def store_articles(conn: psycopg.Connection, items: Iterable[GoldArticle]) -> None:
    """Write gold articles as the pipeline leaves them before clustering: extracted and admitted."""
    items = list(items)
    outlets = sorted({(g.outlet, g.article.language) for g in items})
    for outlet, lang in outlets:
        conn.execute(
            "INSERT INTO feeds (id, outlet, url, language, poll_interval_s) VALUES (%s,%s,%s,%s,600)"
            " ON CONFLICT (id) DO NOTHING",
            (f"{outlet}/{lang}", outlet, f"https://{len(outlet)}.example/{lang}", lang),
        )
    orgs = {m.org_id for g in items for m in g.extraction.orgs} | set(GOLD_ORG_ROOTS.values())
    for org in sorted(orgs):
        conn.execute(
            "INSERT INTO organizations (id, name, source) VALUES (%s, %s, 'registry')"
            " ON CONFLICT (id) DO NOTHING",
            (org, org),
        )
    for child, parent in GOLD_ORG_ROOTS.items():
        conn.execute("UPDATE organizations SET parent_id = %s WHERE id = %s", (parent, child))
    for g in items:
        a = g.article
        conn.execute(
            """INSERT INTO articles (key, feed_id, url, canonical_url, title, summary, language,
                   published_at, first_seen_at, last_seen_at, content_hash, status, extracted_at)
               VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,'ok',now())""",
            (a.key, f"{g.outlet}/{a.language}", a.url, a.canonical_url, a.title, a.summary,
             a.language, a.published_at, g.at + timedelta(minutes=5), g.at + timedelta(minutes=5),
             a.content_hash),
        )  # fmt: skip
        write_mentions(conn, g)


def write_mentions(conn: psycopg.Connection, g: GoldArticle) -> None:
    key = g.article.key
    for m in g.extraction.orgs:
        conn.execute(
            "INSERT INTO org_mentions VALUES (%s,%s,%s,%s,%s,'registry')",
            (key, m.start, m.end, m.org_id, m.surface),
        )
    for m in g.extraction.money:
        conn.execute(
            """INSERT INTO money_mentions (article_key, start_char, end_char, amount, currency,
                   qualifier, amount_min, amount_max, amount_usd, surface)
               VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)""",
            (key, m.start, m.end, m.amount, m.currency, m.qualifier, m.amount_min, m.amount_max,
             m.amount_usd, m.surface),
        )  # fmt: skip
    for m in g.extraction.entities:
        conn.execute(
            "INSERT INTO entity_mentions VALUES (%s,%s,%s,%s,%s,%s)",
            (key, m.start, m.end, m.label, m.norm, m.surface),
        )


def partition(conn: psycopg.Connection) -> dict[str, str]:
    rows = conn.execute(
        "SELECT sa.article_key, s.story_key FROM story_articles sa JOIN stories s ON s.id = sa.story_id"
    )
    return dict(rows.fetchall())


def snapshot(conn: psycopg.Connection) -> list[tuple]:
    return conn.execute(
        """SELECT id, story_key, title, languages, first_seen_at, last_seen_at, article_count,
                  updated_at FROM stories ORDER BY id"""
    ).fetchall()


@pytest.fixture(scope="module")
def gold() -> list[GoldArticle]:
    return cluster_eval.load_gold()


def test_the_step_gives_the_same_stories_as_the_stage(
    conn: psycopg.Connection, db_url: str, tmp_path: Path, gold: list[GoldArticle]
) -> None:
    settings = settings_for(db_url, tmp_path)
    store_articles(conn, gold)
    report = cluster_pending(conn, settings)

    assert report.articles == len(gold)
    in_db = partition(conn)
    assert set(in_db) == {g.article.key for g in gold}
    stage = cluster_eval.evaluate(gold, timedelta(hours=settings.story_window_hours)).partition
    assert in_db == stage  # the database holds exactly what the pure stage decided
    assert (
        conn.execute("SELECT count(*) FROM articles WHERE clustered_at IS NULL").fetchone()[0] == 0
    )

    quality = cluster_eval.score_partition(gold, in_db)
    assert quality.bcubed.f1 >= 0.9 and not quality.violations

    rows = conn.execute(
        "SELECT story_key, title, languages, article_count, first_seen_at, last_seen_at FROM stories"
    ).fetchall()
    members = defaultdict(list)
    for g in gold:
        members[in_db[g.article.key]].append(g)
    assert {r[0] for r in rows} == set(members)
    for key, title, languages, count, first, last in rows:
        mine = sorted(members[key], key=lambda g: (g.at, g.article.key))
        assert count == len(mine)
        assert languages == sorted({g.article.language for g in mine})
        assert (first, last) == (mine[0].at, max(g.at for g in mine))
        assert title == mine[0].article.title


def test_rerunning_assigns_nothing_and_touches_no_story(
    conn: psycopg.Connection, db_url: str, tmp_path: Path, gold: list[GoldArticle]
) -> None:
    settings = settings_for(db_url, tmp_path)
    store_articles(conn, gold[:60])
    cluster_pending(conn, settings)
    before, assigned = snapshot(conn), partition(conn)

    again = cluster_pending(conn, settings)
    assert again.articles == 0 and again.changed_stories == 0
    assert snapshot(conn) == before and partition(conn) == assigned

    # Re-running on the same input after clustering was reset reproduces the same stories and
    # leaves updated_at alone: nothing changed, so alerts see nothing new.
    conn.execute("UPDATE articles SET clustered_at = NULL")
    redo = cluster_pending(conn, settings)
    assert redo.articles == 60 and redo.changed_stories == 0 and redo.new_stories == 0
    assert set(redo.by_method) == {"kept"}
    assert snapshot(conn) == before and partition(conn) == assigned


def test_incremental_cycles_match_one_big_run(
    conn: psycopg.Connection, db_url: str, tmp_path: Path, gold: list[GoldArticle]
) -> None:
    """Articles arriving over many cycles end in the same stories as a single run."""
    settings = settings_for(db_url, tmp_path)
    ordered = sorted(gold, key=lambda g: (g.at, g.article.key))
    for start in range(0, len(ordered), 25):
        store_articles(conn, ordered[start : start + 25])
        cluster_pending(conn, settings)
    stage = cluster_eval.evaluate(gold, timedelta(hours=settings.story_window_hours)).partition
    assert partition(conn) == stage


def test_a_new_article_only_touches_its_own_story(
    conn: psycopg.Connection, db_url: str, tmp_path: Path, gold: list[GoldArticle]
) -> None:
    settings = settings_for(db_url, tmp_path)
    talks = [g for g in gold if g.story == "amzn-openai-talks"]
    others = [g for g in gold if g.story in ("amzn-anthropic-4bn", "meta-louisiana-50bn")]
    store_articles(conn, talks[:-1] + others)
    cluster_pending(conn, settings)
    before = {r[1]: r for r in snapshot(conn)}

    store_articles(conn, talks[-1:])
    report = cluster_pending(conn, settings)
    after = {r[1]: r for r in snapshot(conn)}
    assert report.changed_stories == 1 and report.new_stories == 0
    changed = [k for k in after if after[k] != before[k]]
    talks_key = partition(conn)[talks[0].article.key]
    assert changed == [talks_key]
    assert after[talks_key][6] == len(talks) and after[talks_key][7] > before[talks_key][7]


def test_the_canonical_story_is_one_story_in_two_languages(
    conn: psycopg.Connection, db_url: str, tmp_path: Path, gold: list[GoldArticle]
) -> None:
    settings = settings_for(db_url, tmp_path)
    week = [
        g
        for g in gold
        if datetime(2026, 2, 2, tzinfo=UTC) <= g.at < datetime(2026, 2, 8, tzinfo=UTC)
    ]
    store_articles(conn, week)
    cluster_pending(conn, settings)
    talks = [g.article.key for g in week if g.story == "amzn-openai-talks"]
    rows = conn.execute(
        """SELECT DISTINCT s.id, s.languages, s.article_count FROM story_articles sa
           JOIN stories s ON s.id = sa.story_id WHERE sa.article_key = ANY(%s)""",
        (talks,),
    ).fetchall()
    assert len(rows) == 1
    _, languages, count = rows[0]
    assert languages == ["de", "en"] and count == len(talks)
    outlets = conn.execute(
        """SELECT outlets, organization_ids FROM story_overview WHERE story_id = %s""",
        (rows[0][0],),
    ).fetchone()
    assert len(outlets[0]) == 7 and {"amazon", "openai"} <= set(outlets[1])
