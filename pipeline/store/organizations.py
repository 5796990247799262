"""Organizations table: the registry synced from config, and discovered organizations."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import psycopg
from psycopg.types.json import Jsonb

from pipeline.extract.organizations import LANGUAGES, Registry
from pipeline.sqlfiles import statement


@dataclass
class RegistrySyncReport:
    inserted: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)  # left the YAML; kept as discovered


def sync_registry(conn: psycopg.Connection, registry: Registry) -> RegistrySyncReport:
    """Make the registry rows match the YAML, in one transaction; re-running changes nothing.

    Organizations removed from the YAML keep their rows and mentions, marked 'discovered'.
    """
    report = RegistrySyncReport()
    with conn.transaction():
        for org in registry.orgs:
            row = conn.execute(
                statement("org_upsert_registry"),
                {
                    "id": org.id,
                    "name": org.name,
                    "parent_id": org.parent,
                    "kind": org.kind,
                    "tickers": list(org.tickers),
                    "aliases": Jsonb({lang: list(org.surfaces(lang)) for lang in LANGUAGES}),
                },
            ).fetchone()
            if row is None:
                report.unchanged.append(org.id)
            elif row[1]:
                report.inserted.append(org.id)
            else:
                report.updated.append(org.id)
        retired = conn.execute(statement("org_retire_registry"), {"ids": list(registry.by_id)})
        report.retired = [r[0] for r in retired]
    return report


def upsert_discovered(conn: psycopg.Connection, orgs: Iterable[tuple[str, str]]) -> list[str]:
    """Add discovered organizations given as (key, display name); returns the keys that are new.

    Existing rows, from the registry or discovered earlier, are left as they are.
    """
    pairs = dict(orgs)  # one name per key: the first seen
    if not pairs:
        return []
    rows = conn.execute(
        statement("org_upsert_discovered"), {"ids": list(pairs), "names": list(pairs.values())}
    )
    return [r[0] for r in rows]


def missing_ids(conn: psycopg.Connection, ids: Iterable[str]) -> list[str]:
    """The ids among `ids` that have no organizations row."""
    rows = conn.execute(statement("org_missing_ids"), {"ids": sorted(set(ids))})
    return [r[0] for r in rows]
