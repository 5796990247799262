"""Data quality: Great Expectations suites on every batch, quarantine, recorded results.

Importing this package is cheap; Great Expectations is imported only when a check runs.
"""

from pipeline.quality.gate import gate_batch, validate_after_clustering
from pipeline.quality.quarantine import Release, latest_results, list_quarantine, release
from pipeline.quality.report import CheckOutcome, DataQualityError, DQReport, SuiteOutcome

__all__ = [
    "CheckOutcome",
    "DQReport",
    "DataQualityError",
    "Release",
    "SuiteOutcome",
    "gate_batch",
    "latest_results",
    "list_quarantine",
    "release",
    "validate_after_clustering",
]
