"""The table of faults injected and survived, filled by the scenarios and printed at the end.

A scenario opens a row before it injects its fault and marks it survived only after every
check passed, so a failing scenario shows up in the table as not survived.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Row:
    scenario: str
    fault: str
    injected: int = 0  # how many times the fault was injected
    expected: int | None = None  # articles the feeds contained
    stored: int | None = None  # distinct articles stored
    missing: int | None = None
    duplicated: int | None = None
    stories: int | None = None
    alerts: int | None = None
    peak_rss_mb: float | None = None
    note: str = ""
    survived: bool = False

    def totals(self, totals: object) -> None:
        """Copy the article and story figures of a checks.Totals."""
        for name in ("expected", "stored", "missing", "duplicated", "stories", "alerts"):
            setattr(self, name, getattr(totals, name))


@dataclass
class Ledger:
    rows: list[Row] = field(default_factory=list)

    def row(self, scenario: str, fault: str) -> Row:
        row = Row(scenario, fault)
        self.rows.append(row)
        return row

    def lines(self) -> list[str]:
        head = (
            "scenario",
            "fault",
            "injected",
            "expected",
            "stored",
            "missing",
            "dup",
            "stories",
            "alerts",
            "peak RSS MB",
            "survived",
            "note",
        )
        body = [
            (
                r.scenario,
                r.fault,
                str(r.injected),
                *(
                    "-" if v is None else str(v)
                    for v in (r.expected, r.stored, r.missing, r.duplicated, r.stories, r.alerts)
                ),
                "-" if r.peak_rss_mb is None else f"{r.peak_rss_mb:.0f}",
                "yes" if r.survived else "NO",
                r.note,
            )
            for r in self.rows
        ]
        widths = [max(len(line[i]) for line in [head, *body]) for i in range(len(head))]

        def fmt(cells: tuple[str, ...]) -> str:
            return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

        return [fmt(head), fmt(tuple("-" * w for w in widths)), *(fmt(b) for b in body)]
