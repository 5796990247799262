"""Tracked deals and alert channels: load and validate config/tracked_deals.yaml.

Secrets never live in the file: channels name the environment variables (or the Airflow
connection) that hold them, and are resolved only when a message is sent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from pipeline.config_files import read_yaml
from pipeline.errors import ConfigError

SLUG = r"^[a-z0-9][a-z0-9_-]{0,62}$"
ENV_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"
# Keys that would hold a secret in clear text; each maps to the field to use instead.
LITERAL_SECRETS = {
    "password": "password_env",
    "token": "token_env",
    "secret": "token_env",
    "api_key": "token_env",
    "url": "url_env",
    "webhook_url": "url_env",
}


class _Channel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _no_literal_secrets(cls, data: object) -> object:
        if isinstance(data, dict):
            for key, instead in LITERAL_SECRETS.items():
                if key in data:
                    raise ValueError(
                        f"field {key!r}: secrets never go in this file; put the value in an "
                        f"environment variable and give its name as {instead!r} "
                        "(or use airflow_conn)"
                    )
        return data


class LogChannel(_Channel):
    """Writes each alert to the `newsflow.alerts` logger (the task log under Airflow)."""

    type: Literal["log"]
    level: Literal["info", "warning"] = "info"


class WebhookChannel(_Channel):
    """POSTs the alert as JSON to a URL taken from an environment variable or Airflow connection."""

    type: Literal["webhook"]
    url_env: str | None = Field(default=None, pattern=ENV_NAME)
    airflow_conn: str | None = None
    token_env: str | None = Field(default=None, pattern=ENV_NAME)  # sent as a Bearer token
    headers: dict[str, str] = Field(default_factory=dict)  # non-secret extra headers

    @model_validator(mode="after")
    def _one_source(self) -> WebhookChannel:
        _require_one(self.url_env, self.airflow_conn, "url_env")
        for header in self.headers:
            if any(word in header.lower() for word in ("auth", "token", "key", "secret")):
                raise ValueError(
                    f"field 'headers': {header!r} looks like a secret; use token_env (sent as "
                    "a Bearer token) instead of writing it here"
                )
        return self


class SlackChannel(_Channel):
    """Posts to a Slack incoming webhook (its URL is a secret: env variable or connection)."""

    type: Literal["slack"]
    url_env: str | None = Field(default=None, pattern=ENV_NAME)
    airflow_conn: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> SlackChannel:
        _require_one(self.url_env, self.airflow_conn, "url_env")
        return self


class EmailChannel(_Channel):
    """Sends a plain-text e-mail over SMTP; server and login from here or an Airflow connection."""

    type: Literal["email"]
    sender: str = Field(pattern=r"^[^@\s]+@[^@\s]+$")
    recipients: tuple[Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+$")], ...] = Field(
        min_length=1
    )
    host: str | None = None
    port: int = Field(default=587, ge=1, le=65535)
    starttls: bool = True
    username: str | None = None
    username_env: str | None = Field(default=None, pattern=ENV_NAME)
    password_env: str | None = Field(default=None, pattern=ENV_NAME)
    ca_file: Path | None = None  # trust this CA for STARTTLS (private relays, tests)
    airflow_conn: str | None = None  # host, port, login, password; extra {"starttls": bool}

    @model_validator(mode="after")
    def _one_source(self) -> EmailChannel:
        _require_one(self.host, self.airflow_conn, "host")
        return self


Channel = Annotated[
    LogChannel | WebhookChannel | SlackChannel | EmailChannel, Field(discriminator="type")
]


def _require_one(direct: str | None, conn: str | None, direct_name: str) -> None:
    if (direct is None) == (conn is None):
        raise ValueError(f"give exactly one of {direct_name!r} or 'airflow_conn'")


class Keywords(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    en: tuple[str, ...] = ()
    de: tuple[str, ...] = ()


class TrackedDeal(BaseModel):
    """One deal analysts follow, or a catch-all rule (rule any_orgs)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=SLUG)
    name: str = Field(min_length=1)
    rule: Literal["parties", "any_orgs"] = "parties"
    parties: tuple[str, ...] = ()  # organization ids; a subsidiary counts for its parent
    min_orgs: int = Field(default=2, ge=1)  # rule any_orgs: distinct registry organizations
    keywords: Keywords = Field(default_factory=Keywords)
    min_amount_usd: Decimal | None = Field(default=None, gt=0)
    channels: tuple[str, ...] = Field(min_length=1)
    enabled: bool = True

    @model_validator(mode="after")
    def _rule_needs(self) -> TrackedDeal:
        if self.rule == "parties" and not self.parties:
            raise ValueError("field 'parties': rule 'parties' needs at least one organization id")
        if self.rule == "any_orgs" and self.min_amount_usd is None:
            raise ValueError("field 'min_amount_usd': rule 'any_orgs' needs a minimum amount")
        return self

    @property
    def all_keywords(self) -> dict[str, tuple[str, ...]]:
        return {"en": self.keywords.en, "de": self.keywords.de}


@dataclass(frozen=True)
class TrackedDeals:
    """Everything tracked_deals.yaml declares: the deals and the channels they notify."""

    deals: tuple[TrackedDeal, ...]
    channels: dict[str, LogChannel | WebhookChannel | SlackChannel | EmailChannel]
    source: str = "tracked_deals.yaml"

    def deal(self, deal_id: str) -> TrackedDeal | None:
        return next((d for d in self.deals if d.id == deal_id), None)


CHANNEL_TYPES = ("log", "webhook", "slack", "email")


class _ChannelHolder(BaseModel):
    channel: Channel


def _first_error(exc: ValidationError, strip: int = 0) -> tuple[str, str]:
    err = exc.errors()[0]
    loc = [str(p) for p in err["loc"][strip:]]
    # The discriminated union adds the channel type to the path; users never wrote it.
    loc = [p for p in loc if p not in CHANNEL_TYPES]
    msg = err["msg"].removeprefix("Value error, ")
    return ".".join(loc), msg


def _describe(field: str, msg: str) -> str:
    if msg.startswith("field "):
        return msg
    return f"field {field!r}: {msg}" if field else msg


def parse_tracked_deals(data: object, source: str) -> TrackedDeals:
    """Validate the YAML document `data` read from `source` (a file name used in messages)."""
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping with 'channels:' and 'deals:'")
    raw_channels = data.get("channels") or {}
    raw_deals = data.get("deals")
    if not isinstance(raw_channels, dict):
        raise ConfigError(f"{source}: 'channels' must be a mapping of name: settings")
    if not isinstance(raw_deals, list):
        raise ConfigError(f"{source}: expected a top-level 'deals:' list; see the shipped example")
    channels = {}
    for name, entry in raw_channels.items():
        label = f"channels.{name}"
        if not isinstance(name, str) or not _is_slug(name):
            raise ConfigError(f"{source}: {label}: channel names are lowercase slugs (a-z, 0-9, -)")
        if not isinstance(entry, dict) or "type" not in entry:
            raise ConfigError(
                f"{source}: {label}: field 'type': required ({', '.join(CHANNEL_TYPES)})"
            )
        if entry["type"] not in CHANNEL_TYPES:
            raise ConfigError(
                f"{source}: {label}: field 'type': {entry['type']!r} is not one of "
                f"{', '.join(CHANNEL_TYPES)}"
            )
        try:
            channels[name] = _ChannelHolder(channel=entry).channel
        except ValidationError as exc:
            field, msg = _first_error(exc, strip=1)
            raise ConfigError(f"{source}: {label}: {_describe(field, msg)}") from None
    deals: list[TrackedDeal] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(raw_deals):
        label = f"deals[{index}]"
        if not isinstance(entry, dict):
            raise ConfigError(f"{source}: {label}: each deal must be a mapping with id, name, ...")
        if "id" in entry:
            label += f" (id {entry['id']!r})"
        try:
            deal = TrackedDeal(**entry)
        except ValidationError as exc:
            field, msg = _first_error(exc)
            raise ConfigError(f"{source}: {label}: {_describe(field, msg)}") from None
        if deal.id in seen:
            raise ConfigError(f"{source}: {label}: field 'id': duplicate of deals[{seen[deal.id]}]")
        unknown = [c for c in deal.channels if c not in channels]
        if unknown:
            raise ConfigError(
                f"{source}: {label}: field 'channels': {unknown[0]!r} is not defined under "
                f"'channels:' (defined: {', '.join(channels) or 'none'})"
            )
        seen[deal.id] = index
        deals.append(deal)
    return TrackedDeals(tuple(deals), channels, source)


def _is_slug(name: str) -> bool:
    return re.match(SLUG, name) is not None


def load_deals(path: Path) -> TrackedDeals:
    """Read and validate a tracked deals file; problems are a ConfigError naming entry and field."""
    data = read_yaml(path, "tracked deals file")
    return parse_tracked_deals(data, str(path))
