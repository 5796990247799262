"""Canonical URLs and article keys."""

from __future__ import annotations

import pytest

from pipeline.parse_urls import MAX_KEY_LENGTH, article_key, canonical_url


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("HTTPS://News.Example.COM/a/b", "https://news.example.com/a/b"),
        ("https://x.example.com/a?utm_source=rss&utm_medium=feed", "https://x.example.com/a"),
        (
            "https://x.example.com/a?id=7&fbclid=AbC&gclid=1&msclkid=2",
            "https://x.example.com/a?id=7",
        ),
        (
            "https://x.example.com/a?UTM_Campaign=x&page=2#comments",
            "https://x.example.com/a?page=2",
        ),
        ("https://www.theguardian.example/a?CMP=share_btn_tw", "https://www.theguardian.example/a"),
        ("http://x.example.com:80/a", "http://x.example.com/a"),
        ("https://x.example.com:443/a", "https://x.example.com/a"),
        ("https://x.example.com:8443/a", "https://x.example.com:8443/a"),
        ("https://user:pw@x.example.com/a", "https://x.example.com/a"),
        ("https://x.example.com", "https://x.example.com/"),
        (
            "https://x.example.com/a?q=a%20b&utm_x=1&z=%C3%BC",
            "https://x.example.com/a?q=a%20b&z=%C3%BC",
        ),
        ("  https://x.example.com/trim  ", "https://x.example.com/trim"),
    ],
)
def test_canonical_url(raw: str, canonical: str) -> None:
    assert canonical_url(raw) == canonical


@pytest.mark.parametrize(
    "raw",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "mailto:desk@example.com",
        "file:///etc/passwd",
        "ftp://x.example.com/feed",
        "/relative/path",
        "https://",
        "https://x.example.com/" + "a" * 3000,
        "https://x.example.com:99999/",
        "",
        None,
    ],
)
def test_non_http_or_unusable_urls_have_no_canonical_form(raw) -> None:
    assert canonical_url(raw) is None


def test_keys_are_bounded_in_length() -> None:
    long_guid = "opaque-" + "x" * 1000
    key = article_key("feed", long_guid, None, "0" * 64)
    assert len(key) <= MAX_KEY_LENGTH and key.startswith("guid:sha256:")
    assert key == article_key("feed", long_guid, None, "1" * 64)  # stable


def test_key_preference_guid_then_link_then_hash() -> None:
    link = "https://x.example.com/story"
    assert article_key("f", "abc", link, "h") == "guid:f:abc"
    assert article_key("f", None, link, "h") == "url:x.example.com/story"
    assert article_key("f", "  ", None, "h") == "hash:h"
