"""parse_feed on hand-written feeds: formats, dates, keys, links, text, language, rejections."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipeline.parse import parse_feed

FEEDS = Path(__file__).resolve().parent.parent / "data" / "feeds"
NOW = datetime(2024, 12, 31, tzinfo=UTC)


def parse(name: str, feed_id: str = "f", language: str | None = "en", **kw):
    return parse_feed((FEEDS / name).read_bytes(), feed_id, language, now=NOW, **kw)


def rss(items: str, lang: str = "en") -> bytes:
    return (
        f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>T</title>"
        f"<language>{lang}</language>{items}</channel></rss>"
    ).encode()


def test_rss20_articles_are_normalized() -> None:
    result = parse("rss20_en.xml")
    assert result.rejected is None and result.version == "rss20"
    first, second = result.articles
    assert first.title == "Northwind Robotics raises $120 million to expand warehouse fleet"
    # HTML stripped, entity decoded, script content dropped.
    assert first.summary == (
        "The logistics start-up said the round was led by two pension funds & a sovereign investor."
    )
    assert first.canonical_url == "https://news.example.com/2024/11/northwind-raise?id=42"
    assert first.published_at == datetime(2024, 11, 25, 9, 30, tzinfo=UTC)
    assert first.published_raw == "Mon, 25 Nov 2024 09:30:00 GMT"
    assert first.authors == ("Jane Roe",)
    assert second.canonical_url == "https://news.example.com/2024/11/contoso-fabrikam"


def test_atom_entries_with_relative_links_html_titles_and_two_authors() -> None:
    result = parse("atom10.xml")
    assert result.version == "atom10"
    chip, outage = result.articles
    assert chip.title == "Chipmaker Tailspin opens a second fab in Arizona"
    assert chip.url == "https://tech.example.org/news/tailspin-fab"  # resolved on the self link
    assert chip.published_at == datetime(2024, 11, 25, 8, 0, tzinfo=UTC)  # +01:00 -> UTC
    assert chip.authors == ("Ada Example", "Grace Sample")
    assert outage.summary.startswith("Several payment providers reported failed transactions")
    assert outage.published_at == datetime(2024, 11, 25, 11, 0, tzinfo=UTC)  # updated, no published


def test_atom_links_resolve_against_the_fetch_url_first() -> None:
    result = parse("atom10.xml", base_url="https://mirror.example.org/feeds/atom.xml")
    assert result.articles[0].url == "https://mirror.example.org/news/tailspin-fab"


def test_rss10_rdf_items() -> None:
    result = parse("rss10.rdf")
    assert result.version == "rss10"
    assert [a.title for a in result.articles] == [
        "Litware sets price range for its stock market debut",
        "Adventure Works to cut 600 jobs after weak quarter",
    ]
    assert result.articles[0].published_at == datetime(2024, 11, 20, 14, 30, tzinfo=UTC)
    assert result.articles[0].authors == ("Sam Writer",)


def test_german_latin1_feed_keeps_umlauts_and_reads_german_dates() -> None:
    result = parse("rss20_de_latin1.xml", language="de")
    assert result.encoding == "iso8859-1"
    takeover, dax, shipyard = result.articles
    assert (
        takeover.title == "Übernahme: Mühlenwerk AG kauft Süßwarenhersteller für 450 Millionen Euro"
    )
    assert "Köln" in takeover.summary
    assert takeover.published_at == datetime(2024, 11, 25, 9, 0, tzinfo=UTC)  # "Mo, ... +0100"
    assert dax.title == "Börse: Dax schließt nach Zinsentscheid im Plus"
    assert dax.published_at == datetime(2024, 12, 3, 16, 45, tzinfo=UTC)  # "Di, 03 Dez ... MEZ"
    assert shipyard.published_at == datetime(2024, 3, 12, 7, 15, tzinfo=UTC)  # 12.03.2024, Berlin
    assert {a.language for a in result.articles} == {"de"}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Mi, 15 Mär 2023 14:00:00 +0100", datetime(2023, 3, 15, 13, 0, tzinfo=UTC)),
        ("Mi, 01 Mai 2024 06:30:00 MESZ", datetime(2024, 5, 1, 4, 30, tzinfo=UTC)),
        ("Freitag, 04. Oktober 2024 18:00", datetime(2024, 10, 4, 16, 0, tzinfo=UTC)),
        ("25. Juni 2024, 09:00 Uhr", datetime(2024, 6, 25, 7, 0, tzinfo=UTC)),
        ("01.02.2024 um 12:00 Uhr", datetime(2024, 2, 1, 11, 0, tzinfo=UTC)),
        ("So, 29 Dez 2024 23:59:59 GMT", datetime(2024, 12, 29, 23, 59, 59, tzinfo=UTC)),
    ],
)
def test_german_date_formats(raw: str, expected: datetime) -> None:
    item = f"<item><title>Meldung</title><link>https://d.example.de/x</link><pubDate>{raw}</pubDate></item>"
    (article,) = parse_feed(rss(item, "de"), "d", "de", now=NOW).articles
    assert article.published_at == expected
    assert article.published_raw == raw


def test_items_without_guid_javascript_links_and_bad_dates() -> None:
    result = parse("no_guid_javascript_links.xml")
    by_title = {a.title: a for a in result.articles}
    linked = by_title["Item without a guid, keyed by its link"]
    assert linked.guid is None
    assert linked.key == "url:odd.example.com/story/one"
    # The second copy differs only in a tracking parameter: collapsed into the first.
    assert result.duplicates == 1
    script = by_title["Item whose only link is a script"]
    assert script.url == "" and script.links == ()
    assert script.key.startswith("hash:")
    assert not any("javascript:" in a.url or any("javascript:" in x for x in a.links)
                   for a in result.articles)  # fmt: skip
    assert by_title["Item with neither guid nor link"].key.startswith("hash:")
    # An entry with nothing usable is skipped with its reason, not dropped silently.
    (skipped,) = result.skipped
    assert skipped.index == 3 and "no title, summary or http(s) link" in skipped.reason
    assert "data:text/html" in skipped.reason
    assert any("javascript:alert" in p.reason and not p.skipped for p in result.problems)
    # Far-future and unreadable dates: no published time, raw string kept.
    future = by_title["Dated in the far future"]
    assert future.published_at is None and future.published_raw.startswith("Sat, 01 Jan 2150")
    assert by_title["Dated with nonsense"].published_at is None


def test_guid_flipping_between_http_and_https_keeps_the_key() -> None:
    def one(guid: str) -> str:
        item = f"<item><title>Same story</title><guid>{guid}</guid></item>"
        return parse_feed(rss(item), "f", "en", now=NOW).articles[0].key

    assert one("http://News.example.com/story/7") == one("https://news.example.com/story/7")


def test_key_scoping() -> None:
    def key(feed_id: str, guid: str) -> str:
        item = f"<item><title>Story</title><guid isPermaLink='false'>{guid}</guid></item>"
        return parse_feed(rss(item), feed_id, "en", now=NOW).articles[0].key

    # An opaque guid only means something within its feed ...
    assert key("feed-a", "12345") != key("feed-b", "12345")
    assert key("feed-a", "12345") == "guid:feed-a:12345"
    # ... a URL guid, a tag: URI or a UUID URN is the same article wherever it appears.
    assert key("feed-a", "https://x.example.com/1") == key("feed-b", "https://x.example.com/1")
    assert key("feed-a", "tag:x.example.com,2024:1") == key("feed-b", "tag:x.example.com,2024:1")


def test_duplicate_guids_inside_one_feed_collapse_to_the_first() -> None:
    items = "".join(
        f"<item><title>Version {i}</title><guid>https://x.example.com/a</guid></item>"
        for i in (1, 2)
    )
    result = parse_feed(rss(items), "f", "en", now=NOW)
    assert [a.title for a in result.articles] == ["Version 1"]
    assert result.duplicates == 1


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("not_a_feed.html", "an HTML page, not an RSS or Atom feed"),
        ("not_a_feed.json", "a JSON document, not an RSS or Atom feed"),
    ],
)
def test_html_and_json_are_rejected_with_a_reason(name: str, reason: str) -> None:
    result = parse(name)
    assert result.rejected.startswith(reason)
    assert result.articles == []


@pytest.mark.parametrize("body", [b"", b"   \n\t ", b"\xef\xbb\xbf"])
def test_empty_documents_are_rejected(body: bytes) -> None:
    assert parse_feed(body, "f", "en").rejected == "empty document"


def test_plain_text_is_rejected() -> None:
    assert "not an RSS or Atom feed" in parse_feed(b"Service unavailable", "f", "en").rejected


def test_wrong_declared_charset_does_not_garble_umlauts() -> None:
    body = rss(
        "<item><title>Grüße aus Düsseldorf</title><link>https://d.example.de/g</link></item>"
    )
    body = body.replace(b"encoding='utf-8'", b"encoding='iso-8859-1'")
    result = parse_feed(body, "f", "de", content_type="application/rss+xml; charset=iso-8859-1")
    assert result.articles[0].title == "Grüße aus Düsseldorf"
    assert any("bytes are UTF-8" in n for n in result.notes)


def test_charset_from_http_header_decodes_latin1_declared_nowhere() -> None:
    body = rss("<item><title>Größe zählt</title><link>https://d.example.de/z</link></item>")
    body = body.replace(b" encoding='utf-8'", b"").decode().encode("latin-1")
    result = parse_feed(body, "f", "de", content_type="text/xml; charset=ISO-8859-1")
    assert result.articles[0].title == "Größe zählt"


def test_language_policy() -> None:
    english = (
        "Regulators in Brussels opened an investigation into the planned merger of the two "
        "largest cloud providers on Tuesday, citing concerns about competition in the market."
    )
    german = "Die Bundesregierung hat am Dienstag das neue Gesetz zur Förderung von Start-ups beschlossen."
    items = (
        f"<item><title>Markets</title><description>{english}</description>"
        "<link>https://d.example.de/en</link></item>"
        f"<item><title>Gesetz</title><description>{german}</description>"
        "<link>https://d.example.de/de</link></item>"
        "<item><title>Apple iPhone</title><link>https://d.example.de/short</link></item>"
    )
    result = parse_feed(rss(items, "de"), "f", "de", now=NOW)
    langs = {a.url.rsplit("/", 1)[1]: a.language for a in result.articles}
    # A long English text in a German feed is English; short text keeps the declared language.
    assert langs == {"en": "en", "de": "de", "short": "de"}
    assert all(a.feed_language == "de" for a in result.articles)
    assert any("detected as en" in p.reason for p in result.problems)


def test_document_language_is_used_when_none_is_configured() -> None:
    item = "<item><title>Kurz</title><link>https://d.example.de/k</link></item>"
    result = parse_feed(rss(item, "de-DE"), "f", None, now=NOW)
    assert result.declared_language == "de"
    assert result.articles[0].language == "de"


def test_double_escaped_entities_and_control_characters_are_cleaned() -> None:
    item = (
        "<item><title>AT&amp;amp;T &amp;uuml;bernimmt\x01 Firma</title>"
        "<link>https://d.example.de/a</link></item>"
    )
    result = parse_feed(rss(item), "f", "en", now=NOW)
    assert result.articles[0].title == "AT&T übernimmt Firma"


def test_overlong_summaries_are_truncated_at_a_word_boundary() -> None:
    text = "word " * 3000
    item = f"<item><title>Long</title><description>{text}</description></item>"
    (article,) = parse_feed(rss(item), "f", "en", now=NOW).articles
    assert len(article.summary) <= 5000 and article.summary.endswith("word…")
