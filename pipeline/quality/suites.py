"""The expectation suites, declared as data: which column, which Great Expectations check, why.

Pure: nothing here imports Great Expectations or touches the database. Every suite reads a query
from sql/statements/dq_asset_<suite>.sql; each query exposes `row_key` (what a quarantine entry
names) and `article_key` (the article a failing row holds back; NULL when none).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pipeline.quality.currencies import ISO_4217
from pipeline.settings import Settings

CRITICAL = "critical"
WARNING = "warning"

MONEY_QUALIFIERS = ("up_to", "about", "more_than", "less_than", "nearly", "at_least", "range")
# A tag (<p>, </div>, <br/>, <!-- -->) or an HTML entity left unescaped by the parser.
RAW_HTML = r"<[A-Za-z!/][^>]*>|&([A-Za-z]{2,8}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});"
HTTP_URL = r"^[Hh][Tt][Tt][Pp][Ss]?://[^/?#[:space:]]+"


@dataclass(frozen=True)
class Check:
    """One expectation on one column; every row that breaks it is a bad row."""

    name: str  # short and stable: the quarantine entry's `expectation`
    expectation: str  # Great Expectations class in great_expectations.expectations
    column: str
    reason: str  # what a failing row means, for people reading the quarantine
    kwargs: dict[str, Any] = field(default_factory=dict)

    @property
    def gx_type(self) -> str:
        """The snake_case expectation type GX reports, e.g. expect_column_values_to_be_null."""
        return "".join("_" + c.lower() if c.isupper() else c for c in self.expectation).lstrip("_")

    @property
    def label(self) -> str:
        return f"{self.gx_type} on {self.column}"


@dataclass(frozen=True)
class Suite:
    """Checks over one query; `table` is where its bad rows live (None: never quarantined)."""

    name: str
    table: str | None
    severity: str
    checks: tuple[Check, ...]

    @property
    def query_name(self) -> str:
        return f"dq_asset_{self.name}"


def tolerated_fraction(settings: Settings, rows: int) -> float:
    """The share of rows allowed to break a critical check before the whole batch fails."""
    if rows <= 0:
        return 0.0
    return min(1.0, max(settings.dq_max_bad_fraction, settings.dq_tolerated_bad_rows / rows))


def batch_suites(settings: Settings, now: datetime | None = None) -> tuple[Suite, ...]:
    """The suites the gate runs on one batch: articles, then their org and money mentions."""
    now = now or datetime.now(UTC)
    latest = now + timedelta(minutes=settings.dq_future_tolerance_minutes)
    articles = Suite(
        "articles",
        "articles",
        CRITICAL,
        (
            Check("key_unique", "ExpectColumnValuesToBeUnique", "key", "article key is not unique"),
            Check("title_present", "ExpectColumnValuesToNotBeNull", "title", "title is empty"),
            Check("url_present", "ExpectColumnValuesToNotBeNull", "url", "url is empty"),
            Check("feed_present", "ExpectColumnValuesToNotBeNull", "feed_id", "feed is missing"),
            Check(
                "first_seen_present",
                "ExpectColumnValuesToNotBeNull",
                "first_seen_at",
                "first-seen time is missing",
            ),
            Check(
                "url_scheme",
                "ExpectColumnValuesToMatchRegex",
                "url",
                "url is not an http(s) address",
                {"regex": HTTP_URL},
            ),
            Check(
                "language_known",
                "ExpectColumnValuesToBeInSet",
                "language",
                f"language is not one of {', '.join(settings.languages)} (NEWSFLOW_LANGUAGES)",
                {"value_set": list(settings.languages)},
            ),
            Check(
                "published_not_future",
                "ExpectColumnValuesToBeBetween",
                "published_at",
                f"published more than {settings.dq_future_tolerance_minutes} min in the future",
                {"max_value": latest},
            ),
            Check(
                "title_length",
                "ExpectColumnValueLengthsToBeBetween",
                "title",
                f"title is not {settings.dq_title_min_chars}-{settings.dq_title_max_chars} chars",
                {
                    "min_value": settings.dq_title_min_chars,
                    "max_value": settings.dq_title_max_chars,
                },
            ),
            Check(
                "summary_not_html",
                "ExpectColumnValuesToNotMatchRegex",
                "summary",
                "summary contains raw HTML (a tag or an unescaped entity)",
                {"regex": RAW_HTML},
            ),
        ),
    )
    org_mentions = Suite(
        "org_mentions",
        "org_mentions",
        CRITICAL,
        (
            Check(
                "org_known",
                "ExpectColumnValuesToBeNull",
                "unknown_org_id",
                "organization id is neither in the registry nor discovered",
            ),
        ),
    )
    money_mentions = Suite(
        "money_mentions",
        "money_mentions",
        CRITICAL,
        (
            Check(
                "amount_positive",
                "ExpectColumnValuesToBeBetween",
                "amount",
                "amount is not greater than zero",
                {"min_value": 0, "strict_min": True},
            ),
            Check(
                "currency_iso4217",
                "ExpectColumnValuesToBeInSet",
                "currency",
                "currency is not an ISO 4217 code",
                {"value_set": sorted(ISO_4217)},
            ),
            Check(
                "qualifier_known",
                "ExpectColumnValuesToBeInSet",
                "qualifier",
                f"qualifier is not one of {', '.join(MONEY_QUALIFIERS)}",
                {"value_set": list(MONEY_QUALIFIERS)},
            ),
        ),
    )
    return (articles, org_mentions, money_mentions)


def story_suite() -> Suite:
    """Stories touched within the story window: each has articles, and their languages."""
    return Suite(
        "stories",
        "stories",
        CRITICAL,
        (
            Check(
                "has_articles",
                "ExpectColumnValuesToBeBetween",
                "article_count",
                "story has no articles",
                {"min_value": 1},
            ),
            Check(
                "languages_consistent",
                "ExpectColumnValuesToBeNull",
                "language_mismatch",
                "story languages differ from the languages of its articles",
            ),
        ),
    )


def feed_suite(settings: Settings) -> Suite:
    """Enabled feeds over the last 24 h; failures are warnings for the operator, never fatal."""
    return Suite(
        "feeds",
        None,
        WARNING,
        (
            Check(
                "success_rate_24h",
                "ExpectColumnValuesToBeBetween",
                "success_rate_24h",
                f"fewer than {settings.dq_feed_min_success_rate:.0%} of fetches in 24 h succeeded",
                {"min_value": settings.dq_feed_min_success_rate},
            ),
            Check(
                "fresh",
                "ExpectColumnValuesToBeBetween",
                "hours_since_success",
                f"no good fetch for more than {settings.dq_feed_max_stale_hours:g} h",
                {"max_value": settings.dq_feed_max_stale_hours},
            ),
        ),
    )
