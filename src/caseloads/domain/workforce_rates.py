"""The DfE children's social work workforce (CSWW) indicators: their names, formulas and rounding.

Every name is a column of the DfE file ``csww_indicators_2017_to_2025.csv`` (EES data set "1.
Indicators", definitions.md §1.3 [S4]); every formula is the DfE's own wording in the LAIT data
dictionary (``lait_csc_indicator_dictionary.csv``, measure ``Work_Force_NoSW``, "Methodology"
[S2]) and the CSC outcomes and enablers dashboard [S3]:

- turnover rate = leavers in the year ÷ social workers in post at 30 September (FTE and
  headcount; directly employed staff only);
- agency worker rate = agency workers at 30 September ÷ (agency workers + social workers) at 30
  September (FTE and headcount);
- agency workers covering vacancies rate = FTE agency workers covering vacancies ÷ FTE agency
  workers;
- vacancy rate = FTE vacancies ÷ (FTE vacancies + FTE social workers in post);
- vacancy agency cover rate = FTE agency workers covering vacancies ÷ FTE vacancies;
- average caseload = cases held at 30 September by every social worker, agency included ÷ FTE of
  those (agency included) who held one or more cases and had an FTE above zero;
- sickness absence rate = days lost to sickness in the year ÷ (FTE in post at 30 September × 253
  working days, or 254 in a leap year).

Every rate is a percentage (the caseload a ratio) computed from unrounded components and then
rounded to 1 decimal place; FTEs and working days are rounded to 1 decimal place, headcounts and
cases are whole numbers (definitions.md §5, EES data guidance [S5]). A rate whose denominator is
zero is not applicable (the DfE's ``z``): here ``None``.

:func:`rates_from_components` computes the rates from components; :func:`reproduce_published`
checks the published rates against the published components, row by row, allowing for the
rounding of the components.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from typing import Final, Literal

import polars as pl

#: The components: counts and FTEs the rates are made of, in the DfE file's order.
COMPONENTS: Final = (
    "inpost_fte",
    "inpost_headcount",
    "starters_fte",
    "starters_headcount",
    "leavers_fte",
    "leavers_headcount",
    "agency_fte",
    "agency_headcount",
    "agency_cover_fte",
    "vacancy_fte",
    "case_holders_fte",
    "cases",
    "working_days_lost_fte",
)

#: The 22 indicator columns of the DfE file, in its order.
INDICATORS: Final = (
    "inpost_fte",
    "inpost_headcount",
    "starters_fte",
    "starters_headcount",
    "leavers_fte",
    "leavers_headcount",
    "turnover_rate_fte",
    "turnover_rate_headcount",
    "agency_fte",
    "agency_headcount",
    "agency_rate_fte",
    "agency_rate_headcount",
    "agency_cover_fte",
    "agency_cover_rate_fte",
    "vacancy_fte",
    "vacancy_rate_fte",
    "vacancy_agency_cover_rate_fte",
    "case_holders_fte",
    "cases",
    "caseload_fte",
    "working_days_lost_fte",
    "absence_rate_fte",
)

#: Published as whole numbers; every other indicator to 1 decimal place [S5].
WHOLE_NUMBERS: Final = frozenset(
    {"inpost_headcount", "starters_headcount", "leavers_headcount", "agency_headcount", "cases"}
)

#: Working days in a census year (1 October to 30 September): 253, or 254 when the year holds a
#: 29 February [S2]. Reproduces 97.7% of published absence rates exactly (definitions.md §1.3).
WORKING_DAYS: Final = 253


def working_days(census_year: int) -> int:
    """Working days in the census year ending 30 September ``census_year`` [S2]: 254 when it holds
    29 February (``census_year`` is a leap year: 2020, 2024), else 253."""
    return WORKING_DAYS + (1 if calendar.isleap(census_year) else 0)


def working_days_between(first: date, last: date) -> int:
    """The DfE's working days for any 12-month period ``first``..``last`` (inclusive): 253, plus
    one if a 29 February falls within it (so a census year gives :func:`working_days`)."""
    leap_days = sum(
        1
        for year in range(first.year, last.year + 1)
        if calendar.isleap(year) and first <= date(year, 2, 29) <= last
    )
    return WORKING_DAYS + leap_days


@dataclass(frozen=True)
class Rate:
    """One DfE rate: ``kind`` says how ``numerator`` and ``denominator`` combine.

    - ``ratio``: ``scale × numerator ÷ denominator``;
    - ``share``: ``scale × numerator ÷ (numerator + denominator)``;
    - ``absence``: ``scale × numerator ÷ (denominator × working days)``.
    """

    name: str
    kind: Literal["ratio", "share", "absence"]
    numerator: str
    denominator: str
    scale: float = 100.0


RATES: Final = (
    Rate("turnover_rate_fte", "ratio", "leavers_fte", "inpost_fte"),
    Rate("turnover_rate_headcount", "ratio", "leavers_headcount", "inpost_headcount"),
    Rate("agency_rate_fte", "share", "agency_fte", "inpost_fte"),
    Rate("agency_rate_headcount", "share", "agency_headcount", "inpost_headcount"),
    Rate("agency_cover_rate_fte", "ratio", "agency_cover_fte", "agency_fte"),
    Rate("vacancy_rate_fte", "share", "vacancy_fte", "inpost_fte"),
    Rate("vacancy_agency_cover_rate_fte", "ratio", "agency_cover_fte", "vacancy_fte"),
    Rate("caseload_fte", "ratio", "cases", "case_holders_fte", scale=1.0),
    Rate("absence_rate_fte", "absence", "working_days_lost_fte", "inpost_fte"),
)


def rate_expr(rate: Rate, days: pl.Expr | None = None) -> pl.Expr:
    """``rate`` from its component columns, ``None`` where the denominator is zero or missing.
    ``days`` is the working-days expression for absence (default: column ``working_days``)."""
    num = pl.col(rate.numerator).cast(pl.Float64)
    den = pl.col(rate.denominator).cast(pl.Float64)
    if rate.kind == "ratio":
        below = den
    elif rate.kind == "share":
        below = num + den
    else:
        below = den * (pl.col("working_days") if days is None else days)
    return pl.when(below > 0).then(rate.scale * num / below).alias(rate.name)


def rates_from_components(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with the nine DfE rates added (unrounded), from its component columns (any
    missing component column is taken as unknown) and ``working_days``."""
    missing = [c for c in COMPONENTS if c not in frame.columns]
    frame = frame.with_columns(pl.lit(None, pl.Float64).alias(c) for c in missing)
    return frame.with_columns(rate_expr(r) for r in RATES)


def round_indicators(frame: pl.DataFrame) -> pl.DataFrame:
    """The DfE's rounding [S5]: headcounts and cases whole, everything else to 1 decimal place."""
    present = [c for c in INDICATORS if c in frame.columns]
    return frame.with_columns(
        pl.col(c).round(0).cast(pl.Int64) if c in WHOLE_NUMBERS else pl.col(c).round(1)
        for c in present
    )


# --- reproducing the published rates ------------------------------------------------------------

#: Half the rounding step of a published value: FTEs, days and rates are to 1 decimal place.
_HALF_STEP = 0.05
_INF = float("inf")
_AREA_COLUMNS = ("time_period", "geographic_level", "region_name", "old_la_code", "la_name")
_LONDON = ("Inner London", "Outer London")


def _bounds(column: str) -> list[pl.Expr]:
    """``<column>_lo``, ``<column>_hi``: the interval of unrounded values a published cell (text)
    stands for. A number ``v`` is ``v ± 0.05`` (exact for whole-number columns); ``low`` ("rounds
    to 0 but is not 0") is 0..0.05; any other symbol (c, x, z, u, ':') is unknown (null)."""
    text = pl.col(column).cast(pl.String).str.strip_chars()
    value = text.cast(pl.Float64, strict=False)
    half = 0.0 if column in WHOLE_NUMBERS else _HALF_STEP
    low_symbol = text == "low"
    lo = pl.when(low_symbol).then(0.0).otherwise((value - half).clip(lower_bound=0.0))
    hi = pl.when(low_symbol).then(_HALF_STEP).otherwise(value + half)
    return [lo.alias(f"{column}_lo"), hi.alias(f"{column}_hi")]


def _rate_interval(rate: Rate, days: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """The lowest and highest value of ``rate`` over its components' intervals (every rate is
    increasing in its numerator and decreasing in its denominator)."""
    a_lo, a_hi = pl.col(f"{rate.numerator}_lo"), pl.col(f"{rate.numerator}_hi")
    b_lo, b_hi = pl.col(f"{rate.denominator}_lo"), pl.col(f"{rate.denominator}_hi")
    k = rate.scale
    if rate.kind == "ratio":
        lo_below, hi_below = b_hi, b_lo
    elif rate.kind == "share":
        lo_below, hi_below = a_lo + b_hi, a_hi + b_lo
    else:
        lo_below, hi_below = b_hi * days, b_lo * days
    lo = pl.when(lo_below > 0).then(k * a_lo / lo_below).otherwise(0.0)
    hi = pl.when(hi_below > 0).then(k * a_hi / hi_below).otherwise(_INF)
    both = a_lo.is_not_null() & b_lo.is_not_null()
    return pl.when(both).then(lo), pl.when(both).then(hi)


def _group_keys(published: pl.DataFrame) -> pl.DataFrame:
    """Each authority row's memberships: England, its region, and London for Inner and Outer
    London (the DfE files have Inner London, Outer London and London rows)."""
    la = published.filter(pl.col("geographic_level") == "Local authority")
    national = la.with_columns(
        pl.lit("National").alias("_level"), pl.lit(None, pl.String).alias("_region")
    )
    regional = la.with_columns(
        pl.lit("Regional").alias("_level"), pl.col("region_name").alias("_region")
    )
    london = la.filter(pl.col("region_name").is_in(_LONDON)).with_columns(
        pl.lit("Regional").alias("_level"), pl.lit("London").alias("_region")
    )
    return pl.concat([national, regional, london])


#: How an aggregate (England, a region) may treat authorities whose component is not published:
#: ``all``: the rate leaves out every authority with an unavailable component (c, x, z, u);
#: ``low-reliability``: it leaves out those marked ``u`` and counts ``x`` as nothing.
_VARIANTS: Final = (
    ("all", "every authority whose components are not both published is left out"),
    (
        "low-reliability",
        "authorities whose component is of low reliability (u) are left out and unavailable "
        "ones (x) count as none",
    ),
)


def _symbol(column: str) -> pl.Expr:
    return pl.col(column).cast(pl.String).str.strip_chars()


def _from_authorities(groups: pl.DataFrame, rate: Rate, variant: str) -> pl.DataFrame:
    """``rate`` for each aggregate recomputed from its authorities' rows (summing the intervals of
    the components), with the list of the authorities left out; keyed like ``groups``."""
    a, b = rate.numerator, rate.denominator
    keys = ["time_period", "_level", "_region"]
    if variant == "all":
        out = pl.col(f"{a}_lo").is_null() | pl.col(f"{b}_lo").is_null()
    else:
        out = (_symbol(a) == "u") | (_symbol(b) == "u")
    bounds = [f"{a}_lo", f"{a}_hi", f"{b}_lo", f"{b}_hi"]
    usable = groups.filter(~out).with_columns(pl.col(bounds).fill_null(0.0))
    summed = usable.group_by(keys).agg(pl.col(bounds).sum(), pl.col("_days").first())
    lo, hi = _rate_interval(rate, pl.col("_days"))
    summed = summed.select(*keys, lo.alias(f"low_{variant}"), hi.alias(f"high_{variant}"))
    label = pl.concat_str(
        pl.col("la_name"),
        pl.lit(f" ({a} "),
        _symbol(a),
        pl.lit(f", {b} "),
        _symbol(b),
        pl.lit(")"),
    )
    names = (
        groups.filter(out)
        .group_by(keys)
        .agg(label.sort().str.join("; ").alias(f"left_out_{variant}"))
    )
    return summed.join(names, on=keys, how="left", nulls_equal=True)


def _range(low: str, high: str) -> pl.Expr:
    return pl.concat_str(
        pl.col(low).round(2).cast(pl.String), pl.lit("-"), pl.col(high).round(2).cast(pl.String)
    )


def reproduce_published(published: pl.DataFrame) -> pl.DataFrame:
    """Check every published rate against the published components of its row.

    ``published`` is the DfE indicators file read as text (symbols kept). The result has one row
    per area, year and rate whose published value is a number (or ``low``): ``time_period,
    geographic_level, region_name, old_la_code, la_name, measure, published, low, high,
    reproduced, reason``. ``low``..``high`` is the range the rate takes as its components range
    over the values that round to what is published; the rate is *reproduced* when that range
    meets the range of values that round to the published rate.

    A rate not reproduced gets a reason: a component is suppressed or unavailable; or (England and
    regions) the published rate leaves out some authorities, which is shown by recomputing it from
    the other authorities' rows of the same file (:data:`_VARIANTS`: all authorities with an
    unavailable component left out, or only those of low reliability); or, if neither reproduces
    it, the recomputed ranges."""
    bound_columns = sorted({c for r in RATES for c in (r.numerator, r.denominator)})
    year = pl.col("time_period").cast(pl.Int64)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    days = pl.when(leap).then(WORKING_DAYS + 1).otherwise(WORKING_DAYS)
    base = published.with_columns(
        *(e for c in bound_columns for e in _bounds(c)),
        *(e for r in RATES for e in _bounds(r.name)),
        days.alias("_days"),
        pl.col("geographic_level").alias("_level"),
        # England's join key is a null region
        pl.when(pl.col("geographic_level") == "Regional")
        .then(pl.col("region_name"))
        .alias("_region"),
    )
    groups = _group_keys(base)
    keys = ["time_period", "_level", "_region"]
    results: list[pl.DataFrame] = []
    for rate in RATES:
        lo, hi = _rate_interval(rate, pl.col("_days"))
        a, b = rate.numerator, rate.denominator
        p_lo, p_hi = pl.col(f"{rate.name}_lo") - 1e-9, pl.col(f"{rate.name}_hi") + 1e-9
        rows = base.filter(pl.col(f"{rate.name}_lo").is_not_null()).with_columns(
            lo.alias("low"),
            hi.alias("high"),
            pl.col(rate.name).cast(pl.String).alias("published"),
            pl.lit(rate.name).alias("measure"),
        )
        rows = rows.with_columns(
            (
                pl.col("low").is_not_null() & (pl.col("low") <= p_hi) & (pl.col("high") >= p_lo)
            ).alias("reproduced")
        )
        # The first reason that applies, in this order (each is null where it does not).
        reasons: list[pl.Expr] = [
            pl.when(pl.col("low").is_null()).then(
                pl.concat_str(
                    pl.lit(f"a component is suppressed or unavailable: {a} = "),
                    _symbol(a).fill_null("(blank)"),
                    pl.lit(f", {b} = "),
                    _symbol(b).fill_null("(blank)"),
                )
            )
        ]
        for variant, wording in _VARIANTS:
            rows = rows.join(
                _from_authorities(groups, rate, variant), on=keys, how="left", nulls_equal=True
            )
            v_lo, v_hi = pl.col(f"low_{variant}"), pl.col(f"high_{variant}")
            explained = (
                (pl.col("geographic_level") != "Local authority")
                & pl.col(f"left_out_{variant}").is_not_null()
                & (v_lo <= p_hi)
                & (v_hi >= p_lo)
            )
            reasons.append(
                pl.when(explained).then(
                    pl.concat_str(
                        pl.lit(f"the published rate is over part of the area ({wording}): "),
                        pl.col(f"left_out_{variant}"),
                        pl.lit("; recomputed from the other authorities' rows it is "),
                        _range(f"low_{variant}", f"high_{variant}"),
                        pl.lit(", from this row's own components "),
                        _range("low", "high"),
                    )
                )
            )
        reasons.append(
            pl.concat_str(
                pl.lit("not reproduced: this row's own components give "),
                _range("low", "high"),
                pl.lit(", its authorities' rows give "),
                _range("low_all", "high_all").fill_null("nothing"),
            )
        )
        reason = pl.when(~pl.col("reproduced")).then(pl.coalesce(reasons))
        results.append(
            rows.select(
                *_AREA_COLUMNS,
                "measure",
                "published",
                "low",
                "high",
                "reproduced",
                reason.alias("reason"),
            )
        )
    return pl.concat(results).with_columns(pl.col("time_period").cast(pl.Int64))
