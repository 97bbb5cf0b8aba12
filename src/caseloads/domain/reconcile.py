"""Checking a hand-made establishment summary table, as council papers print it (issue 4,
deliverable 4; needs.md: "one paper's table does not add up, and nobody noticed").

The table has one row per role and usually a total row: ``role, establishment, permanent,
agency, vacant, over_under``, where ``vacant`` is the vacancies *not* covered by agency and
``over_under`` is negative when over establishment (papers print "(over)/under establishment").
With the definitions of domain/establishment.py, E − P − A = U − O, so a row that adds up has
``over_under`` = E − P − A − vacant. The checks, each failing row reported with the value
expected:

- ``row_sum`` (column ``over_under``): establishment − permanent − agency − vacant must equal
  ``over_under``; expected: that difference.
- ``vacant_while_filled`` (column ``vacant``): a row reporting uncovered vacancies (vacant > 0)
  while permanent + agency already fill the establishment (P + A ≥ E) contradicts itself;
  expected: 0. (A table computed post by post, as ``caseloads establishment`` is, can have both
  in one role when one team's post is empty and another team is over establishment; a summary
  by role cannot show that, so the row reads as a contradiction: show such a table by team.)
- ``total`` (each column): the total row (``role`` "Total" or "Grand total", any case) must equal
  the sum of the other rows; expected: that sum. A table without a total row is checked row by
  row only; more than one total row is refused when the file is read.

**Tolerance.** Printed figures are rounded, so they are compared at the precision they are printed
to: by default a difference counts when it is more than half a unit in the last decimal place the
table uses (0.05 FTE when figures are printed to 1 decimal place, 0.005 to 2, 0.5 for whole
numbers). Differences between figures printed to that precision are whole units, so this asks the
printed figures to add up exactly, as a reader adds them, while absorbing binary floating-point
noise. A table computed from unrounded figures and then rounded may miss by a unit or two for
that reason alone (DfE tables carry the note "figures may not sum due to rounding"); a larger
tolerance (for example 0.1 or 0.2) can then be given explicitly. The tolerance applies to every
difference and to ``vacant`` being more than 0; whether permanent + agency fill the establishment
is judged as printed, so a larger tolerance never reports more.
"""

from __future__ import annotations

import polars as pl

FIGURES = ("establishment", "permanent", "agency", "vacant", "over_under")
TOTAL_LABELS = ("total", "grand total")
ROW = "_row"

FAILURE_SCHEMA: dict[str, pl.DataType] = {
    "row": pl.Int64(),
    "role": pl.String(),
    "check": pl.String(),
    "column": pl.String(),
    "reported": pl.Float64(),
    "expected": pl.Float64(),
    "difference": pl.Float64(),
    "message": pl.String(),
}
_CHECK_ORDER = {"row_sum": 0, "vacant_while_filled": 1, "total": 2}
#: Float noise allowed on top of the tolerance (differences of printed figures are whole units).
_NOISE = 1e-9


def is_total(role: pl.Expr) -> pl.Expr:
    """Whether a row is the total row, by its label."""
    return (
        role.str.strip_chars()
        .str.to_lowercase()
        .str.replace_all(r"\s+", " ")
        .is_in(list(TOTAL_LABELS))
    )


def default_tolerance(decimals: int) -> float:
    """Half a unit in the last printed decimal place."""
    return 0.5 * 10.0 ** (-decimals)


def _failures(
    frame: pl.DataFrame,
    check: str,
    column: str,
    reported: pl.Expr,
    expected: pl.Expr,
    message: str,
    decimals: int,
) -> pl.DataFrame:
    return frame.select(
        pl.col(ROW).cast(pl.Int64).alias("row"),
        pl.col("role"),
        pl.lit(check).alias("check"),
        pl.lit(column).alias("column"),
        reported.round(decimals).alias("reported"),
        expected.round(decimals).alias("expected"),
        (reported - expected).round(decimals).alias("difference"),
        pl.lit(message).alias("message"),
    )


def check_table(
    table: pl.DataFrame, *, decimals: int, tolerance: float | None = None
) -> pl.DataFrame:
    """Every failing check of ``table`` (``_row``, ``role`` and :data:`FIGURES`), one row each:
    ``row`` (the spreadsheet row), ``role``, ``check``, ``column``, ``reported``, ``expected``,
    ``difference`` (reported − expected), ``message``; ordered by row. ``decimals``: the most
    decimal places the table prints (figures are shown rounded to it); ``tolerance``: see the
    module docstring (default :func:`default_tolerance`)."""
    tol = (default_tolerance(decimals) if tolerance is None else tolerance) + _NOISE
    e, p, a, v, ou = (pl.col(c) for c in FIGURES)
    parts: list[pl.DataFrame] = []

    expected_ou = e - p - a - v
    parts.append(
        _failures(
            table.filter((ou - expected_ou).abs() > tol),
            "row_sum",
            "over_under",
            ou,
            expected_ou,
            "establishment − permanent − agency − vacant does not equal over_under",
            decimals,
        )
    )
    # "Already fill" is read as printed (P + A >= E at the printed precision) whatever the
    # tolerance, so that a larger tolerance only ever reports less.
    printed = default_tolerance(decimals) + _NOISE
    parts.append(
        _failures(
            table.filter((v > tol) & (p + a - e > -printed)),
            "vacant_while_filled",
            "vacant",
            v,
            pl.lit(0.0),
            "uncovered vacancies reported although permanent + agency already fill the "
            "establishment",
            decimals,
        )
    )

    totals = table.filter(is_total(pl.col("role")))
    if totals.height == 1:
        others = table.filter(~is_total(pl.col("role")))
        sums = others.select(pl.col(list(FIGURES)).sum().name.suffix("_sum"))
        joined = totals.join(sums, how="cross")
        for column in FIGURES:
            reported, expected = pl.col(column), pl.col(f"{column}_sum")
            parts.append(
                _failures(
                    joined.filter((reported - expected).abs() > tol),
                    "total",
                    column,
                    reported,
                    expected,
                    f"the total of {column} is not the sum of the other rows",
                    decimals,
                )
            )
    found = pl.concat(parts, how="vertical") if parts else pl.DataFrame(schema=FAILURE_SCHEMA)
    order = pl.col("check").replace_strict(_CHECK_ORDER, return_dtype=pl.Int64)
    return found.sort([pl.col("row"), order]).select(list(FAILURE_SCHEMA))
