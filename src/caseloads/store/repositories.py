"""Reads the services need: batches, teams, settings kept in ``meta``, and per-authority counts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, insert, select, union
from sqlalchemy.engine import Connection

from caseloads.domain.teams import Team
from caseloads.store.tables import AUTHORITY_TABLES, batches, meta, teams


def get_meta(conn: Connection, key: str) -> str | None:
    return conn.execute(select(meta.c.value).where(meta.c.key == key)).scalar_one_or_none()


def set_meta(conn: Connection, key: str, value: str) -> None:
    if get_meta(conn, key) is None:
        conn.execute(insert(meta).values(key=key, value=value))
    else:
        conn.execute(meta.update().where(meta.c.key == key).values(value=value))


def load_teams(conn: Connection, la_code: str) -> dict[str, Team]:
    rows = conn.execute(select(teams).where(teams.c.la_code == la_code).order_by(teams.c.team_id))
    return {r.team_id: Team(r.team_id, r.name, r.parent_id, r.team_type) for r in rows}


def active_batch_with_digest(
    conn: Connection, *, la_code: str, kind: str, scope: str, sha256: str
) -> int | None:
    """The active batch that already holds exactly these files, if any."""
    return conn.execute(
        select(batches.c.batch_id).where(
            batches.c.la_code == la_code,
            batches.c.kind == kind,
            batches.c.scope == scope,
            batches.c.status == "active",
            batches.c.sha256 == sha256,
        )
    ).scalar_one_or_none()


def authorities(conn: Connection) -> list[str]:
    """Every authority with a batch or a team stored."""
    query = union(select(batches.c.la_code), select(teams.c.la_code))
    return sorted(str(code) for code in conn.execute(query).scalars())


def table_counts(conn: Connection) -> dict[str, dict[str, int]]:
    """Rows per authority per table: ``{la_code: {table: rows}}`` (zero counts included). Counted
    by batch over the batch index (no table scan), then summed by the batches' authorities."""
    codes = authorities(conn)
    batch_la = dict(conn.execute(select(batches.c.batch_id, batches.c.la_code)).all())
    out: dict[str, dict[str, int]] = {code: {} for code in codes}
    for table in AUTHORITY_TABLES:
        found: dict[str, int] = {}
        if table is teams:
            query = select(table.c.la_code, func.count()).group_by(table.c.la_code)
            found = {str(la): int(n) for la, n in conn.execute(query)}
        else:
            query = select(table.c.batch_id, func.count()).group_by(table.c.batch_id)
            for batch_id, n in conn.execute(query):
                la = str(batch_la[batch_id])
                found[la] = found.get(la, 0) + int(n)
        for code in codes:
            out[code][table.name] = found.get(code, 0)
    return out


def batch_log(conn: Connection, la_code: str | None = None) -> list[dict[str, Any]]:
    """Batches, newest first, as plain dicts."""
    query = select(batches).order_by(batches.c.batch_id.desc())
    if la_code is not None:
        query = query.where(batches.c.la_code == la_code)
    return [dict(row._mapping) for row in conn.execute(query)]
