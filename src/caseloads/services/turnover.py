"""Turnover in more detail (issue 4, deliverable 5): one function per command.

- :func:`turnover_by_month` (``caseloads turnover``): monthly and rolling 12-month turnover, all
  reasons and resignations, from the staff extract.
- :func:`leavers_breakdown` (``caseloads leavers``): the year's leavers by CSWW reason or
  destination, from a CSWW return or the staff extract.
- :func:`experience_profile` (``caseloads experience``): the share of the headcount under 2 and
  under 5 years since qualifying and in the authority.
- :func:`time_in_post` and :func:`time_in_post_curve` (``caseloads survival``): Kaplan–Meier
  survival of time in post of directly employed staff, left truncation for spells that began
  before the data window.

Definitions: :mod:`caseloads.domain.workforce_turnover`; authorities, default dates and rows as
in :mod:`caseloads.services.workforce`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any, Final

import polars as pl
from sqlalchemy.engine import Connection

from caseloads.domain.csww_codes import LEAVER_DESTINATION, REASON_LEAVE
from caseloads.domain.workforce_census import census_period
from caseloads.domain.workforce_live import GROUP_COLUMNS, known_by, period_to
from caseloads.domain.workforce_turnover import (
    EXPERIENCE_FIGURES,
    YEAR_DAYS,
    attrition_group_expr,
    census_experience,
    census_leavers,
    fit_time_in_post,
    live_experience,
    live_leavers,
    monthly_turnover,
    survival_summary,
    tabulate_leavers,
)
from caseloads.domain.workforce_turnover import time_in_post as time_in_post_subjects
from caseloads.services.database import Database
from caseloads.services.workforce import (
    GROUPINGS,
    WorkforceRequestError,
    authorities_with,
    latest_staff_date,
    live_grouping,
    read_staff,
    reading,
    team_names,
)
from caseloads.store.frames import active_frame
from caseloads.store.tables import csww_workers, workers

LEAVER_ITEMS: Final = {"reason": "reason_leave", "destination": "leaver_destination"}


def _check_by(by: str | None, allowed: Sequence[str] = GROUPINGS) -> None:
    if by is not None and by not in allowed:
        raise WorkforceRequestError(f"cannot group by {by!r}: choose one of {', '.join(allowed)}")


def _dates_as_text(frame: pl.DataFrame) -> list[dict[str, Any]]:
    dates = [name for name, dtype in frame.schema.items() if dtype == pl.Date]
    return frame.with_columns(pl.col(dates).dt.to_string("%Y-%m-%d")).to_dicts()


def _dates_for(conn: Connection, la_codes: Sequence[str], as_of: date | None) -> dict[str, date]:
    """Each authority's date: ``as_of`` if given, else its staff extract's latest date."""
    return {la: as_of if as_of is not None else latest_staff_date(conn, la) for la in la_codes}


def _with_team_names(conn: Connection, frame: pl.DataFrame, by: str | None) -> pl.DataFrame:
    if by != "team":
        return frame
    la_codes = frame["la_code"].unique().to_list()
    named = frame.join(team_names(conn, la_codes), on=["la_code", "team_id"], how="left")
    columns = list(frame.columns)
    at = columns.index("team_id") + 1
    return named.select(*columns[:at], "team", *columns[at:])


def last_complete_month(as_of: date) -> date:
    """The last day of the last whole month up to ``as_of``."""
    following = as_of + timedelta(days=1)
    return as_of if following.day == 1 else as_of.replace(day=1) - timedelta(days=1)


def months_back(day: date, months: int) -> date:
    """The first day of the month ``months`` months before ``day``'s."""
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def turnover_by_month(
    db: Database,
    *,
    la_code: str | None = None,
    as_of: date | None = None,
    months: int = 24,
    by: str | None = None,
    rejoin_gap_days: int = 0,
) -> list[dict[str, Any]]:
    """Monthly turnover (leavers in the month ÷ headcount on its first day) and rolling 12-month
    turnover (the DfE's definition over the 12 months to the month's end), all reasons and
    resignations only, for the ``months`` whole months up to ``as_of`` (default: the staff
    extract's latest date), per authority (and team or role). Rows: ``la_code[, team_id, team |
    role], month`` (its first day) and the figures of
    :func:`caseloads.domain.workforce_turnover.monthly_turnover`."""
    _check_by(by)
    if months < 1:
        raise WorkforceRequestError("--months must be at least 1")
    with reading(db) as conn:
        la_codes = authorities_with(conn, "staff", la_code)
        staff = read_staff(conn, la_codes)
        frames: list[pl.DataFrame] = []
        for la, day in _dates_for(conn, la_codes, as_of).items():
            last = last_complete_month(day)
            first = months_back(last, months - 1)
            mine = known_by(staff.filter(pl.col("la_code") == la), last)
            frames.append(
                monthly_turnover(
                    mine, first, last, by=live_grouping(by), rejoin_gap_days=rejoin_gap_days
                )
            )
        frame = _with_team_names(conn, pl.concat(frames, how="diagonal_relaxed"), by)
    return _dates_as_text(frame)


def leavers_breakdown(
    db: Database,
    *,
    la_code: str | None = None,
    year: int | None = None,
    as_of: date | None = None,
    by: str = "reason",
    rejoin_gap_days: int = 0,
) -> list[dict[str, Any]]:
    """The leavers of a census year (from the CSWW return) or of the 12 months to a date (from
    the staff extract; the default when neither is given, at its latest date) by CSWW
    ``ReasonLeave`` (``by="reason"``) or ``LeaverDestination`` (``by="destination"``, CSWW only:
    the staff extract does not record destinations). Every code of the list is shown, with its
    DfE label; destinations also get the DfE attrition group. Rows: ``la_code, year, as_of,
    period_start, source, code, label[, attrition_group], leavers_headcount, leavers_fte,
    share_headcount``."""
    if by not in LEAVER_ITEMS:
        raise WorkforceRequestError(f"leavers by {by!r}: choose reason or destination")
    if year is not None and as_of is not None:
        raise WorkforceRequestError("say which period: --year or --as-of, not both")
    codes = REASON_LEAVE if by == "reason" else LEAVER_DESTINATION
    with reading(db) as conn:
        if year is not None:
            la_codes = authorities_with(conn, "csww", la_code, scope=str(year))
            records = active_frame(
                conn, csww_workers, la_codes, where=[csww_workers.c.census_year == year]
            )
            first, last = census_period(year)
            table = tabulate_leavers(census_leavers(records, year, LEAVER_ITEMS[by]), codes)
            table = table.with_columns(
                pl.lit(year).alias("year"),
                pl.lit(last).alias("as_of"),
                pl.lit(first).alias("period_start"),
                pl.lit("csww").alias("source"),
            )
        else:
            if by == "destination":
                raise WorkforceRequestError(
                    "the staff extract does not record where leavers went: leavers by "
                    "destination need a CSWW return (--year)"
                )
            la_codes = authorities_with(conn, "staff", la_code)
            staff = read_staff(conn, la_codes)
            tables = []
            for la, day in _dates_for(conn, la_codes, as_of).items():
                mine = staff.filter(pl.col("la_code") == la)
                first, last = period_to(day)
                tables.append(
                    tabulate_leavers(live_leavers(mine, day, rejoin_gap_days), codes).with_columns(
                        pl.lit(None, pl.Int64).alias("year"),
                        pl.lit(last).alias("as_of"),
                        pl.lit(first).alias("period_start"),
                        pl.lit("staff").alias("source"),
                    )
                )
            table = pl.concat(tables)
    extra = [attrition_group_expr().alias("attrition_group")] if by == "destination" else []
    table = table.select(
        "la_code",
        "year",
        "as_of",
        "period_start",
        "source",
        "code",
        "label",
        *extra,
        "leavers_headcount",
        "leavers_fte",
        "share_headcount",
    )
    return _dates_as_text(table)


def experience_profile(
    db: Database,
    *,
    la_code: str | None = None,
    year: int | None = None,
    as_of: date | None = None,
    by: str | None = None,
    rejoin_gap_days: int = 0,
) -> list[dict[str, Any]]:
    """The experience profile of the directly employed headcount in post: counts and shares
    under 2 and under 5 years since qualifying (staff extract: ``qualified_date``; unknown for a
    CSWW return) and in the authority. From the staff extract on ``as_of`` (default: its latest
    date), or from the CSWW return of census ``year`` at 30 September (``by="role"``: CSWW
    ``OrgRole``). Rows: ``la_code, as_of, source[, group columns]`` then
    :data:`~caseloads.domain.workforce_turnover.EXPERIENCE_FIGURES`."""
    _check_by(by)
    if year is not None and as_of is not None:
        raise WorkforceRequestError("say which period: --year or --as-of, not both")
    with reading(db) as conn:
        if year is not None:
            if by == "team":
                raise WorkforceRequestError(
                    "a CSWW return does not record teams: use the staff extract (--as-of)"
                )
            la_codes = authorities_with(conn, "csww", la_code, scope=str(year))
            records = active_frame(
                conn, csww_workers, la_codes, where=[csww_workers.c.census_year == year]
            )
            frame = census_experience(records, year, by_role=by == "role")
            groups = ["org_role"] if by == "role" else []
            frame = frame.with_columns(
                pl.lit(census_period(year)[1]).alias("as_of"), pl.lit("csww").alias("source")
            )
        else:
            la_codes = authorities_with(conn, "staff", la_code)
            staff = read_staff(conn, la_codes)
            people = active_frame(
                conn, workers, la_codes, columns=["la_code", "worker_id", "qualified_date"]
            )
            frames = []
            for la, day in _dates_for(conn, la_codes, as_of).items():
                frames.append(
                    live_experience(
                        staff.filter(pl.col("la_code") == la),
                        people.filter(pl.col("la_code") == la),
                        day,
                        by=live_grouping(by),
                        rejoin_gap_days=rejoin_gap_days,
                    ).with_columns(pl.lit(day).alias("as_of"), pl.lit("staff").alias("source"))
                )
            frame = pl.concat(frames)
            groups = [GROUP_COLUMNS[by]] if by else []
        frame = frame.select("la_code", "as_of", "source", *groups, *EXPERIENCE_FIGURES)
        frame = _with_team_names(conn, frame, by)
    return _dates_as_text(frame)


def _subjects(
    db: Database,
    la_code: str | None,
    as_of: date | None,
    since: date | None,
    voluntary_only: bool,
    by: str | None,
    rejoin_gap_days: int,
) -> list[tuple[dict[str, Any], pl.DataFrame]]:
    """For each authority (and group): its labels and its survival subjects."""
    _check_by(by)
    out: list[tuple[dict[str, Any], pl.DataFrame]] = []
    with reading(db) as conn:
        la_codes = authorities_with(conn, "staff", la_code)
        staff = read_staff(conn, la_codes)
        names = team_names(conn, la_codes) if by == "team" else None
        for la, day in _dates_for(conn, la_codes, as_of).items():
            if since is not None and since > day:
                raise WorkforceRequestError(
                    f"--since {since} is after the date of the figures, {day}"
                )
            subjects, opened = time_in_post_subjects(
                staff.filter(pl.col("la_code") == la),
                day,
                window_start=since,
                voluntary_only=voluntary_only,
                by=live_grouping(by),
                rejoin_gap_days=rejoin_gap_days,
            )
            labels: dict[str, Any] = {
                "la_code": la,
                "as_of": day.isoformat(),
                "window_start": None if opened is None else opened.isoformat(),
            }
            if by is None:
                out.append((labels, subjects))
                continue
            column = GROUP_COLUMNS[by]
            for (value,), group in subjects.group_by(column, maintain_order=True):
                named = dict(labels, **{column: value})
                if names is not None:
                    match = names.filter((pl.col("la_code") == la) & (pl.col("team_id") == value))[
                        "team"
                    ]
                    named["team"] = match.item() if match.len() else None
                out.append((named, group))
    return sorted(out, key=lambda item: tuple(str(v) for v in item[0].values()))


def time_in_post(
    db: Database,
    *,
    la_code: str | None = None,
    as_of: date | None = None,
    since: date | None = None,
    voluntary_only: bool = False,
    by: str | None = None,
    rejoin_gap_days: int = 0,
) -> list[dict[str, Any]]:
    """Kaplan–Meier survival of time in post of directly employed staff, per authority (and
    team or role, of the spell's last post), to ``as_of`` (default: the staff extract's latest
    date). ``since`` is the first day the extract's records are complete (spells that began
    earlier are left-truncated there); by default the earliest leaving date it records.
    ``voluntary_only`` counts only resignations as leaving. Rows: ``la_code[, group], as_of,
    window_start, spells, left_truncated, leavers, left_within_1y_pct, left_within_2y_pct,
    left_within_5y_pct, median_years`` (``None`` where the data do not reach)."""
    rows: list[dict[str, Any]] = []
    for labels, subjects in _subjects(
        db, la_code, as_of, since, voluntary_only, by, rejoin_gap_days
    ):
        fit = fit_time_in_post(subjects)
        summary = survival_summary(fit)
        rows.append(
            labels
            | {
                "spells": summary["spells"],
                "left_truncated": int(subjects["left_truncated"].sum()),
                "leavers": summary["leavers"],
            }
            | {k: v for k, v in summary.items() if k not in ("spells", "leavers")}
        )
    return rows


def time_in_post_curve(
    db: Database,
    *,
    la_code: str | None = None,
    as_of: date | None = None,
    since: date | None = None,
    voluntary_only: bool = False,
    by: str | None = None,
    rejoin_gap_days: int = 0,
) -> list[dict[str, Any]]:
    """The Kaplan–Meier curve behind :func:`time_in_post`: one row per time at which someone
    left, ``years`` and ``days`` in post, ``at_risk``, ``leavers``, ``survival`` (share still in
    post) and ``left_pct``."""
    rows: list[dict[str, Any]] = []
    for labels, subjects in _subjects(
        db, la_code, as_of, since, voluntary_only, by, rejoin_gap_days
    ):
        table = fit_time_in_post(subjects).table.select(
            (pl.col("time") / YEAR_DAYS).round(3).alias("years"),
            pl.col("time").cast(pl.Int64).alias("days"),
            "at_risk",
            pl.col("events").alias("leavers"),
            pl.col("survival").round(4),
            (100.0 * (1.0 - pl.col("survival"))).round(1).alias("left_pct"),
        )
        rows.extend(labels | row for row in table.to_dicts())
    return rows
