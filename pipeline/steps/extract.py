"""Extract step: articles not yet extracted -> Extractor -> mentions stored, in batches."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import psycopg

from pipeline.extract.extractor import Extractor, language_of
from pipeline.settings import Settings
from pipeline.store import mentions
from pipeline.store import organizations as org_store


@dataclass
class ExtractStepReport:
    articles: int = 0
    org_mentions: int = 0
    money_mentions: int = 0
    entity_mentions: int = 0
    discovered_orgs: int = 0  # organizations stored for the first time
    by_language: dict[str, int] = field(default_factory=dict)
    models: dict[str, str] = field(default_factory=dict)  # language -> model used
    seconds: float = 0.0


def extract_pending(
    conn: psycopg.Connection,
    settings: Settings,
    extractor: Extractor | None = None,
    limit: int | None = None,
) -> ExtractStepReport:
    """Extract every article with extracted_at IS NULL that is not quarantined, in batches.

    Each batch is claimed (row locks, others' locked rows skipped), extracted and stored in one
    transaction, so a concurrent or retried run never doubles work or leaves half an article.
    The registry is synced first so every registry id a mention uses exists.
    """
    started = time.perf_counter()
    extractor = extractor or Extractor.from_settings(settings)
    report = ExtractStepReport()
    org_store.sync_registry(conn, extractor.registry)
    batch_size = max(1, settings.extract_batch_size)
    while limit is None or report.articles < limit:
        want = batch_size if limit is None else min(batch_size, limit - report.articles)
        with conn.transaction():
            articles = mentions.claim_unextracted(conn, want)
            if not articles:
                break
            saved = mentions.save_extractions(conn, extractor.extract(articles))
        report.articles += saved.articles
        report.org_mentions += saved.org_mentions
        report.money_mentions += saved.money_mentions
        report.entity_mentions += saved.entity_mentions
        report.discovered_orgs += len(saved.discovered_new)
        for article in articles:
            lang = language_of(article.language)
            report.by_language[lang] = report.by_language.get(lang, 0) + 1
    for lang in report.by_language:
        loaded = extractor.pipeline(lang)
        report.models[lang] = loaded.name if loaded else "patterns only"
    report.seconds = round(time.perf_counter() - started, 3)
    return report
