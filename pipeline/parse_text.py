"""Clean text from feed fields: HTML stripped, entities decoded, whitespace collapsed."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

_BLOCK = frozenset(
    [
        "p",
        "br",
        "div",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "tr",
        "td",
        "th",
        "table",
        "blockquote",
        "pre",
        "section",
        "article",
        "header",
        "footer",
        "figure",
        "figcaption",
        "dd",
        "dt",
    ]
)
_SKIP = frozenset(("script", "style", "noscript", "template"))
_SPACES = re.compile(r"\s+")
# An entity reference left over after one decoding pass, i.e. double-escaped source text.
_LEFTOVER_ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]{1,31}|#\d{1,7}|#x[0-9A-Fa-f]{1,6});")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in _SKIP:
            self._skipping += 1
        elif tag in _BLOCK:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP and self._skipping:
            self._skipping -= 1
        elif tag in _BLOCK:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def _finish(text: str) -> str:
    if _LEFTOVER_ENTITY.search(text):
        text = html.unescape(text)
    text = _CONTROL.sub("", text)
    return _SPACES.sub(" ", text).strip()


def html_to_text(value: str | None) -> str:
    """Visible text of an HTML fragment, one line."""
    if not value:
        return ""
    if "<" not in value:
        return _finish(html.unescape(value) if "&" in value else value)
    collector = _TextCollector()
    collector.feed(value)
    collector.close()
    return _finish("".join(collector.parts))


def plain_text(value: str | None) -> str:
    """A text/plain field: entities left over from double escaping decoded, one line."""
    return _finish(value or "")


def truncate(text: str, limit: int) -> tuple[str, bool]:
    """`text` cut at a word boundary to at most `limit` characters (with an ellipsis)."""
    if len(text) <= limit:
        return text, False
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 0.8:
        cut = cut[:space]
    return cut.rstrip() + "…", True
