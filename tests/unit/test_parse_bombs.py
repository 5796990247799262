"""XML bombs and hostile documents are rejected before feedparser, with little memory."""

from __future__ import annotations

import gc

import psutil
import pytest

from pipeline.parse import parse_feed
from pipeline.parse_screen import Rejected, decode_body, screen_document

MB = 1024 * 1024


def billion_laughs() -> bytes:
    lines = ['<!ENTITY lol0 "lol">']
    lines += [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE rss [\n' + "\n".join(lines) + "\n]>\n"
        "<rss version='2.0'><channel><item><title>&lol9;</title></item></channel></rss>"
    ).encode()


def quadratic_blowup() -> bytes:
    # One 50 KB entity referenced 50,000 times: 2.5 GB once expanded, 300 KB on the wire.
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY a "' + "x" * 50_000 + '">]>\n'
        "<rss version='2.0'><channel><item><title>t</title><description>"
        + "&a;" * 50_000
        + "</description></item></channel></rss>"
    ).encode()


def external_entity(target: str) -> bytes:
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY secret SYSTEM "{target}">]>\n'
        "<rss version='2.0'><channel><item><title>&secret;</title></item></channel></rss>"
    ).encode()


def parameter_entity() -> bytes:
    return (
        b'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY % remote SYSTEM "http://169.254.169.254/">'
        b" %remote;]>\n<rss version='2.0'><channel/></rss>"
    )


def deep_nesting(depth: int) -> bytes:
    return (
        b"<rss version='2.0'><channel><item><title>"
        + b"<b>" * depth
        + b"x"
        + b"</b>" * depth
        + (b"</title></item></channel></rss>")
    )


BOMBS = {
    "billion laughs": billion_laughs(),
    "quadratic blow-up": quadratic_blowup(),
    "external entity (file)": external_entity("file:///etc/passwd"),
    "external entity (http)": external_entity("http://169.254.169.254/latest/meta-data/"),
    "parameter entity": parameter_entity(),
    "deep nesting": deep_nesting(100_000),
}


def rss_mb() -> float:
    gc.collect()
    return psutil.Process().memory_info().rss / MB


@pytest.mark.parametrize("name", list(BOMBS))
def test_xml_bombs_are_rejected_with_a_reason_and_little_memory(name: str) -> None:
    before = rss_mb()
    result = parse_feed(BOMBS[name], "hostile", "en")
    grown = rss_mb() - before
    assert result.rejected, f"{name} was not rejected"
    assert result.articles == []
    assert any(word in result.rejected for word in ("entity", "DOCTYPE", "nested"))
    # The documents are at most a few hundred KB; expansion would need gigabytes.
    assert grown < 50, f"{name}: RSS grew by {grown:.0f} MB"


def test_bombs_in_utf16_are_seen_through_the_encoding() -> None:
    body = billion_laughs().decode().replace('<?xml version="1.0"?>', "").encode("utf-16")
    assert body[:2] in (b"\xff\xfe", b"\xfe\xff")
    assert "entity" in parse_feed(body, "hostile", "en").rejected


def test_entity_declaration_text_inside_cdata_or_comments_is_harmless() -> None:
    body = (
        b"<rss version='2.0'><channel><!-- <!ENTITY x 'y'> --><item>"
        b"<title>How XXE works</title><link>https://sec.example.com/xxe</link>"
        b"<description><![CDATA[Attackers write <!DOCTYPE x [<!ENTITY a SYSTEM 'file:///'>]>]]>"
        b"</description></item></channel></rss>"
    )
    result = parse_feed(body, "sec", "en")
    assert result.rejected is None
    assert [a.title for a in result.articles] == ["How XXE works"]


def test_external_dtd_is_never_loaded(tmp_path) -> None:
    # A DOCTYPE with only an external id is allowed (old RSS 0.91 feeds have one), but the DTD
    # is not read: an entity it declares never reaches the article.
    dtd = tmp_path / "evil.dtd"
    dtd.write_text('<!ENTITY secret "TOP-SECRET-CONTENT">')
    body = (
        f'<?xml version="1.0"?>\n<!DOCTYPE rss SYSTEM "{dtd.as_uri()}">\n'
        "<rss version='2.0'><channel><item><title>Quarterly numbers &secret;</title>"
        "<link>https://x.example.com/q</link></item></channel></rss>"
    ).encode()
    result = parse_feed(body, "dtd", "en")
    assert result.rejected is None
    assert all("TOP-SECRET" not in a.title + a.summary for a in result.articles)


def test_nesting_just_under_the_limit_is_accepted_and_over_it_rejected() -> None:
    ok = screen_document(deep_nesting(90), max_depth=100)
    assert ok.root == "rss"
    with pytest.raises(Rejected, match="nested deeper than 100"):
        screen_document(deep_nesting(97), max_depth=100)


def test_unclosed_html_void_elements_do_not_count_as_depth() -> None:
    body = b"<rss version='2.0'><channel>" + b"<br><img src='x'>" * 500 + b"</channel></rss>"
    assert screen_document(body).root == "rss"


def test_documents_over_the_size_limit_are_rejected_before_decoding() -> None:
    body = b"<rss>" + b" " * (2 * MB) + b"</rss>"
    with pytest.raises(Rejected, match="over the 1,048,576-byte limit"):
        screen_document(body, max_bytes=MB)


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        ("Übernahme".encode(), "text/xml; charset=iso-8859-1", "Übernahme"),  # lie: bytes are UTF-8
        (
            "Übernahme".encode("latin-1"),
            "text/xml; charset=utf-8",
            "Übernahme",
        ),  # lie the other way
        ("Übernahme".encode("latin-1"), None, "Übernahme"),  # no declaration at all
        ("<?xml version='1.0' encoding='windows-1252'?>€".encode("cp1252"), None, "€"),
        ("<t>Grüße</t>".encode("utf-16-le"), None, "Grüße</t>"),  # no BOM: sniffed from '<'
    ],
)
def test_charset_decision_trusts_the_bytes_over_a_wrong_declaration(body, content_type, expected):
    text, _codec, _notes = decode_body(body, content_type)
    assert text.endswith(expected)
