"""Parse stage: feed bytes -> normalized Article records. No network, no database.

The document is screened and decoded first (pipeline.parse_screen); feedparser then parses the
UTF-8 text from memory. Each entry becomes an Article with a stable key (pipeline.parse_urls),
clean text (pipeline.parse_text), a UTC publication time (pipeline.parse_dates) and a checked
language (pipeline.parse_language). Entries that cannot become an article are listed with the
reason, never dropped silently.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from pipeline.parse_dates import published_time
from pipeline.parse_language import decide_language, primary
from pipeline.parse_screen import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_DEPTH,
    Rejected,
    rewrite_xml_declaration,
    screen_document,
)
from pipeline.parse_text import html_to_text, plain_text, truncate
from pipeline.parse_urls import article_key, canonical_url, http_url
from pipeline.records import Article

MAX_TITLE_CHARS = 1000
MAX_SUMMARY_CHARS = 5000
MAX_AUTHORS = 20
_HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True)
class EntryProblem:
    """An entry that did not become an article (skipped) or lost something on the way."""

    index: int  # position of the entry in the document, from 0
    reason: str
    skipped: bool  # True: no article was made from this entry
    guid: str | None = None
    link: str | None = None
    title: str | None = None


@dataclass
class ParseResult:
    """What one document gave: articles, or a one-line rejection, and what went wrong per entry."""

    feed_id: str
    articles: list[Article] = field(default_factory=list)
    rejected: str | None = None
    problems: list[EntryProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # document-level remarks (charset, bozo)
    entries: int = 0  # entries found in the document
    duplicates: int = 0  # entries that repeated an earlier entry's key and were collapsed
    version: str = ""  # feedparser's format name: rss20, rss10, atom10, ...
    encoding: str | None = None
    feed_title: str = ""
    declared_language: str | None = None  # the document's own <language>/xml:lang

    @property
    def skipped(self) -> list[EntryProblem]:
        return [p for p in self.problems if p.skipped]


def parse_feed(
    body: bytes,
    feed_id: str,
    feed_language: str | None,
    *,
    content_type: str | None = None,
    base_url: str | None = None,
    now: datetime | None = None,
    languages: tuple[str, ...] = ("en", "de"),
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_depth: int = DEFAULT_MAX_DEPTH,
) -> ParseResult:
    """Parse one fetched document into Articles; never raises for bad input.

    `feed_language` is the language the operator declared for the feed (None: use the
    document's own declaration). `now` bounds plausible publication times (default: now).
    """
    result = ParseResult(feed_id=feed_id)
    now = now or datetime.now(UTC)
    try:
        screened = screen_document(
            body, content_type=content_type, max_bytes=max_bytes, max_depth=max_depth
        )
    except Rejected as exc:
        result.rejected = str(exc)
        return result
    result.encoding = screened.encoding
    result.notes.extend(screened.notes)
    if screened.root == "html":
        result.rejected = "an HTML page, not an RSS or Atom feed (root element <html>)"
        return result
    try:
        parsed = _feedparser(screened.text, base_url)
    except Exception as exc:  # feedparser on hostile input: record, never crash the cycle
        result.rejected = f"feedparser failed: {type(exc).__name__}: {exc}"[:500]
        return result
    result.version = parsed.get("version") or ""
    entries = parsed.get("entries") or []
    result.entries = len(entries)
    if not result.version and not entries:
        root = f"<{screened.root}>" if screened.root else "no element"
        result.rejected = f"not an RSS or Atom feed (root element {root})"
        return result
    if parsed.get("bozo"):
        exc = parsed.get("bozo_exception")
        result.notes.append(f"not well-formed, read leniently: {exc}"[:300])
    feed = parsed.get("feed") or {}
    result.feed_title = plain_text(feed.get("title"))
    result.declared_language = primary(feed.get("language")) or primary(
        (feed.get("title_detail") or {}).get("language")
    )
    declared = primary(feed_language) or result.declared_language
    base = _feed_base(feed, base_url)
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        article = _article(entry, index, feed_id, declared, languages, now, base, result)
        if article is None:
            continue
        if article.key in seen:
            result.duplicates += 1
            continue
        seen.add(article.key)
        result.articles.append(article)
    return result


def _feedparser(text: str, base_url: str | None) -> Any:
    import feedparser

    data = rewrite_xml_declaration(text).encode("utf-8")
    headers = {"content-type": "application/xml; charset=utf-8"}
    if base_url:
        headers["content-location"] = base_url
    # A BytesIO, never a str: feedparser treats strings as URLs or file names to open.
    # We keep text only (pipeline.parse_text), so feedparser need not sanitize or rewrite HTML.
    return feedparser.parse(
        io.BytesIO(data), response_headers=headers, sanitize_html=False, resolve_relative_uris=False
    )


def _text_of(detail: dict | None, value: str | None) -> str:
    kind = (detail or {}).get("type") or "text/html"
    return html_to_text(value) if kind in _HTML_TYPES else plain_text(value)


def _summary(entry: dict) -> str:
    if entry.get("summary"):
        return _text_of(entry.get("summary_detail"), entry.get("summary"))
    for content in entry.get("content") or []:
        if content.get("value"):
            return _text_of(content, content.get("value"))
    return ""


def _feed_base(feed: dict, base_url: str | None) -> str | None:
    """Where relative entry links point from: the fetch URL, else the feed's self/home link."""
    if http_url(base_url):
        return base_url
    for link in feed.get("links") or []:
        if link.get("rel") == "self" and http_url(link.get("href")):
            return link["href"]
    return http_url(feed.get("link"))


def _links(entry: dict, base: str | None) -> tuple[list[str], list[str]]:
    """(http/https links in document order, the ones refused with their raw value)."""
    links: list[str] = []
    refused: list[str] = []
    candidates = [entry.get("link")] + [link.get("href") for link in entry.get("links") or []]
    candidates += [e.get("href") for e in entry.get("enclosures") or []]
    for raw in candidates:
        if not raw:
            continue
        if base and not urlsplit(raw.strip()).scheme:
            raw = urljoin(base, raw.strip())
        url = http_url(raw)
        if url is None:
            if raw.strip() not in refused:
                refused.append(raw.strip())
        elif url not in links:
            links.append(url)
    return links, refused


def _authors(entry: dict) -> tuple[str, ...]:
    names: list[str] = []
    for author in entry.get("authors") or []:
        name = plain_text(author.get("name") or author.get("email"))
        if name and name not in names:
            names.append(name)
    if not names and entry.get("author"):
        names.append(plain_text(entry.get("author")))
    return tuple(n[:200] for n in names[:MAX_AUTHORS] if n)


def _raw_date(entry: dict) -> tuple[Any, str | None]:
    for name in ("published", "updated", "created"):
        if entry.get(name) or entry.get(f"{name}_parsed"):
            return entry.get(f"{name}_parsed"), entry.get(name)
    return None, None


def _article(
    entry: dict,
    index: int,
    feed_id: str,
    declared: str | None,
    languages: tuple[str, ...],
    now: datetime,
    base: str | None,
    result: ParseResult,
) -> Article | None:
    guid = (entry.get("id") or "").strip() or None
    raw_title = entry.get("title")
    title, cut_title = truncate(_text_of(entry.get("title_detail"), raw_title), MAX_TITLE_CHARS)
    summary, cut_summary = truncate(_summary(entry), MAX_SUMMARY_CHARS)
    links, refused = _links(entry, base)

    def problem(reason: str, skipped: bool = False) -> None:
        result.problems.append(
            EntryProblem(index, reason, skipped, guid, links[0] if links else None, title or None)
        )

    if not title and not summary and not links:
        what = f" (refused links: {', '.join(refused)[:200]})" if refused else ""
        problem(f"entry has no title, summary or http(s) link{what}", skipped=True)
        return None
    for raw in refused:
        problem(f"link {raw[:200]!r} dropped: not an absolute http(s) URL")
    if cut_title or cut_summary:
        problem("title or summary truncated")

    url = links[0] if links else (http_url(guid) or "")
    canonical = canonical_url(url) or ""
    content_hash = hashlib.sha256(f"{title}\n{summary}".encode()).hexdigest()
    key = article_key(feed_id, guid, canonical or None, content_hash)
    parsed_date, raw_date = _raw_date(entry)
    published, date_problem = published_time(parsed_date, raw_date, now)
    if date_problem:
        problem(date_problem)
    language, language_note = decide_language(f"{title}\n{summary}", declared, languages)
    if language_note:
        problem(language_note)
    return Article(
        key=key,
        feed_id=feed_id,
        url=url,
        canonical_url=canonical,
        title=title,
        summary=summary,
        language=language,
        content_hash=content_hash,
        guid=guid[:1000] if guid else None,
        authors=_authors(entry),
        feed_language=declared,
        published_at=published,
        published_raw=raw_date[:200] if raw_date else None,
        links=tuple(links),
    )
