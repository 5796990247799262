"""The records that flow between stages. Stages exchange these and nothing else."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True)
class Article:
    """One feed entry, normalized. `key` is its natural key across feeds and cycles."""

    key: str
    feed_id: str
    url: str
    canonical_url: str
    title: str
    summary: str
    language: str
    content_hash: str
    guid: str | None = None
    authors: tuple[str, ...] = ()
    feed_language: str | None = None
    published_at: datetime | None = None
    published_raw: str | None = None
    links: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """The text extraction runs on; mention offsets refer to it."""
        return f"{self.title}\n\n{self.summary}" if self.summary else self.title


@dataclass(frozen=True)
class OrgMention:
    start: int
    end: int
    org_id: str  # registry id, or the normalized key of a discovered organization
    surface: str
    source: str  # "registry", "model" or "pattern" (descriptor or legal-form cue)
    name: str = ""  # display name (registry name, or the surface for discovered ones)


@dataclass(frozen=True)
class MoneyMention:
    start: int
    end: int
    amount: Decimal  # in units: 50e9 for "$50 billion"; the upper bound for ranges
    currency: str  # ISO 4217
    surface: str
    qualifier: str | None = None  # up_to, about, more_than, less_than, nearly, range
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    amount_usd: Decimal | None = None


@dataclass(frozen=True)
class EntityMention:
    """A person or place: spelled alike in English and German, so useful across languages."""

    start: int
    end: int
    label: str  # PER or LOC
    norm: str  # case and diacritics folded
    surface: str


@dataclass(frozen=True)
class Extraction:
    """Everything extraction found in one article."""

    article_key: str
    language: str
    orgs: tuple[OrgMention, ...] = ()
    money: tuple[MoneyMention, ...] = ()
    entities: tuple[EntityMention, ...] = ()
    org_ids: frozenset[str] = field(default_factory=frozenset)  # after parent roll-up
