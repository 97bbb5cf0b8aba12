"""``caseloads reconcile``: check a hand-made establishment summary table (issue 4, deliverable 4).
Reading: :mod:`caseloads.ingest.summary_table`; the checks and the tolerance:
:mod:`caseloads.domain.reconcile`. Nothing is read from or written to the database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from caseloads.domain import reconcile as domain
from caseloads.errors import CaseloadsError, ExtractError
from caseloads.ingest.summary_table import read_summary_table


def reconcile_table(
    path: Path, *, max_file_bytes: int, tolerance: float | None = None
) -> dict[str, Any]:
    """The report on the table at ``path``: ``file``, ``rows`` (rows checked, total row
    included), ``total_row`` (whether it has one), ``decimals`` (the most decimal places it
    prints), ``tolerance`` (FTE) and ``failures``: one dict per failing check, ordered by row
    (``row`` as a spreadsheet numbers it, ``role``, ``check``, ``column``, ``reported``,
    ``expected``, ``difference``, ``message``) and ``warnings`` (findings that did not stop the
    check, such as an unknown column). An unreadable table raises
    :class:`~caseloads.errors.ExtractError` with every finding."""
    if tolerance is not None and not tolerance >= 0:
        raise CaseloadsError(f"the tolerance must be 0 or more FTE, not {tolerance}")
    table = read_summary_table(path, max_file_bytes=max_file_bytes)
    if table.findings.has_errors():
        raise ExtractError(
            f"the table {table.name} cannot be checked: fix the errors listed",
            list(table.findings),
        )
    if table.frame.height == 0:
        raise ExtractError(f"the table {table.name} has no rows to check", list(table.findings))
    used = domain.default_tolerance(table.decimals) if tolerance is None else tolerance
    failures = domain.check_table(table.frame, decimals=table.decimals, tolerance=used)
    totals = table.frame.filter(domain.is_total(pl.col("role")))
    return {
        "file": table.name,
        "rows": table.frame.height,
        "total_row": totals.height == 1,
        "decimals": table.decimals,
        "tolerance": used,
        "failures": failures.to_dicts(),
        "warnings": [f.as_dict() for f in table.findings.warnings],
    }
