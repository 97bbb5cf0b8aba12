"""The DfE agency rules for child and family social workers, checked on a date.

Statutory guidance "Child and family social workers: agency rules", in force from 31 October 2024
for new assignments; legacy assignments had to comply by 1 October 2025 (definitions.md §2,
practice.md §3). Four of its rules can be checked from an authority's records of each agency
assignment (the ``agency`` import) and its region's price caps (the ``price-caps`` import):

- ``experience`` (§2 rule 3; practice.md §3.2): at least 3 years' post-qualifying experience in
  direct employment by a UK local authority in a child and family context. Agency time does not
  count, so the figure does not grow during an agency assignment and is judged when the worker was
  engaged (the assignment's start). Experience cannot exceed the time since qualifying: with
  ``qualified_date`` given, the experience counted is the smaller of the recorded months and the
  whole calendar months from qualifying to the start. A worker who qualified less than 36 months
  before the start is therefore a breach even when the months are not recorded.
- ``cooling_off`` (§2 rule 4; practice.md §3.5): no engagement within 3 months of leaving a
  substantive post in the authority or in another authority of the same region. The period ends
  3 calendar months after the last day of the substantive post (a month-end date ends on the
  last day of the month 3 months on, e.g. 30 November -> 28 February); an engagement starting on
  or after that day is outside it. Exceptions: a post in a different region (including outside
  England), redundancy and leaving during probation (``cooling_off_exception``); moving to a
  permanent role does not arise for an agency assignment. The rule concerns the act of engaging,
  so it applies to engagements from 31 October 2024 only.
- ``references`` (§2 rule 6; practice.md §3.6): at least two detailed, practice-based references
  obtained before engagement.
- ``price_cap`` (§2 rule 1; practice.md §3.1): the hourly rate at most the cap agreed in the
  authority's region for the assignment's core job type. The cap in force on the date is the one
  with the latest ``effective_from`` on or before it. A cap binds new assignments (starting on or
  after its ``effective_from``) and, from 1 October 2025, every assignment. Rates and caps are
  compared in whole pence. The rate must be on the cap's basis (the worker's pay plus employer
  national insurance and apprenticeship levy; practice.md §3.1).

Transition: the experience, references and price-cap rules apply to an assignment that started on
or after 31 October 2024, and to every assignment on dates from 1 October 2025; before that a
legacy assignment is ``not_applicable``.

Every check gives one of four statuses: ``breach``; ``pass``; ``could_not_check`` when a fact it
needs is missing (the ``missing`` column names it; a missing value is never a pass or a breach,
unless a breach follows from the facts given, as with a qualification date less than 3 years
before the start); ``not_applicable`` when the rule does not yet bind the assignment.

All functions are pure and vectorised: Polars frames in, Polars frames out; the date is a
parameter.
"""

from __future__ import annotations

from datetime import date

import polars as pl

RULES_IN_FORCE = date(2024, 10, 31)
TRANSITION_ENDS = date(2025, 10, 1)
MIN_EXPERIENCE_MONTHS = 36
COOLING_OFF_MONTHS = 3
MIN_REFERENCES = 2

#: The five core job types the regional price caps are set for (definitions.md §2 rule 1).
JOB_TYPES: dict[str, str] = {
    "social_worker": "social worker",
    "senior_social_worker": "senior social worker",
    "advanced_practitioner": "advanced practitioner",
    "team_manager": "team manager",
    "iro_cp_chair": "independent reviewing officer or child protection conference chair",
}
#: The nine English regions, as the DfE's statistics name them (price caps are agreed in each).
ENGLISH_REGIONS = (
    "North East",
    "North West",
    "Yorkshire and The Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
)
#: Where a worker's last substantive post may otherwise have been: always a different region.
OUTSIDE_ENGLAND = ("Wales", "Scotland", "Northern Ireland", "Outside the UK")
#: The cooling-off exceptions an authority records (moving to a permanent role cannot apply to an
#: agency assignment; a different region is read from the region itself).
COOLING_OFF_EXCEPTIONS = ("redundancy", "probation")

BREACH, PASS, UNKNOWN, NOT_APPLICABLE = "breach", "pass", "could_not_check", "not_applicable"
STATUSES = (BREACH, UNKNOWN, PASS, NOT_APPLICABLE)
EXPERIENCE, COOLING_OFF, REFERENCES, PRICE_CAP = (
    "experience",
    "cooling_off",
    "references",
    "price_cap",
)
CHECKS = (EXPERIENCE, COOLING_OFF, REFERENCES, PRICE_CAP)
GUIDANCE = {
    EXPERIENCE: "DfE agency rules: minimum post-qualified experience (definitions.md §2 rule 3)",
    COOLING_OFF: "DfE agency rules: cooling-off period (definitions.md §2 rule 4)",
    REFERENCES: "DfE agency rules: references (definitions.md §2 rule 6; practice.md §3.6)",
    PRICE_CAP: "DfE agency rules: regional price caps (definitions.md §2 rule 1)",
}

#: The columns of an agency assignment the checks read (the stored ``agency_placements``).
PLACEMENT_SCHEMA: dict[str, pl.DataType] = {
    "worker_id": pl.String(),
    "agency": pl.String(),
    "role": pl.String(),
    "start_date": pl.Date(),
    "end_date": pl.Date(),
    "hourly_rate": pl.Float64(),
    "qualified_date": pl.Date(),
    "months_post_qualifying_la_experience": pl.Int64(),
    "last_substantive_employer_region": pl.String(),
    "last_substantive_end_date": pl.Date(),
    "references_received": pl.Int64(),
    "cooling_off_exception": pl.String(),
}
CAP_SCHEMA: dict[str, pl.DataType] = {
    "region": pl.String(),
    "role": pl.String(),
    "hourly_cap": pl.Float64(),
    "effective_from": pl.Date(),
}
#: One row per assignment and check.
RESULT_SCHEMA: dict[str, pl.DataType] = {
    "worker_id": pl.String(),
    "agency": pl.String(),
    "role": pl.String(),
    "start_date": pl.Date(),
    "end_date": pl.Date(),
    "rule": pl.String(),
    "status": pl.String(),
    "value": pl.Float64(),
    "limit": pl.Float64(),
    "unit": pl.String(),
    "missing": pl.String(),
    "detail": pl.String(),
    "guidance": pl.String(),
}
_KEYS = ("worker_id", "agency", "role", "start_date", "end_date")
NO_FACTS = "agency import row"


def on_date(placements: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """The assignments running on ``as_of`` (inclusive; an empty end is open)."""
    return placements.filter(
        (pl.col("start_date") <= as_of)
        & (pl.col("end_date").is_null() | (pl.col("end_date") >= as_of))
    )


def _rules_bind(as_of: date) -> pl.Expr:
    """Whether the rules bind the assignment on ``as_of`` (the transition, module docstring)."""
    return pl.lit(as_of >= TRANSITION_ENDS) | (pl.col("start_date") >= RULES_IN_FORCE)


def _legacy_detail(as_of: date) -> pl.Expr:
    return pl.lit(
        f"a legacy assignment (started before {RULES_IN_FORCE.isoformat()}): the rules bind it "
        f"from {TRANSITION_ENDS.isoformat()}, and the date is {as_of.isoformat()}"
    )


def _result(
    frame: pl.DataFrame,
    rule: str,
    status: pl.Expr,
    *,
    value: pl.Expr,
    limit: pl.Expr,
    unit: str,
    missing: pl.Expr,
    detail: pl.Expr,
) -> pl.DataFrame:
    return frame.select(
        *_KEYS,
        pl.lit(rule).alias("rule"),
        status.alias("status"),
        value.cast(pl.Float64).alias("value"),
        limit.cast(pl.Float64).alias("limit"),
        pl.lit(unit).alias("unit"),
        pl.when(status == UNKNOWN).then(missing).otherwise(None).cast(pl.String).alias("missing"),
        detail.cast(pl.String).alias("detail"),
        pl.lit(GUIDANCE[rule]).alias("guidance"),
    )


def whole_months(start: pl.Expr, end: pl.Expr) -> pl.Expr:
    """Whole calendar months from ``start`` to ``end`` (a month counts once its day is reached:
    2021-03-15 to 2024-03-14 is 35, to 2024-03-15 is 36)."""
    months = (end.dt.year() - start.dt.year()) * 12 + end.dt.month() - start.dt.month()
    return (months - (end.dt.day() < start.dt.day()).cast(pl.Int32)).cast(pl.Int64)


def check_experience(placements: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """At least 36 months' post-qualifying LA experience at the start (module docstring)."""
    recorded = pl.col("months_post_qualifying_la_experience")
    since = whole_months(pl.col("qualified_date"), pl.col("start_date"))
    counted = pl.min_horizontal(recorded, since)  # nulls ignored: whichever is known
    short = counted < MIN_EXPERIENCE_MONTHS
    status = (
        pl.when(~_rules_bind(as_of))
        .then(pl.lit(NOT_APPLICABLE))
        .when(short.fill_null(False))
        .then(pl.lit(BREACH))
        .when(recorded.is_null())
        .then(pl.lit(UNKNOWN))
        .otherwise(pl.lit(PASS))
    )
    limited = recorded.is_not_null() & since.is_not_null() & (since < recorded)
    detail = (
        pl.when(~_rules_bind(as_of))
        .then(_legacy_detail(as_of))
        .when(recorded.is_null() & short.fill_null(False))
        .then(
            pl.format(
                "qualified on {}, {} months before the assignment began on {}: less than the "
                "{} months' post-qualifying experience required",
                pl.col("qualified_date"),
                since,
                pl.col("start_date"),
                pl.lit(MIN_EXPERIENCE_MONTHS),
            )
        )
        .when(recorded.is_null())
        .then(pl.lit("months of post-qualifying LA experience not recorded"))
        .when(limited)
        .then(
            pl.format(
                "{} months recorded, but qualified on {}, only {} months before the assignment "
                "began on {}; {} months required",
                recorded,
                pl.col("qualified_date"),
                since,
                pl.col("start_date"),
                pl.lit(MIN_EXPERIENCE_MONTHS),
            )
        )
        .otherwise(
            pl.format(
                "{} months of post-qualifying experience in direct LA employment; {} required",
                recorded,
                pl.lit(MIN_EXPERIENCE_MONTHS),
            )
        )
    )
    return _result(
        placements,
        EXPERIENCE,
        status,
        value=pl.when(status == UNKNOWN).then(None).otherwise(counted),
        limit=pl.lit(MIN_EXPERIENCE_MONTHS),
        unit="months",
        missing=pl.lit("months_post_qualifying_la_experience"),
        detail=detail,
    )


def check_cooling_off(placements: pl.DataFrame, la_region: str | None) -> pl.DataFrame:
    """No engagement within 3 months of leaving a substantive post in the same region (judged at
    the engagement, so it does not depend on the date of the check)."""
    left = pl.col("last_substantive_end_date")
    region = pl.col("last_substantive_employer_region")
    start = pl.col("start_date")
    ends = left.dt.offset_by(f"{COOLING_OFF_MONTHS}mo")
    within = start < ends
    exception = pl.col("cooling_off_exception")
    here = pl.lit(la_region, pl.String)
    same = region == here
    engaged_under_rules = start >= RULES_IN_FORCE
    status = (
        pl.when(~engaged_under_rules)
        .then(pl.lit(NOT_APPLICABLE))
        .when(left.is_null())
        .then(pl.lit(UNKNOWN))
        .when(~within)
        .then(pl.lit(PASS))
        .when(exception.is_not_null())
        .then(pl.lit(PASS))
        .when(region.is_null() | here.is_null())
        .then(pl.lit(UNKNOWN))
        .when(same)
        .then(pl.lit(BREACH))
        .otherwise(pl.lit(PASS))
    )
    missing = (
        pl.when(left.is_null())
        .then(pl.lit("last_substantive_end_date"))
        .when(region.is_null())
        .then(pl.lit("last_substantive_employer_region"))
        .otherwise(pl.lit("the authority's region"))
    )
    gap = pl.format("left a substantive post on {} and was engaged on {}", left, start)
    detail = (
        pl.when(~engaged_under_rules)
        .then(
            pl.format(
                "engaged on {}, before the rules came into force on {}",
                start,
                pl.lit(RULES_IN_FORCE.isoformat()),
            )
        )
        .when(left.is_null())
        .then(pl.lit("the end of the last substantive post is not recorded"))
        .when(~within)
        .then(pl.format("{}, after the cooling-off period ended on {}", gap, ends))
        .when(exception.is_not_null())
        .then(pl.format("{}, within 3 months, but an exception applies: {}", gap, exception))
        .when(region.is_null())
        .then(pl.format("{}, within 3 months; the post's region is not recorded", gap))
        .when(here.is_null())
        .then(pl.format("{}, within 3 months; the authority's region is not known", gap))
        .when(same)
        .then(
            pl.format(
                "{} in the same region ({}), before the cooling-off period ended on {}",
                gap,
                region,
                ends,
            )
        )
        .otherwise(pl.format("{}, within 3 months, but in another region ({})", gap, region))
    )
    return _result(
        placements,
        COOLING_OFF,
        status,
        value=(start - left).dt.total_days(),
        limit=(ends - left).dt.total_days(),
        unit="days",
        missing=missing,
        detail=detail,
    )


def check_references(placements: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """At least two practice-based references before engagement."""
    received = pl.col("references_received")
    status = (
        pl.when(~_rules_bind(as_of))
        .then(pl.lit(NOT_APPLICABLE))
        .when(received.is_null())
        .then(pl.lit(UNKNOWN))
        .when(received < MIN_REFERENCES)
        .then(pl.lit(BREACH))
        .otherwise(pl.lit(PASS))
    )
    detail = (
        pl.when(~_rules_bind(as_of))
        .then(_legacy_detail(as_of))
        .when(received.is_null())
        .then(pl.lit("the references received are not recorded"))
        .otherwise(
            pl.format(
                "{} practice reference(s) received; {} required", received, pl.lit(MIN_REFERENCES)
            )
        )
    )
    return _result(
        placements,
        REFERENCES,
        status,
        value=received,
        limit=pl.lit(MIN_REFERENCES),
        unit="references",
        missing=pl.lit("references_received"),
        detail=detail,
    )


def caps_in_force(caps: pl.DataFrame, region: str | None, as_of: date) -> pl.DataFrame:
    """For each job type, the cap of ``region`` with the latest ``effective_from`` on or before
    ``as_of``: ``role``, ``hourly_cap``, ``effective_from``."""
    return (
        caps.filter((pl.col("region") == region) & (pl.col("effective_from") <= as_of))
        .sort("effective_from", maintain_order=True)
        .group_by("role", maintain_order=True)
        .last()
        .select("role", "hourly_cap", "effective_from")
    )


def _pounds(expr: pl.Expr) -> pl.Expr:
    pence = (expr * 100).round(0).cast(pl.Int64)
    return pl.format(
        "£{}.{}",
        pence // 100,
        (pence % 100).cast(pl.String).str.zfill(2),
    )


def check_price_cap(
    placements: pl.DataFrame, caps: pl.DataFrame, la_region: str | None, as_of: date
) -> pl.DataFrame:
    """The hourly rate at most the region's cap for the job type, in force on ``as_of``."""
    in_force = caps_in_force(caps, la_region, as_of) if la_region is not None else None
    if in_force is None:
        in_force = pl.DataFrame(schema={k: CAP_SCHEMA[k] for k in CAP_SCHEMA if k != "region"})
    joined = placements.join(in_force, on="role", how="left", maintain_order="left")
    job = pl.col("role").replace(JOB_TYPES)
    rate, cap = pl.col("hourly_rate"), pl.col("hourly_cap")
    rate_p = (rate * 100).round(0)
    cap_p = (cap * 100).round(0)
    binds = pl.lit(as_of >= TRANSITION_ENDS) | (
        (pl.col("start_date") >= RULES_IN_FORCE)
        & (cap.is_null() | (pl.col("start_date") >= pl.col("effective_from")))
    )
    status = (
        pl.when(~binds)
        .then(pl.lit(NOT_APPLICABLE))
        .when(cap.is_null() | rate.is_null())
        .then(pl.lit(UNKNOWN))
        .when(rate_p > cap_p)
        .then(pl.lit(BREACH))
        .otherwise(pl.lit(PASS))
    )
    where = la_region or "the authority's region"
    missing = pl.concat_str(
        pl.when(rate.is_null()).then(pl.lit("hourly_rate")),
        pl.when(pl.lit(la_region is None))
        .then(pl.lit("the authority's region"))
        .when(cap.is_null())
        .then(pl.format("price cap ({}, {})", pl.lit(where), pl.col("role"))),
        separator="; ",
        ignore_nulls=True,
    )
    over = rate_p - cap_p
    percent = (over / cap_p * 100).round(1)
    detail = (
        pl.when(~binds & (pl.col("start_date") < RULES_IN_FORCE))
        .then(_legacy_detail(as_of))
        .when(~binds)
        .then(
            pl.format(
                "started on {}, before the cap in force from {}; every assignment must keep to "
                "the cap from {}",
                pl.col("start_date"),
                pl.col("effective_from"),
                pl.lit(TRANSITION_ENDS.isoformat()),
            )
        )
        .when(pl.lit(la_region is None))
        .then(pl.lit("the authority's region is not known, so its price caps cannot be found"))
        .when(cap.is_null())
        .then(
            pl.format(
                "no price cap for {} in {} in force on {}",
                job,
                pl.lit(where),
                pl.lit(as_of.isoformat()),
            )
        )
        .when(rate.is_null())
        .then(pl.lit("the hourly rate is not recorded"))
        .when(rate_p > cap_p)
        .then(
            pl.format(
                "{} an hour is {} ({}%) above the {} cap of {} for {} in force from {}",
                _pounds(rate),
                _pounds(over / 100),
                percent,
                pl.lit(where),
                _pounds(cap),
                job,
                pl.col("effective_from"),
            )
        )
        .otherwise(
            pl.format(
                "{} an hour, within the {} cap of {} for {} in force from {}",
                _pounds(rate),
                pl.lit(where),
                _pounds(cap),
                job,
                pl.col("effective_from"),
            )
        )
    )
    return _result(
        joined,
        PRICE_CAP,
        status,
        value=rate,
        limit=cap,
        unit="£/hour",
        missing=missing,
        detail=detail,
    )


def without_facts(agency_staff: pl.DataFrame, placements: pl.DataFrame) -> pl.DataFrame:
    """Every check ``could_not_check`` for agency workers that the staff extract shows on the
    date (``worker_id``, ``role``, ``start_date``, ``end_date``) but the agency import does not:
    none of their facts are recorded. One row per worker per check."""
    known = placements.get_column("worker_id").unique().implode()
    lacking = (
        agency_staff.filter(~pl.col("worker_id").is_in(known))
        .unique("worker_id", keep="first", maintain_order=True)
        .select(
            "worker_id",
            pl.lit(None, pl.String).alias("agency"),
            "role",
            "start_date",
            "end_date",
        )
    )
    parts = [
        lacking.select(
            *_KEYS,
            pl.lit(rule).alias("rule"),
            pl.lit(UNKNOWN).alias("status"),
            pl.lit(None, pl.Float64).alias("value"),
            pl.lit(None, pl.Float64).alias("limit"),
            pl.lit(None, pl.String).alias("unit"),
            pl.lit(NO_FACTS).alias("missing"),
            pl.lit(
                "an agency worker in the staff extract on the date, with no assignment on the "
                "date in the agency import"
            ).alias("detail"),
            pl.lit(GUIDANCE[rule]).alias("guidance"),
        )
        for rule in CHECKS
    ]
    return pl.concat(parts).cast(RESULT_SCHEMA)  # type: ignore[arg-type]


def check_agency_rules(
    placements: pl.DataFrame,
    caps: pl.DataFrame,
    *,
    la_region: str | None,
    as_of: date,
    agency_staff: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Every check of every assignment running on ``as_of``: one row per assignment and check
    (:data:`RESULT_SCHEMA`), breaches first, then checks that could not be made, passes and
    checks that do not apply; within each, by worker and rule. ``agency_staff``: the staff
    extract's agency assignments, whose workers without facts are reported too
    (:func:`without_facts`)."""
    running = on_date(placements, as_of)
    parts = [
        check_experience(running, as_of),
        check_cooling_off(running, la_region),
        check_references(running, as_of),
        check_price_cap(running, caps, la_region, as_of),
    ]
    if agency_staff is not None:
        parts.append(without_facts(on_date(agency_staff, as_of), running))
    results = pl.concat([p.cast(RESULT_SCHEMA) for p in parts])  # type: ignore[arg-type]
    order = pl.col("status").replace_strict(
        {s: i for i, s in enumerate(STATUSES)}, return_dtype=pl.Int8
    )
    rank = pl.col("rule").replace_strict({r: i for i, r in enumerate(CHECKS)}, return_dtype=pl.Int8)
    return results.sort(order, "worker_id", "start_date", rank)
