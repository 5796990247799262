"""What a data-quality run reports back to its driver, and the error that fails a task."""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.errors import NewsflowError


@dataclass
class CheckOutcome:
    """One expectation that did not pass cleanly: rows broke it, or it could not run."""

    suite: str
    check: str
    expectation: str  # GX expectation type and column, e.g. "expect_column_values_to_be_null on x"
    severity: str
    success: bool  # False when the breakage is beyond the batch tolerance (or it errored)
    rows: int
    unexpected: int
    unexpected_percent: float
    allowed_percent: float
    error: str | None = None

    def describe(self) -> str:
        name = f"{self.suite}/{self.check} ({self.expectation})"
        if self.error:
            return f"{name} could not be evaluated: {self.error}"
        return (
            f"{name} broken by {self.unexpected} of {self.rows} rows "
            f"({self.unexpected_percent:g}%, allowed {self.allowed_percent:g}%)"
        )


@dataclass
class SuiteOutcome:
    suite: str
    severity: str
    success: bool
    rows: int
    quarantined_rows: int  # distinct rows of this suite with a failing check
    checks: list[CheckOutcome] = field(default_factory=list)


@dataclass
class DQReport:
    """One gate or post-clustering validation. Article counts are set by the gate only."""

    cycle_id: str
    suites: list[SuiteOutcome] = field(default_factory=list)
    articles: int = 0  # in the batch
    articles_ok: int = 0
    articles_quarantined: int = 0
    articles_pending: int = 0  # only when a check could not run: nothing was admitted
    quarantine_entries: int = 0  # open entries for this batch's rows
    docs_index: str | None = None
    seconds: float = 0.0

    @property
    def critical_failures(self) -> list[CheckOutcome]:
        return [
            c for s in self.suites if s.severity == "critical" for c in s.checks if not c.success
        ]

    @property
    def warnings(self) -> list[CheckOutcome]:
        return [
            c for s in self.suites if s.severity == "warning" for c in s.checks if not c.success
        ]

    @property
    def success(self) -> bool:
        return not self.critical_failures


class DataQualityError(NewsflowError):
    """A critical check failed beyond what quarantining single rows can absorb."""

    def __init__(self, report: DQReport) -> None:
        self.report = report
        failures = "; ".join(c.describe() for c in report.critical_failures)
        where = f"; Data Docs: {report.docs_index}" if report.docs_index else ""
        super().__init__(
            f"data quality failed for cycle {report.cycle_id}: {failures} — bad rows are "
            f"quarantined and results recorded (see `newsflow dq`){where}"
        )
