"""Bytes to safe text before feedparser sees them: charset decision and a markup screen.

feedparser 6.0.14 expands entity declarations (a 110 KB quadratic-entity feed becomes gigabytes)
and trusts a declared charset even when the bytes say otherwise, so both are decided here.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_DEPTH = 100

# HTML elements that never have a closing tag; counting them as open would inflate the depth.
_VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    ]
)

# One pass over the markup: comments, CDATA and processing instructions are skipped whole,
# declarations (<!DOCTYPE, <!ENTITY, ...) and tags are inspected.
_TOKEN = re.compile(
    r"<!--.*?(?:-->|\Z)"
    r"|<!\[CDATA\[.*?(?:\]\]>|\Z)"
    r"|<\?.*?(?:\?>|\Z)"
    r"|<!(?P<decl>[A-Za-z]+)"
    r"|<(?P<close>/)?(?P<name>[A-Za-z_][^\s/>]*)[^>]*?(?P<selfclose>/)?>",
    re.DOTALL,
)
_XML_DECL = re.compile(r"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_XML_DECL_BYTES = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_CHARSET_PARAM = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.IGNORECASE)

# Byte-order marks, longest first (UTF-32 LE starts like UTF-16 LE).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# XML 1.0 appendix F: "<?" or "<" in UTF-16/32 without a byte-order mark.
_SNIFF = (
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<\x00?", "utf-16-be"),
    (b"<\x00?\x00", "utf-16-le"),
    (b"\x00<\x00", "utf-16-be"),
    (b"<\x00", "utf-16-le"),
)


@dataclass(frozen=True)
class ScreenedDocument:
    """A document that passed the screen: its text, how it was decoded and its root element."""

    text: str
    encoding: str
    root: str | None  # first element name, e.g. "rss", "feed", "html"
    notes: tuple[str, ...] = field(default_factory=tuple)


class Rejected(Exception):  # noqa: N818 - a verdict, not an error in the code
    """The document is refused; str(exc) is the one-line reason."""


def _codec(name: str | None) -> str | None:
    """The Python codec for a charset label, or None when unknown."""
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().lower()).name
    except LookupError:
        return None


def declared_charsets(body: bytes, content_type: str | None) -> tuple[str | None, str | None]:
    """(charset from the HTTP Content-Type, encoding from the XML declaration)."""
    http = None
    if content_type:
        match = _CHARSET_PARAM.search(content_type)
        http = match[1] if match else None
    match = _XML_DECL_BYTES.match(body[:512])
    return http, (match[1].decode("ascii") if match else None)


def decode_body(body: bytes, content_type: str | None = None) -> tuple[str, str, list[str]]:
    """Decide the charset and decode. Returns (text, codec name, notes on disagreements).

    Order: byte-order mark; UTF-16/32 sniffed from the first bytes; valid UTF-8 (a declared
    single-byte charset on bytes that are valid multi-byte UTF-8 is almost always a lie);
    the HTTP charset; the XML declaration; windows-1252 with replacement characters.
    """
    notes: list[str] = []
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(name, errors="replace"), name, notes
    for prefix, name in _SNIFF:
        if body.startswith(prefix):
            return body.decode(name, errors="replace"), name, notes
    http, xml = declared_charsets(body, content_type)
    declared = [c for c in (_codec(http), _codec(xml)) if c]
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if not body.isascii():
            wrong = [c for c in declared if c != "utf-8"]
            if wrong:
                notes.append(f"declared charset {wrong[0]} but the bytes are UTF-8; read as UTF-8")
            return text, "utf-8", notes
        # Pure ASCII: a 7-bit encoding such as ISO-2022-JP or UTF-7 must still be honoured.
        for name in declared:
            if name in ("utf-8", "ascii"):
                break
            try:
                return body.decode(name), name, notes
            except (UnicodeDecodeError, LookupError):
                continue
        return text, "utf-8", notes
    for name in declared:
        if name in ("utf-8", "utf-16", "utf-32"):
            continue  # already known not to fit
        try:
            return body.decode(name), name, notes
        except (UnicodeDecodeError, LookupError):
            notes.append(f"declared charset {name} does not fit the bytes")
    if declared and "utf-8" in declared:
        notes.append("declared UTF-8 but the bytes are not; read as windows-1252")
    return body.decode("windows-1252", errors="replace"), "windows-1252", notes


def screen_markup(text: str, *, max_depth: int = DEFAULT_MAX_DEPTH) -> str | None:
    """Raise Rejected for entity declarations, internal DTD subsets or deep nesting.

    Returns the name of the first element (the root), or None when there is none.
    """
    stack: list[str] = []
    root: str | None = None
    for match in _TOKEN.finditer(text):
        decl = match["decl"]
        if decl is not None:
            upper = decl.upper()
            if upper == "DOCTYPE":
                end = text.find(">", match.end())
                bracket = text.find("[", match.end())
                if bracket != -1 and (end == -1 or bracket < end):
                    raise Rejected(
                        "DOCTYPE with an internal subset (entity or element declarations); "
                        "refused because entity expansion can exhaust memory"
                    )
                continue
            if upper == "ENTITY":
                raise Rejected("declares an XML entity (<!ENTITY); refused: entity-expansion risk")
            raise Rejected(f"contains a markup declaration <!{decl}; refused")
        name = match["name"]
        if name is None:
            continue
        local = name.lower()
        if match["close"]:
            if local in stack:
                while stack and stack.pop() != local:
                    pass
            continue
        if root is None:
            root = local
        if match["selfclose"] or local in _VOID:
            continue
        stack.append(local)
        if len(stack) > max_depth:
            raise Rejected(f"elements nested deeper than {max_depth} levels; refused")
    return root


def rewrite_xml_declaration(text: str) -> str:
    """The text with its XML declaration saying UTF-8 (the bytes feedparser gets are UTF-8)."""
    match = _XML_DECL.match(text)
    if not match:
        return text
    return text[: match.start(1)] + "utf-8" + text[match.end(1) :]


def screen_document(
    body: bytes,
    *,
    content_type: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_depth: int = DEFAULT_MAX_DEPTH,
) -> ScreenedDocument:
    """Decode and screen a fetched body; raise Rejected with a one-line reason when refused."""
    if len(body) > max_bytes:
        raise Rejected(f"document is {len(body):,} bytes, over the {max_bytes:,}-byte limit")
    if not body.strip():
        raise Rejected("empty document")
    text, encoding, notes = decode_body(body, content_type)
    head = text.lstrip("\ufeff \t\r\n")
    if not head:
        raise Rejected("empty document")
    if head[0] in "{[":
        raise Rejected("a JSON document, not an RSS or Atom feed (JSON Feed is not supported)")
    if "<" not in head[:4096]:
        raise Rejected("no markup in the first 4 KB: not an RSS or Atom feed")
    root = screen_markup(text, max_depth=max_depth)
    return ScreenedDocument(text=text, encoding=encoding, root=root, notes=tuple(notes))
