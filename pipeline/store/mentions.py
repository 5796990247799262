"""Mentions found by extraction: organizations, money, people and places per article."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import psycopg
from psycopg.rows import dict_row

from pipeline.errors import NewsflowError
from pipeline.records import Article, EntityMention, Extraction, MoneyMention, OrgMention
from pipeline.sqlfiles import statement
from pipeline.store import organizations as org_store
from pipeline.store.articles import article_from_row


@dataclass
class SaveReport:
    articles: int = 0
    org_mentions: int = 0
    money_mentions: int = 0
    entity_mentions: int = 0
    discovered_new: list[str] = field(default_factory=list)


def save_extractions(conn: psycopg.Connection, extractions: Sequence[Extraction]) -> SaveReport:
    """Store extractions, replacing each article's earlier mentions, in one transaction.

    Sets articles.extracted_at. Saving the same extractions again leaves the same rows.
    Discovered organizations are added; registry ids must already be synced (sync_registry),
    otherwise NewsflowError names the missing ids.
    """
    report = SaveReport(articles=len(extractions))
    if not extractions:
        return report
    keys = [x.article_key for x in extractions]
    orgs = [(x.article_key, m) for x in extractions for m in x.orgs]
    money = [(x.article_key, m) for x in extractions for m in x.money]
    entities = [(x.article_key, m) for x in extractions for m in x.entities]
    with conn.transaction():
        discovered = [(m.org_id, m.name or m.surface) for _, m in orgs if m.source != "registry"]
        report.discovered_new = org_store.upsert_discovered(conn, discovered)
        missing = org_store.missing_ids(conn, (m.org_id for _, m in orgs))
        if missing:
            raise NewsflowError(
                f"organization ids {', '.join(missing[:5])} are not in the organizations table: "
                "sync the registry first (newsflow extract-pending does, as does every cycle)"
            )
        conn.execute(statement("mention_clear"), {"keys": keys})
        if orgs:
            conn.execute(statement("mention_insert_orgs"), _columns(orgs, _org_row))
        if money:
            conn.execute(statement("mention_insert_money"), _columns(money, _money_row))
        if entities:
            conn.execute(statement("mention_insert_entities"), _columns(entities, _entity_row))
    report.org_mentions, report.money_mentions = len(orgs), len(money)
    report.entity_mentions = len(entities)
    return report


def _columns(rows: list[tuple[str, object]], to_dict: Callable[..., dict]) -> dict[str, list]:
    """Rows as one array per column, for the unnest() inserts."""
    columns: dict[str, list] = {}
    for key, mention in rows:
        for name, value in to_dict(key, mention).items():
            columns.setdefault(name, []).append(value)
    return columns


def _org_row(key: str, m: OrgMention) -> dict:
    return {
        "article_key": key,
        "start_char": m.start,
        "end_char": m.end,
        "org_id": m.org_id,
        "surface": m.surface,
        "source": m.source,
    }


def _money_row(key: str, m: MoneyMention) -> dict:
    return {
        "article_key": key,
        "start_char": m.start,
        "end_char": m.end,
        "amount": m.amount,
        "currency": m.currency,
        "qualifier": m.qualifier,
        "amount_min": m.amount_min,
        "amount_max": m.amount_max,
        "amount_usd": m.amount_usd,
        "surface": m.surface,
    }


def _entity_row(key: str, m: EntityMention) -> dict:
    return {
        "article_key": key,
        "start_char": m.start,
        "end_char": m.end,
        "label": m.label,
        "norm": m.norm,
        "surface": m.surface,
    }


def claim_unextracted(conn: psycopg.Connection, limit: int) -> list[Article]:
    """Lock and return up to `limit` articles still to extract (rows others hold are skipped)."""
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(statement("mention_pending_articles"), {"limit": limit}).fetchall()
    return [article_from_row(r) for r in rows]
