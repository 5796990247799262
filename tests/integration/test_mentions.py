"""Extraction stored in real PostgreSQL: registry sync, mentions, discovered organizations."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from decimal import Decimal

import psycopg
import pytest

from pipeline import db
from pipeline.errors import NewsflowError
from pipeline.extract.extractor import Extractor
from pipeline.extract.organizations import load_registry, parse_registry
from pipeline.records import Extraction, OrgMention
from pipeline.settings import Settings
from pipeline.steps.extract import extract_pending
from pipeline.store import mentions
from pipeline.store import organizations as org_store

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
ARTICLES = {
    "en-1": ("en", "Amazon in talks to invest up to $50 billion in OpenAI",
             "AWS would supply chips, while battery maker Voltaris Labs and Acme Robotics Inc. "
             "are said to join. Andy Jassy spoke in Seattle."),
    "de-1": ("de", "Amazon plant Investition von bis zu 50 Milliarden Dollar in OpenAI",
             "Der ChatGPT-Entwickler verhandelt; auch das Start-up Quantenfeld ist dabei."),
    "en-q": ("en", "Quarantined: Apple buys Google for $1", ""),
    "en-0": ("en", "Markets were quiet on Tuesday", ""),
}  # fmt: skip


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor.from_settings(Settings())


def _seed(conn: psycopg.Connection) -> None:
    conn.execute(
        "INSERT INTO feeds (id, outlet, url, language, poll_interval_s)"
        " VALUES ('f', 'Outlet', 'https://outlet.example/rss', 'en', 600)"
    )
    for minute, (key, (lang, title, summary)) in enumerate(ARTICLES.items()):
        status = "quarantined" if key == "en-q" else "pending"
        seen = NOW.replace(minute=minute)
        conn.execute(
            "INSERT INTO articles (key, feed_id, url, canonical_url, title, summary, language,"
            " first_seen_at, last_seen_at, content_hash, status)"
            " VALUES (%s, 'f', %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (key, f"https://o.example/{key}", f"https://o.example/{key}", title, summary, lang,
             seen, seen, f"h-{key}", status),
        )  # fmt: skip


def _snapshot(conn: psycopg.Connection) -> dict:
    return {
        table: conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2, 3").fetchall()
        for table in ("org_mentions", "money_mentions", "entity_mentions")
    } | {
        "orgs": conn.execute(
            "SELECT id, name, source, parent_id FROM organizations ORDER BY id"
        ).fetchall()
    }


def test_extract_pending_stores_mentions_once(conn: psycopg.Connection, extractor) -> None:
    _seed(conn)
    report = extract_pending(conn, Settings(extract_batch_size=2), extractor=extractor)
    assert report.articles == 3 and report.by_language == {"en": 2, "de": 1}

    orgs = conn.execute(
        "SELECT article_key, org_id, surface, source FROM org_mentions ORDER BY 1, start_char"
    ).fetchall()
    en = [(o, s, src) for k, o, s, src in orgs if k == "en-1"]
    assert ("amazon", "Amazon", "registry") in en and ("openai", "OpenAI", "registry") in en
    assert ("aws", "AWS", "registry") in en
    assert ("voltaris-labs", "Voltaris Labs", "pattern") in en  # descriptor cue
    assert any(o == "acme-robotics" for o, _, _ in en)  # legal-form cue or model
    de = {o for k, o, _, _ in orgs if k == "de-1"}
    assert {"amazon", "openai", "quantenfeld"} <= de

    money = conn.execute(
        "SELECT article_key, amount, currency, qualifier, amount_usd, surface FROM money_mentions"
        " ORDER BY 1"
    ).fetchall()
    assert money == [
        ("de-1", Decimal("50000000000"), "USD", "up_to", Decimal("50000000000"),
         "bis zu 50 Milliarden Dollar"),
        ("en-1", Decimal("50000000000"), "USD", "up_to", Decimal("50000000000"),
         "up to $50 billion"),
    ]  # fmt: skip

    people = conn.execute("SELECT label, norm FROM entity_mentions ORDER BY 1").fetchall()
    assert ("PER", "andy jassy") in people and ("LOC", "seattle") in people

    # discovered organizations are kept, registry rows untouched, never the quarantined article
    discovered = dict(
        conn.execute("SELECT id, source FROM organizations WHERE source = 'discovered'").fetchall()
    )
    assert {"voltaris-labs", "quantenfeld"} <= set(discovered)
    extracted = dict(conn.execute("SELECT key, extracted_at IS NOT NULL FROM articles"))
    assert extracted == {"en-1": True, "de-1": True, "en-0": True, "en-q": False}

    # a second run finds nothing to do; forcing a re-extraction leaves the same rows
    before = _snapshot(conn)
    assert extract_pending(conn, Settings(), extractor=extractor).articles == 0
    conn.execute("UPDATE articles SET extracted_at = NULL WHERE status <> 'quarantined'")
    again = extract_pending(conn, Settings(), extractor=extractor)
    assert again.articles == 3 and again.discovered_orgs == 0
    assert _snapshot(conn) == before


def test_save_extractions_replaces_an_articles_mentions(conn: psycopg.Connection) -> None:
    _seed(conn)
    registry = load_registry(Settings().config_dir / "organizations.yaml")
    org_store.sync_registry(conn, registry)
    first = Extraction("en-0", "en", orgs=(OrgMention(0, 5, "apple", "Apple", "registry"),))
    mentions.save_extractions(conn, [first])
    second = Extraction("en-0", "en", orgs=(OrgMention(10, 16, "google", "Google", "registry"),))
    report = mentions.save_extractions(conn, [second])
    assert report.org_mentions == 1
    rows = conn.execute("SELECT org_id FROM org_mentions WHERE article_key = 'en-0'").fetchall()
    assert rows == [("google",)]


def test_unsynced_registry_ids_are_refused_with_a_clear_error(conn: psycopg.Connection) -> None:
    _seed(conn)
    extraction = Extraction("en-0", "en", orgs=(OrgMention(0, 5, "apple", "Apple", "registry"),))
    with pytest.raises(NewsflowError, match="apple.*sync the registry"):
        mentions.save_extractions(conn, [extraction])
    assert conn.execute("SELECT count(*) FROM org_mentions").fetchone()[0] == 0
    assert (
        conn.execute("SELECT extracted_at FROM articles WHERE key = 'en-0'").fetchone()[0] is None
    )


def test_registry_sync_is_idempotent_and_never_drops(conn: psycopg.Connection) -> None:
    def registry(*entries: dict):
        return parse_registry({"organizations": list(entries)}, "test.yaml")

    acme = {"id": "acme", "name": "Acme", "names": {"en": ["Acme"], "de": ["Acme"]}}
    unit = {"id": "acme-cloud", "name": "Acme Cloud", "names": {"en": ["Acme Cloud"]},
            "parent": "acme", "tickers": ["ACC"]}  # fmt: skip
    # a discovered organization whose key the registry later adopts
    org_store.upsert_discovered(conn, [("acme", "ACME Corp"), ("zeta", "Zeta")])

    first = org_store.sync_registry(conn, registry(unit, acme))  # child before parent: deferred FK
    assert sorted(first.inserted) == ["acme-cloud"] and first.updated == ["acme"]
    again = org_store.sync_registry(conn, registry(unit, acme))
    assert sorted(again.unchanged) == ["acme", "acme-cloud"] and not again.updated
    row = conn.execute(
        "SELECT name, source, parent_id, tickers, aliases FROM organizations WHERE id = 'acme-cloud'"
    ).fetchone()
    assert row == ("Acme Cloud", "registry", "acme", ["ACC"], {"en": ["Acme Cloud"], "de": []})

    # removed from the YAML: kept (mentions may point at it), no longer claimed by the registry
    removed = org_store.sync_registry(conn, registry(acme))
    assert removed.retired == ["acme-cloud"]
    sources = dict(conn.execute("SELECT id, source FROM organizations").fetchall())
    assert sources == {"acme": "registry", "acme-cloud": "discovered", "zeta": "discovered"}
    # discovering a registry id never overwrites the registry row
    assert org_store.upsert_discovered(conn, [("acme", "acme inc")]) == []
    assert conn.execute("SELECT name FROM organizations WHERE id = 'acme'").fetchone() == ("Acme",)


def test_concurrent_runs_never_extract_the_same_article_twice(db_url: str, extractor) -> None:
    # patterns only: this is about claiming rows, and spaCy models are not shared across threads
    patterns_only = Extractor(extractor.registry, Settings(), pipelines={"en": None, "de": None})
    with db.connect(db_url, autocommit=True) as setup:
        _seed(setup)
        for i in range(40):
            setup.execute(
                "INSERT INTO articles (key, feed_id, url, canonical_url, title, language,"
                " first_seen_at, last_seen_at, content_hash)"
                " VALUES (%s, 'f', 'u', 'u', %s, 'en', now(), now(), %s)",
                (f"bulk-{i}", f"Siemens pays €{i + 1} million to BMW", f"b{i}"),
            )
    reports = []

    def run() -> None:
        with db.connect(db_url, autocommit=True) as conn:
            reports.append(extract_pending(conn, Settings(extract_batch_size=5), patterns_only))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r.articles for r in reports) == 43  # every non-quarantined article exactly once
    with db.connect(db_url) as conn:
        count = conn.execute("SELECT count(*) FROM money_mentions WHERE article_key LIKE 'bulk-%'")
        assert count.fetchone()[0] == 40
