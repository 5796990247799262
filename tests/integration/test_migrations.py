"""Migrations against a real PostgreSQL: applied once, in order, recorded, tamper-evident."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import psycopg
import pytest

from pipeline import db
from pipeline.errors import MigrationError
from tests.conftest import MIGRATIONS

EXPECTED_TABLES = {
    "feeds", "fetches", "cycles", "articles", "article_sightings", "article_revisions",
    "organizations", "org_mentions", "entity_mentions", "money_mentions", "stories",
    "story_articles", "tracked_deals", "alerts", "alert_deliveries", "dq_results", "quarantine",
    "schema_migrations",
}  # fmt: skip


def _tables(conn: psycopg.Connection) -> set[str]:
    rows = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    return {r[0] for r in rows}


def test_migrating_an_empty_database_creates_the_schema(empty_db_url: str) -> None:
    with db.connect(empty_db_url) as conn:
        applied = db.migrate(conn, MIGRATIONS)
        assert [m.path.name for m in applied] == sorted(p.name for p in MIGRATIONS.glob("*.sql"))
        assert _tables(conn) >= EXPECTED_TABLES
        recorded = conn.execute("SELECT version, checksum FROM schema_migrations").fetchall()
        assert {v for v, _ in recorded} == {m.version for m in applied}


def test_rerunning_migrate_is_a_no_op(db_url: str) -> None:
    with db.connect(db_url) as conn:
        before = conn.execute("SELECT version, applied_at FROM schema_migrations").fetchall()
        assert db.migrate(conn, MIGRATIONS) == []
        after = conn.execute("SELECT version, applied_at FROM schema_migrations").fetchall()
    assert before == after
    assert all(s.applied_at for s in db.migration_status(db.connect(db_url), MIGRATIONS))


def test_status_lists_pending_migrations(empty_db_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, folder)
    with db.connect(empty_db_url) as conn:
        db.migrate(conn, folder)
        (folder / "9999_extra_column.sql").write_text("ALTER TABLE feeds ADD COLUMN note text;")
        states = {s.migration.name: s.applied_at for s in db.migration_status(conn, folder)}
    assert states["extra_column"] is None
    assert states["schema"] is not None


def test_an_edited_applied_migration_is_refused(empty_db_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, folder)
    with db.connect(empty_db_url) as conn:
        db.migrate(conn, folder)
        first = sorted(folder.glob("*.sql"))[0]
        first.write_text(first.read_text() + "\n-- edited\n")
        with pytest.raises(MigrationError, match=first.name):
            db.migrate(conn, folder)
        with pytest.raises(MigrationError, match="edited after it was applied"):
            db.migration_status(conn, folder)


def test_a_failing_migration_is_rolled_back_and_named(empty_db_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "0001_good.sql").write_text("CREATE TABLE good (id int);")
    (folder / "0002_bad.sql").write_text("CREATE TABLE half (id int); SELECT * FROM missing;")
    with db.connect(empty_db_url) as conn:
        with pytest.raises(MigrationError, match="0002_bad.sql"):
            db.migrate(conn, folder)
        assert "good" in _tables(conn)
        assert "half" not in _tables(conn)
        versions = [r[0] for r in conn.execute("SELECT version FROM schema_migrations")]
    assert versions == [1]


def test_concurrent_migrates_do_not_collide(empty_db_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, folder)
    # A slow migration makes the two callers overlap for certain.
    (folder / "9998_slow.sql").write_text("SELECT pg_sleep(0.5); CREATE TABLE slow (id int);")
    results: dict[int, object] = {}

    def run(i: int) -> None:
        try:
            with db.connect(empty_db_url) as conn:
                results[i] = [m.version for m in db.migrate(conn, folder)]
        except Exception as exc:  # reported below
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not any(isinstance(r, Exception) for r in results.values()), results
    applied = sorted(results.values(), key=len)
    assert applied[0] == []  # the second caller waited, then found nothing to do
    assert 9998 in applied[1]
    with db.connect(empty_db_url) as conn:
        counts = conn.execute("SELECT version, count(*) FROM schema_migrations GROUP BY 1")
        assert all(n == 1 for _, n in counts)


def test_misnamed_migration_file_is_reported(tmp_path: Path) -> None:
    (tmp_path / "add-things.sql").write_text("SELECT 1")
    with pytest.raises(MigrationError, match="add-things.sql"):
        db.discover_migrations(tmp_path)
