"""Comparing an authority's published figures with England, its region and its DfE statistical
neighbours: pure arithmetic on Polars frames, for every authority, year and measure at once.

Inputs (read by :mod:`caseloads.ingest.dfe_tables` and stored by ``caseloads init``):

- ``values``: the long published rows ``source, geographic_level, area_code, year, measure,
  value, symbol``. ``value`` is null exactly when the DfE printed a symbol in its place (``c``
  suppressed, ``x`` not available, ``z`` not applicable, ``u`` low reliability, ``low`` rounds to
  0 but is not 0, ``:``), kept in ``symbol``.
- ``authorities``: ``la_code, la_name, region_code, region_name`` (the region is one of the nine
  English regions; London boroughs compare with London, not Inner or Outer London).
- ``neighbours``: ``la_code, position, neighbour_code`` from the DfE children's services
  statistical neighbour model (2025; ten neighbours per authority).

For each authority, year and measure (:data:`MEASURES`), :func:`compare` gives:

- ``value``/``symbol``: the authority's published figure. Where the authority made a joint return
  (Kingston upon Thames with Richmond upon Thames; North with West Northamptonshire since 2021),
  the joint figure stands for each partner and ``joint_return`` names it (as DfE's LAIT does); an
  authority's own row wins over a joint one;
- ``england_value`` and ``region_value`` (with their symbols): the National row and the row of the
  authority's region for the same year and measure;
- the statistical neighbours: ``sn_count`` neighbours in the model, ``sn_with_value`` of them with
  a published number for the year and measure, ``sn_mean`` their unweighted mean (rounded to 1
  decimal place, the precision DfE publishes its rates in), ``sn_missing`` the neighbours left
  out and why (their symbol, or "no row");
- ``sn_rank`` of ``sn_ranked``: the authority's place among itself and its neighbours with a
  number, **1 = the highest value** whatever the measure (a high turnover or a high caseload is
  rank 1 just as a high FTE is: no measure is judged better or worse here). Ties share the best
  place ("competition" ranking, 1-2-2-4): ``sn_rank`` = 1 + the number of neighbours with a
  strictly higher value, and ``sn_tied`` counts the neighbours with exactly the authority's
  value. ``sn_ranked`` = ``sn_with_value`` + 1.

A symbol is never a number: a neighbour with a symbol (or no row) is left out of the mean and
the rank, and an authority with a symbol has no rank. Neither counts as zero.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import polars as pl

LOCAL_AUTHORITY = "Local authority"
NATIONAL = "National"
REGIONAL = "Regional"


@dataclass(frozen=True)
class Measure:
    """One compared measure: its stored ``name`` (DfE's own column name for CSWW), a ``label``
    for people, its ``unit`` and the DfE file it is published in (``source``)."""

    name: str
    label: str
    unit: str
    source: str


_CSWW = "csww_indicators_2017_to_2025.csv"

#: The measures compared, in output order. CSWW: year to 30 September, definitions in
#: ``../shared/domain/definitions.md`` §1.3 (EES "Children's social work workforce", "1.
#: Indicators"); FTE, rates, caseload and days to 1 decimal place, headcounts and cases whole.
#: CIN, CPP and CLA: children at 31 March per 10,000 children aged 0-17 (ONS mid-year estimate
#: of the previous calendar year), definitions §4.
MEASURES: tuple[Measure, ...] = (
    Measure("inpost_fte", "Social workers in post (FTE)", "FTE", _CSWW),
    Measure("inpost_headcount", "Social workers in post (headcount)", "headcount", _CSWW),
    Measure("starters_fte", "Starters in the year (FTE)", "FTE", _CSWW),
    Measure("starters_headcount", "Starters in the year (headcount)", "headcount", _CSWW),
    Measure("leavers_fte", "Leavers in the year (FTE)", "FTE", _CSWW),
    Measure("leavers_headcount", "Leavers in the year (headcount)", "headcount", _CSWW),
    Measure("turnover_rate_fte", "Turnover rate (FTE): leavers / in post", "%", _CSWW),
    Measure("turnover_rate_headcount", "Turnover rate (headcount)", "%", _CSWW),
    Measure("agency_fte", "Agency workers (FTE)", "FTE", _CSWW),
    Measure("agency_headcount", "Agency workers (headcount)", "headcount", _CSWW),
    Measure("agency_rate_fte", "Agency rate (FTE): agency / (agency + in post)", "%", _CSWW),
    Measure("agency_rate_headcount", "Agency rate (headcount)", "%", _CSWW),
    Measure("agency_cover_fte", "Agency workers covering vacancies (FTE)", "FTE", _CSWW),
    Measure("agency_cover_rate_fte", "Agency workers covering vacancies / agency", "%", _CSWW),
    Measure("vacancy_fte", "Vacancies (FTE)", "FTE", _CSWW),
    Measure(
        "vacancy_rate_fte", "Vacancy rate (FTE): vacancies / (vacancies + in post)", "%", _CSWW
    ),
    Measure("vacancy_agency_cover_rate_fte", "Vacancies covered by agency / vacancies", "%", _CSWW),
    Measure("case_holders_fte", "Case holders (FTE, agency included)", "FTE", _CSWW),
    Measure("cases", "Cases held at 30 September", "cases", _CSWW),
    Measure("caseload_fte", "Average caseload: cases / case-holding FTE", "cases per FTE", _CSWW),
    Measure("working_days_lost_fte", "Working days lost to sickness", "days", _CSWW),
    Measure("absence_rate_fte", "Sickness absence rate", "%", _CSWW),
    Measure(
        "cin_rate_per_10000",
        "Children in need at 31 March per 10,000 children",
        "per 10,000",
        "b1_children_in_need_2013_to_2025.csv",
    ),
    Measure(
        "cpp_rate_per_10000",
        "Child protection plans at 31 March per 10,000 children",
        "per 10,000",
        "d5_cpps_at31march_by_duration_2013_to_2025.csv",
    ),
    Measure(
        "cla_rate_per_10000",
        "Children looked after at 31 March per 10,000 children",
        "per 10,000",
        "cla_number_and_rate_per_10k_children.csv",
    ),
)

MEASURE_NAMES: tuple[str, ...] = tuple(m.name for m in MEASURES)

#: The columns of :func:`compare`'s result, in order.
COLUMNS: tuple[str, ...] = (
    "la_code",
    "la_name",
    "region_code",
    "region_name",
    "measure",
    "label",
    "unit",
    "year",
    "value",
    "symbol",
    "joint_return",
    "england_value",
    "england_symbol",
    "region_value",
    "region_symbol",
    "sn_mean",
    "sn_with_value",
    "sn_count",
    "sn_rank",
    "sn_ranked",
    "sn_tied",
    "sn_missing",
    "source",
)

_KEY = ["la_code", "year", "measure"]


def authority_values(values: pl.DataFrame) -> pl.DataFrame:
    """Each authority's published figure per year and measure: ``la_code, year, measure, value,
    symbol, joint_return, source``. A joint return (``"314 / 318"``) gives a row to each partner
    with ``joint_return`` set; an authority's own row wins over a joint one."""
    rows = values.filter(pl.col("geographic_level") == LOCAL_AUTHORITY)
    codes = pl.col("area_code").str.split("/").list.eval(pl.element().str.strip_chars())
    return (
        rows.with_columns(
            codes.alias("la_code"),
            pl.when(pl.col("area_code").str.contains("/"))
            .then(pl.col("area_code"))
            .otherwise(None)
            .alias("joint_return"),
        )
        .explode("la_code")
        .sort(pl.col("joint_return").is_not_null())
        .unique(_KEY, keep="first", maintain_order=True)
        .select(*_KEY, "value", "symbol", "joint_return", "source")
    )


def _keys(
    own: pl.DataFrame,
    la_codes: Sequence[str],
    measures: Sequence[str],
    year: int | None,
    all_years: bool,
) -> pl.DataFrame:
    """The (authority, year, measure) triples to answer. ``all_years``: every year the authority
    has a row for the measure. ``year``: that year for each measure published in it (by any area;
    an authority without a row gets an empty one). Neither: the latest year the authority has a
    row for each measure, else the measure's latest year."""
    wanted = pl.DataFrame({"la_code": list(la_codes)}, schema={"la_code": pl.String()})
    names = pl.DataFrame({"measure": list(measures)}, schema={"measure": pl.String()})
    mine = own.join(wanted, on="la_code", how="semi").join(names, on="measure", how="semi")
    if all_years:
        return mine.select(_KEY).unique().sort(_KEY)
    if year is not None:
        published = own.filter(pl.col("year") == year).select("measure").unique()
        grid = wanted.join(published.join(names, on="measure", how="semi"), how="cross")
        return grid.with_columns(pl.lit(year, dtype=pl.Int64).alias("year")).select(_KEY)
    latest = mine.group_by("la_code", "measure").agg(pl.col("year").max())
    measure_latest = (
        own.join(names, on="measure", how="semi").group_by("measure").agg(pl.col("year").max())
    )
    grid = wanted.join(measure_latest, how="cross")
    return (
        grid.join(latest, on=["la_code", "measure"], how="left", suffix="_own")
        .select("la_code", pl.coalesce("year_own", "year").alias("year"), "measure")
        .select(_KEY)
    )


def compare(
    values: pl.DataFrame,
    authorities: pl.DataFrame,
    neighbours: pl.DataFrame,
    *,
    la_codes: Sequence[str] | None = None,
    year: int | None = None,
    all_years: bool = False,
    measures: Sequence[str] = MEASURE_NAMES,
) -> pl.DataFrame:
    """The comparison (:data:`COLUMNS`, see the module docstring) for ``la_codes`` (every
    authority in ``authorities`` when ``None``), in authority, :data:`MEASURES` and year order.

    ``year`` picks one year for every measure; ``all_years`` gives every year; by default each
    measure's latest year for the authority. Computed in one pass over all the authorities."""
    own = authority_values(values)
    codes = list(la_codes) if la_codes is not None else authorities["la_code"].to_list()
    keys = _keys(own, codes, measures, year, all_years)

    subject = keys.join(own, on=_KEY, how="left")
    national = values.filter(pl.col("geographic_level") == NATIONAL).select(
        "year",
        "measure",
        pl.col("value").alias("england_value"),
        pl.col("symbol").alias("england_symbol"),
    )
    regional = values.filter(pl.col("geographic_level") == REGIONAL).select(
        pl.col("area_code").alias("region_code"),
        "year",
        "measure",
        pl.col("value").alias("region_value"),
        pl.col("symbol").alias("region_symbol"),
    )
    stats = _neighbour_stats(subject, own, neighbours)
    catalogue = pl.DataFrame(
        {
            "measure": [m.name for m in MEASURES],
            "label": [m.label for m in MEASURES],
            "unit": [m.unit for m in MEASURES],
            "order": list(range(len(MEASURES))),
            "measure_source": [m.source for m in MEASURES],
        }
    )
    out = (
        subject.join(authorities, on="la_code", how="left")
        .join(national, on=["year", "measure"], how="left")
        .join(regional, on=["region_code", "year", "measure"], how="left")
        .join(stats, on=_KEY, how="left")
        .join(catalogue, on="measure", how="left")
        .with_columns(
            pl.col("sn_count").fill_null(0),
            pl.col("sn_with_value").fill_null(0),
            pl.coalesce("source", "measure_source").alias("source"),
        )
        .sort("la_code", "order", "year")
    )
    return out.select(COLUMNS)


def _neighbour_stats(
    subject: pl.DataFrame, own: pl.DataFrame, neighbours: pl.DataFrame
) -> pl.DataFrame:
    """``sn_count, sn_with_value, sn_mean, sn_rank, sn_ranked, sn_tied, sn_missing`` per key
    (grouped on a row number of ``subject`` rather than the three text keys: several times
    faster on every authority and year at once)."""
    keyed = subject.select(*_KEY, "value").with_row_index("key")
    theirs = own.select(
        pl.col("la_code").alias("neighbour_code"),
        "year",
        "measure",
        pl.col("value").alias("n_value"),
        pl.col("symbol").alias("n_symbol"),
    )
    pairs = keyed.join(
        neighbours.select("la_code", "position", "neighbour_code"), on="la_code", how="inner"
    ).join(theirs, on=["neighbour_code", "year", "measure"], how="left")
    has = pl.col("n_value").is_not_null()
    stats = pairs.group_by("key").agg(
        pl.len().cast(pl.Int64).alias("sn_count"),
        has.sum().cast(pl.Int64).alias("sn_with_value"),
        pl.col("n_value").mean().round(1).alias("sn_mean"),
        (pl.col("n_value") > pl.col("value")).sum().cast(pl.Int64).alias("higher"),
        (pl.col("n_value") == pl.col("value")).sum().cast(pl.Int64).alias("tied"),
    )
    reason = pl.coalesce(pl.col("n_symbol"), pl.lit("no row"))
    missing = (
        pairs.filter(~has)
        .sort("key", "position")
        .group_by("key", maintain_order=True)
        .agg(
            (pl.col("neighbour_code") + pl.lit(" (") + reason + pl.lit(")"))
            .str.join(", ")
            .alias("sn_missing")
        )
    )
    ranked = pl.col("value").is_not_null()
    return (
        keyed.join(stats, on="key", how="inner")
        .join(missing, on="key", how="left")
        .select(
            *_KEY,
            "sn_count",
            "sn_with_value",
            "sn_mean",
            pl.when(ranked).then(pl.col("higher") + 1).otherwise(None).alias("sn_rank"),
            pl.when(ranked).then(pl.col("sn_with_value") + 1).otherwise(None).alias("sn_ranked"),
            pl.when(ranked).then(pl.col("tied")).otherwise(None).alias("sn_tied"),
            "sn_missing",
        )
    )


# --- the authority's own figures from its loaded case records --------------------------------

#: SSDA903 legal statuses of children looked after under an agreed series of short-term breaks
#: (respite), whom the DfE's counts of children looked after leave out (definitions.md §4).
SHORT_BREAKS = ("V3", "V4")


def without_short_breaks(episodes: pl.DataFrame) -> pl.DataFrame:
    """Looked-after episodes less those under a series of short-term breaks (``legal_status`` V3
    or V4, :data:`SHORT_BREAKS`), which the DfE's counts of children looked after leave out. An
    episode without a legal status (the SSD carries none) is kept."""
    respite = pl.col("legal_status").is_in(list(SHORT_BREAKS))
    return episodes.filter(respite.not_() | pl.col("legal_status").is_null())


def loaded_span(*record_sets: pl.DataFrame) -> pl.DataFrame:
    """``la_code, complete_from, last``: the dates between which an authority's loaded records
    (each set with ``la_code, start, end``) can count what was open on a date.

    - ``last``: the latest start or end date in any set: how far the extracts reach.
    - ``complete_from``: the latest of the sets' earliest *end* dates. Case-management extracts
      hold the records open at any time in a window (the SSD's is the last six years), so they
      hold nothing that ended before the window opened, and a set's earliest end date is about
      where its window opens; before it, records that had already closed are missing and a count
      would be too low. Null when no set records an end (nothing to say)."""
    parts = [
        r.group_by("la_code").agg(
            pl.col("end").min().alias("complete_from"),
            pl.max_horizontal(pl.col("start").max(), pl.col("end").max()).alias("last"),
        )
        for r in record_sets
        if r.height
    ]
    if not parts:
        return pl.DataFrame(
            schema={"la_code": pl.String(), "complete_from": pl.Date(), "last": pl.Date()}
        )
    return (
        pl.concat(parts)
        .group_by("la_code")
        .agg(pl.col("complete_from").max(), pl.col("last").max())
    )


def children_open_on(
    records: pl.DataFrame, dates: Mapping[int, date], span: pl.DataFrame | None = None
) -> pl.DataFrame:
    """``la_code, year, children``: for each year's date, the distinct ``child_id`` of each
    authority with a record open on it (``start <= date`` and no ``end`` or ``end > date``: a
    plan or episode ending on 31 March is not open at 31 March).

    ``records`` has ``la_code, child_id, start, end``. An authority gets a count for a date only
    where its records can count it (a heuristic for "the data is loaded for that date"): one of
    these records starts on or before it, and the date lies within the authority's loaded span
    (``span``, from :func:`loaded_span` over all its kinds of record; by default these records
    alone): on or after ``complete_from`` and on or before ``last``. A covered date with nothing
    open counts 0."""
    schema = {"la_code": pl.String(), "year": pl.Int64(), "children": pl.Int64()}
    if records.height == 0 or not dates:
        return pl.DataFrame(schema=schema)
    first = records.group_by("la_code").agg(pl.col("start").min().alias("first"))
    bounds = first.join(span if span is not None else loaded_span(records), on="la_code")
    parts = []
    for year, on in sorted(dates.items()):
        covered = bounds.filter(
            (pl.col("first") <= on)
            & (pl.col("complete_from").is_null() | (pl.col("complete_from") <= on))
            & (pl.col("last") >= on)
        ).select("la_code")
        open_ = records.filter(
            (pl.col("start") <= on) & (pl.col("end").is_null() | (pl.col("end") > on))
        )
        counts = open_.group_by("la_code").agg(pl.col("child_id").n_unique().alias("children"))
        parts.append(
            covered.join(counts, on="la_code", how="left").select(
                "la_code",
                pl.lit(year, dtype=pl.Int64).alias("year"),
                pl.col("children").fill_null(0).cast(pl.Int64),
            )
        )
    return pl.concat(parts).sort("la_code", "year")


def rates_per_10000(counts: pl.DataFrame, population: pl.DataFrame, decimals: int) -> pl.DataFrame:
    """``la_code, year, rate``: ``counts`` (``la_code, year, children``) per 10,000 children aged
    0-17 at mid-``year - 1`` (``population``: ``la_code, year, value``, the ONS estimate and its
    mid-year), rounded to ``decimals`` places as the DfE publishes it (CIN and CPP 1, CLA 0),
    halves away from zero. No rate without a positive population."""
    denominators = population.select(
        "la_code", (pl.col("year") + 1).alias("year"), pl.col("value").alias("population")
    )
    return (
        counts.join(denominators, on=["la_code", "year"], how="inner")
        .filter(pl.col("population") > 0)
        .select(
            "la_code",
            "year",
            (pl.col("children") * 10_000 / pl.col("population"))
            .round(decimals, mode="half_away_from_zero")
            .alias("rate"),
        )
    )
