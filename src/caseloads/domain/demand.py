"""Demand by month or week: the flows through children's social care and the numbers open at each
period's end, per authority (and team), with rates per 10,000 children and the change on the same
period a year before. Pure: frames in, frames out; dates are parameters.

**Periods** (:func:`period_calendar`): calendar months, or weeks from Monday to Sunday (ISO
weeks), each whole: ``period_start`` and ``period_end`` are both inclusive. A range asked for is
widened to whole periods (the month or week holding its first day to the one holding its last).

**Flows** (counts of records dated in the period, by the date named):

- ``contacts``: contacts (``contact_date``). Contacts are not in the CIN census; they come from
  the SSD (practice.md §5).
- ``referrals``: referrals, i.e. CIN episodes (``referral_date``): "a request for services to be
  provided by children's social care services" for a child not currently open (definitions.md §4,
  [S10]).
- ``re_referrals``: referrals within 12 months of the child's previous referral (definitions.md §4;
  EES "Children in need: a focus on re-referrals": "A re-referral occurs when a child is referred
  within 12 months of a previous referral"). Within 12 months means the previous referral falls in
  the 12 months that end on the referral date, the day of the referral a year before excluded
  (:func:`flag_re_referrals`): after a referral on 1 April 2023, one on 31 March 2024 is a
  re-referral and one on 1 April 2024 is not (the same 12 months as ``period_to``). Every earlier
  referral loaded counts as a previous one, also those before the range asked for.
- ``re_referral_rate``: ``100 × re_referrals / referrals`` (the DfE's ``rereferral_percent``,
  definitions.md §4), 1 decimal place.
- ``conversion_rate``: the contact-to-referral conversion rate, ``100 × referrals / contacts`` in
  the same period, 1 decimal place; none without contacts. This is the ratio of the two flows the
  ADCS Safeguarding Pressures research uses (about 2.3 million contacts against 657,800 referrals
  in 2013-14, about 29%: practice.md §5, [D]); it is not the share of particular contacts that
  became referrals (the stored contacts carry no link to a referral). Local definitions vary.
- ``assessments_started`` (``start_date``) and ``assessments_completed`` (``auth_date``: the DfE's
  CIN census counts assessments completed in the year).
- ``s47_enquiries``: section 47 enquiries started (``start_date``; the DfE counts enquiries that
  started in the year).
- ``icpcs``: initial child protection conferences held (``icpc_date``); each counts, including
  those held when a child on a plan transfers in (LAIT ``ISCP_Conf`` notes 1 and 2).

**Stocks** (CIN plans, CP plans, CLA): ``*_started`` and ``*_ended`` count spells starting or
ending in the period; ``*_open`` counts the spells open at the end of the period's last day
``D``: ``start <= D`` and (no end, or ``end > D``). A spell that ends on ``D`` is not open at the
end of ``D``. The same rule is used for every source and for every "open at" count (here, in
:mod:`caseloads.domain.stability` and in the benchmarks' counts at 31 March), because it fits both
date conventions the sources use:

- SSD and CIN census plans (``cin_plans``, ``cp_plans``): the end date is the plan's last day
  (inclusive): the child was on the plan on ``D`` but is not once ``D`` is over;
- SSDA903 (``cla_episodes.ceased_date`` = DEC): the 903's next episode of a child who stays looked
  after starts on the previous episode's DEC, so DEC is effectively exclusive; a child whose
  episode ceased on 31 March is not looked after at 31 March, as the DfE counts it.

So, for every period ``open = open at the end of the previous period + started - ended`` exactly
(``open`` is a sweep over the spells' starts and ends, :func:`stock_counts`).

A *spell* merges one child's records that overlap or touch (:func:`spells`): a record starting on
or before the latest end of the child's earlier records continues the same spell. For the 903 this
joins the episodes of one period of care (a new episode at each change of placement or legal
status is not a new start; the DfE counts children starting and ceasing to be looked after), and it
counts once a plan or episode loaded from two extracts (SSD and CIN census or SSDA903). Episodes
under a series of short breaks (legal status V3, V4) are left out of CLA, as the DfE leaves them
out. The DfE's annual "children starting" counts a child once a year; a year's monthly spells can
count a child twice where it started, ended and started again.

Duplicates across extracts: a referral, assessment, enquiry or conference of the same child on the
same date loaded from two extracts counts once (CIN episodes of a child may not overlap,
definitions.md §4, so two on one day are the same). Contacts are not deduplicated (one extract
holds them, and a child may be the subject of two contacts in a day).

**Teams**: a record counts for the team it names (``team_id``); records whose table has no team
(contacts, CP plans and CLA episodes in the stored model) or that name none count under no team
(``team_id`` empty). A spell takes the team of its first record.

**Rates per 10,000 children aged 0-17** (definitions.md §4; practice.md §5: "Rates per 10,000
children aged under 18 using ONS mid-year estimates, 1 dp"): ``count × 10,000 / population``, 1
decimal place, where the population is the ONS mid-year estimate of the authority's children aged
0-17 for the reporting year (1 April to 31 March) holding the period's first day: the mid-``Y``
estimate (30 June ``Y``) for periods starting from 1 April ``Y`` to 31 March ``Y + 1``. This is the
estimate the DfE divides its reporting year ending 31 March ``Y + 1`` by (the bundled rates,
:mod:`caseloads.ingest.dfe_tables`), and the mid-year date falls inside that year. Periods after
the latest estimate use the latest one (``population_year`` says which was used).

**Change on the same period a year before**: ``<measure>_change`` = the period's figure less that
of the period a year earlier (the same month of the year before; for weeks, the week 52 weeks
earlier, the same weekday alignment). Percentages change in percentage points. None when the
earlier period starts before the loaded data does (``data_from``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final, Literal

import polars as pl

from caseloads.domain.benchmarking import without_short_breaks

Freq = Literal["month", "week"]
FREQS: Final[tuple[str, ...]] = ("month", "week")

#: A far date standing for "still open" while spells are merged.
_OPEN: Final = date(9999, 12, 31)

#: The flows, in output order.
FLOWS: Final[tuple[str, ...]] = (
    "contacts",
    "referrals",
    "re_referrals",
    "assessments_started",
    "assessments_completed",
    "s47_enquiries",
    "icpcs",
)
#: The stocks: each gives ``<name>_started``, ``<name>_ended`` and ``<name>_open``.
STOCKS: Final[tuple[str, ...]] = ("cin_plans", "cp_plans", "cla")
STOCK_COUNTS: Final[tuple[str, ...]] = tuple(
    f"{s}_{part}" for s in STOCKS for part in ("started", "ended", "open")
)
#: Every count, in output order; each also has ``_per_10k`` and ``_change``.
COUNTS: Final[tuple[str, ...]] = (*FLOWS, *STOCK_COUNTS)
#: The percentages (change in percentage points).
PERCENTAGES: Final[tuple[str, ...]] = ("conversion_rate", "re_referral_rate")

#: The columns of :func:`demand_table`, after the group columns.
PERIOD_COLUMNS: Final[tuple[str, ...]] = (
    "period_start",
    "period_end",
    "data_complete",
    "population_year",
    "population",
)
MEASURE_COLUMNS: Final[tuple[str, ...]] = (
    *COUNTS[:2],
    "conversion_rate",
    COUNTS[2],
    "re_referral_rate",
    *COUNTS[3:],
    *(f"{c}_per_10k" for c in COUNTS),
    *(f"{c}_change" for c in (*COUNTS, *PERCENTAGES)),
)


@dataclass(frozen=True)
class DemandRecords:
    """The case records demand is counted from, each with ``la_code``, ``child_id`` and
    ``team_id`` (null where the table or the row has none) and its dates:

    - ``contacts``: ``contact_date``; ``referrals``: ``referral_date``;
    - ``assessments``: ``start_date, auth_date``; ``s47_enquiries``: ``start_date``; ``icpcs``:
      ``icpc_date``;
    - ``cin_plans``, ``cp_plans``: ``start_date, end_date``; ``cla_episodes``: ``start_date,
      ceased_date, legal_status``."""

    contacts: pl.DataFrame
    referrals: pl.DataFrame
    assessments: pl.DataFrame
    s47_enquiries: pl.DataFrame
    icpcs: pl.DataFrame
    cin_plans: pl.DataFrame
    cp_plans: pl.DataFrame
    cla_episodes: pl.DataFrame


# --- periods ---------------------------------------------------------------------------------


def _every(freq: str) -> str:
    if freq not in FREQS:
        raise ValueError(f"unknown frequency {freq!r}: choose one of {', '.join(FREQS)}")
    return "1mo" if freq == "month" else "1w"


def period_of(column: str | pl.Expr, freq: str) -> pl.Expr:
    """The first day of the period holding each date (the month's first day, or the Monday)."""
    expr = pl.col(column) if isinstance(column, str) else column
    return expr.dt.truncate(_every(freq))


def period_start_of(day: date, freq: str) -> date:
    """The first day of the period holding ``day``."""
    if freq == "month":
        _every(freq)
        return day.replace(day=1)
    _every(freq)
    return day - timedelta(days=day.weekday())


def period_calendar(first: date, last: date, freq: str) -> pl.DataFrame:
    """``period_start, period_end``: the whole periods from the one holding ``first`` to the one
    holding ``last`` (both inclusive)."""
    if last < first:
        raise ValueError(f"the range ends ({last}) before it starts ({first})")
    starts = pl.date_range(
        period_start_of(first, freq), period_start_of(last, freq), _every(freq), eager=True
    ).alias("period_start")
    frame = pl.DataFrame(starts)
    end = (
        pl.col("period_start").dt.month_end()
        if freq == "month"
        else pl.col("period_start") + pl.duration(days=6)
    )
    return frame.with_columns(end.alias("period_end"))


def year_before(column: str, freq: str) -> pl.Expr:
    """The first day of the period a year before: the same month of the year before, or the week
    52 weeks (364 days) earlier."""
    if freq == "month":
        return pl.col(column).dt.offset_by("-1y")
    _every(freq)
    return pl.col(column) - pl.duration(days=364)


def _a_year_before(period_start: date, freq: str) -> date:
    """The first day of the period a year before the one starting on ``period_start``."""
    if freq == "month":
        return period_start.replace(year=period_start.year - 1)
    return period_start - timedelta(days=364)


def reporting_year(column: str) -> pl.Expr:
    """The year ``Y`` of the reporting year (1 April ``Y`` to 31 March ``Y + 1``) holding each
    date: the year of the ONS mid-year estimate the DfE divides that reporting year by."""
    day = pl.col(column)
    return (day.dt.year() - (day.dt.month() < 4).cast(pl.Int32)).cast(pl.Int64)


# --- records ---------------------------------------------------------------------------------


def distinct_events(frame: pl.DataFrame, date_column: str) -> pl.DataFrame:
    """One row per child and date (the first loaded), rows without the date left out."""
    return frame.filter(pl.col(date_column).is_not_null()).unique(
        ["la_code", "child_id", date_column], keep="first", maintain_order=True
    )


def flag_re_referrals(referrals: pl.DataFrame) -> pl.DataFrame:
    """``referrals`` (``la_code, child_id, referral_date``), one per child and date, with
    ``re_referral``: True where the child's previous referral is dated after the same date a year
    before (28 February for a 29 February), i.e. within the 12 months ending on this one."""
    frame = distinct_events(referrals, "referral_date").sort("la_code", "child_id", "referral_date")
    previous = pl.col("referral_date").shift(1).over("la_code", "child_id")
    return frame.with_columns(
        (previous.is_not_null() & (previous > pl.col("referral_date").dt.offset_by("-1y")))
        .fill_null(False)
        .alias("re_referral")
    )


def spells(records: pl.DataFrame, start: str, end: str) -> pl.DataFrame:
    """``la_code, child_id, team_id, start, end``: a child's records merged where they overlap or
    touch (a record starting on or before the latest end of the child's earlier records continues
    that spell; an empty end is open and absorbs every later record). The spell's team is that of
    its first record. An end before its start (which the imports refuse) is read as the start."""
    if records.height == 0:
        return pl.DataFrame(
            schema={
                "la_code": pl.String(),
                "child_id": pl.String(),
                "team_id": pl.String(),
                "start": pl.Date(),
                "end": pl.Date(),
            }
        )
    ends = (
        pl.when(pl.col(end).is_null())
        .then(pl.lit(_OPEN))
        .otherwise(pl.max_horizontal(pl.col(start), pl.col(end)))
    )
    frame = (
        records.filter(pl.col(start).is_not_null())
        .select("la_code", "child_id", "team_id", pl.col(start).alias("start"), ends.alias("end"))
        .sort("la_code", "child_id", "start", "end")
    )
    reach = pl.col("end").cum_max().shift(1).over("la_code", "child_id")
    new = (reach.is_null() | (pl.col("start") > reach)).cast(pl.Int32)
    return (
        frame.with_columns(new.cum_sum().over("la_code", "child_id").alias("_spell"))
        .group_by("la_code", "child_id", "_spell", maintain_order=True)
        .agg(pl.col("team_id").first(), pl.col("start").min(), pl.col("end").max())
        .select(
            "la_code",
            "child_id",
            "team_id",
            "start",
            pl.when(pl.col("end") == _OPEN).then(None).otherwise(pl.col("end")).alias("end"),
        )
    )


def open_at(spells_frame: pl.DataFrame, day: date) -> pl.DataFrame:
    """The spells open at the end of ``day``: started on or before it, not ended on or before it."""
    return spells_frame.filter(
        (pl.col("start") <= day) & (pl.col("end").is_null() | (pl.col("end") > day))
    )


def looked_after_spells(cla_episodes: pl.DataFrame) -> pl.DataFrame:
    """Periods of care (:func:`spells` of the episodes, short breaks left out)."""
    return spells(without_short_breaks(cla_episodes), "start_date", "ceased_date")


# --- counting ----------------------------------------------------------------------------------


def _keys(by_team: bool) -> list[str]:
    return ["la_code", "team_id"] if by_team else ["la_code"]


def _counted(
    frame: pl.DataFrame, column: str, name: str, keys: list[str], freq: str, first: date
) -> pl.DataFrame:
    return (
        frame.filter(pl.col(column).is_not_null() & (pl.col(column) >= first))
        .with_columns(period_of(column, freq).alias("period_start"))
        .group_by(*keys, "period_start")
        .agg(pl.len().cast(pl.Int64).alias("n"))
        .with_columns(pl.lit(name).alias("measure"))
    )


def stock_counts(
    spells_frame: pl.DataFrame, name: str, calendar: pl.DataFrame, keys: list[str], freq: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Starts and ends of ``spells_frame`` per period (long rows ``keys, period_start, n,
    measure`` for ``<name>_started`` and ``<name>_ended``) and the number open before the first
    period (``keys, <name>_base``: started before it and not ended before it), from which
    :func:`demand_table` sweeps the open numbers forward."""
    first = calendar.get_column("period_start").min()
    assert isinstance(first, date)
    flows = pl.concat(
        [
            _counted(spells_frame, "start", f"{name}_started", keys, freq, first),
            _counted(spells_frame, "end", f"{name}_ended", keys, freq, first),
        ]
    )
    before = (pl.col("start") < first).sum().cast(pl.Int64) - (
        pl.col("end").is_not_null() & (pl.col("end") < first)
    ).sum().cast(pl.Int64)
    base = spells_frame.group_by(keys).agg(before.alias(f"{name}_base"))
    return flows, base


def _rate(numerator: str, denominator: str, scale: float) -> pl.Expr:
    value = (scale * pl.col(numerator) / pl.col(denominator)).round(1, mode="half_away_from_zero")
    return pl.when(pl.col(denominator) > 0).then(value).otherwise(None)


def data_span(records: DemandRecords) -> pl.DataFrame:
    """``la_code, data_from, data_to``: how far each authority's loaded records reach, a
    heuristic for "the data covers the period". ``data_from`` is the earliest dated flow
    (contact, referral, assessment, enquiry or conference), else the earliest plan or episode
    start: plans and episodes open when an extract was taken start long before the extract's
    window. ``data_to`` is the latest date of any record."""
    flow_dates = {
        "contacts": ["contact_date"],
        "referrals": ["referral_date"],
        "assessments": ["start_date", "auth_date"],
        "s47_enquiries": ["start_date"],
        "icpcs": ["icpc_date"],
    }
    stock_dates = {
        "cin_plans": ["start_date", "end_date"],
        "cp_plans": ["start_date", "end_date"],
        "cla_episodes": ["start_date", "ceased_date"],
    }
    parts = []
    for group, tables in (("flow", flow_dates), ("stock", stock_dates)):
        for table, columns in tables.items():
            frame: pl.DataFrame = getattr(records, table)
            for column in columns:
                parts.append(
                    frame.select(
                        "la_code", pl.col(column).alias("day"), pl.lit(group).alias("group")
                    ).filter(pl.col("day").is_not_null())
                )
    schema = {"la_code": pl.String(), "data_from": pl.Date(), "data_to": pl.Date()}
    if not parts:
        return pl.DataFrame(schema=schema)
    days = pl.concat(parts)
    flows_from = pl.col("day").filter(pl.col("group") == "flow").min()
    starts_from = pl.col("day").min()
    return (
        days.group_by("la_code")
        .agg(
            pl.coalesce(flows_from, starts_from).alias("data_from"),
            pl.col("day").max().alias("data_to"),
        )
        .select(pl.col(n).cast(t) for n, t in schema.items())
    )


def demand_table(
    records: DemandRecords,
    first: date,
    last: date,
    freq: str,
    la_codes: Sequence[str],
    population: pl.DataFrame,
    *,
    by_team: bool = False,
) -> pl.DataFrame:
    """One row per authority (and team) and period from the period holding ``first`` to the one
    holding ``last``: ``la_code[, team_id]``, :data:`PERIOD_COLUMNS` and :data:`MEASURE_COLUMNS`
    (definitions in the module docstring). ``population`` has ``la_code, year, population`` (the
    ONS mid-``year`` estimate of children aged 0-17); ``data_complete`` says whether the loaded
    data reaches across the whole period (:func:`data_span`)."""
    keys = _keys(by_team)
    shown = period_calendar(first, last, freq)
    shown_first = shown.get_column("period_start").min()
    assert isinstance(shown_first, date)
    # Counted from a year before, for the change on the same period a year before.
    calendar = period_calendar(_a_year_before(shown_first, freq), last, freq)
    cal_first = calendar.get_column("period_start").min()
    assert isinstance(cal_first, date)

    referrals = flag_re_referrals(records.referrals)
    events: Mapping[str, tuple[pl.DataFrame, str]] = {
        "contacts": (records.contacts.filter(pl.col("contact_date").is_not_null()), "contact_date"),
        "referrals": (referrals, "referral_date"),
        "re_referrals": (referrals.filter(pl.col("re_referral")), "referral_date"),
        "assessments_started": (distinct_events(records.assessments, "start_date"), "start_date"),
        "assessments_completed": (distinct_events(records.assessments, "auth_date"), "auth_date"),
        "s47_enquiries": (distinct_events(records.s47_enquiries, "start_date"), "start_date"),
        "icpcs": (distinct_events(records.icpcs, "icpc_date"), "icpc_date"),
    }
    long = [
        _counted(frame, column, name, keys, freq, cal_first)
        for name, (frame, column) in events.items()
    ]
    stock_spells = {
        "cin_plans": spells(records.cin_plans, "start_date", "end_date"),
        "cp_plans": spells(records.cp_plans, "start_date", "end_date"),
        "cla": looked_after_spells(records.cla_episodes),
    }
    bases = []
    for name, frame in stock_spells.items():
        flows, base = stock_counts(frame, name, calendar, keys, freq)
        long.append(flows)
        bases.append(base)

    counted = pl.concat([part.select(*keys, "period_start", "measure", "n") for part in long])
    groups = pl.concat(
        [
            counted.select(keys),
            *(b.select(keys) for b in bases),
            pl.DataFrame({"la_code": list(la_codes)}, schema={"la_code": pl.String()}).with_columns(
                *([pl.lit(None, pl.String).alias("team_id")] if by_team else [])
            ),
        ]
    ).unique()
    grid = groups.join(calendar, how="cross")
    wide = (
        counted.pivot(on="measure", index=[*keys, "period_start"], values="n")
        if counted.height
        else counted.select(*keys, "period_start")
    )
    for name in COUNTS:
        if name not in wide.columns and not name.endswith("_open"):
            wide = wide.with_columns(pl.lit(None, pl.Int64).alias(name))
    table = grid.join(wide, on=[*keys, "period_start"], how="left", nulls_equal=True)
    for base in bases:
        table = table.join(base, on=keys, how="left", nulls_equal=True)
    flow_names = [c for c in COUNTS if not c.endswith("_open")]
    table = table.with_columns(pl.col(flow_names).fill_null(0).cast(pl.Int64)).sort(
        *keys, "period_start", nulls_last=True
    )
    table = table.with_columns(
        (
            pl.col(f"{s}_base").fill_null(0)
            + (pl.col(f"{s}_started") - pl.col(f"{s}_ended")).cum_sum().over(keys)
        )
        .cast(pl.Int64)
        .alias(f"{s}_open")
        for s in STOCKS
    ).drop(f"{s}_base" for s in STOCKS)
    table = table.with_columns(
        _rate("referrals", "contacts", 100.0).alias("conversion_rate"),
        _rate("re_referrals", "referrals", 100.0).alias("re_referral_rate"),
    )

    # Population: the estimate of the reporting year holding the period's first day, or the
    # latest (earliest) there is for periods after (before) the estimates.
    pop = population.select(
        pl.col("la_code").cast(pl.String),
        pl.col("year").cast(pl.Int64),
        pl.col("population").cast(pl.Float64),
    )
    reach = pop.group_by("la_code").agg(
        pl.col("year").min().alias("_pmin"), pl.col("year").max().alias("_pmax")
    )
    table = (
        table.with_columns(reporting_year("period_start").alias("_ry"))
        .join(reach, on="la_code", how="left")
        .with_columns(pl.col("_ry").clip(pl.col("_pmin"), pl.col("_pmax")).alias("population_year"))
        .join(
            pop.rename({"year": "population_year"}), on=["la_code", "population_year"], how="left"
        )
        .drop("_ry", "_pmin", "_pmax")
        .with_columns(pl.when(pl.col("population").is_not_null()).then(pl.col("population_year")))
    )
    table = table.with_columns(
        _rate(c, "population", 10_000.0).alias(f"{c}_per_10k") for c in COUNTS
    )

    # The change on the same period a year before.
    span = data_span(records)
    table = table.join(span, on="la_code", how="left")
    previous = table.select(
        *keys,
        pl.col("period_start").alias("_previous_start"),
        *(pl.col(c).alias(f"_previous_{c}") for c in (*COUNTS, *PERCENTAGES)),
    )
    table = table.with_columns(year_before("period_start", freq).alias("_previous_start")).join(
        previous, on=[*keys, "_previous_start"], how="left", nulls_equal=True
    )
    covered = pl.col("data_from").is_not_null() & (pl.col("_previous_start") >= pl.col("data_from"))
    table = table.with_columns(
        pl.when(covered)
        .then(pl.col(c) - pl.col(f"_previous_{c}"))
        .otherwise(None)
        .alias(f"{c}_change")
        for c in (*COUNTS, *PERCENTAGES)
    )
    table = table.with_columns(
        (
            pl.col("data_from").is_not_null()
            & (pl.col("period_start") >= pl.col("data_from"))
            & (pl.col("period_end") <= pl.col("data_to"))
        ).alias("data_complete"),
        pl.col("population").cast(pl.Int64),
    )
    return table.filter(pl.col("period_start") >= shown_first).select(
        *keys, *PERIOD_COLUMNS, *MEASURE_COLUMNS
    )
