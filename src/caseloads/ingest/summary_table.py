"""Reading a hand-made establishment summary table (a CSV copied from a council paper) for
``caseloads reconcile`` (the checks are in domain/reconcile.py).

Columns (any order; header names compared as in csv_io.py): ``role, establishment, permanent,
agency, vacant, over_under``, all required. ``role`` must not be empty. Figures are FTE as papers
print them:

- ``1,234.5`` (thousands separators), ``(2.0)`` (a negative in brackets, as "(over)/under" is
  printed), ``−2.0`` or ``–2.0`` (a minus or dash sign) are read as numbers;
- a dash on its own (``-``, ``–``, ``—``), as papers print nil, is 0;
- ``establishment``, ``permanent``, ``agency`` and ``vacant`` must be at least 0; ``over_under``
  may be negative.

A figure that cannot be read, an empty one or one out of range is an error naming the file, the
spreadsheet row, the column and the value (schema.py). More than one total row is an error
(``duplicate.key``: the total label given twice); a table with no rows gives the usual
``file.no_rows`` warning, and the reconcile service refuses it (nothing to check). The number of
decimal places the table prints (the most any figure has) is kept: the checks compare at that
precision.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from caseloads.domain.reconcile import FIGURES, is_total
from caseloads.ingest.csv_io import ROW, read_csv
from caseloads.ingest.findings import Findings
from caseloads.ingest.schema import Field, Schema, apply_schema
from caseloads.ingest.sources import load_file

SCHEMA = Schema(
    (
        Field("role", "role", required=True),
        *(
            Field(name, name, "float", required=True, minimum=None if name == "over_under" else 0)
            for name in FIGURES
        ),
    )
)
_NIL = ("-", "–", "—")
_GROUPED = r"^-?\d{1,3}(,\d{3})+(\.\d+)?$"


@dataclass(frozen=True, slots=True)
class SummaryTable:
    """The table read (``_row``, ``role`` and the figures), the most decimal places its figures
    are printed to, and what was found wrong with it."""

    name: str
    frame: pl.DataFrame
    decimals: int
    findings: Findings


def printed_figure(text: pl.Expr) -> pl.Expr:
    """Figure text as printed in papers, rewritten as a plain number (see the module docstring).
    Text that is not a figure is left for the schema to report."""
    t = text.str.strip_chars()
    t = pl.when(t.is_in(list(_NIL))).then(pl.lit("0")).otherwise(t)
    t = t.str.replace(r"^[−–]", "-")
    t = t.str.replace(r"^\(\s*([^()]*?)\s*\)$", "-$1")
    return (
        pl.when(t.str.contains(_GROUPED))
        .then(t.str.replace_all(",", "", literal=True))
        .otherwise(t)
    )


def _decimals(frame: pl.DataFrame) -> int:
    places = frame.select(
        pl.max_horizontal(
            pl.col(name).str.extract(r"\.(\d+)$", 1).str.len_chars().max().fill_null(0)
            for name in FIGURES
        )
    ).item()
    return int(places or 0)


def read_summary_table(path: Path, *, max_file_bytes: int) -> SummaryTable:
    """Read ``path``; problems are in ``findings`` (errors mean the table cannot be checked)."""
    findings = Findings()
    name = path.name or str(path)
    empty = pl.DataFrame(
        schema={ROW: pl.Int64(), "role": pl.String(), **{f: pl.Float64() for f in FIGURES}}
    )
    loaded = load_file(path, max_file_bytes=max_file_bytes, findings=findings)
    table = None if loaded is None else read_csv(loaded, SCHEMA.columns(), findings)
    if table is None:
        return SummaryTable(name, empty, 0, findings)
    name = table.name
    text = table.frame.with_columns(
        printed_figure(pl.col(f)).alias(f) for f in FIGURES if f in table.frame.columns
    )
    decimals = _decimals(text) if all(f in text.columns for f in FIGURES) else 0
    frame = apply_schema(text, SCHEMA, file=name, findings=findings)
    totals = frame.filter(is_total(pl.col("role").fill_null("")))
    findings.from_frame(
        totals.slice(1),
        severity="error",
        rule="duplicate.key",
        message="a second total row: only one row may be the total",
        file=name,
        column="role",
    )
    return SummaryTable(name, frame, decimals, findings)
