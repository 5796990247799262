"""Fixtures of the reliability suite and the table of faults it prints at the end of the run.

NEWSFLOW_SOAK=1 (`make reliability`) makes the scenarios repeat their faults more often and on
bigger corpora; without it every scenario still runs once, small.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pipeline.settings import Settings
from tests.conftest import ROOT
from tests.reliability import corpus as corpora
from tests.reliability import harness
from tests.reliability.checks import Totals, alert_keys, totals
from tests.reliability.faults import FaultServer
from tests.reliability.faults import serving as serving_faults
from tests.reliability.ledger import Ledger
from tests.reliability.receiver import WebhookReceiver, receiving

SOAK = os.environ.get("NEWSFLOW_SOAK") == "1"
LEDGER = pytest.StashKey[Ledger]()


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    ledger = config.stash.get(LEDGER, None)
    if ledger is None or not ledger.rows:
        return
    terminalreporter.section("reliability: faults injected and survived")
    for line in ledger.lines():
        terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def ledger(request: pytest.FixtureRequest) -> Ledger:
    return request.config.stash.setdefault(LEDGER, Ledger())


@pytest.fixture(scope="session")
def extractor() -> Any:
    """One Extractor (spaCy models loaded once) for every in-process cycle of the session."""
    from pipeline.extract.extractor import Extractor

    return Extractor.from_settings(Settings(config_dir=ROOT / "config"))


@pytest.fixture
def webhook() -> Iterator[WebhookReceiver]:
    with receiving() as receiver:
        yield receiver


@pytest.fixture
def feeds() -> Iterator[FaultServer]:
    """The loopback feed server of one scenario: healthy documents and injected faults."""
    with serving_faults() as server:
        yield server


@pytest.fixture
def workspace(
    db_url: str, tmp_path: Path, webhook: WebhookReceiver, monkeypatch: pytest.MonkeyPatch
) -> harness.Workspace:
    """An installation on a fresh migrated database; in-process alerts reach `webhook`."""
    monkeypatch.setenv(harness.WEBHOOK_ENV, webhook.url)
    return harness.make_workspace(db_url, tmp_path / "home", webhook.url)


# The corpus most scenarios share, and what an undisturbed run makes of it.
SHARED_OUTLETS, SHARED_ITEMS = (40, 30) if SOAK else (16, 10)


@pytest.fixture(scope="session")
def shared_corpus() -> corpora.Corpus:
    return corpora.build(SHARED_OUTLETS, SHARED_ITEMS)


@dataclass(frozen=True)
class Reference:
    """An undisturbed cycle over a corpus: the stories and alerts a faulty run must match."""

    totals: Totals
    alerts: Any  # Counter of alert_keys


@pytest.fixture(scope="session")
def shared_reference(
    shared_corpus: corpora.Corpus,
    pg_admin_url: str,
    extractor: Any,
    tmp_path_factory: pytest.TempPathFactory,
) -> Reference:
    return reference_run(shared_corpus, pg_admin_url, extractor, tmp_path_factory.mktemp("ref"))


def reference_run(corpus: corpora.Corpus, admin_url: str, extractor: Any, home: Path) -> Reference:
    """One cycle and one alerts run on a fresh database, nothing injected."""
    from datetime import UTC, datetime

    with (
        harness.fresh_database(admin_url) as url,
        serving_faults() as server,
        receiving() as hook,
    ):
        ws = harness.make_workspace(url, home, hook.url)
        server.documents.update(corpus.documents(datetime.now(UTC), server.base_url))
        ws.write_feeds(corpus.feeds_yaml(server.base_url))
        settings = ws.settings()
        harness.ingest(settings, extractor)
        previous = os.environ.get(harness.WEBHOOK_ENV)
        os.environ[harness.WEBHOOK_ENV] = hook.url
        try:
            harness.alerts(settings)
        finally:
            if previous is None:
                os.environ.pop(harness.WEBHOOK_ENV, None)
            else:
                os.environ[harness.WEBHOOK_ENV] = previous
        with harness.db.connect(url, autocommit=True) as conn:
            found = totals(conn, corpus)
            found.assert_exact()
            return Reference(found, alert_keys(conn))
