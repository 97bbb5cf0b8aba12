"""The DfE workforce indicators for any date, from the council's own staff extract.

The same 22 measures as :mod:`caseloads.domain.workforce_census`, over the 12 months to the date
``d`` (from the day after the same date a year earlier, to ``d``: for ``d`` = 30 September this is
the census year). Inputs are the stored extracts: ``assignments`` (the ``staff`` extract, one row
per assignment of a worker to a team and role, with contract, FTE and dates), ``absences``,
``involvements`` (allocations of children to workers, from the SSD) and the vacancies of the
establishment. Dates are inclusive: an assignment is held on the days from its ``start_date`` to
its ``end_date``.

How the census rules carry over (definitions.md §1.1-1.3; [S1] EES methodology, [S2] LAIT):

- *Directly employed*: contracts ``permanent``, ``fixed_term`` and ``casual`` (employed and paid
  directly by the authority [S1]; the guide's section on casual and zero-hours staff was not
  retrieved). *Agency*: contract ``agency``.
- *Employment spells*: a worker's directly employed assignments that overlap or follow on from
  one another (the next starting no more than ``rejoin_gap_days`` after the day after the last
  ended; default 0, the very next day) form one spell. Moves and promotions inside the authority
  are not starts or leaves [S2]; a move to agency work is a leave (and agency to direct a start).
- *In post on d*: directly employed assignments held on ``d``. Headcount counts each worker once,
  in the group of their most senior assignment (lowest ``org_role``, then the largest FTE) [S1];
  FTE is the sum of the assignments' FTE (not de-duplicated [S1]).
- *Leavers*: spells whose last day falls within the 12 months, except those that also began
  within them (started and left within the year [S2]). FTE, team and role are those of the
  spell's last assignment; the headcount is one per spell (worker and leaving date [S1]). A spell
  ending on ``d`` itself is in post on ``d`` and a leaver of the period (the guide's rule for staff
  leaving on 30 September was not retrieved).
- *Starters*: spells that began within the 12 months and had not ended by ``d``.
- *Agency*: agency assignments held on ``d``, not de-duplicated [S1].
- *Cases*: children allocated to a worker on ``d`` (``involvements`` held on ``d``, one per child
  and worker), leaving out involvement roles that do not hold the case (``non_case_roles``: a
  setting, default ``IRO``, the reviewing officer's oversight). ``cases`` sums them over workers
  in post or agency on ``d``; ``case_holders_fte`` is the FTE of those with at least one case and
  FTE above 0 [S2].
- *Absence*: ``working_days_lost`` of sickness absences (reason ``SIC``) that began within the 12
  months, of workers directly employed on the day it began. The extract gives days per spell of
  absence, so a spell counts in full in the period it began. The rate divides by in-post FTE on
  ``d`` times 253 working days, 254 if the period holds a 29 February [S2].
- *Vacancies*: ``vacancy_fte`` and ``agency_cover_fte`` come from the establishment on ``d``
  (given as a frame; the service computes them).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Final, Literal

import polars as pl

from caseloads.domain.workforce_rates import (
    INDICATORS,
    rates_from_components,
    round_indicators,
    working_days_between,
)

DIRECT_CONTRACTS: Final = ("permanent", "fixed_term", "casual")
AGENCY_CONTRACTS: Final = ("agency",)
#: Involvement roles (SSD ``invo_professional_role_id``) that are not holding the case.
NON_CASE_ROLES: Final = ("IRO",)
SICKNESS: Final = "SIC"

LiveBy = Literal["team", "role"]
#: The assignment column each ``--by`` groups on.
GROUP_COLUMNS: Final = {"team": "team_id", "role": "role"}


def period_to(as_of: date) -> tuple[date, date]:
    """The 12 months to ``as_of``: from the day after the same date a year before (28 February
    for a 29 February) to ``as_of``."""
    try:
        year_before = as_of.replace(year=as_of.year - 1)
    except ValueError:  # 29 February
        year_before = date(as_of.year - 1, 2, 28)
    return year_before + timedelta(days=1), as_of


def held_on(frame: pl.DataFrame, day: date) -> pl.DataFrame:
    """Rows of ``frame`` (``start_date``, ``end_date``; open when the end is null) held on
    ``day``."""
    return frame.filter(
        (pl.col("start_date") <= day) & (pl.col("end_date").is_null() | (pl.col("end_date") >= day))
    )


def known_by(assignments: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """The assignments as known on ``as_of``: none that start later, and any end after it is
    not yet reached (open)."""
    return assignments.filter(pl.col("start_date") <= as_of).with_columns(
        pl.when(pl.col("end_date") <= as_of).then(pl.col("end_date")).alias("end_date")
    )


def employment_spells(assignments: pl.DataFrame, rejoin_gap_days: int = 0) -> pl.DataFrame:
    """Spells of direct employment: one row per worker and unbroken stretch of directly employed
    assignments (see the module docstring), with ``start_date``, ``end_date`` (null when open) and
    the ``team_id``, ``role``, ``org_role``, ``fte`` and ``leaving_reason`` of its last
    assignment (the one ending last)."""
    far = date(9999, 12, 31)
    direct = assignments.filter(pl.col("contract").is_in(DIRECT_CONTRACTS))
    ordered = direct.sort("la_code", "worker_id", "start_date").with_columns(
        pl.col("end_date").fill_null(far).alias("_end")
    )
    # The latest end among the worker's earlier assignments: a start after the day following it
    # (plus the gap allowed) begins a new spell.
    ordered = ordered.with_columns(
        pl.col("_end").cum_max().shift(1).over("la_code", "worker_id").alias("_reach")
    )
    gap = pl.duration(days=1 + rejoin_gap_days)
    new_spell = pl.col("_reach").is_null() | (pl.col("start_date") > pl.col("_reach") + gap)
    ordered = ordered.with_columns(
        new_spell.cast(pl.Int64).cum_sum().over("la_code", "worker_id").alias("spell")
    )
    last = ordered.sort("_end", "start_date").group_by(
        "la_code", "worker_id", "spell", maintain_order=True
    )
    return (
        last.agg(
            pl.col("start_date").min(),
            pl.col("_end").max().alias("end_date"),
            pl.col("team_id", "role", "org_role", "fte", "leaving_reason").last(),
        )
        .with_columns(pl.when(pl.col("end_date") < far).then(pl.col("end_date")).alias("end_date"))
        .sort("la_code", "worker_id", "spell")
    )


def primary_on(assignments: pl.DataFrame, day: date) -> pl.DataFrame:
    """Each worker's most senior assignment held on ``day`` (lowest ``org_role``, then the largest
    FTE, then the earliest start): the group a worker is counted in by headcount [S1]."""
    return (
        held_on(assignments, day)
        .sort(["org_role", "fte", "start_date"], descending=[False, True, False], nulls_last=True)
        .group_by("la_code", "worker_id", maintain_order=True)
        .first()
    )


def _keyed(frame: pl.DataFrame, keys: list[str], **sums: pl.Expr) -> pl.DataFrame:
    return frame.group_by(keys).agg(e.alias(n) for n, e in sums.items())


def starters_and_leavers(spells: pl.DataFrame, first: date, last: date) -> pl.DataFrame:
    """The spells with ``starter`` and ``leaver`` flags for the period ``first``..``last``."""
    started = (pl.col("start_date") >= first) & (pl.col("start_date") <= last)
    ended = pl.col("end_date").is_not_null() & (pl.col("end_date") <= last)
    ended_within = ended & (pl.col("end_date") >= first)
    return spells.with_columns(
        (started & ~ended).alias("starter"), (ended_within & ~started).alias("leaver")
    )


def live_components(
    assignments: pl.DataFrame,
    as_of: date,
    *,
    by: LiveBy | None = None,
    absences: pl.DataFrame | None = None,
    involvements: pl.DataFrame | None = None,
    vacancies: pl.DataFrame | None = None,
    non_case_roles: Iterable[str] = NON_CASE_ROLES,
    rejoin_gap_days: int = 0,
) -> pl.DataFrame:
    """The DfE components for the 12 months to ``as_of`` per authority (and group): every name of
    :data:`~caseloads.domain.workforce_rates.COMPONENTS` and ``working_days``. A source not given
    (``None``) leaves its components unknown: ``absences`` the days lost, ``involvements`` the
    cases, ``vacancies`` (``la_code``, the group column, ``vacancy_fte``, ``agency_cover_fte``)
    the vacancy measures."""
    first, last = period_to(as_of)
    group = [GROUP_COLUMNS[by]] if by else []
    keys = ["la_code", *group]
    known = known_by(assignments, as_of)
    direct = known.filter(pl.col("contract").is_in(DIRECT_CONTRACTS))
    agency = held_on(known.filter(pl.col("contract").is_in(AGENCY_CONTRACTS)), as_of)
    in_post = held_on(direct, as_of)
    flows = starters_and_leavers(employment_spells(known, rejoin_gap_days), first, last)
    starters, leavers = flows.filter(pl.col("starter")), flows.filter(pl.col("leaver"))
    parts = [
        _keyed(primary_on(direct, as_of), keys, inpost_headcount=pl.len()),
        _keyed(in_post, keys, inpost_fte=pl.col("fte").sum()),
        _keyed(starters, keys, starters_headcount=pl.len(), starters_fte=pl.col("fte").sum()),
        _keyed(leavers, keys, leavers_headcount=pl.len(), leavers_fte=pl.col("fte").sum()),
        _keyed(agency, keys, agency_headcount=pl.len(), agency_fte=pl.col("fte").sum()),
    ]
    known_counts = [c for p in parts for c in p.columns if c not in keys]
    if involvements is not None:
        parts.append(_cases(known, involvements, as_of, keys, non_case_roles))
        known_counts += ["cases", "case_holders_fte"]
    if absences is not None:
        parts.append(_days_lost(direct, absences, first, last, keys))
        known_counts.append("working_days_lost_fte")
    if vacancies is not None:
        parts.append(vacancies.select(*keys, "vacancy_fte", "agency_cover_fte"))
    frame = pl.concat([p.select(keys) for p in parts]).unique().sort(keys, nulls_last=True)
    for part in parts:
        frame = frame.join(part, on=keys, how="left", nulls_equal=True)
    frame = frame.with_columns(pl.col(known_counts).fill_null(0))
    return frame.with_columns(
        pl.lit(as_of).alias("as_of"),
        pl.lit(first).alias("period_start"),
        pl.lit(working_days_between(first, last)).alias("working_days"),
    )


def _cases(
    known: pl.DataFrame,
    involvements: pl.DataFrame,
    as_of: date,
    keys: list[str],
    non_case_roles: Iterable[str],
) -> pl.DataFrame:
    """``cases`` and ``case_holders_fte`` on ``as_of`` per group (see the module docstring)."""
    skip = [r.strip().upper() for r in non_case_roles]
    held = held_on(involvements, as_of).filter(
        pl.col("role").is_null() | ~pl.col("role").str.strip_chars().str.to_uppercase().is_in(skip)
    )
    per_worker = (
        held.select("la_code", "worker_id", "child_id")
        .unique()
        .group_by("la_code", "worker_id")
        .agg(pl.len().alias("cases"))
    )
    working = held_on(
        known.filter(pl.col("contract").is_in((*DIRECT_CONTRACTS, *AGENCY_CONTRACTS))), as_of
    )
    fte = working.group_by("la_code", "worker_id").agg(pl.col("fte").sum().alias("worker_fte"))
    workers = (
        primary_on(working, as_of)
        .select("la_code", "worker_id", *keys[1:])
        .join(fte, on=["la_code", "worker_id"])
        .join(per_worker, on=["la_code", "worker_id"], how="left")
        .with_columns(pl.col("cases").fill_null(0))
    )
    holder = (pl.col("cases") >= 1) & (pl.col("worker_fte") > 0)
    return _keyed(
        workers,
        keys,
        cases=pl.col("cases").sum(),
        case_holders_fte=pl.col("worker_fte").filter(holder).sum(),
    )


def _days_lost(
    direct: pl.DataFrame, absences: pl.DataFrame, first: date, last: date, keys: list[str]
) -> pl.DataFrame:
    """Sickness days of the spells of absence that began in ``first``..``last``, in the group of
    the worker's most senior direct assignment on the day each began."""
    sick = absences.filter(
        (pl.col("reason") == SICKNESS)
        & (pl.col("start_date") >= first)
        & (pl.col("start_date") <= last)
    ).select(
        "la_code",
        "worker_id",
        pl.col("start_date").alias("_began"),
        "working_days_lost",
        pl.int_range(pl.len()).alias("_absence"),
    )
    matched = (
        sick.join(direct, on=["la_code", "worker_id"])
        .filter(
            (pl.col("start_date") <= pl.col("_began"))
            & (pl.col("end_date").is_null() | (pl.col("end_date") >= pl.col("_began")))
        )
        .sort(["org_role", "fte"], descending=[False, True], nulls_last=True)
        .group_by("_absence", maintain_order=True)
        .first()
    )
    return _keyed(matched, keys, working_days_lost_fte=pl.col("working_days_lost").sum())


def live_indicators(
    assignments: pl.DataFrame,
    as_of: date,
    *,
    by: LiveBy | None = None,
    absences: pl.DataFrame | None = None,
    involvements: pl.DataFrame | None = None,
    vacancies: pl.DataFrame | None = None,
    non_case_roles: Iterable[str] = NON_CASE_ROLES,
    rejoin_gap_days: int = 0,
) -> pl.DataFrame:
    """The 22 DfE indicators for the 12 months to ``as_of``, rounded as the DfE publishes them:
    ``la_code, as_of, period_start[, team_id | role]`` then
    :data:`~caseloads.domain.workforce_rates.INDICATORS`."""
    frame = live_components(
        assignments,
        as_of,
        by=by,
        absences=absences,
        involvements=involvements,
        vacancies=vacancies,
        non_case_roles=non_case_roles,
        rejoin_gap_days=rejoin_gap_days,
    )
    group = [GROUP_COLUMNS[by]] if by else []
    frame = rates_from_components(frame)
    return round_indicators(frame.select("la_code", "as_of", "period_start", *group, *INDICATORS))
