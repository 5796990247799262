"""Feed registry: load and validate config/feeds.yaml into Feed records."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from pipeline.config_files import read_yaml
from pipeline.errors import ConfigError

LANGUAGES = ("en", "de")


class Feed(BaseModel):
    """One feed as an operator declares it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")
    outlet: str = Field(min_length=1)
    url: str
    language: Literal["en", "de"]
    topics: tuple[str, ...] = ()
    poll_minutes: int = Field(default=15, ge=1, le=24 * 60)
    enabled: bool = True
    allow_private: bool = False  # permit loopback/private addresses (tests, the local demo)

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")) or len(value) < 12:
            raise ValueError("must be an http:// or https:// URL")
        return value


def _field_path(loc: tuple) -> str:
    return ".".join(str(p) for p in loc) or "(entry)"


def parse_feeds(data: object, source: str) -> list[Feed]:
    """Validate the YAML document `data` read from `source` (a file name used in messages)."""
    if not isinstance(data, dict) or not isinstance(data.get("feeds"), list):
        raise ConfigError(f"{source}: expected a top-level 'feeds:' list; see the shipped example")
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise ConfigError(f"{source}: 'defaults' must be a mapping of field: value")
    feeds: list[Feed] = []
    seen_ids: dict[str, int] = {}
    seen_urls: dict[str, int] = {}
    for index, entry in enumerate(data["feeds"]):
        label = f"feeds[{index}]"
        if not isinstance(entry, dict):
            raise ConfigError(f"{source}: {label}: each feed must be a mapping with id, url, ...")
        if "id" in entry:
            label += f" (id {entry['id']!r})"
        try:
            feed = Feed(**{**defaults, **entry})
        except ValidationError as exc:
            err = exc.errors()[0]
            raise ConfigError(
                f"{source}: {label}: field {_field_path(err['loc'])!r}: {err['msg']}"
            ) from None
        if feed.id in seen_ids:
            raise ConfigError(
                f"{source}: {label}: field 'id': duplicate of feeds[{seen_ids[feed.id]}]"
            )
        if feed.url in seen_urls:
            raise ConfigError(
                f"{source}: {label}: field 'url': same URL as feeds[{seen_urls[feed.url]}]"
            )
        seen_ids[feed.id] = index
        seen_urls[feed.url] = index
        feeds.append(feed)
    return feeds


def load_feeds(path: Path) -> list[Feed]:
    """Read and validate a feeds file; any problem is a ConfigError naming file, entry and field."""
    data = read_yaml(path, "feeds file")
    return parse_feeds(data, str(path))
