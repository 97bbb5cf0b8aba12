"""``caseloads demand``: demand by month or week (issue 5, deliverable 8).

One call reads each case table of the authorities once (their active batches, whichever extracts
were loaded: SSD, CIN census, SSDA903 fill the same tables) and computes every period in one pass
(:func:`caseloads.domain.demand.demand_table`: Polars group-bys on the truncated dates, the open
numbers swept forward over the period calendar). The definitions, the interval rule of each
source, the population estimate used for each period and the change on a year before are in
:mod:`caseloads.domain.demand`.

Rows are JSON-safe dicts (dates as ISO text), one per authority (and team) and period, with
``period_start`` and ``period_end``: the web API will serve exactly these.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, Final

import polars as pl
from sqlalchemy import Table, select
from sqlalchemy.engine import Connection

from caseloads.domain.demand import FREQS, MEASURE_COLUMNS, PERIOD_COLUMNS, DemandRecords
from caseloads.domain.demand import demand_table as compute_demand_table
from caseloads.errors import NotFoundError, RequestError
from caseloads.ingest import dfe_tables
from caseloads.services.database import Database
from caseloads.services.workforce import reading, team_names
from caseloads.store.frames import active_frame
from caseloads.store.tables import (
    assessments,
    batches,
    cin_plans,
    cla_episodes,
    contacts,
    cp_plans,
    icpcs,
    referrals,
    s47_enquiries,
)

#: The kinds of extract that hold case records.
CASE_KINDS: Final[tuple[str, ...]] = ("ssd", "cin-census", "ssda903")
GROUPINGS: Final[tuple[str, ...]] = ("team",)

#: Ranges longer than this many days are refused (a typo in a year, not a question).
MAX_DAYS: Final = 366 * 30


class DemandRequestError(RequestError):
    """A demand question that cannot be answered as asked (a range ending before it starts, an
    unknown frequency or grouping, a population that is not a positive number)."""


def case_authorities(conn: Connection, la_code: str | None, kinds: Sequence[str]) -> list[str]:
    """The authorities with an active extract of one of ``kinds``: ``[la_code]`` if it has one,
    else a clear error; with no ``la_code``, all of them (an error if none)."""
    query = select(batches.c.la_code).where(
        batches.c.status == "active", batches.c.kind.in_(list(kinds))
    )
    held = sorted(set(conn.execute(query).scalars()))
    what = " or ".join(kinds)
    hint = "caseloads import ssd FOLDER --la CODE"
    if la_code is not None:
        code = la_code.strip()
        if code not in held:
            raise NotFoundError(
                f"authority {code} has no case records loaded (an {what} extract): import one "
                f"with `{hint}`"
            )
        return [code]
    if not held:
        raise NotFoundError(
            f"no authority has case records loaded ({what}): import some with `{hint}`"
        )
    return held


def _read(
    conn: Connection, table: Table, la_codes: Sequence[str], columns: Sequence[str]
) -> pl.DataFrame:
    """``la_code, child_id, team_id`` (null where the table has none) and ``columns``."""
    has_team = "team_id" in table.c
    names = ["la_code", "child_id", *(["team_id"] if has_team else []), *columns]
    frame = active_frame(conn, table, la_codes, columns=names)
    if not has_team:
        frame = frame.with_columns(pl.lit(None, pl.String).alias("team_id"))
    return frame.select("la_code", "child_id", "team_id", *columns)


def read_demand_records(conn: Connection, la_codes: Sequence[str]) -> DemandRecords:
    """Every case record demand is counted from, for the authorities' active batches."""
    return DemandRecords(
        contacts=_read(conn, contacts, la_codes, ["contact_date"]),
        referrals=_read(conn, referrals, la_codes, ["referral_date"]),
        assessments=_read(conn, assessments, la_codes, ["start_date", "auth_date"]),
        s47_enquiries=_read(conn, s47_enquiries, la_codes, ["start_date"]),
        icpcs=_read(conn, icpcs, la_codes, ["icpc_date"]),
        cin_plans=_read(conn, cin_plans, la_codes, ["start_date", "end_date"]),
        cp_plans=_read(conn, cp_plans, la_codes, ["start_date", "end_date"]),
        cla_episodes=_read(
            conn, cla_episodes, la_codes, ["start_date", "ceased_date", "legal_status"]
        ),
    )


def ons_population(la_codes: Sequence[str]) -> pl.DataFrame:
    """``la_code, year, population``: the ONS mid-``year`` estimates of children aged 0-17 of the
    authorities, from the bundled ``ons_mid-year_population_estimates_2012_to_2024.csv`` (read by
    :func:`caseloads.ingest.dfe_tables.benchmark_rows`, the benchmarks' reader)."""
    rows = dfe_tables.benchmark_rows()
    return rows.filter(
        (pl.col("measure") == dfe_tables.POPULATION)
        & (pl.col("geographic_level") == dfe_tables.LOCAL_AUTHORITY)
        & pl.col("area_code").is_in(list(la_codes))
        & pl.col("value").is_not_null()
    ).select(
        pl.col("area_code").alias("la_code"),
        pl.col("year").cast(pl.Int64),
        pl.col("value").alias("population"),
    )


def _fixed_population(
    la_codes: Sequence[str], population: int, date_from: date, date_to: date
) -> pl.DataFrame:
    """The same ``population`` for every reporting year the range (and the year before) spans."""
    years = range(date_from.year - 2, date_to.year + 1)
    return pl.DataFrame(
        [(la, year, float(population)) for la in la_codes for year in years],
        schema={"la_code": pl.String(), "year": pl.Int64(), "population": pl.Float64()},
        orient="row",
    )


def _json_rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
    dates = [name for name, dtype in frame.schema.items() if dtype == pl.Date]
    return frame.with_columns(pl.col(dates).dt.to_string("%Y-%m-%d")).to_dicts()


def demand_by_period(
    db: Database,
    *,
    date_from: date,
    date_to: date,
    freq: str = "month",
    la_code: str | None = None,
    by: str | None = None,
    population: int | None = None,
) -> list[dict[str, Any]]:
    """Demand per period from the period holding ``date_from`` to the one holding ``date_to``
    (months, or Monday-to-Sunday weeks), per authority (``la_code``, else every authority with
    case records) and, with ``by="team"``, per team the records name (``team_id`` and its name
    ``team``; records naming no team under an empty team). Rows: ``la_code[, team_id, team]``,
    ``period_start, period_end, data_complete, population_year, population`` and the measures
    (:data:`caseloads.domain.demand.MEASURE_COLUMNS`). ``population`` replaces the ONS estimate
    (the authority's own figure; ``population_year`` is then empty)."""
    if date_to < date_from:
        raise DemandRequestError(
            f"--from {date_from.isoformat()} is after --to {date_to.isoformat()}: the range must "
            "start on or before its end"
        )
    if (date_to - date_from).days > MAX_DAYS:
        raise DemandRequestError("the range is longer than 30 years: check --from and --to")
    if freq not in FREQS:
        raise DemandRequestError(f"unknown frequency {freq!r}: choose one of {', '.join(FREQS)}")
    if by is not None and by not in GROUPINGS:
        raise DemandRequestError(f"cannot group by {by!r}: choose {', '.join(GROUPINGS)}")
    if population is not None and population <= 0:
        raise DemandRequestError("--population must be a positive number of children")
    by_team = by == "team"
    with reading(db) as conn:
        la_codes = case_authorities(conn, la_code, CASE_KINDS)
        records = read_demand_records(conn, la_codes)
        if population is None:
            pop = ons_population(la_codes)
        else:
            pop = _fixed_population(la_codes, population, date_from, date_to)
        table = compute_demand_table(
            records, date_from, date_to, freq, la_codes, pop, by_team=by_team
        )
        if by_team:
            names = team_names(conn, la_codes)
            table = table.join(names, on=["la_code", "team_id"], how="left").select(
                "la_code", "team_id", "team", *PERIOD_COLUMNS, *MEASURE_COLUMNS
            )
    if population is not None:
        table = table.with_columns(pl.lit(None, pl.Int64).alias("population_year"))
    return _json_rows(table)
