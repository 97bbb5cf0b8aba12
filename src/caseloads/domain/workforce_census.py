"""The DfE workforce indicators from a CSWW census return, as the DfE computes them.

Input: the return's worker records (table ``csww_workers``, one row per ``CSWWWorker``) and its
``LALevelVacancies`` (table ``csww_vacancies``), as read by :mod:`caseloads.ingest.csww`. The census
year ``Y`` runs from 1 October ``Y-1`` to 30 September ``Y`` (the census date) [S1].

How each item of the return is used (sources: definitions.md §1.1-1.6; [S1] EES methodology,
[S2] LAIT data dictionary, [S6] the CSWW XSD and Social Finance's validator):

- ``AgencyWorker`` splits directly employed workers (0) from agency workers (1). Turnover,
  starters, leavers, in post and absence cover directly employed workers only; the agency measures
  and the caseload include agency workers [S2].
- ``RoleStartDate`` / ``RoleEndDate`` classify each directly employed record:

  - a *leaver* has a ``RoleEndDate`` within the census year; one whose ``RoleStartDate`` is also
    within the year "started and left within the same year" and is excluded from both starters
    and leavers [S2];
  - *in post at 30 September*: no ``RoleEndDate``, and ``RoleStartDate`` (if given) on or before
    the census date;
  - a *starter* is in post at 30 September with a ``RoleStartDate`` within the year [S2];
  - a ``RoleEndDate`` outside the year, or a ``RoleStartDate`` after the census date, is outside
    the return's year (the DfE schema of 2021 only allows leaving dates within the year, [S6]
    ``wf_xmlschema.xsd``): such a record counts nowhere and :func:`census_checks` lists it.

  Agency records count when in post at 30 September by the same rule (agency leavers are not
  collected).
- ``SWENo``, ``PersonBirthDate``, ``GenderCurrent``, ``Ethnicity`` make ``person_key``, the DfE's
  headcount de-duplication key [S1]: in post, one person per key; starters, one per key and
  ``RoleStartDate``; leavers, one per key and ``RoleEndDate``. A person with two posts is counted
  once, under the more senior ``OrgRole`` (the lower code) [S1]. Agency records are not
  de-duplicated [S1]. FTEs are never de-duplicated, and exclude records with no FTE [S1].
- ``FTE`` and ``FTE30``. **The DfE guide's definitions of the two items were not retrieved**
  (definitions.md §1.6). What is known: both are ratios 0-1 to 6 dp ([S6] 2022 XSD); Social
  Finance's validator requires ``FTE = 0`` for leavers and ``FTE30`` for every directly employed
  record; its earlier schema (``SWFtools/spec/wf_xmlschema.xsd``, liia-tools commit ``46e527a7``)
  annotates ``FTE`` as "FTE as at 30 September" of the census year and ``FTE30`` as "FTE as at 30
  September" of the year before; the item names (``Cases30``, ``Absat30Sept``) suggest instead that
  ``FTE30`` is the FTE at 30 September. Both readings agree that a worker in post holds ``FTE`` at
  30 September and that a leaver carries a non-zero FTE in at most one of the two items. So:

  - FTE in post at 30 September (``inpost_fte``, ``starters_fte``, ``agency_fte``,
    ``case_holders_fte``) is ``FTE``, or ``FTE30`` when ``FTE`` is missing;
  - a leaver's FTE (``leavers_fte``) is the larger of ``FTE`` and ``FTE30``: whichever item the
    authority used for it. A return whose leavers have 0 in both gives ``leavers_fte`` 0.
- ``OrgRole`` gives the role groups of ``--by role``.
- ``Cases30`` is the caseload numerator: the cases of every worker in post at 30 September, agency
  included. The denominator ``case_holders_fte`` is the FTE of those in post with ``Cases30`` of
  at least 1 and FTE above 0 [S2]. The DfE's words restrict only the denominator, so a worker
  with cases and no FTE adds cases but no FTE.
- ``WorkingDaysLost`` is the absence numerator: days lost to sickness during the year by the
  directly employed records of the year (in post, and leavers, including those who started and
  left within it: the days were lost in the authority during the year). The DfE's wording ("days
  missed due to sickness absence during the year", [S2]) does not say whether leavers' days
  count; the validator requires the item for every directly employed record, leavers included.
- ``LALevelVacancies``: ``NumberOfVacancies`` is ``vacancy_fte``, ``NoAgencyFTE`` is
  ``agency_cover_fte`` (definitions.md §1.6); they exist for the authority only, so role groups
  have no vacancy measures.
- Not used for the indicators: ``StartOrigin``, ``ReasonLeave`` and ``LeaverDestination`` (see
  :mod:`caseloads.domain.workforce_turnover`), qualifications, ``ContractWeeks``,
  ``Absat30Sept``, ``ReasonAbsence``, ``CFKSSstatus``.
"""

from __future__ import annotations

from datetime import date
from typing import Final, Literal

import polars as pl

from caseloads.domain.csww_codes import ORG_ROLES
from caseloads.domain.workforce_rates import (
    INDICATORS,
    rates_from_components,
    round_indicators,
    working_days,
)

CensusBy = Literal["role"]

#: The record classes :func:`classify_census` gives.
IN_POST, LEAVER, START_AND_LEAVE, OUT_OF_YEAR = "in_post", "leaver", "start_and_leave", "outside"


def census_period(year: int) -> tuple[date, date]:
    """The census year ``year``: 1 October ``year - 1`` to 30 September ``year`` [S1]."""
    return date(year - 1, 10, 1), date(year, 9, 30)


def classify_census(workers: pl.DataFrame, year: int) -> pl.DataFrame:
    """``workers`` (``csww_workers`` rows of one census year) with ``status`` (``in_post``,
    ``leaver``, ``start_and_leave`` or ``outside``), ``starter`` (in post, started within the
    year), ``fte_30sep`` (the FTE held at 30 September) and ``fte_leaving`` (a leaver's FTE), by
    the rules in the module docstring."""
    first, last = census_period(year)
    start, end = pl.col("role_start_date"), pl.col("role_end_date")
    started_in_year = start.is_not_null() & (start >= first) & (start <= last)
    started_by_census = start.is_null() | (start <= last)
    ended_in_year = end.is_not_null() & (end >= first) & (end <= last)
    status = (
        pl.when(end.is_null() & started_by_census)
        .then(pl.lit(IN_POST))
        .when(ended_in_year & started_in_year)
        .then(pl.lit(START_AND_LEAVE))
        .when(ended_in_year & started_by_census)
        .then(pl.lit(LEAVER))
        .otherwise(pl.lit(OUT_OF_YEAR))
    )
    return workers.with_columns(
        status.alias("status"),
        (end.is_null() & started_in_year).alias("starter"),
        pl.coalesce("fte", "fte30").alias("fte_30sep"),
        pl.max_horizontal("fte", "fte30").alias("fte_leaving"),
    )


def _persons(records: pl.DataFrame, key: list[str], by: list[str], name: str) -> pl.DataFrame:
    """Distinct persons among ``records`` (one per ``key``), each counted in the group of their
    most senior record (lowest ``org_role``)."""
    primary = (
        records.sort("org_role", nulls_last=True)
        .group_by(["la_code", *key], maintain_order=True)
        .first()
    )
    return primary.group_by(["la_code", *by]).agg(pl.len().alias(name))


def _sums(records: pl.DataFrame, by: list[str], **sums: pl.Expr) -> pl.DataFrame:
    return records.group_by(["la_code", *by]).agg(e.alias(n) for n, e in sums.items())


def census_components(
    workers: pl.DataFrame, vacancies: pl.DataFrame, year: int, by: CensusBy | None = None
) -> pl.DataFrame:
    """The DfE components of census year ``year`` for each authority in ``workers`` (and role,
    ``by="role"``): every name of :data:`~caseloads.domain.workforce_rates.COMPONENTS`, unrounded,
    plus ``working_days``. ``vacancies`` are ``csww_vacancies`` rows (``la_code``,
    ``census_year``, ``vacancy_fte``, ``agency_cover_fte``)."""
    records = classify_census(workers.filter(pl.col("census_year") == year), year)
    group = ["org_role"] if by == "role" else []
    direct = records.filter(~pl.col("agency"))
    in_post = direct.filter(pl.col("status") == IN_POST)
    starters = in_post.filter(pl.col("starter"))
    leavers = direct.filter(pl.col("status") == LEAVER)
    agency = records.filter(pl.col("agency") & (pl.col("status") == IN_POST))
    everyone = pl.concat([in_post, agency])
    holders = everyone.filter((pl.col("fte_30sep") > 0) & (pl.col("cases30") >= 1))
    of_year = direct.filter(pl.col("status") != OUT_OF_YEAR)
    parts = [
        _persons(in_post, ["person_key"], group, "inpost_headcount"),
        _sums(in_post, group, inpost_fte=pl.col("fte_30sep").sum()),
        _persons(starters, ["person_key", "role_start_date"], group, "starters_headcount"),
        _sums(starters, group, starters_fte=pl.col("fte_30sep").sum()),
        _persons(leavers, ["person_key", "role_end_date"], group, "leavers_headcount"),
        _sums(leavers, group, leavers_fte=pl.col("fte_leaving").sum()),
        _sums(agency, group, agency_fte=pl.col("fte_30sep").sum(), agency_headcount=pl.len()),
        _sums(holders, group, case_holders_fte=pl.col("fte_30sep").sum()),
        _sums(everyone, group, cases=pl.col("cases30").sum()),
        _sums(of_year, group, working_days_lost_fte=pl.col("working_days_lost").sum()),
    ]
    keys = ["la_code", *group]
    frame = pl.concat([p.select(keys) for p in parts]).unique().sort(keys, nulls_last=True)
    for part in parts:
        frame = frame.join(part, on=keys, how="left", nulls_equal=True)
    counts = [c for p in parts for c in p.columns if c not in keys]
    frame = frame.with_columns(pl.col(counts).fill_null(0))
    if by is None:
        lalevel = vacancies.filter(pl.col("census_year") == year).select(
            "la_code", "vacancy_fte", "agency_cover_fte"
        )
        frame = frame.join(lalevel, on="la_code", how="left")
    else:
        frame = frame.with_columns(
            pl.lit(None, pl.Float64).alias("vacancy_fte"),
            pl.lit(None, pl.Float64).alias("agency_cover_fte"),
        )
    return frame.with_columns(
        pl.lit(year, pl.Int64).alias("year"), pl.lit(working_days(year)).alias("working_days")
    )


#: Columns of :func:`census_indicators` before the indicators.
CENSUS_KEYS: Final = ("la_code", "year")


def census_indicators(
    workers: pl.DataFrame, vacancies: pl.DataFrame, year: int, by: CensusBy | None = None
) -> pl.DataFrame:
    """The 22 DfE indicators of census year ``year``, rounded as the DfE publishes them, one row
    per authority (and role): ``la_code, year[, org_role, role]`` then
    :data:`~caseloads.domain.workforce_rates.INDICATORS`."""
    frame = rates_from_components(census_components(workers, vacancies, year, by))
    keys: list[str | pl.Expr] = list(CENSUS_KEYS)
    if by == "role":
        label = pl.col("org_role").replace_strict(
            dict(ORG_ROLES), default="OrgRole not given", return_dtype=pl.String
        )
        keys += ["org_role", label.alias("role")]
    return round_indicators(frame.select(*keys, *INDICATORS))


def census_checks(workers: pl.DataFrame, vacancies: pl.DataFrame, year: int) -> pl.DataFrame:
    """What a return's worker records say against its ``LALevelVacancies``, and records outside
    its year: one row per finding, ``la_code, check, figure, limit, detail``.

    - ``agency_cover_fte`` (``NoAgencyFTE``, agency workers covering vacancies) above the FTE of
      the agency records in post, or above ``NumberOfVacancies`` (covering more than is vacant);
    - ``NoAgencyHeadcount`` above the number of agency records in post;
    - records outside the census year (``RoleEndDate`` not within it, or ``RoleStartDate`` after
      30 September), which count nowhere;
    - leavers with ``FTE`` not 0, which Social Finance's validator rejects [S6].

    ``NumberOfVacancies`` itself cannot be checked from the worker records: it needs the
    establishment, which the return does not hold."""
    records = classify_census(workers.filter(pl.col("census_year") == year), year)
    agency = (
        records.filter(pl.col("agency") & (pl.col("status") == IN_POST))
        .group_by("la_code")
        .agg(pl.col("fte_30sep").sum().alias("agency_fte"), pl.len().alias("agency_headcount"))
    )
    lalevel = vacancies.filter(pl.col("census_year") == year).join(agency, on="la_code", how="left")
    lalevel = lalevel.with_columns(pl.col("agency_fte", "agency_headcount").fill_null(0))

    def over(check: str, figure: str, limit: str, detail: str) -> pl.DataFrame:
        return lalevel.filter(pl.col(figure) > pl.col(limit) + 1e-9).select(
            "la_code",
            pl.lit(check).alias("check"),
            pl.col(figure).cast(pl.Float64).alias("figure"),
            pl.col(limit).cast(pl.Float64).alias("limit"),
            pl.lit(detail).alias("detail"),
        )

    outside = records.filter(pl.col("status") == OUT_OF_YEAR)
    leaver_fte = records.filter(
        ~pl.col("agency")
        & pl.col("status").is_in([LEAVER, START_AND_LEAVE])
        & (pl.col("fte").fill_null(0) != 0)
    )

    def count(frame: pl.DataFrame, check: str, detail: str) -> pl.DataFrame:
        return (
            frame.group_by("la_code")
            .agg(pl.len().cast(pl.Float64).alias("figure"))
            .select(
                "la_code",
                pl.lit(check).alias("check"),
                "figure",
                pl.lit(0.0).alias("limit"),
                pl.lit(detail).alias("detail"),
            )
        )

    return pl.concat(
        [
            over(
                "agency_cover_fte_above_agency_fte",
                "agency_cover_fte",
                "agency_fte",
                "NoAgencyFTE (agency FTE covering vacancies) is more than the FTE of the agency "
                "workers in post at 30 September",
            ),
            over(
                "agency_cover_headcount_above_agency_headcount",
                "agency_cover_headcount",
                "agency_headcount",
                "NoAgencyHeadcount is more than the agency workers in post at 30 September",
            ),
            over(
                "agency_cover_fte_above_vacancies",
                "agency_cover_fte",
                "vacancy_fte",
                "NoAgencyFTE is more than NumberOfVacancies",
            ),
            count(
                outside,
                "records_outside_year",
                "records with RoleEndDate outside the census year or RoleStartDate after 30 "
                "September: counted nowhere",
            ),
            count(
                leaver_fte,
                "leaver_fte_not_zero",
                "leavers whose FTE is not 0 (the validator requires FTE = 0 for leavers)",
            ),
        ]
    ).sort("la_code", "check")
