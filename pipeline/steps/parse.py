"""Parse step: stored fetch bodies -> articles, sightings and revisions; rejections recorded."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import psycopg

from pipeline.parse import ParseResult, parse_feed
from pipeline.settings import Settings
from pipeline.store import articles as article_store
from pipeline.store import fetches as fetch_store


@dataclass
class ParseStepReport:
    fetches: int = 0  # documents parsed (accepted or rejected)
    rejected: dict[int, str] = field(default_factory=dict)  # fetch id -> reason
    articles_new: int = 0
    articles_changed: int = 0
    articles_unchanged: int = 0
    sightings_added: int = 0
    entries_skipped: int = 0  # entries that could not become articles (quarantined)
    entry_warnings: int = 0  # articles kept with something dropped (a link, a date)
    duplicates: int = 0  # entries collapsed into an earlier one with the same key
    new_keys: list[str] = field(default_factory=list)
    changed_keys: list[str] = field(default_factory=list)


def _skipped_entries(fetch: fetch_store.StoredFetch, parsed: ParseResult) -> list[dict]:
    rows = []
    for p in parsed.skipped:
        fallback = f"fetch {fetch.id} entry {p.index}"
        rows.append(
            {
                "row_key": article_store.entry_row_key(fetch.feed_id, p.guid, p.link, fallback),
                "reason": p.reason,
                "failed_value": p.guid or p.link or p.title,
                "row_data": {
                    "feed_id": fetch.feed_id,
                    "fetch_id": fetch.id,
                    "entry_index": p.index,
                    "guid": p.guid,
                    "link": p.link,
                    "title": p.title,
                },
            }
        )
    return rows


def parse_fetches(
    conn: psycopg.Connection,
    settings: Settings,
    cycle_id: str | None,
    fetch_ids: list[int] | None = None,
) -> ParseStepReport:
    """Parse stored fetches (default: every stored body not parsed yet), oldest first.

    Each fetch is one transaction: its articles are upserted with the fetch time as seen_at,
    entries that are not articles are quarantined, and the fetch is marked parsed (with the
    rejection reason when the whole document was refused). Re-parsing changes nothing.
    """
    report = ParseStepReport()
    for fetch_id in fetch_store.fetches_to_parse(conn, fetch_ids):
        fetch = fetch_store.load_fetch(conn, fetch_id)
        if fetch is None:
            continue  # body purged since it was listed
        try:
            parsed = parse_feed(
                fetch.body,
                fetch.feed_id,
                fetch.language,
                content_type=fetch.content_type,
                base_url=fetch.final_url or fetch.feed_url,
                now=fetch.started_at,
                languages=tuple(settings.languages),
                max_bytes=settings.fetch_max_bytes,
            )
        except Exception as exc:  # a parser bug must not block every later cycle on this body
            parsed = ParseResult(fetch.feed_id)
            parsed.rejected = f"internal parser error {type(exc).__name__}: {exc}"[:500]
        report.fetches += 1
        with conn.transaction():
            if parsed.rejected:
                report.rejected[fetch.id] = parsed.rejected
                fetch_store.record_refused_body(conn, fetch, parsed.rejected, settings)
            else:
                upserted = article_store.upsert_articles(
                    conn,
                    parsed.articles,
                    fetch_id=fetch.id,
                    cycle_id=cycle_id,
                    seen_at=fetch.started_at,
                )
                article_store.quarantine_entries(
                    conn, _skipped_entries(fetch, parsed), cycle_id=cycle_id
                )
                report.articles_new += len(upserted.new)
                report.articles_changed += len(upserted.changed)
                report.articles_unchanged += len(upserted.unchanged)
                report.sightings_added += len(upserted.sightings_added)
                report.new_keys.extend(upserted.new)
                report.changed_keys.extend(upserted.changed)
                report.entries_skipped += len(parsed.skipped)
                report.entry_warnings += len(parsed.problems) - len(parsed.skipped)
                report.duplicates += parsed.duplicates
            fetch_store.mark_parsed(conn, fetch.id, datetime.now(UTC), parsed.rejected)
    return report
