"""The recruitment pipeline: accepted offers not yet started, set against the uncovered vacancies,
and the recruitment activity of each month (issue 4, deliverable 3; needs.md: "a pipeline table:
agency and permanent offers accepted, with start dates, and the remaining gap post-pipeline by
role").

The ``pipeline`` extract (ingest/pipeline.py) holds each candidate once, at their latest stage:
applied, shortlisted, offered, accepted, checks (pre-employment checks after acceptance), started
or withdrawn, dated by ``stage_date``, with an ``expected_start``.

**Accepted offers not yet started** on the date D, expected to start by S:

- stage ``accepted`` or ``checks``, recorded on or before D (``stage_date`` ≤ D). The extract
  keeps no stage history, so for a past D a candidate whose stage was recorded later is left
  out (their acceptance may be later than D), and one who has since started is not counted
  either: figures for past dates are as good as the latest extract allows.
- ``expected_start`` on or before S when S is given (an offer with no expected start cannot be
  said to start by S and is left out); with no S, every accepted offer counts. An expected
  start already past that has not become ``started`` is still counted: the candidate is still
  to come.
- ``pipeline_permanent_fte``: directly employed (permanent and fixed-term contracts, as
  ``permanent_fte`` in domain/establishment.py); ``pipeline_agency_fte``: agency;
  ``pipeline_total_fte`` their sum. Casual offers fill no budgeted post and are left out.

**Against the gap**, for each group (role, team, or team and role):
``remaining_gap_fte`` = max(0, U − T) and ``surplus_fte`` = max(0, T − U), where U is the group's
``uncovered_vacancy_fte`` (domain/establishment.py, summed post by post) and T its
``pipeline_total_fte``. Here max is applied at the level of the group asked for, as the issue
defines it: a starter is taken to be able to fill any uncovered vacancy of their group (by role:
in any team). So the totals of ``remaining_gap_fte`` and ``surplus_fte`` depend on the grouping;
in every row and in the total, ``remaining_gap_fte − surplus_fte = U − T``. Starters fill
uncovered vacancies first (a permanent starter who will replace an agency worker is not told
apart: the extract does not say). Offers without a team are a row of their own when grouping by
team (``team_id`` empty): they cannot be set against any team's gap. The total row is the sum of
the rows.

**Rounding**: FTE are summed per team and role and rounded there to hundredths
(:func:`caseloads.domain.establishment.hundredths`); everything after is exact, so every row and
total adds up in the printed two-decimal figures.

**Monthly activity**: for each calendar month up to D, the candidates whose latest stage was
recorded in that month, by stage: ``applications`` (applied), ``shortlisted``, ``offers``
(offered), ``acceptances`` (accepted), ``checks``, ``started``, ``withdrawn``, and ``candidates``
(all of them). Because the extract keeps only the latest stage, a candidate offered in March who
accepted in April counts as an acceptance in April and not as an offer in March: ``applications``
and ``offers`` are lower bounds of what passed through those stages in the month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from caseloads.domain.establishment import (
    AGENCY_CONTRACTS,
    CELL,
    GROUPINGS,
    PERMANENT_CONTRACTS,
    hundredths,
    role_key,
    to_fte,
    total_of,
)

OFFER_STAGES = ("accepted", "checks")

#: Output column of each stage in the monthly activity table, in pipeline order.
STAGE_COLUMNS: dict[str, str] = {
    "applied": "applications",
    "shortlisted": "shortlisted",
    "offered": "offers",
    "accepted": "acceptances",
    "checks": "checks",
    "started": "started",
    "withdrawn": "withdrawn",
}
ACTIVITY_COUNTS = (*STAGE_COLUMNS.values(), "candidates")

PIPELINE_FIGURES = (
    "uncovered_vacancy_fte",
    "pipeline_permanent_fte",
    "pipeline_agency_fte",
    "pipeline_total_fte",
    "remaining_gap_fte",
    "surplus_fte",
)
_FTE_FIGURES = PIPELINE_FIGURES
_COUNTS = ("candidates",)


def accepted_offers(
    pipeline: pl.DataFrame, as_of: date, starting_by: date | None = None
) -> pl.DataFrame:
    """The candidates with an accepted offer not yet started on ``as_of`` (see the module
    docstring), expected to start by ``starting_by`` when given."""
    keep = pl.col("stage").is_in(list(OFFER_STAGES)) & (pl.col("stage_date") <= as_of)
    keep = keep & pl.col("contract").is_in([*PERMANENT_CONTRACTS, *AGENCY_CONTRACTS])
    if starting_by is not None:
        keep = keep & (pl.col("expected_start") <= starting_by).fill_null(False)
    return pipeline.filter(keep)


def pipeline_cells(offers: pl.DataFrame) -> pl.DataFrame:
    """Offers per team and role: FTE in hundredths (Int64) and the number of candidates."""
    return (
        offers.with_columns(role_key(pl.col("role")).alias("role"))
        .group_by(CELL)
        .agg(
            pl.col("fte").filter(pl.col("contract").is_in(PERMANENT_CONTRACTS)).sum().alias("p"),
            pl.col("fte").filter(pl.col("contract").is_in(AGENCY_CONTRACTS)).sum().alias("a"),
            pl.len().cast(pl.Int64).alias("candidates"),
        )
        .select(
            *CELL,
            hundredths(pl.col("p")).alias("pipeline_permanent_fte"),
            hundredths(pl.col("a")).alias("pipeline_agency_fte"),
            pl.col("candidates"),
        )
    )


def against_gap(
    uncovered: pl.DataFrame, offers: pl.DataFrame, keys: tuple[str, ...]
) -> pl.DataFrame:
    """The groups (by ``keys``) with uncovered vacancies or offers: every figure of
    :data:`PIPELINE_FIGURES` in hundredths, and ``candidates``.

    ``uncovered``: per team and role, ``uncovered_vacancy_fte`` in hundredths (from
    :func:`caseloads.domain.establishment.cell_figures`); ``offers``: from :func:`pipeline_cells`.
    """
    gap = uncovered.group_by(list(keys)).agg(pl.col("uncovered_vacancy_fte").sum())
    coming = offers.group_by(list(keys)).agg(
        pl.col("pipeline_permanent_fte", "pipeline_agency_fte", "candidates").sum()
    )
    total = pl.col("pipeline_permanent_fte") + pl.col("pipeline_agency_fte")
    return (
        gap.join(coming, on=list(keys), how="full", coalesce=True, nulls_equal=True)
        .with_columns(
            pl.col(
                "uncovered_vacancy_fte",
                "pipeline_permanent_fte",
                "pipeline_agency_fte",
                "candidates",
            ).fill_null(0)
        )
        .with_columns(total.alias("pipeline_total_fte"))
        .with_columns(
            pl.max_horizontal(pl.col("uncovered_vacancy_fte") - total, pl.lit(0)).alias(
                "remaining_gap_fte"
            ),
            pl.max_horizontal(total - pl.col("uncovered_vacancy_fte"), pl.lit(0)).alias(
                "surplus_fte"
            ),
        )
        .select(*keys, *PIPELINE_FIGURES, "candidates")
        .sort(list(keys), nulls_last=True)
    )


@dataclass(frozen=True, slots=True)
class PipelineTable:
    """The groups (key columns, :data:`PIPELINE_FIGURES` in FTE, ``candidates``) and the total."""

    groups: pl.DataFrame
    total: dict[str, float | int]


def pipeline_table(
    uncovered: pl.DataFrame,
    pipeline: pl.DataFrame,
    as_of: date,
    *,
    starting_by: date | None = None,
    by: str = "role",
) -> PipelineTable:
    """Accepted offers set against the uncovered vacancies of each group (module docstring).

    ``uncovered``: ``team_id, role, uncovered_vacancy_fte`` (hundredths) on ``as_of``;
    ``pipeline``: every row of the pipeline extract."""
    keys = GROUPINGS[by]
    offers = pipeline_cells(accepted_offers(pipeline, as_of, starting_by))
    groups = against_gap(uncovered, offers, keys)
    sums = total_of(groups, (*PIPELINE_FIGURES, *_COUNTS))
    total: dict[str, float | int] = {
        name: (value if name in _COUNTS else value / 100) for name, value in sums.items()
    }
    return PipelineTable(groups=to_fte(groups, _FTE_FIGURES), total=total)


def monthly_activity(pipeline: pl.DataFrame, until: date) -> pl.DataFrame:
    """Candidates by the month their latest stage was recorded, one column per stage
    (:data:`STAGE_COLUMNS`) and ``candidates``; every month from the first recorded to the month
    of ``until`` (months with nothing recorded show zeros). ``month`` is ``YYYY-MM``."""
    recorded = pipeline.filter(pl.col("stage_date") <= until).with_columns(
        pl.col("stage_date").dt.truncate("1mo").alias("month")
    )
    schema = {"month": pl.String(), **{c: pl.Int64() for c in ACTIVITY_COUNTS}}
    if recorded.height == 0:
        return pl.DataFrame(schema=schema)
    counts = recorded.group_by("month").agg(
        *(
            (pl.col("stage") == stage).sum().cast(pl.Int64).alias(name)
            for stage, name in STAGE_COLUMNS.items()
        ),
        pl.len().cast(pl.Int64).alias("candidates"),
    )
    first = recorded.select(pl.col("month").min()).item()
    months = pl.DataFrame(
        {"month": pl.date_range(first, until, interval="1mo", eager=True)}
    ).with_columns(pl.col("month").dt.truncate("1mo"))
    return (
        months.join(counts, on="month", how="left")
        .with_columns(pl.col(list(ACTIVITY_COUNTS)).fill_null(0))
        .sort("month")
        .with_columns(pl.col("month").dt.strftime("%Y-%m"))
        .select(list(schema))
    )
