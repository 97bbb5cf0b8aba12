"""Rules across rows: each a small named function over a typed frame (with ``_row``).

All intervals are inclusive of both ends and an empty end means still open (store/tables.py).

- :func:`date_order` (``date.order``): an end date before its start date.
- :func:`overlaps` (``overlap``, or ``duplicate.key`` for posts): two intervals of the same key
  share a day. One worker's assignments must not overlap (design.md §4, ``staff``); one post
  id is one budget line at a time (``establishment``).
- :func:`duplicate_keys` (``duplicate.key``): a record id given twice.
- :func:`unknown_reference` (``reference.unknown``): a reference to something the extract does not
  contain (the SSD's foreign keys, ssd_fields.csv).
- :func:`conflicts` (``conflict``): rows of one key that disagree on a value that belongs to the
  key (a worker's SWE number or qualification date given differently on two rows).
- :func:`swe_shape` (``swe.shape``, warning): a Social Work England number that is not two letters
  and ten digits, the CSWW XSD pattern (definitions.md §1.6); checked after normalisation
  (:func:`caseloads.ingest.identifiers.normalise_swe`).

Each reports the later row of a pair, so fixing the reported rows fixes the file. With
``private=True`` a finding shows only the shape of an identifier (parse.shape).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import polars as pl

from caseloads.ingest.csv_io import ROW
from caseloads.ingest.findings import Findings, Severity
from caseloads.ingest.parse import shape

SWE_PATTERN = r"^[A-Za-z]{2}[0-9]{10}$"
_OPEN_END = date(9999, 12, 31)


def date_order(
    frame: pl.DataFrame,
    start: str,
    end: str,
    *,
    file: str,
    findings: Findings,
    column: str | None = None,
    start_label: str | None = None,
) -> None:
    """``end`` must not be before ``start`` (either may be empty)."""
    bad = frame.filter(pl.col(end) < pl.col(start)).select(
        ROW,
        pl.format("{} is before {}", pl.col(end), pl.col(start)).alias("_value"),
    )
    findings.from_frame(
        bad,
        severity="error",
        rule="date.order",
        message=f"{column or end} is before {start_label or start}",
        file=file,
        column=column or end,
        value_col="_value",
    )


def overlaps(
    frame: pl.DataFrame,
    key: str | Sequence[str],
    start: str,
    end: str,
    *,
    file: str,
    findings: Findings,
    rule: str = "overlap",
    message: str = "this period overlaps another row with the same key",
    column: str | None = None,
    severity: Severity = "error",
) -> None:
    """Rows of one ``key`` whose [start, end] periods share a day (empty end = open)."""
    keys = [key] if isinstance(key, str) else list(key)
    spans = (
        frame.filter(pl.col(start).is_not_null() & pl.all_horizontal(pl.col(keys).is_not_null()))
        .select(*keys, ROW, start, pl.col(end).fill_null(_OPEN_END).alias("_end"))
        .sort([*keys, start, ROW])
        .with_columns(
            pl.col("_end").cum_max().shift(1).over(keys).alias("_reach"),
            pl.col(ROW).shift(1).over(keys).alias("_previous"),
        )
    )
    bad = spans.filter(pl.col(start) <= pl.col("_reach")).select(
        ROW, pl.format("overlaps from row {}", pl.col("_previous")).alias("_value")
    )
    findings.from_frame(
        bad.sort(ROW),
        severity=severity,
        rule=rule,
        message=message,
        file=file,
        column=column or start,
        value_col="_value",
    )


def duplicate_keys(
    frame: pl.DataFrame,
    key: str | Sequence[str],
    *,
    file: str,
    findings: Findings,
    column: str | None = None,
    what: str = "id",
    private: bool = False,
) -> None:
    """Every row after the first that repeats ``key`` (rows with an empty key are skipped)."""
    keys = [key] if isinstance(key, str) else list(key)
    # Only the key columns are carried (not every column of the table), and a single key is
    # compared as itself rather than as a one-field struct. Rows with an empty key are dropped
    # before looking for repeats, so they neither repeat nor are repeated.
    filled = frame.select(ROW, *keys).filter(pl.all_horizontal(pl.col(keys).is_not_null()))
    repeat = ~(pl.col(keys[0]) if len(keys) == 1 else pl.struct(keys)).is_first_distinct()
    value = pl.concat_str(pl.col(keys), separator=" / ")
    bad = filled.filter(repeat).select(ROW, (shape(value) if private else value).alias("_value"))
    findings.from_frame(
        bad,
        severity="error",
        rule="duplicate.key",
        message=f"this {what} is given on an earlier row too",
        file=file,
        column=column or keys[0],
        value_col="_value",
    )


def unknown_reference(
    frame: pl.DataFrame,
    column: str,
    known: pl.Series,
    *,
    file: str,
    findings: Findings,
    severity: Severity,
    message: str,
    label: str | None = None,
    private: bool = True,
) -> pl.Series:
    """Rows whose ``column`` is filled but not in ``known``; returns the mask of those rows."""
    missing = pl.col(column).is_not_null() & ~pl.col(column).is_in(known.implode())
    mask = frame.select(missing.alias("_m")).get_column("_m")
    report_unknown(
        frame,
        column,
        mask,
        file=file,
        findings=findings,
        severity=severity,
        message=message,
        label=label,
        private=private,
    )
    return mask


def report_unknown(
    frame: pl.DataFrame,
    column: str,
    mask: pl.Series,
    *,
    file: str,
    findings: Findings,
    severity: Severity,
    message: str,
    label: str | None = None,
    private: bool = True,
) -> None:
    """:func:`unknown_reference`'s findings for a mask already worked out (``reference.unknown``,
    one per row of ``mask``)."""
    if mask.any():
        value = pl.col(column)
        findings.from_frame(
            frame.filter(mask).select(ROW, shape(value) if private else value),
            severity=severity,
            rule="reference.unknown",
            message=message,
            file=file,
            column=label or column,
            value_col=column,
        )


def conflicts(
    frame: pl.DataFrame,
    key: str,
    columns: Sequence[str],
    *,
    file: str,
    findings: Findings,
    labels: dict[str, str] | None = None,
    what: str = "worker",
    private: Sequence[str] = (),
) -> None:
    """Rows whose value of ``column`` differs from the first value given for the same key."""
    for column in columns:
        first = pl.col(column).drop_nulls().first().over(key).alias("_first")
        marked = frame.with_columns(first)
        differs = pl.col(column).is_not_null() & (pl.col(column) != pl.col("_first"))
        now, then = pl.col(column), pl.col("_first")
        if column in private:
            now, then = shape(now), shape(then)
        bad = marked.filter(differs.fill_null(False)).select(
            ROW, pl.format("{} (earlier: {})", now, then).alias("_value")
        )
        label = (labels or {}).get(column, column)
        findings.from_frame(
            bad,
            severity="error",
            rule="conflict",
            message=f"{label} differs from the value given for the same {what} on an earlier row",
            file=file,
            column=label,
            value_col="_value",
        )


def swe_shape(
    frame: pl.DataFrame, column: str, *, file: str, findings: Findings, label: str | None = None
) -> None:
    bad = frame.filter(
        pl.col(column).is_not_null() & ~pl.col(column).str.contains(SWE_PATTERN)
    ).select(ROW, shape(pl.col(column)))
    findings.from_frame(
        bad,
        severity="warning",
        rule="swe.shape",
        message="a Social Work England number is two letters and ten digits (e.g. SW1234567890)",
        file=file,
        column=label or column,
        value_col=column,
    )
