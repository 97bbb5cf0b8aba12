"""Findings: what a reader or a rule found wrong (or doubtful) in an extract.

A finding names the file, the row, the column, the value and the rule broken, so an analyst can go
straight to the cell. Rows are numbered as a spreadsheet shows them: in a CSV the header is row 1
and the first data row is row 2; in XML the row is the 1-based position of the record (for example
the 3rd ``CSWWWorker``) and the column is the element name. Errors refuse the whole extract;
warnings are reported and never block an import.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from typing import Any, Literal

import polars as pl

Severity = Literal["error", "warning"]

#: At most this many findings of one rule and column are kept; the rest are counted in a summary
#: finding, so that a file with a million bad rows still gives a readable report.
MAX_PER_RULE = 200


@dataclass(frozen=True, slots=True)
class Finding:
    severity: Severity
    rule: str
    message: str
    file: str
    row: int | None = None
    column: str | None = None
    value: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def location(self) -> str:
        parts = [self.file]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return ", ".join(parts)

    def __str__(self) -> str:
        shown = "" if self.value is None else f" (value {self.value!r})"
        return f"{self.severity}: {self.location()}: {self.message}{shown} [{self.rule}]"


class Findings:
    """An ordered collection of findings, capped per rule and column."""

    def __init__(self) -> None:
        self._items: list[Finding] = []
        self._counts: Counter[tuple[str, str | None, str, Severity]] = Counter()

    def add(self, finding: Finding) -> None:
        key = (finding.rule, finding.column, finding.file, finding.severity)
        self._counts[key] += 1
        if self._counts[key] <= MAX_PER_RULE:
            self._items.append(finding)

    def error(
        self,
        rule: str,
        message: str,
        file: str,
        row: int | None = None,
        column: str | None = None,
        value: object = None,
    ) -> None:
        self.add(Finding("error", rule, message, file, row, column, _text(value)))

    def warning(
        self,
        rule: str,
        message: str,
        file: str,
        row: int | None = None,
        column: str | None = None,
        value: object = None,
    ) -> None:
        self.add(Finding("warning", rule, message, file, row, column, _text(value)))

    def from_frame(
        self,
        bad: pl.DataFrame,
        *,
        severity: Severity,
        rule: str,
        message: str,
        file: str,
        column: str | None,
        row_col: str = "_row",
        value_col: str | None = None,
    ) -> None:
        """Add one finding per row of ``bad`` (rows that broke ``rule``), reading the row number
        from ``row_col`` and the offending value from ``value_col`` (default: ``column``)."""
        if bad.height == 0:
            return
        vcol = value_col if value_col is not None else column
        limited = bad.head(MAX_PER_RULE + 1)
        rows = limited.get_column(row_col).to_list()
        values = (
            limited.get_column(vcol).to_list()
            if vcol and vcol in limited.columns
            else [None] * len(rows)
        )
        for r, v in zip(rows, values, strict=True):
            self.add(Finding(severity, rule, message, file, r, column, _text(v)))
        key = (rule, column, file, severity)
        self._counts[key] += bad.height - limited.height

    def extend(self, findings: Iterable[Finding]) -> None:
        for f in findings:
            self.add(f)

    def __iter__(self) -> Iterator[Finding]:
        yield from self._items
        for (rule, column, file, severity), n in self._counts.items():
            if n > MAX_PER_RULE:
                yield Finding(
                    severity,
                    rule,
                    f"{n - MAX_PER_RULE} more finding(s) of this rule not listed",
                    file,
                    None,
                    column,
                    None,
                )

    def __len__(self) -> int:
        return sum(self._counts.values())

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self if f.severity == "warning"]

    def has_errors(self) -> bool:
        return any(k[3] == "error" for k in self._counts)

    def summary(self) -> dict[str, int]:
        """Counts by severity, for the batch log."""
        out = {"error": 0, "warning": 0}
        for (_, _, _, severity), n in self._counts.items():
            out[severity] += n
        return out


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."
