"""One Settings object for the whole project; every value can be set as NEWSFLOW_<NAME>."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Runtime configuration. Read once by a driver (CLI, DAG, test) and passed down."""

    model_config = SettingsConfigDict(env_prefix="NEWSFLOW_", extra="ignore")

    database_url: str | None = Field(
        default=None,
        description="PostgreSQL URL; when unset an embedded server is started under home/pg.",
    )
    home: Path = Field(default=PROJECT_ROOT / ".newsflow", description="Local state folder.")
    config_dir: Path = Field(default=PROJECT_ROOT / "config")
    sql_dir: Path = Field(default=PROJECT_ROOT / "sql")
    connect_timeout_s: int = 5

    @property
    def feeds_file(self) -> Path:
        return self.config_dir / "feeds.yaml"

    @property
    def embedded_pg_dir(self) -> Path:
        return self.home / "pg"


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, with explicit overrides taking precedence."""
    return Settings(**overrides)
