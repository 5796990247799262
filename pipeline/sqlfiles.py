"""SQL statements live in sql/statements/NAME.sql; this reads them once per process."""

from __future__ import annotations

from functools import cache

from pipeline.settings import PROJECT_ROOT

STATEMENTS_DIR = PROJECT_ROOT / "sql" / "statements"


@cache
def statement(name: str) -> str:
    """The text of sql/statements/<name>.sql."""
    return (STATEMENTS_DIR / f"{name}.sql").read_text(encoding="utf-8")
