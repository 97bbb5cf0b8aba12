"""Turnover in more detail: by month, over rolling 12 months, voluntary and all reasons; leavers
by reason and destination; the experience profile; time in post.

Every figure counts directly employed social workers and uses the employment spells, in-post and
leaver rules of :mod:`caseloads.domain.workforce_live` (staff extract) or the record classes of
:mod:`caseloads.domain.workforce_census` (CSWW return). Definitions:

- *Monthly turnover*: leavers in the month (spells whose last day falls in it, whatever their
  start) ÷ headcount in post on its first day × 100 (the workforce issue's definition).
- *Rolling 12-month turnover*: the DfE's turnover applied to the 12 months ending on the month's
  last day: leavers in those 12 months (not counting those who also started within them, [S2]) ÷
  headcount in post on the last day × 100 (definitions.md §1.3). For a September it equals the
  census year's ``turnover_rate_headcount``. The 12 monthly counts therefore need not add up to
  it.
- *Voluntary*: leavers whose ``ReasonLeave`` (``leaving_reason``) is a resignation
  (:data:`~caseloads.domain.csww_codes.VOLUNTARY_REASONS`); leavers with no reason recorded count
  under all reasons only.
- *Leavers by reason / destination*: the DfE leavers of the period (definitions.md §1.2) by CSWW
  ``ReasonLeave`` or ``LeaverDestination`` code, with the code's label and, for destinations, the
  DfE attrition group (:func:`~caseloads.domain.csww_codes.attrition_group`).
- *Experience*: of the headcount in post, the share qualified less than 2 and less than 5 years
  (from ``qualified_date``, counted over those whose date is known) and the share in the
  authority less than 2 and 5 years (since the start of the current spell of direct employment;
  for a CSWW return, since ``RoleStartDate``, from which the DfE derives time in service,
  definitions.md §1.6). "Less than 2 years" is a date less than two calendar years before.
- *Time in post*: each spell of direct employment, from its start to its end (the event) or to
  the as-of date (censored); see :func:`time_in_post`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Final

import polars as pl

from caseloads.domain.csww_codes import (
    AGENCY_DESTINATIONS,
    MOVER_DESTINATIONS,
    VOLUNTARY_REASONS,
)
from caseloads.domain.survival import KaplanMeier, kaplan_meier
from caseloads.domain.workforce_census import IN_POST, LEAVER, classify_census
from caseloads.domain.workforce_live import (
    DIRECT_CONTRACTS,
    GROUP_COLUMNS,
    LiveBy,
    employment_spells,
    held_on,
    known_by,
    period_to,
    primary_on,
    starters_and_leavers,
)

#: Days in a year, for time in post reported in years.
YEAR_DAYS: Final = 365.25
#: The horizons (years) at which the share leaving is reported.
HORIZONS: Final = (1, 2, 5)


def _pct(numerator: str, denominator: str) -> pl.Expr:
    return (
        pl.when(pl.col(denominator) > 0)
        .then(100.0 * pl.col(numerator) / pl.col(denominator))
        .round(1)
    )


def _voluntary() -> pl.Expr:
    return pl.col("leaving_reason").is_in(list(VOLUNTARY_REASONS)).fill_null(False)


def months_between(first: date, last: date) -> pl.DataFrame:
    """The calendar months from the month of ``first`` to that of ``last``: ``month`` (its first
    day), ``month_end`` (its last day) and ``window_start`` (first day of the 12 months to
    ``month_end``)."""
    months = pl.date_range(first.replace(day=1), last.replace(day=1), "1mo", eager=True)
    frame = pl.DataFrame({"month": months})
    month_end = pl.col("month").dt.offset_by("1mo") - pl.duration(days=1)
    return frame.with_columns(month_end.alias("month_end")).with_columns(
        (pl.col("month_end").dt.offset_by("-1y") + pl.duration(days=1)).alias("window_start")
    )


def _held_at(day: str) -> pl.Expr:
    return (pl.col("start_date") <= pl.col(day)) & (
        pl.col("end_date").is_null() | (pl.col("end_date") >= pl.col(day))
    )


def _headcount_on(
    direct: pl.DataFrame, months: pl.DataFrame, day: str, keys: list[str]
) -> pl.DataFrame:
    """Persons in post on each month's ``day`` (``month`` or ``month_end``), counted once in the
    group of their most senior assignment."""
    dates = months.select("month", "month_end").select("month", pl.col(day).alias("_day"))
    held = direct.join(dates, how="cross").filter(_held_at("_day"))
    primary = (
        held.sort(
            ["org_role", "fte", "start_date"], descending=[False, True, False], nulls_last=True
        )
        .group_by("la_code", "month", "worker_id", maintain_order=True)
        .first()
    )
    name = "headcount_start" if day == "month" else "headcount_end"
    return primary.group_by(keys).agg(pl.len().alias(name))


def monthly_turnover(
    assignments: pl.DataFrame,
    first: date,
    last: date,
    *,
    by: LiveBy | None = None,
    rejoin_gap_days: int = 0,
) -> pl.DataFrame:
    """Turnover for each month from ``first`` to ``last`` (their months), per authority (and
    group): ``month, headcount_start, leavers, voluntary_leavers, turnover_rate,
    voluntary_turnover_rate, headcount_end, leavers_12m, voluntary_leavers_12m,
    turnover_rate_12m, voluntary_turnover_rate_12m`` (rates in %, 1 dp; definitions in the module
    docstring). A leaver's group is that of the last assignment of their spell."""
    months = months_between(first, last)
    group = [GROUP_COLUMNS[by]] if by else []
    keys = ["la_code", *group, "month"]
    series_end = months["month_end"].max()
    assert isinstance(series_end, date)
    known = known_by(assignments, series_end)
    direct = known.filter(pl.col("contract").is_in(DIRECT_CONTRACTS))
    spells = employment_spells(known, rejoin_gap_days).filter(pl.col("end_date").is_not_null())
    ends = spells.join(months, how="cross")
    in_month = ends.filter(
        (pl.col("end_date") >= pl.col("month")) & (pl.col("end_date") <= pl.col("month_end"))
    )
    in_window = ends.filter(
        (pl.col("end_date") >= pl.col("window_start"))
        & (pl.col("end_date") <= pl.col("month_end"))
        & (pl.col("start_date") < pl.col("window_start"))
    )
    parts = [
        _headcount_on(direct, months, "month", keys),
        _headcount_on(direct, months, "month_end", keys),
        in_month.group_by(keys).agg(
            pl.len().alias("leavers"), _voluntary().sum().alias("voluntary_leavers")
        ),
        in_window.group_by(keys).agg(
            pl.len().alias("leavers_12m"), _voluntary().sum().alias("voluntary_leavers_12m")
        ),
    ]
    authorities = pl.concat([p.select("la_code", *group) for p in parts]).unique()
    frame = authorities.join(months.select("month"), how="cross")
    for part in parts:
        frame = frame.join(part, on=keys, how="left", nulls_equal=True)
    counts = [c for p in parts for c in p.columns if c not in keys]
    frame = frame.with_columns(pl.col(counts).fill_null(0).cast(pl.Int64))
    return frame.sort(keys, nulls_last=True).select(
        *keys,
        "headcount_start",
        "leavers",
        "voluntary_leavers",
        _pct("leavers", "headcount_start").alias("turnover_rate"),
        _pct("voluntary_leavers", "headcount_start").alias("voluntary_turnover_rate"),
        "headcount_end",
        "leavers_12m",
        "voluntary_leavers_12m",
        _pct("leavers_12m", "headcount_end").alias("turnover_rate_12m"),
        _pct("voluntary_leavers_12m", "headcount_end").alias("voluntary_turnover_rate_12m"),
    )


# --- leavers by reason and destination --------------------------------------------------------


def tabulate_leavers(leavers: pl.DataFrame, codes: Mapping[int, str]) -> pl.DataFrame:
    """``leavers`` (``la_code``, ``code``, ``fte``, ``leaver``: one value per distinct leaver)
    by code: every code of ``codes`` for each authority (zeros included), plus a row for leavers
    with no code if there are any: ``la_code, code, label, leavers_headcount, leavers_fte,
    share_headcount`` (% of the authority's leavers, 1 dp)."""
    counted = leavers.group_by("la_code", "code").agg(
        pl.col("leaver").n_unique().alias("leavers_headcount"),
        pl.col("fte").sum().alias("leavers_fte"),
    )
    listed = pl.DataFrame({"code": list(codes)}, schema={"code": pl.Int64})
    every = leavers.select("la_code").unique().join(listed, how="cross")
    blank = counted.filter(pl.col("code").is_null()).select("la_code", "code")
    frame = (
        pl.concat([every, blank])
        .join(counted, on=["la_code", "code"], how="left", nulls_equal=True)
        .with_columns(
            pl.col("leavers_headcount").fill_null(0).cast(pl.Int64),
            pl.col("leavers_fte").fill_null(0.0).round(1),
            pl.col("code")
            .replace_strict(dict(codes), default="Not recorded", return_dtype=pl.String)
            .alias("label"),
        )
    )
    total = pl.col("leavers_headcount").sum().over("la_code")
    share = pl.when(total > 0).then(100.0 * pl.col("leavers_headcount") / total).round(1)
    return frame.sort("la_code", "code", nulls_last=True).select(
        "la_code",
        "code",
        "label",
        "leavers_headcount",
        "leavers_fte",
        share.alias("share_headcount"),
    )


def census_leavers(workers: pl.DataFrame, year: int, item: str) -> pl.DataFrame:
    """The DfE leavers of census year ``year`` (directly employed, left within the year, not
    started within it) with ``code`` = their ``item`` (``reason_leave`` or
    ``leaver_destination``), ``fte`` their leaving FTE and ``leaver`` the DfE de-duplication key
    (person and leaving date [S1])."""
    records = classify_census(workers.filter(pl.col("census_year") == year), year)
    return records.filter(~pl.col("agency") & (pl.col("status") == LEAVER)).select(
        "la_code",
        pl.col(item).cast(pl.Int64).alias("code"),
        pl.col("fte_leaving").alias("fte"),
        pl.concat_str("person_key", pl.col("role_end_date").cast(pl.String), separator="|").alias(
            "leaver"
        ),
    )


def live_leavers(assignments: pl.DataFrame, as_of: date, rejoin_gap_days: int = 0) -> pl.DataFrame:
    """The leavers of the 12 months to ``as_of`` from the staff extract, shaped like
    :func:`census_leavers` (``code`` is the ``leaving_reason``: the extract has no
    destination)."""
    first, last = period_to(as_of)
    spells = employment_spells(known_by(assignments, as_of), rejoin_gap_days)
    flows = starters_and_leavers(spells, first, last).filter(pl.col("leaver"))
    return flows.select(
        "la_code",
        pl.col("leaving_reason").cast(pl.Int64).alias("code"),
        "fte",
        pl.concat_str("worker_id", pl.col("end_date").cast(pl.String), separator="|").alias(
            "leaver"
        ),
    )


def attrition_group_expr() -> pl.Expr:
    """The DfE attrition group of a ``LeaverDestination`` code (see
    :func:`~caseloads.domain.csww_codes.attrition_group`)."""
    code = pl.col("code")
    return (
        pl.when(code.is_null())
        .then(pl.lit(None, pl.String))
        .when(code.is_in(list(MOVER_DESTINATIONS)))
        .then(pl.lit("mover"))
        .when(code.is_in(list(AGENCY_DESTINATIONS)))
        .then(pl.lit("agency_attrition"))
        .otherwise(pl.lit("full_attrition"))
    )


# --- experience --------------------------------------------------------------------------------


def _under(since: str, years: int, on: date) -> pl.Expr:
    return pl.col(since).dt.offset_by(f"{years}y") > on


def _profile(people: pl.DataFrame, on: date, keys: list[str]) -> pl.DataFrame:
    """``people`` (one row per person in post: ``qualified_date``, ``in_authority_since``)
    summarised per group."""
    return (
        people.group_by(keys)
        .agg(
            pl.len().alias("headcount"),
            pl.col("qualified_date").count().alias("qualified_known"),
            _under("qualified_date", 2, on).sum().alias("qualified_under_2y"),
            _under("qualified_date", 5, on).sum().alias("qualified_under_5y"),
            pl.col("in_authority_since").count().alias("in_authority_known"),
            _under("in_authority_since", 2, on).sum().alias("in_authority_under_2y"),
            _under("in_authority_since", 5, on).sum().alias("in_authority_under_5y"),
        )
        .with_columns(
            pl.col(
                "headcount",
                "qualified_known",
                "qualified_under_2y",
                "qualified_under_5y",
                "in_authority_known",
                "in_authority_under_2y",
                "in_authority_under_5y",
            ).cast(pl.Int64),
            _pct("qualified_under_2y", "qualified_known").alias("qualified_under_2y_pct"),
            _pct("qualified_under_5y", "qualified_known").alias("qualified_under_5y_pct"),
            _pct("in_authority_under_2y", "in_authority_known").alias("in_authority_under_2y_pct"),
            _pct("in_authority_under_5y", "in_authority_known").alias("in_authority_under_5y_pct"),
        )
        .sort(keys, nulls_last=True)
    )


EXPERIENCE_FIGURES: Final = (
    "headcount",
    "qualified_known",
    "qualified_under_2y",
    "qualified_under_2y_pct",
    "qualified_under_5y",
    "qualified_under_5y_pct",
    "in_authority_known",
    "in_authority_under_2y",
    "in_authority_under_2y_pct",
    "in_authority_under_5y",
    "in_authority_under_5y_pct",
)


def live_experience(
    assignments: pl.DataFrame,
    workers: pl.DataFrame,
    as_of: date,
    *,
    by: LiveBy | None = None,
    rejoin_gap_days: int = 0,
) -> pl.DataFrame:
    """The experience profile of the directly employed headcount in post on ``as_of``, from the
    staff extract (``workers`` gives ``qualified_date``)."""
    group = [GROUP_COLUMNS[by]] if by else []
    known = known_by(assignments, as_of)
    direct = known.filter(pl.col("contract").is_in(DIRECT_CONTRACTS))
    spells = held_on(employment_spells(known, rejoin_gap_days), as_of).select(
        "la_code", "worker_id", pl.col("start_date").alias("in_authority_since")
    )
    people = (
        primary_on(direct, as_of)
        .select("la_code", "worker_id", *group)
        .join(spells, on=["la_code", "worker_id"], how="left")
        .join(
            workers.select("la_code", "worker_id", "qualified_date"),
            on=["la_code", "worker_id"],
            how="left",
        )
    )
    return _profile(people, as_of, ["la_code", *group]).select(
        "la_code", *group, *EXPERIENCE_FIGURES
    )


def census_experience(workers: pl.DataFrame, year: int, *, by_role: bool = False) -> pl.DataFrame:
    """The same profile from a CSWW return: the directly employed in post at 30 September,
    one per person (under their most senior role), in the authority since their earliest
    ``RoleStartDate``. The return has no qualification date, so those figures are unknown."""
    census_day = date(year, 9, 30)
    group = ["org_role"] if by_role else []
    records = classify_census(workers.filter(pl.col("census_year") == year), year)
    in_post = records.filter(~pl.col("agency") & (pl.col("status") == IN_POST))
    people = (
        in_post.sort("org_role", nulls_last=True)
        .group_by("la_code", "person_key", maintain_order=True)
        .agg(pl.col("org_role").first(), pl.col("role_start_date").min())
        .select(
            "la_code",
            *group,
            pl.lit(None, pl.Date).alias("qualified_date"),
            pl.col("role_start_date").alias("in_authority_since"),
        )
    )
    return _profile(people, census_day, ["la_code", *group]).select(
        "la_code", *group, *EXPERIENCE_FIGURES
    )


# --- time in post ------------------------------------------------------------------------------


def time_in_post(
    assignments: pl.DataFrame,
    as_of: date,
    *,
    window_start: date | None = None,
    voluntary_only: bool = False,
    by: LiveBy | None = None,
    rejoin_gap_days: int = 0,
) -> tuple[pl.DataFrame, date | None]:
    """Each spell of direct employment as a survival subject, and the window start used.

    Time is counted in days in post, from the spell's first day: ``exit`` is the number of days
    worked (to its last day, or to ``as_of`` if still in post, inclusive) and ``event`` whether it
    ended by ``as_of`` (with ``voluntary_only``, only resignations are events; other leavers are
    censored at their leaving). The staff extract holds the spells in progress on or after
    ``window_start`` (its first day of complete records); a spell that began earlier is
    left-truncated: ``entry`` = its days in post before the window opened, and it is at risk only
    after that. Spells that ended before the window are left out.

    Default window start: the earliest leaving date in the extract. Left truncation at a date
    later than the true start of the records is always valid (only less precise); at an earlier
    date, spells that ended unseen before the records began would bias the estimate upwards. Give
    ``window_start`` when the extract's history start is known."""
    known = known_by(assignments, as_of)
    spells = employment_spells(known, rejoin_gap_days)
    if window_start is None:
        earliest = spells["end_date"].min()
        window_start = earliest if isinstance(earliest, date) else None
    if window_start is not None:
        spells = spells.filter(pl.col("end_date").is_null() | (pl.col("end_date") >= window_start))
        opened = pl.lit(window_start)
    else:
        opened = pl.col("start_date")
    last_day = pl.col("end_date").fill_null(as_of)
    ended = pl.col("end_date").is_not_null()
    event = ended & _voluntary() if voluntary_only else ended
    group = [GROUP_COLUMNS[by]] if by else []
    subjects = spells.select(
        "la_code",
        *group,
        (opened - pl.col("start_date")).dt.total_days().clip(lower_bound=0).alias("entry"),
        ((last_day - pl.col("start_date")).dt.total_days() + 1).alias("exit"),
        event.alias("event"),
    ).with_columns((pl.col("entry") > 0).alias("left_truncated"))
    return subjects, window_start


def survival_summary(fit: KaplanMeier) -> dict[str, float | int | None]:
    """The share (%) leaving within 1, 2 and 5 years (``None`` beyond the data) and the median
    time in post in years (``None`` if fewer than half leave within the data), from a fit in
    days."""
    out: dict[str, float | int | None] = {"spells": fit.subjects, "leavers": fit.events}
    for years in HORIZONS:
        s = fit.survival_at(years * YEAR_DAYS)
        out[f"left_within_{years}y_pct"] = None if s is None else round(100.0 * (1.0 - s), 1)
    median = fit.median()
    out["median_years"] = None if median is None else round(median / YEAR_DAYS, 2)
    return out


def fit_time_in_post(subjects: pl.DataFrame) -> KaplanMeier:
    """The Kaplan–Meier fit of :func:`time_in_post` subjects (days)."""
    return kaplan_meier(
        exit=subjects["exit"].cast(pl.Float64),
        event=subjects["event"],
        entry=subjects["entry"].cast(pl.Float64),
    )
