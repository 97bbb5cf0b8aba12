"""``caseloads benchmark``: an authority's published figures beside England's, its region's and
its DfE statistical neighbours', with its own computed figures where its data is loaded.

The published figures are the DfE and ONS tables bundled in the package (Open Government Licence
v3.0), loaded into the ``benchmarks`` table by ``caseloads init`` (:func:`load_bundled`); the
measures and their sources are in :mod:`caseloads.ingest.dfe_tables`, the comparison rules (the
statistical neighbour mean, rank 1 = highest value, ties, symbols) in
:mod:`caseloads.domain.benchmarking`. One call reads the stored rows once and compares every
authority and year asked for in one pass.

The authority's own figures (``computed``) come from two hooks, each answering ``None`` where it
has nothing to say:

- :func:`own_workforce_figures`: the CSWW indicators computed from the authority's loaded CSWW
  return for the census year by :mod:`caseloads.services.workforce` (the DfE's definitions, so
  they sit beside the published figures like for like);
- :func:`own_demand_rates`: children in need, on a child protection plan and looked after at 31
  March, counted from the loaded referrals, plans and episodes (SSD, CIN census, SSDA903) and
  divided by the ONS estimate of children aged 0-17 the DfE uses for that year.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import polars as pl
from sqlalchemy import Table
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from caseloads.domain import benchmarking
from caseloads.errors import DatabaseError, NotFoundError
from caseloads.ingest import dfe_tables
from caseloads.services.database import Database, describe_db_error
from caseloads.store import benchmarks as store
from caseloads.store import repositories
from caseloads.store.frames import active_frame
from caseloads.store.tables import cla_episodes, cp_plans, referrals

#: ``meta`` key holding the digest of the bundled files the stored rows came from.
BENCHMARKS_DIGEST = "benchmarks_digest"

#: Where the ``computed`` figures of each kind came from (the ``computed_source`` column).
WORKFORCE_SOURCE = "CSWW return loaded (services.workforce)"
DEMAND_SOURCE = "loaded case records at 31 March / ONS children aged 0-17"

#: The result columns: :data:`caseloads.domain.benchmarking.COLUMNS` plus the own figures.
COLUMNS: tuple[str, ...] = (*benchmarking.COLUMNS, "computed", "computed_source")


def load_bundled(conn: Connection) -> int:
    """Store the bundled DfE tables in ``benchmarks``, replacing what is there, unless the rows
    stored already came from exactly these files (same digest, rows present). Runs in the
    caller's transaction (``caseloads init``'s). Returns the rows written (0 when current)."""
    digest = dfe_tables.bundled_digest()
    if repositories.get_meta(conn, BENCHMARKS_DIGEST) == digest and store.count(conn) > 0:
        return 0
    written = store.replace_all(conn, dfe_tables.benchmark_rows())
    repositories.set_meta(conn, BENCHMARKS_DIGEST, digest)
    return written


def benchmark_comparison(
    db: Database,
    la_code: str | None = None,
    year: int | None = None,
    *,
    all_years: bool = False,
) -> list[dict[str, Any]]:
    """One JSON-safe dict per authority, measure and year (:data:`COLUMNS`): the authority's
    published ``value`` (or its ``symbol``), England's, its region's, its statistical neighbours'
    mean, how many of them had a value, its rank among them (1 = highest), and ``computed``,
    its own figure from its loaded data where there is one.

    ``la_code``: the DfE 3-digit number (every authority when ``None``). ``year``: one year for
    every measure (the CSWW year to 30 September; CIN, CPP and CLA the year to 31 March);
    ``all_years``: every year; by default each measure's latest year for the authority."""
    db.require_current_schema()
    try:
        with db.engine.connect() as conn:
            values = store.read_all(conn)
            if values.height == 0:
                raise DatabaseError(
                    f"no DfE benchmarks are stored in {db.url}: run `caseloads init` to load them"
                )
            authorities = dfe_tables.authorities()
            _check_request(values, authorities, la_code, year)
            table = benchmarking.compare(
                values,
                authorities,
                dfe_tables.statistical_neighbours(),
                la_codes=None if la_code is None else [la_code],
                year=year,
                all_years=all_years,
            )
            computed = _computed(db, conn, table, values)
    except SQLAlchemyError as exc:
        raise DatabaseError(f"cannot read {db.url}: {describe_db_error(exc)}") from exc
    out = table.join(computed, on=["la_code", "year", "measure"], how="left")
    # Column lists zipped into dicts: faster than DataFrame.to_dicts on every authority and year.
    columns = [out.get_column(name).to_list() for name in COLUMNS]
    return [dict(zip(COLUMNS, values, strict=True)) for values in zip(*columns, strict=True)]


def _check_request(
    values: pl.DataFrame, authorities: pl.DataFrame, la_code: str | None, year: int | None
) -> None:
    if la_code is not None and la_code not in set(authorities["la_code"].to_list()):
        raise NotFoundError(
            f"no local authority {la_code!r} in the DfE tables: use the DfE 3-digit number "
            "(for example 301 for Barking and Dagenham)"
        )
    if year is not None:
        compared = values.filter(pl.col("measure").is_in(benchmarking.MEASURE_NAMES))
        years = sorted({int(y) for y in compared["year"].unique().to_list()})
        if year not in years:
            raise NotFoundError(
                f"no DfE benchmarks for {year}: years available {years[0]}-{years[-1]}"
            )


# --- the authority's own figures ------------------------------------------------------------

_SCHEMA: dict[str, pl.DataType] = {
    "la_code": pl.String(),
    "year": pl.Int64(),
    "measure": pl.String(),
    "computed": pl.Float64(),
    "computed_source": pl.String(),
}


def _computed(
    db: Database, conn: Connection, table: pl.DataFrame, values: pl.DataFrame
) -> pl.DataFrame:
    """``la_code, year, measure, computed, computed_source`` for the authorities of ``table``
    whose data is loaded."""
    loaded = sorted(set(repositories.authorities(conn)) & set(table["la_code"].to_list()))
    if not loaded:
        return pl.DataFrame(schema=_SCHEMA)
    parts: list[pl.DataFrame] = []
    rows: list[tuple[str, int, str, float, str]] = []
    # One workforce call per census year, for every loaded authority at once (or the one asked
    # for); figures for keys the comparison does not hold fall away in the caller's join.
    only = loaded[0] if len(loaded) == 1 else None
    returns = store.active_scopes(conn, "csww")  # census years with a return loaded
    csww_years = {y for la in loaded for y in _years(table, la, dfe_tables.CSWW_MEASURES)}
    for year in sorted(y for y in csww_years if str(y) in returns):
        for la_code, figures in (own_workforce_figures(db, year, only) or {}).items():
            rows.extend((la_code, year, m, v, WORKFORCE_SOURCE) for m, v in figures.items())
    parts.append(pl.DataFrame(rows, schema=_SCHEMA, orient="row"))
    years = sorted({y for la in loaded for y in _years(table, la, tuple(DEMAND_DECIMALS))})
    parts.append(own_demand_rates(conn, loaded, years, values))
    return pl.concat(parts)


def _years(table: pl.DataFrame, la_code: str, measures: Sequence[str]) -> list[int]:
    chosen = table.filter((pl.col("la_code") == la_code) & pl.col("measure").is_in(measures))
    return sorted(int(y) for y in chosen["year"].unique().to_list())


def own_workforce_figures(
    db: Database, year: int, la_code: str | None = None
) -> dict[str, dict[str, float]] | None:
    """The hook for the authorities' own CSWW indicators for the census year to 30 September
    ``year``: ``{la_code: {measure: value}}``, the measures keyed by the DfE column names
    (``turnover_rate_fte``, ...), as :func:`caseloads.services.workforce.workforce_indicators`
    computes them from each authority's loaded CSWW return for that year (``la_code``: only that
    authority's; ``None``: every authority with a return). An indicator the return cannot give
    (no denominator) is left out.

    ``None`` when no authority asked for has a CSWW return for the year loaded."""
    from caseloads.services.workforce import workforce_indicators

    try:
        rows = workforce_indicators(db, la_code=la_code, year=year)
    except NotFoundError:
        return None
    out: dict[str, dict[str, float]] = {}
    for row in rows:
        figures = {
            m: float(row[m])
            for m in dfe_tables.CSWW_MEASURES
            if isinstance(row.get(m), int | float) and not isinstance(row.get(m), bool)
        }
        out[str(row["la_code"])] = figures
    return out or None


#: The demand rates computed from loaded records, with the decimals the DfE rounds them to.
DEMAND_DECIMALS: dict[str, int] = {
    dfe_tables.CIN_RATE: 1,
    dfe_tables.CPP_RATE: 1,
    dfe_tables.CLA_RATE: 0,
}


def own_demand_rates(
    conn: Connection, la_codes: Sequence[str], years: Sequence[int], values: pl.DataFrame
) -> pl.DataFrame:
    """The authorities' own rates per 10,000 children at 31 March of each of ``years``, from
    their loaded records, where those cover the date (:func:`benchmarking.children_open_on`:
    a record of the kind starts on or before it, and it lies between the start of the window the
    authority's referrals, plans and episodes were extracted for and their latest date):

    - ``cin_rate_per_10000``: children with a referral (CIN episode) open on 31 March;
    - ``cpp_rate_per_10000``: children with a child protection plan open on 31 March;
    - ``cla_rate_per_10000``: children with a looked-after episode open on 31 March, short-break
      (respite) legal statuses V3 and V4 left out as the DfE does;

    each over the ONS mid-``year - 1`` estimate of the authority's children aged 0-17 (the stored
    ``population_0_17``), rounded as the DfE rounds. Rows ``la_code, year, measure, computed,
    computed_source``."""
    if not la_codes or not years:
        return pl.DataFrame(schema=_SCHEMA)
    population = values.filter(
        (pl.col("measure") == dfe_tables.POPULATION)
        & (pl.col("geographic_level") == benchmarking.LOCAL_AUTHORITY)
        & pl.col("area_code").is_in(list(la_codes))
        & pl.col("value").is_not_null()
    ).select(pl.col("area_code").alias("la_code"), "year", "value")
    dates = {year: date(year, 3, 31) for year in years}
    records = {
        dfe_tables.CIN_RATE: _records(conn, la_codes, referrals, "referral_date", "close_date"),
        dfe_tables.CPP_RATE: _records(conn, la_codes, cp_plans, "start_date", "end_date"),
        dfe_tables.CLA_RATE: _looked_after(conn, la_codes),
    }
    span = benchmarking.loaded_span(*records.values())
    parts = [
        benchmarking.rates_per_10000(
            benchmarking.children_open_on(frame, dates, span),
            population,
            DEMAND_DECIMALS[measure],
        ).select(
            "la_code",
            "year",
            pl.lit(measure).alias("measure"),
            pl.col("rate").alias("computed"),
            pl.lit(DEMAND_SOURCE).alias("computed_source"),
        )
        for measure, frame in records.items()
    ]
    return pl.concat([p.select(pl.col(n).cast(t) for n, t in _SCHEMA.items()) for p in parts])


def _records(
    conn: Connection, la_codes: Sequence[str], table: Table, start: str, end: str
) -> pl.DataFrame:
    frame = active_frame(conn, table, la_codes, columns=["la_code", "child_id", start, end])
    return frame.rename({start: "start", end: "end"})


def _looked_after(conn: Connection, la_codes: Sequence[str]) -> pl.DataFrame:
    columns = ["la_code", "child_id", "start_date", "ceased_date", "legal_status"]
    frame = active_frame(conn, cla_episodes, la_codes, columns=columns)
    return benchmarking.without_short_breaks(frame).select(
        "la_code",
        "child_id",
        pl.col("start_date").alias("start"),
        pl.col("ceased_date").alias("end"),
    )
