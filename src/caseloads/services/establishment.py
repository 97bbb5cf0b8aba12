"""``caseloads establishment``: the establishment table of an authority on a date (issue 4,
deliverable 2). The definitions, where max and min apply and the rounding are in
:mod:`caseloads.domain.establishment`.

Also the choices every workforce-table command here shares (``pipeline`` uses them too):

- **Authority**: the one asked for; with none asked for, the only authority with data in the
  database, else an error asking for ``--la``.
- **Date** (default): the latest date the authority's establishment, staff and pipeline extracts
  record, that is the latest post or assignment start or end date and pipeline stage date, not
  counting dates after the day the extract was imported (a planned end of a fixed-term contract,
  a post budgeted from next April: plans, not data). The extracts carry no extract date of their
  own, and a default of "today" would silently count every assignment ending since the extract
  was taken as still running.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import polars as pl
from sqlalchemy import Table
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from caseloads.domain import establishment as domain
from caseloads.domain.establishment import FIGURES
from caseloads.errors import CaseloadsError, DatabaseError, NotFoundError, RequestError
from caseloads.services.database import Database, describe_db_error
from caseloads.store import repositories
from caseloads.store.frames import active_batch_ids, active_frame
from caseloads.store.tables import assignments, pipeline, posts

TOTAL = "Total"

#: The tables each kind of extract these tables read fills, with their recorded dates.
_RECORDED_DATES: tuple[tuple[Table, tuple[str, ...]], ...] = (
    (posts, ("start_date", "end_date")),
    (assignments, ("start_date", "end_date")),
    (pipeline, ("stage_date",)),
)
_IMPORT_HINT = {
    "establishment": "caseloads import establishment FILE.csv --la {la}",
    "staff": "caseloads import staff FILE.csv --la {la}",
    "pipeline": "caseloads import pipeline FILE.csv --la {la}",
}


class AuthorityNotChosenError(RequestError):
    """The database holds several authorities and the command was not told which one."""


def choose_authority(conn: Connection, la_code: str | None) -> str:
    """``la_code`` if the database holds it; with ``None``, its only authority."""
    held = repositories.authorities(conn)
    if la_code is not None:
        code = la_code.strip()
        if code not in held:
            shown = (", ".join(held[:10]) + (", ..." if len(held) > 10 else "")) or "none"
            raise NotFoundError(
                f"no data for authority {code!r} in the database (authorities held: {shown})"
            )
        return code
    if not held:
        raise NotFoundError(
            "the database holds no authority's data: import its extracts "
            "(`caseloads import ...`) or load a made-up council with `caseloads demo`"
        )
    if len(held) > 1:
        raise AuthorityNotChosenError(
            f"the database holds {len(held)} authorities ({', '.join(held[:10])}"
            f"{', ...' if len(held) > 10 else ''}): say which with --la"
        )
    return held[0]


def require_extracts(conn: Connection, la_code: str, kinds: Sequence[str]) -> None:
    """A clear error if the authority has no active extract of one of ``kinds``."""
    for kind in kinds:
        if not active_batch_ids(conn, [la_code], [kind]):
            raise NotFoundError(
                f"authority {la_code} has no {kind} extract loaded: import one with "
                f"`{_IMPORT_HINT[kind].format(la=la_code)}`"
            )


def latest_recorded_date(conn: Connection, la_code: str) -> date:
    """The default date of the workforce tables (module docstring)."""
    imported = {
        int(b["batch_id"]): b["imported_at"].date()
        for b in repositories.batch_log(conn, la_code)
        if b["status"] == "active"
    }
    cap = pl.DataFrame(
        {"batch_id": list(imported), "imported_on": list(imported.values())},
        schema={"batch_id": pl.Int64(), "imported_on": pl.Date()},
    )
    latest: list[date] = []
    for table, columns in _RECORDED_DATES:
        frame = active_frame(conn, table, la_code, columns=["batch_id", *columns])
        if frame.height == 0:
            continue
        recorded = frame.join(cap, on="batch_id", how="left").select(
            pl.max_horizontal(
                pl.col(c).filter(pl.col(c) <= pl.col("imported_on")).max() for c in columns
            )
        )
        value = recorded.item()
        if value is not None:
            latest.append(value)
    if not latest:
        raise NotFoundError(
            f"authority {la_code}'s extracts record no date on or before their import: "
            "give the date with --as-of"
        )
    return max(latest)


def read_frames(conn: Connection, la_code: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The authority's posts and assignments, every row of its active extracts."""
    post_rows = active_frame(
        conn,
        posts,
        la_code,
        columns=["post_id", "team_id", "role", "fte", "start_date", "end_date"],
    )
    staff_rows = active_frame(
        conn,
        assignments,
        la_code,
        columns=["post_id", "team_id", "role", "contract", "fte", "start_date", "end_date"],
    )
    return post_rows, staff_rows


def check_grouping(by: str, allowed: Sequence[str] = tuple(domain.GROUPINGS)) -> str:
    key = by.replace(" ", "")
    if key not in allowed:
        raise CaseloadsError(f"cannot group by {by!r}: choose one of {', '.join(allowed)}")
    return key


def labelled_rows(
    groups: pl.DataFrame,
    total: Mapping[str, float | int],
    keys: Sequence[str],
    figures: Sequence[str],
    team_names: Mapping[str, str],
    head: Mapping[str, Any],
) -> list[dict[str, Any]]:
    """JSON-safe rows: ``head`` (authority and date), the group's labels (``team_id`` and
    ``team`` name, ``role``), the figures; then the total row, labelled ``Total``."""
    rows: list[dict[str, Any]] = []
    for group in groups.to_dicts():
        rows.append({**head, **_labels(group, keys, team_names), **{f: group[f] for f in figures}})
    total_labels: dict[str, Any] = {}
    if "team_id" in keys:
        total_labels.update(team_id=None, team=TOTAL)
    if "role" in keys:
        total_labels["role"] = TOTAL
    rows.append({**head, **total_labels, **{f: total[f] for f in figures}})
    return rows


def _labels(
    group: Mapping[str, Any], keys: Sequence[str], names: Mapping[str, str]
) -> dict[str, Any]:
    labels: dict[str, Any] = {}
    if "team_id" in keys:
        team_id = group["team_id"]
        labels["team_id"] = team_id
        labels["team"] = "(no team given)" if team_id is None else names.get(team_id, team_id)
    if "role" in keys:
        labels["role"] = group["role"]
    return labels


def establishment_summary(
    db: Database, *, la_code: str | None = None, as_of: date | None = None, by: str = "role"
) -> list[dict[str, Any]]:
    """The establishment of the authority on the date, by ``role``, ``team`` or ``team,role``:
    one dict per group, then the total row (``role``/``team`` = "Total"), each with ``la_code``,
    ``as_of`` (ISO date), the group's labels and :data:`~caseloads.domain.establishment.FIGURES`
    in FTE."""
    key = check_grouping(by)
    db.require_current_schema()
    try:
        with db.engine.connect() as conn:
            la = choose_authority(conn, la_code)
            require_extracts(conn, la, ("establishment", "staff"))
            on = as_of if as_of is not None else latest_recorded_date(conn, la)
            post_rows, staff_rows = read_frames(conn, la)
            names = {t.team_id: t.name for t in repositories.load_teams(conn, la).values()}
    except SQLAlchemyError as exc:
        raise DatabaseError(f"cannot read {db.url}: {describe_db_error(exc)}") from exc
    table = domain.establishment_table(post_rows, staff_rows, on, by=key)
    head = {"la_code": la, "as_of": on.isoformat()}
    return labelled_rows(table.groups, table.total, domain.GROUPINGS[key], FIGURES, names, head)
