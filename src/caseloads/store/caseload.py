"""Reading what a caseload needs, and storing weighting schemes (issue 5).

``caseload_frames`` reads an authority's active rows that can matter to a window of dates: an
interval table's rows that overlap the window (its start on or before the window's end, its end
open or on or after the window's start: the SQL does the filtering, so a one-date caseload reads
only what is open on that date). Assessments: those not authorised before the window, and those of
children with a referral open in it (an authorised assessment of an older, still open referral
makes a child open after assessment). Families: those of children allocated in the window.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import polars as pl
from sqlalchemy import ColumnElement, Table, delete, insert, or_, select
from sqlalchemy.engine import Connection

from caseloads.store.frames import active_batch_ids, active_frame
from caseloads.store.tables import (
    assessments,
    assignments,
    care_leavers,
    cin_plans,
    cla_episodes,
    cp_plans,
    families,
    involvements,
    pre_proceedings,
    professionals,
    referrals,
    s47_enquiries,
    teams,
    weighting_schemes,
    workers,
    workload_reductions,
)


def _overlap(
    table: Table, start: str, end: str, first: date, last: date
) -> list[ColumnElement[bool]]:
    column = table.c[end]
    return [table.c[start] <= last, or_(column.is_(None), column >= first)]


def caseload_frames(
    conn: Connection, la_code: str, first: date, last: date
) -> dict[str, pl.DataFrame]:
    """The frames of :class:`caseloads.domain.caseload.CaseloadInputs` and
    :func:`caseloads.domain.child_status.status_intervals` for ``[first, last]``."""
    la = [la_code]

    def read(
        table: Table,
        columns: list[str],
        where: list[ColumnElement[bool]] | None = None,
        alternatives: list[list[ColumnElement[bool]]] | None = None,
    ) -> pl.DataFrame:
        return active_frame(
            conn, table, la, columns=columns, where=where or [], alternatives=alternatives or []
        )

    # The sub-queries read the authority's active batches only, like the reads they serve (over
    # every authority's rows, a national database read millions of rows for each), and neither
    # stands inside an OR (see ``active_frame``'s alternatives): PostgreSQL, once it had
    # statistics for a national database, searched the referrals of the whole country once for
    # every assessment, and a council's caseload picture did not finish in five minutes.
    batch_ids = active_batch_ids(conn, la)
    allocated_children = select(involvements.c.child_id).where(
        involvements.c.batch_id.in_(batch_ids),
        *_overlap(involvements, "start_date", "end_date", first, last),
    )
    open_referrals = select(referrals.c.child_id).where(
        referrals.c.batch_id.in_(batch_ids),
        *_overlap(referrals, "referral_date", "close_date", first, last),
    )
    return {
        "involvements": read(
            involvements,
            ["worker_id", "child_id", "team_id", "role", "start_date", "end_date"],
            _overlap(involvements, "start_date", "end_date", first, last),
        ),
        "referrals": read(
            referrals,
            ["child_id", "referral_date", "close_date"],
            _overlap(referrals, "referral_date", "close_date", first, last),
        ),
        # Under assessment in the window, or authorised before it with the child's referral
        # (CIN episode) still open in it.
        "assessments": read(
            assessments,
            ["child_id", "start_date", "auth_date", "nfa"],
            [assessments.c.start_date <= last],
            alternatives=[
                [or_(assessments.c.auth_date.is_(None), assessments.c.auth_date >= first)],
                [assessments.c.auth_date < first, assessments.c.child_id.in_(open_referrals)],
            ],
        ),
        "s47_enquiries": read(
            s47_enquiries,
            ["child_id", "start_date", "end_date"],
            _overlap(s47_enquiries, "start_date", "end_date", first, last),
        ),
        "cin_plans": read(
            cin_plans,
            ["child_id", "start_date", "end_date"],
            _overlap(cin_plans, "start_date", "end_date", first, last),
        ),
        "cp_plans": read(
            cp_plans,
            ["child_id", "start_date", "end_date"],
            _overlap(cp_plans, "start_date", "end_date", first, last),
        ),
        # The ceased date is exclusive (domain/child_status.py): ceased on the window's first
        # day cannot matter, but reading it does no harm.
        "cla_episodes": read(
            cla_episodes,
            ["child_id", "start_date", "ceased_date", "legal_status"],
            _overlap(cla_episodes, "start_date", "ceased_date", first, last),
        ),
        "care_leavers": read(care_leavers, ["child_id"]),
        "pre_proceedings": read(
            pre_proceedings,
            ["child_id", "care_proceedings_letter_date"],
            [pre_proceedings.c.care_proceedings_letter_date <= last],
        ),
        "families": read(
            families, ["family_id", "child_id"], [families.c.child_id.in_(allocated_children)]
        ),
        "workers": read(workers, ["worker_id", "swe_hash", "asye_start"]),
        "assignments": read(
            assignments,
            ["worker_id", "team_id", "role", "fte", "start_date", "end_date"],
            _overlap(assignments, "start_date", "end_date", first, last),
        ),
        "professionals": read(professionals, ["worker_id", "swe_hash", "team_id", "role", "fte"]),
        "reductions": read(
            workload_reductions,
            ["worker_id", "reason", "percent", "start_date", "end_date"],
            _overlap(workload_reductions, "start_date", "end_date", first, last),
        ),
    }


def team_frame(conn: Connection, la_code: str) -> pl.DataFrame:
    """The authority's teams: ``team_id, name, team_type``."""
    rows = conn.execute(
        select(teams.c.team_id, teams.c.name, teams.c.team_type).where(teams.c.la_code == la_code)
    ).all()
    schema = {"team_id": pl.String, "name": pl.String, "team_type": pl.String}
    return pl.DataFrame([tuple(r) for r in rows], schema=schema, orient="row")


def stored_schemes(conn: Connection, la_code: str) -> list[dict[str, Any]]:
    """The schemes stored for every authority ("") and for ``la_code``, in the order that lets
    the authority's own win a tie on ``effective_from``: every-authority first."""
    query = (
        select(weighting_schemes)
        .where(weighting_schemes.c.la_code.in_(["", la_code]))
        .order_by(weighting_schemes.c.la_code, weighting_schemes.c.effective_from)
    )
    return [dict(row._mapping) for row in conn.execute(query)]


def save_scheme(
    conn: Connection,
    *,
    la_code: str,
    scheme: Mapping[str, Any],
    effective_from: date,
    name: str,
    source_file: str,
    sha256: str,
    loaded_at: datetime,
    loaded_by: str,
) -> bool:
    """Store a scheme; one with the same authority and ``effective_from`` is replaced. Returns
    whether one was replaced."""
    same = (weighting_schemes.c.la_code == la_code) & (
        weighting_schemes.c.effective_from == effective_from
    )
    replaced = conn.execute(delete(weighting_schemes).where(same)).rowcount > 0
    conn.execute(
        insert(weighting_schemes).values(
            la_code=la_code,
            effective_from=effective_from,
            name=name,
            scheme=dict(scheme),
            source_file=source_file,
            sha256=sha256,
            loaded_at=loaded_at,
            loaded_by=loaded_by,
        )
    )
    return replaced
