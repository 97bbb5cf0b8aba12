"""``caseloads workforce``: the DfE children's social work workforce indicators of an authority,
for a census year (from its CSWW return) or for the 12 months to any date (from its staff
extract). The definitions are in :mod:`caseloads.domain.workforce_census` and
:mod:`caseloads.domain.workforce_live`; the names and rounding are the DfE's
(:mod:`caseloads.domain.workforce_rates`).

Also what the other workforce commands of this area share (:mod:`caseloads.services.turnover`):

- **Authorities**: the one asked for (``--la``), else every authority with the data needed.
- **Date** (where one is optional): the latest date the staff extract records, that is the latest
  assignment start or end not after the day it was imported (a planned end is a plan, not data;
  the extract has no reference date of its own, and "today" would count every assignment ended
  since it was taken as still running).
- **Rows** are JSON-safe dicts (dates as ISO text): the web API will serve exactly these.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any, Final

import polars as pl
from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from caseloads.domain.establishment import establishment_table, role_key
from caseloads.domain.workforce_census import census_checks, census_indicators, census_period
from caseloads.domain.workforce_live import (
    GROUP_COLUMNS,
    NON_CASE_ROLES,
    LiveBy,
    live_indicators,
)
from caseloads.domain.workforce_rates import INDICATORS
from caseloads.errors import DatabaseError, NotFoundError, RequestError
from caseloads.services.database import Database, describe_db_error
from caseloads.store import repositories
from caseloads.store.frames import active_batch_ids, active_frame
from caseloads.store.tables import (
    absences,
    assignments,
    batches,
    csww_vacancies,
    csww_workers,
    involvements,
    posts,
)

GROUPINGS: Final = ("team", "role")


class WorkforceRequestError(RequestError):
    """A workforce question that cannot be answered as asked (no period, or both; an unknown
    grouping)."""


ASSIGNMENT_COLUMNS: Final = (
    "la_code",
    "worker_id",
    "post_id",
    "team_id",
    "role",
    "org_role",
    "contract",
    "fte",
    "start_date",
    "end_date",
    "leaving_reason",
)


@contextmanager
def reading(db: Database) -> Iterator[Connection]:
    """A connection for reading, with unreachable databases reported clearly."""
    db.require_current_schema()
    try:
        with db.engine.connect() as conn:
            yield conn
    except SQLAlchemyError as exc:
        raise DatabaseError(f"cannot read the database {db.url}: {describe_db_error(exc)}") from exc


def authorities_with(
    conn: Connection, kind: str, la_code: str | None, scope: str | None = None
) -> list[str]:
    """The authorities with an active extract of ``kind`` (and ``scope``): ``[la_code]`` if it
    has one, else a clear error; with no ``la_code``, all of them (an error if none)."""
    query = select(batches.c.la_code).where(batches.c.status == "active", batches.c.kind == kind)
    if scope is not None:
        query = query.where(batches.c.scope == scope)
    held = sorted(set(conn.execute(query).scalars()))
    what = f"{kind} extract" if scope is None else f"{kind} return for {scope}"
    hint = {
        "csww": "caseloads import csww RETURN.xml",
        "staff": "caseloads import staff STAFF.csv --la CODE",
    }.get(kind, f"caseloads import {kind} FILE")
    if la_code is not None:
        code = la_code.strip()
        if code not in held:
            raise NotFoundError(
                f"authority {code} has no {what} loaded{_loaded_years(conn, code, kind)}: "
                f"import one with `{hint}`"
            )
        return [code]
    if not held:
        raise NotFoundError(f"no authority has a {what} loaded: import one with `{hint}`")
    return held


def _loaded_years(conn: Connection, la_code: str, kind: str) -> str:
    if kind != "csww":
        return ""
    query = select(batches.c.scope).where(
        batches.c.status == "active", batches.c.kind == kind, batches.c.la_code == la_code
    )
    years = sorted(conn.execute(query).scalars())
    return f" (census years loaded: {', '.join(years)})" if years else ""


def latest_staff_date(conn: Connection, la_code: str) -> date:
    """The default date for ``la_code``: see the module docstring."""
    imported = {
        int(b["batch_id"]): b["imported_at"].date()
        for b in repositories.batch_log(conn, la_code)
        if b["status"] == "active" and b["kind"] == "staff"
    }
    frame = active_frame(conn, assignments, la_code, columns=["batch_id", "start_date", "end_date"])
    cap = pl.DataFrame(
        {"batch_id": list(imported), "imported_on": list(imported.values())},
        schema={"batch_id": pl.Int64, "imported_on": pl.Date},
    )
    dated = frame.join(cap, on="batch_id").select(
        pl.max_horizontal(
            pl.col(c).filter(pl.col(c) <= pl.col("imported_on")).max()
            for c in ("start_date", "end_date")
        )
    )
    latest = dated.item() if dated.height else None
    if not isinstance(latest, date):
        raise NotFoundError(
            f"authority {la_code}'s staff extract records no date on or before its import: "
            "give the date with --as-of"
        )
    return latest


def read_staff(conn: Connection, la_codes: Sequence[str]) -> pl.DataFrame:
    """The assignments of the authorities' staff extracts, roles as keys (lower case, ``_`` for
    spaces and hyphens, as the establishment table compares them)."""
    frame = active_frame(conn, assignments, la_codes, columns=list(ASSIGNMENT_COLUMNS))
    return frame.with_columns(role_key(pl.col("role")).alias("role"))


def _optional(
    conn: Connection, table: Any, la_codes: Sequence[str], kind: str
) -> pl.DataFrame | None:
    """The rows of ``table`` for the authorities, or ``None`` when none of them has loaded the
    kind of extract that fills it (its measures are then unknown, not zero)."""
    if not active_batch_ids(conn, la_codes, [kind]):
        return None
    return active_frame(conn, table, la_codes)


def _involvements(conn: Connection, la_codes: Sequence[str]) -> pl.DataFrame | None:
    if not active_batch_ids(conn, la_codes, ["ssd", "ssda903"]):
        return None
    return active_frame(
        conn,
        involvements,
        la_codes,
        columns=["la_code", "worker_id", "child_id", "role", "start_date", "end_date"],
    )


def _vacancies(
    conn: Connection, la_codes: Sequence[str], staff: pl.DataFrame, as_of: date, by: str | None
) -> pl.DataFrame | None:
    """``vacancy_fte`` and ``agency_cover_fte`` from the establishment on ``as_of``, exactly as
    ``caseloads establishment`` counts them (:func:`caseloads.domain.establishment.
    establishment_table`: post by post, agency cover = min(agency, vacancy))."""
    if not active_batch_ids(conn, la_codes, ["establishment"]):
        return None
    post_rows = active_frame(
        conn,
        posts,
        la_codes,
        columns=["la_code", "post_id", "team_id", "role", "fte", "start_date", "end_date"],
    )
    frames: list[pl.DataFrame] = []
    for la in la_codes:
        mine = post_rows.filter(pl.col("la_code") == la).drop("la_code")
        if mine.is_empty():
            continue
        table = establishment_table(
            mine, staff.filter(pl.col("la_code") == la).drop("la_code"), as_of, by=by or "role"
        )
        if by is None:
            frames.append(
                pl.DataFrame(
                    {
                        "la_code": [la],
                        "vacancy_fte": [table.total["vacancy_fte"]],
                        "agency_cover_fte": [table.total["agency_covering_vacancies_fte"]],
                    }
                )
            )
        else:
            frames.append(
                table.groups.select(
                    pl.lit(la).alias("la_code"),
                    GROUP_COLUMNS[by],
                    pl.col("vacancy_fte").cast(pl.Float64),
                    pl.col("agency_covering_vacancies_fte")
                    .cast(pl.Float64)
                    .alias("agency_cover_fte"),
                )
            )
    return pl.concat(frames) if frames else None


def live_grouping(by: str | None) -> LiveBy | None:
    """``by`` as the staff-extract grouping (``None`` for the authority)."""
    if by == "team":
        return "team"
    if by == "role":
        return "role"
    return None


def _rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """JSON-safe rows: dates as ISO text."""
    dates = [name for name, dtype in frame.schema.items() if dtype == pl.Date]
    return frame.with_columns(pl.col(dates).dt.to_string("%Y-%m-%d")).to_dicts()


def team_names(conn: Connection, la_codes: Sequence[str]) -> pl.DataFrame:
    """``la_code, team_id, team`` (the team's name) of the authorities."""
    rows = [
        (la, team_id, team.name)
        for la in la_codes
        for team_id, team in repositories.load_teams(conn, la).items()
    ]
    return pl.DataFrame(
        rows, schema={"la_code": pl.String, "team_id": pl.String, "team": pl.String}, orient="row"
    )


def workforce_indicators(
    db: Database,
    *,
    la_code: str | None = None,
    year: int | None = None,
    as_of: date | None = None,
    by: str | None = None,
    non_case_roles: Sequence[str] = NON_CASE_ROLES,
    rejoin_gap_days: int = 0,
) -> list[dict[str, Any]]:
    """The 22 DfE indicators, one row per authority (or per role or team of each).

    Exactly one of ``year`` (a CSWW census year: the figures the DfE publishes from the return)
    and ``as_of`` (any date: the same measures from the staff extract over the 12 months to it)
    is given. ``by`` is ``role`` (CSWW ``OrgRole`` for a return; the council's own roles for the
    staff extract) or ``team`` (staff extract only: the return has no teams). Each row: ``la_code,
    year`` (the census year; ``None`` for a date), ``as_of``, ``period_start``, ``source``
    (``csww`` or ``staff``), the group columns, then
    :data:`~caseloads.domain.workforce_rates.INDICATORS`. ``non_case_roles`` and
    ``rejoin_gap_days`` are council settings (see :mod:`caseloads.domain.workforce_live`)."""
    if (year is None) == (as_of is None):
        raise WorkforceRequestError(
            "say which period: a census year (--year) or a date (--as-of), not both"
        )
    if by is not None and by not in GROUPINGS:
        raise WorkforceRequestError(f"cannot group by {by!r}: choose one of {', '.join(GROUPINGS)}")
    with reading(db) as conn:
        if year is not None:
            return _census_rows(conn, la_code, year, by)
        assert as_of is not None
        return _live_rows(conn, la_code, as_of, by, non_case_roles, rejoin_gap_days)


def _census_rows(
    conn: Connection, la_code: str | None, year: int, by: str | None
) -> list[dict[str, Any]]:
    if by == "team":
        raise NotFoundError(
            "a CSWW return does not record teams: for figures by team use the staff extract "
            f"(--as-of {year}-09-30 gives the same census year)"
        )
    la_codes = authorities_with(conn, "csww", la_code, scope=str(year))
    where = [csww_workers.c.census_year == year]
    workers = active_frame(conn, csww_workers, la_codes, where=where)
    vacancies = active_frame(
        conn, csww_vacancies, la_codes, where=[csww_vacancies.c.census_year == year]
    )
    first, last = census_period(year)
    frame = census_indicators(workers, vacancies, year, by="role" if by == "role" else None)
    frame = frame.select(
        "la_code",
        "year",
        pl.lit(last).alias("as_of"),
        pl.lit(first).alias("period_start"),
        pl.lit("csww").alias("source"),
        *(["org_role", "role"] if by == "role" else []),
        *INDICATORS,
    )
    return _rows(frame)


def _live_rows(
    conn: Connection,
    la_code: str | None,
    as_of: date,
    by: str | None,
    non_case_roles: Sequence[str],
    rejoin_gap_days: int,
) -> list[dict[str, Any]]:
    la_codes = authorities_with(conn, "staff", la_code)
    staff = read_staff(conn, la_codes)
    frame = live_indicators(
        staff,
        as_of,
        by=live_grouping(by),
        absences=_optional(conn, absences, la_codes, "absences"),
        involvements=_involvements(conn, la_codes),
        vacancies=_vacancies(conn, la_codes, staff, as_of, by),
        non_case_roles=non_case_roles,
        rejoin_gap_days=rejoin_gap_days,
    )
    groups: list[str] = []
    if by == "team":
        frame = frame.join(team_names(conn, la_codes), on=["la_code", "team_id"], how="left")
        groups = ["team_id", "team"]
    elif by == "role":
        groups = ["role"]
    frame = frame.select(
        "la_code",
        pl.lit(None, pl.Int64).alias("year"),
        "as_of",
        "period_start",
        pl.lit("staff").alias("source"),
        *groups,
        *INDICATORS,
    )
    return _rows(frame)


def census_return_checks(
    db: Database, *, la_code: str | None = None, year: int
) -> list[dict[str, Any]]:
    """What each authority's CSWW return for ``year`` contradicts in itself (see
    :func:`caseloads.domain.workforce_census.census_checks`): agency cover above the agency
    workers in post or above the vacancies, records outside the census year, leavers with an FTE.
    Rows: ``la_code, year, check, figure, limit, detail``; none when the return is consistent."""
    with reading(db) as conn:
        la_codes = authorities_with(conn, "csww", la_code, scope=str(year))
        records = active_frame(
            conn, csww_workers, la_codes, where=[csww_workers.c.census_year == year]
        )
        vacancies = active_frame(
            conn, csww_vacancies, la_codes, where=[csww_vacancies.c.census_year == year]
        )
    checks = census_checks(records, vacancies, year)
    return _rows(
        checks.select("la_code", pl.lit(year).alias("year"), "check", "figure", "limit", "detail")
    )
