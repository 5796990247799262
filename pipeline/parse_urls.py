"""Canonical article URLs and the article key derived from guid, link or content."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import unquote_plus, urlsplit, urlunsplit

# Query parameters that only say where a click came from; they never select content.
TRACKING_PARAMS = frozenset(
    [
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "li_fat_id",
        "igshid",
        "mc_cid",
        "mc_eid",
        "mkt_tok",
        "_hsenc",
        "_hsmi",
        "hsctatracking",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "ncid",
        "ocid",
        "cmpid",
        "cmp",
        "ito",
        "xtor",
        "at_medium",
        "at_campaign",
        "at_custom1",
        "at_custom2",
        "at_custom3",
        "at_custom4",
        "at_link_id",
        "at_link_origin",
        "at_link_type",
        "at_ptr_name",
        "at_format",
        "at_bbc_team",
        "wt_mc",
        "wt.mc_id",
        "guccounter",
        "guce_referrer",
        "guce_referrer_sig",
        "spm",
        "ref_src",
        "__twitter_impression",
        "s_cid",
        "sr_share",
        "smid",
    ]
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hmb_")
MAX_URL_LENGTH = 2000  # longer links are dropped: they are not article URLs and break indexes
MAX_KEY_LENGTH = 400
_DEFAULT_PORTS = {"http": 80, "https": 443}
# Opaque identifiers that are unique worldwide by construction (RFC 4151 tag:, RFC 4122 UUID).
_GLOBAL_GUID = re.compile(r"^(tag:|urn:uuid:|urn:)", re.IGNORECASE)


def is_tracking_param(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def http_url(value: str | None) -> str | None:
    """`value` stripped if it is an absolute http(s) URL of sensible length, else None."""
    if not value:
        return None
    value = value.strip()
    if len(value) > MAX_URL_LENGTH or any(c.isspace() for c in value):
        return None
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return value


def canonical_url(value: str | None) -> str | None:
    """The URL normalized for comparison, or None when it is not an http(s) URL.

    Lowercases scheme and host, drops credentials, default ports, the fragment and tracking
    parameters (utm_*, fbclid, gclid, ...); keeps the order of the remaining parameters.
    """
    url = http_url(value)
    if url is None:
        return None
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    port = parts.port
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    # Filter the raw "name=value" pieces so the kept ones keep their exact encoding.
    pieces = [p for p in parts.query.split("&") if p]
    query = "&".join(p for p in pieces if not is_tracking_param(unquote_plus(p.split("=")[0])))
    return urlunsplit((scheme, netloc, parts.path or "/", query, ""))


def _bounded(key: str) -> str:
    if len(key) <= MAX_KEY_LENGTH:
        return key
    kind = key.split(":", 1)[0]
    return f"{kind}:sha256:{hashlib.sha256(key.encode('utf-8')).hexdigest()}"


def url_key(canonical: str) -> str:
    """Key for a canonical URL, scheme dropped so an http/https flip is the same article."""
    return _bounded("url:" + canonical.split("://", 1)[1])


def article_key(
    feed_id: str, guid: str | None, canonical_link: str | None, content_hash: str
) -> str:
    """The natural key of an article.

    - a guid that is an http(s) URL is global: ``url:host/path?query`` (as for links);
    - a guid that is unique worldwide by construction (tag:, urn:) is global: ``guid:<guid>``;
    - any other guid is only unique within its feed: ``guid:<feed_id>:<guid>``;
    - no guid: the canonical link, global: ``url:...``;
    - neither: the content hash of title and summary, global: ``hash:<sha256>``.
    """
    if guid:
        guid = guid.strip()
    if guid:
        canonical_guid = canonical_url(guid)
        if canonical_guid:
            return url_key(canonical_guid)
        if _GLOBAL_GUID.match(guid):
            return _bounded(f"guid:{guid}")
        return _bounded(f"guid:{feed_id}:{guid}")
    if canonical_link:
        return url_key(canonical_link)
    return f"hash:{content_hash}"
