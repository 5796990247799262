"""PostgreSQL access: where the server is, connections, migrations and advisory locks."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg.conninfo import conninfo_to_dict

from pipeline.errors import DatabaseUnavailable, MigrationError
from pipeline.settings import Settings

MIGRATION_FILE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
# Arbitrary constants that name our advisory locks; pg_advisory_lock takes a bigint.
MIGRATE_LOCK = 0x6E657773_0001
CLUSTER_LOCK = 0x6E657773_0002


def database_url(settings: Settings) -> str:
    """The URL to use: NEWSFLOW_DATABASE_URL, else an embedded server under settings.home."""
    if settings.database_url:
        return settings.database_url
    return start_embedded(settings.embedded_pg_dir)


def start_embedded(pgdata: Path) -> str:
    """Start (or reuse) the embedded PostgreSQL in `pgdata`; it keeps running for later runs."""
    import pgserver  # only needed without a configured server

    pgdata.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(pgdata, cleanup_mode=None)
    return server.get_uri()


def stop_embedded(pgdata: Path) -> bool:
    """Stop the embedded server in `pgdata` if it runs; True when one was stopped."""
    if not (pgdata / "postmaster.pid").exists():
        return False
    from pgserver._commands import pg_ctl

    user = "pgserver" if _is_root() else None
    pg_ctl(["-w", "stop"], pgdata=pgdata, user=user)
    return True


def _is_root() -> bool:
    import os

    return hasattr(os, "geteuid") and os.geteuid() == 0


def mask_url(url: str) -> str:
    """The URL with any password replaced by ***, for printing."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def describe_target(url: str) -> str:
    """Host (or socket folder), port and database of a URL, for error messages."""
    try:
        info = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "an unparseable URL"
    host = info.get("host") or "localhost"
    where = f"socket folder {host}" if str(host).startswith("/") else f"host {host}"
    return f"{where} port {info.get('port') or 5432} database {info.get('dbname') or '?'}"


def connect(url: str, *, autocommit: bool = False, timeout_s: int = 5) -> psycopg.Connection:
    """Open a psycopg 3 connection or raise DatabaseUnavailable naming the target."""
    try:
        return psycopg.connect(url, autocommit=autocommit, connect_timeout=timeout_s)
    except psycopg.OperationalError as exc:
        reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise DatabaseUnavailable(
            f"cannot reach PostgreSQL at {describe_target(url)} ({reason}); check that the "
            "server runs and NEWSFLOW_DATABASE_URL is right, or unset it to use the embedded one"
        ) from None


def set_role_password(conn: psycopg.Connection, role: str, password: str) -> None:
    """Set a login role's password (the analyst's, from the operator's secret)."""
    from psycopg import sql

    conn.execute(
        sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(role), sql.Literal(password))
    )
    conn.commit()


@contextmanager
def advisory_lock(conn: psycopg.Connection, key: int, *, wait: bool = True) -> Iterator[bool]:
    """Hold a session advisory lock for the block; yields False if `wait` is off and it is taken."""
    if wait:
        conn.execute("SELECT pg_advisory_lock(%s)", (key,))
        got = True
    else:
        got = conn.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()[0]
    try:
        yield got
    finally:
        if got:
            conn.execute("SELECT pg_advisory_unlock(%s)", (key,))


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path

    @property
    def sql(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class MigrationState:
    migration: Migration
    applied_at: object | None  # datetime when applied, None when pending


def discover_migrations(folder: Path) -> list[Migration]:
    """Migration files in `folder`, in version order; a malformed name is an error."""
    migrations = []
    for path in sorted(folder.glob("*.sql")):
        match = MIGRATION_FILE.match(path.name)
        if not match:
            raise MigrationError(
                f"{path}: migration files must be named NNNN_lowercase_name.sql; rename it"
            )
        migrations.append(Migration(int(match[1]), match[2], path))
    versions = [m.version for m in migrations]
    if len(versions) != len(set(versions)):
        raise MigrationError(f"{folder}: two migration files share a version number; renumber one")
    return migrations


_LEDGER = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    checksum   text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)"""


def _applied(conn: psycopg.Connection) -> dict[int, tuple[str, str, object]]:
    exists = conn.execute("SELECT to_regclass('schema_migrations') IS NOT NULL").fetchone()[0]
    if not exists:
        return {}
    rows = conn.execute("SELECT version, name, checksum, applied_at FROM schema_migrations")
    return {v: (n, c, t) for v, n, c, t in rows}


def _check_unchanged(migrations: list[Migration], applied: dict) -> None:
    for m in migrations:
        if m.version in applied and applied[m.version][1] != m.checksum:
            raise MigrationError(
                f"migration {m.path.name} was edited after it was applied (checksum differs); "
                "restore the file and put the change in a new migration"
            )


def migration_status(conn: psycopg.Connection, folder: Path) -> list[MigrationState]:
    """Every migration on disk with its applied time (None when pending)."""
    migrations = discover_migrations(folder)
    applied = _applied(conn)
    conn.rollback()
    _check_unchanged(migrations, applied)
    return [MigrationState(m, applied.get(m.version, (None, None, None))[2]) for m in migrations]


def migrate(conn: psycopg.Connection, folder: Path) -> list[Migration]:
    """Apply pending migrations in order, each exactly once and in its own transaction.

    Concurrent callers serialize on an advisory lock; the later one finds nothing to do.
    """
    migrations = discover_migrations(folder)
    conn.commit()  # each migration commits on its own; close whatever the caller had open
    previous, conn.autocommit = conn.autocommit, True
    try:
        return _apply_pending(conn, migrations)
    finally:
        conn.autocommit = previous


def _apply_pending(conn: psycopg.Connection, migrations: list[Migration]) -> list[Migration]:
    done: list[Migration] = []
    with advisory_lock(conn, MIGRATE_LOCK):
        conn.execute(_LEDGER)
        applied = _applied(conn)
        _check_unchanged(migrations, applied)
        for m in migrations:
            if m.version in applied:
                continue
            try:
                with conn.transaction():
                    conn.execute(m.sql)
                    conn.execute(
                        "INSERT INTO schema_migrations (version, name, checksum) VALUES (%s,%s,%s)",
                        (m.version, m.name, m.checksum),
                    )
            except psycopg.Error as exc:
                raise MigrationError(
                    f"migration {m.path.name} failed and was rolled back: "
                    f"{str(exc).strip().splitlines()[0]}"
                ) from exc
            done.append(m)
    return done
