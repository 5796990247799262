"""Publication dates feedparser cannot read: German day/month names, MEZ/MESZ, dd.mm.yyyy."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

# Dates more than this far ahead of the fetch are publisher bugs; they would sort first forever.
FUTURE_TOLERANCE = timedelta(days=1)
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)

_MONTHS = {
    "jan": "Jan", "januar": "Jan", "jänner": "Jan", "jän": "Jan",
    "feb": "Feb", "februar": "Feb",
    "mär": "Mar", "märz": "Mar", "maerz": "Mar", "mrz": "Mar",
    "apr": "Apr", "april": "Apr",
    "mai": "May",
    "jun": "Jun", "juni": "Jun",
    "jul": "Jul", "juli": "Jul",
    "aug": "Aug", "august": "Aug",
    "sep": "Sep", "sept": "Sep", "september": "Sep",
    "okt": "Oct", "oktober": "Oct",
    "nov": "Nov", "november": "Nov",
    "dez": "Dec", "dezember": "Dec",
}  # fmt: skip
_DAYS = "montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonnabend|sonntag|mo|di|mi|do|fr|sa|so"
_ZONES = {"mez": "+0100", "mesz": "+0200", "cet": "+0100", "cest": "+0200", "utc": "+0000"}
_LEADING_DAY = re.compile(rf"^\s*(?:{_DAYS})\.?,?\s+", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-zÄÖÜäöüß]+\.?")
_NUMERIC = re.compile(
    r"^\s*(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})(?:,?\s+(?:um\s+)?(\d{1,2}):(\d{2})(?::(\d{2}))?"
    r"(?:\s*Uhr)?)?\s*(?P<zone>[A-Za-z]{3,4}|[+-]\d{4})?\s*$",
    re.IGNORECASE,
)
_BERLIN = "Europe/Berlin"


def _english_words(raw: str) -> str:
    """German month and zone names replaced by their RFC 822 spelling."""

    def swap(match: re.Match[str]) -> str:
        word = match[0].rstrip(".").lower()
        if word in _MONTHS:
            return _MONTHS[word]
        if word in _ZONES:
            return _ZONES[word]
        return match[0]

    return _WORD.sub(swap, _LEADING_DAY.sub("", raw))


def parse_german_date(raw: str, *, default_zone: str = _BERLIN) -> datetime | None:
    """A timezone-aware datetime from a German or German-flavoured date string, else None.

    Handles "Mo, 25 Nov 2024 10:00:00 +0100", "Di, 03 Mär 2024 10:00:00 MEZ",
    "25.11.2024 10:00" and "25. November 2024, 10:00 Uhr". Without a zone the time is read as
    Berlin time, since these formats only come from German publishers.
    """
    if not raw or len(raw) > 100:
        return None
    match = _NUMERIC.match(raw)
    if match:
        day, month, year, hour, minute, second = (int(g) if g else 0 for g in match.groups()[:6])
        try:
            naive = datetime(year, month, day, hour, minute, second)
        except ValueError:
            return None
        return _with_zone(naive, match["zone"], default_zone)
    text = re.sub(
        r"\s(?:um|Uhr)\b", " ", _english_words(raw).replace(",", " "), flags=re.IGNORECASE
    )
    text = re.sub(r"(\d{1,2})\.\s*(?=[A-Z])", r"\1 ", text)  # "25. Nov" -> "25 Nov"
    text = re.sub(r"\s+", " ", text).strip()
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(default_zone))
    return parsed


def _with_zone(naive: datetime, zone: str | None, default_zone: str) -> datetime | None:
    if zone and zone[0] in "+-":
        sign = 1 if zone[0] == "+" else -1
        offset = timedelta(hours=int(zone[1:3]), minutes=int(zone[3:5])) * sign
        return (naive - offset).replace(tzinfo=UTC)
    if zone and zone.lower() in _ZONES:
        return _with_zone(naive, _ZONES[zone.lower()], default_zone)
    if zone:
        return None
    return naive.replace(tzinfo=ZoneInfo(default_zone))


def published_time(
    parsed: time.struct_time | None, raw: str | None, now: datetime
) -> tuple[datetime | None, str | None]:
    """(UTC publication time or None, problem or None) from feedparser's result and raw string.

    Unparseable dates, dates before 1990 and dates more than a day after `now` give None.
    """
    when: datetime | None = None
    if parsed is not None:
        try:
            when = datetime(*parsed[:6], tzinfo=UTC)
        except (TypeError, ValueError):
            when = None
    if when is None and raw:
        when = parse_german_date(raw)
    if when is None:
        return None, (f"unreadable date {raw!r}" if raw else None)
    when = when.astimezone(UTC)
    if when > now + FUTURE_TOLERANCE:
        return None, f"date {raw!r} is in the future; published left empty"
    if when < EARLIEST:
        return None, f"date {raw!r} is before 1990; published left empty"
    return when, None
