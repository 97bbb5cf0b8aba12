"""Social worker stability: how many different allocated social workers each child had in the 12
months to a date, and how many and what share of the children had 3 or more.

**The DfE measure** (``../shared/domain/definitions.md`` §4, "Social-worker stability"; the DfE file
``la_cla_swcount.csv``, rows "CLA on 31 March" / "3 or more social workers during the year"): the
percentage of children looked after at 31 March who had 3 or more social workers during the year,
each social worker counted once per child. England 2024: 22,140 of 83,300, 27%.

Here the year is the 12 months to any date ``as_of`` (:func:`stability_window`: from the day after
the same date a year before to ``as_of``, both inclusive; for 31 March, 1 April to 31 March, the
DfE's year), and two cohorts can be asked for:

- ``allocated`` (issue 5, deliverable 6): every child with an allocated social worker at some
  point in the 12 months; each has at least one worker;
- ``cla`` (the DfE's published cohort): every child looked after at the end of ``as_of`` (an open
  episode: started on or before it, not ceased on or before it; see
  :mod:`caseloads.domain.demand` for the interval rule), whether or not a worker was recorded; a
  child with none counts with 0 workers, so the denominator is the DfE's "Total children".

**Allocated social worker**: an involvement whose role is one of ``roles`` (the setting
``allocated_roles`` of the weighting scheme in force, by default the SSD's allocated case worker
codes, :data:`DEFAULT_ALLOCATED_ROLES`), matched without regard to case or surrounding spaces
(:func:`caseloads.domain.caseload.allocated`, the caseload engine's own rule). An involvement
counts for the window when it overlaps it: its start and end dates are both inclusive and an
empty end means still held, so it counts when ``start_date <= window end`` and (no ``end_date``
or ``end_date >= window start``). A worker held twice (two involvements, or the same allocation
in two extracts) counts once per child: worker ids are first made one namespace by
:func:`caseloads.domain.caseload.resolve_workers` (the SSDA903's social-worker episodes carry
the worker's Social Work England number hash, which the staff extract and the SSD professionals
turn into the worker's id).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Final, Literal

import polars as pl

from caseloads.domain.caseload import allocated
from caseloads.domain.workforce_live import period_to

#: Involvement roles that are "allocated social worker" when no setting says otherwise: the SSD's
#: allocated case worker code and the spec's own wording (``ssd_involvements.
#: invo_professional_role_id``, definitions.md [S13]; issue 5 deliverable 1), as the shipped
#: weighting scheme's ``allocated_roles``. Matched without regard to case.
DEFAULT_ALLOCATED_ROLES: Final[tuple[str, ...]] = ("CW", "Allocated Case Worker")

#: The DfE threshold: 3 or more social workers during the year.
THRESHOLD: Final = 3

Cohort = Literal["allocated", "cla"]
COHORTS: Final[tuple[str, ...]] = ("allocated", "cla")

PER_CHILD_SCHEMA: Final[dict[str, pl.DataType]] = {
    "la_code": pl.String(),
    "child_id": pl.String(),
    "workers": pl.UInt32(),
}

SUMMARY_COLUMNS: Final[tuple[str, ...]] = (
    "la_code",
    "children",
    "children_with_3_or_more",
    "share_with_3_or_more",
    "children_without_worker",
)


def stability_window(as_of: date) -> tuple[date, date]:
    """The 12 months to ``as_of``, both ends inclusive: from the day after the same date a year
    before (1 March for a 29 February) to ``as_of``. 31 March 2024 gives 1 April 2023 to 31 March
    2024, the DfE's reporting year."""
    return period_to(as_of)


def workers_per_child(
    involvements: pl.DataFrame,
    as_of: date,
    roles: Sequence[str] = DEFAULT_ALLOCATED_ROLES,
) -> pl.DataFrame:
    """``la_code, child_id, workers``: for every child with an allocated social worker in the 12
    months to ``as_of`` (:func:`stability_window`), the number of different workers
    (``worker_id``, resolved beforehand) whose allocated involvement (role in ``roles``)
    overlaps the window. ``involvements`` has ``la_code, child_id, worker_id, role,
    start_date, end_date``."""
    first, last = stability_window(as_of)
    overlapping = (pl.col("start_date") <= last) & (
        pl.col("end_date").is_null() | (pl.col("end_date") >= first)
    )
    return (
        allocated(involvements, roles)
        .filter(overlapping)
        .group_by("la_code", "child_id")
        .agg(pl.col("worker_id").n_unique().alias("workers"))
        .select(pl.col(n).cast(t) for n, t in PER_CHILD_SCHEMA.items())
        .sort("la_code", "child_id")
    )


def cohort_workers(per_child: pl.DataFrame, cohort_children: pl.DataFrame | None) -> pl.DataFrame:
    """The per-child counts of the cohort: all of ``per_child`` when ``cohort_children`` is
    ``None`` (the ``allocated`` cohort), else every child of ``cohort_children`` (``la_code,
    child_id``) with its count, 0 where it had no allocated worker in the window."""
    if cohort_children is None:
        return per_child
    return (
        cohort_children.select("la_code", "child_id")
        .unique()
        .join(per_child, on=["la_code", "child_id"], how="left")
        .with_columns(pl.col("workers").fill_null(0))
        .select(pl.col(n).cast(t) for n, t in PER_CHILD_SCHEMA.items())
        .sort("la_code", "child_id")
    )


def stability_summary(
    per_child: pl.DataFrame, la_codes: Sequence[str], threshold: int = THRESHOLD
) -> pl.DataFrame:
    """One row per authority of ``la_codes``: ``children`` (in the cohort),
    ``children_with_3_or_more`` (``workers >= threshold``), ``share_with_3_or_more`` (their
    percentage of ``children``, 1 decimal place, halves away from zero; ``None`` with no
    children) and
    ``children_without_worker`` (0 workers: only in the ``cla`` cohort)."""
    counts = per_child.group_by("la_code").agg(
        pl.len().cast(pl.Int64).alias("children"),
        (pl.col("workers") >= threshold).sum().cast(pl.Int64).alias("children_with_3_or_more"),
        (pl.col("workers") == 0).sum().cast(pl.Int64).alias("children_without_worker"),
    )
    frame = (
        pl.DataFrame({"la_code": list(la_codes)}, schema={"la_code": pl.String()})
        .join(counts, on="la_code", how="left")
        .with_columns(
            pl.col("children", "children_with_3_or_more", "children_without_worker").fill_null(0)
        )
    )
    share = (
        (100.0 * pl.col("children_with_3_or_more") / pl.col("children"))
        .round(1, mode="half_away_from_zero")
        .alias("share_with_3_or_more")
    )
    return frame.with_columns(
        pl.when(pl.col("children") > 0).then(share).otherwise(None).alias("share_with_3_or_more")
    ).select(SUMMARY_COLUMNS)
