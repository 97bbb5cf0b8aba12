"""Reads and writes of user accounts, their scopes, API tokens and the audit log (tables of
migration 0005). Plain SQL on a connection; the rules (hashing, roles, rate limits) live in
:mod:`caseloads.services.users` and :mod:`caseloads.domain.access`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, delete, func, insert, select, update
from sqlalchemy.engine import Connection

from caseloads.store.tables import api_tokens, audit_log, teams, user_scopes, users


def utc(value: datetime) -> datetime:
    """A stored time as an aware UTC time (SQLite hands back naive times; every time is written in
    UTC)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@dataclass(frozen=True)
class UserRecord:
    """A stored account with its scope rows."""

    user_id: int
    username: str
    password_hash: str
    role: str
    created_at: datetime
    disabled: bool
    session_generation: int
    scopes: tuple[tuple[str, str | None], ...]  # (la_code, team_id or None)


def _record(conn: Connection, row: Any) -> UserRecord:
    scopes = conn.execute(
        select(user_scopes.c.la_code, user_scopes.c.team_id)
        .where(user_scopes.c.user_id == row.user_id)
        .order_by(user_scopes.c.id)
    ).all()
    return UserRecord(
        user_id=int(row.user_id),
        username=str(row.username),
        password_hash=str(row.password_hash),
        role=str(row.role),
        created_at=utc(row.created_at),
        disabled=bool(row.disabled),
        session_generation=int(row.session_generation),
        scopes=tuple((str(la), None if t is None else str(t)) for la, t in scopes),
    )


def get_user(conn: Connection, username: str) -> UserRecord | None:
    row = conn.execute(select(users).where(users.c.username == username)).first()
    return None if row is None else _record(conn, row)


def list_users(conn: Connection) -> list[UserRecord]:
    rows = conn.execute(select(users).order_by(users.c.username)).all()
    return [_record(conn, row) for row in rows]


def insert_user(
    conn: Connection,
    *,
    username: str,
    password_hash: str,
    role: str,
    created_at: datetime,
    scopes: Sequence[tuple[str, str | None]],
) -> int:
    user_id = conn.execute(
        insert(users)
        .values(
            username=username,
            password_hash=password_hash,
            role=role,
            created_at=created_at,
            disabled=False,
            session_generation=0,
        )
        .returning(users.c.user_id)
    ).scalar_one()
    if scopes:
        conn.execute(
            insert(user_scopes),
            [{"user_id": user_id, "la_code": la, "team_id": team} for la, team in scopes],
        )
    return int(user_id)


def replace_scopes(
    conn: Connection, user_id: int, scopes: Sequence[tuple[str, str | None]]
) -> None:
    conn.execute(delete(user_scopes).where(user_scopes.c.user_id == user_id))
    if scopes:
        conn.execute(
            insert(user_scopes),
            [{"user_id": user_id, "la_code": la, "team_id": team} for la, team in scopes],
        )


def update_user(conn: Connection, user_id: int, **values: Any) -> None:
    conn.execute(update(users).where(users.c.user_id == user_id).values(**values))


def bump_generation(conn: Connection, user_id: int) -> None:
    """End every session of the user: their cookies carry the old generation."""
    conn.execute(
        update(users)
        .where(users.c.user_id == user_id)
        .values(session_generation=users.c.session_generation + 1)
    )


def teams_named(conn: Connection, la_codes: Sequence[str], name: str) -> list[tuple[str, str]]:
    """(la_code, team_id) of the teams of these authorities called ``name`` (case-insensitive)."""
    rows = conn.execute(
        select(teams.c.la_code, teams.c.team_id).where(
            teams.c.la_code.in_(list(la_codes)), func.lower(teams.c.name) == name.lower()
        )
    ).all()
    return [(str(la), str(t)) for la, t in rows]


def team_names(conn: Connection, la_codes: Sequence[str]) -> list[str]:
    rows = conn.execute(
        select(teams.c.name).where(teams.c.la_code.in_(list(la_codes))).order_by(teams.c.name)
    ).scalars()
    return [str(n) for n in rows]


def team_name_map(conn: Connection) -> dict[tuple[str, str], str]:
    rows = conn.execute(select(teams.c.la_code, teams.c.team_id, teams.c.name)).all()
    return {(str(la), str(t)): str(n) for la, t, n in rows}


# --- API tokens ------------------------------------------------------------------------------


def insert_token(conn: Connection, *, user_id: int, token_sha256: str, created_at: datetime) -> int:
    return int(
        conn.execute(
            insert(api_tokens)
            .values(user_id=user_id, token_sha256=token_sha256, created_at=created_at)
            .returning(api_tokens.c.id)
        ).scalar_one()
    )


def user_of_token(conn: Connection, token_sha256: str) -> tuple[int, datetime | None, str] | None:
    """(token id, last used, username) of a live token (not revoked, its user not disabled)."""
    row = conn.execute(
        select(api_tokens.c.id, api_tokens.c.last_used_at, users.c.username)
        .join(users, users.c.user_id == api_tokens.c.user_id)
        .where(
            api_tokens.c.token_sha256 == token_sha256,
            api_tokens.c.revoked_at.is_(None),
            users.c.disabled.is_(False),
        )
    ).first()
    if row is None:
        return None
    last = None if row.last_used_at is None else utc(row.last_used_at)
    return int(row.id), last, str(row.username)


def touch_token(conn: Connection, token_id: int, at: datetime) -> None:
    conn.execute(update(api_tokens).where(api_tokens.c.id == token_id).values(last_used_at=at))


def revoke_tokens(conn: Connection, user_id: int, at: datetime) -> int:
    result = conn.execute(
        update(api_tokens)
        .where(api_tokens.c.user_id == user_id, api_tokens.c.revoked_at.is_(None))
        .values(revoked_at=at)
    )
    return int(result.rowcount)


def token_counts(conn: Connection) -> dict[int, int]:
    """Live tokens per user id."""
    rows = conn.execute(
        select(api_tokens.c.user_id, func.count())
        .where(api_tokens.c.revoked_at.is_(None))
        .group_by(api_tokens.c.user_id)
    ).all()
    return {int(u): int(n) for u, n in rows}


# --- audit log -------------------------------------------------------------------------------


def insert_audit(
    conn: Connection,
    *,
    at: datetime,
    username: str | None,
    action: str,
    detail: dict[str, Any],
    client: str | None,
) -> None:
    conn.execute(
        insert(audit_log).values(
            at=at, username=username, action=action, detail=detail, client=client
        )
    )


def audit_entries(
    conn: Connection,
    *,
    since: datetime | None = None,
    username: str | None = None,
    actions: Sequence[str] | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Audit entries, oldest first."""
    query = select(audit_log).order_by(audit_log.c.at, audit_log.c.id)
    if since is not None:
        query = query.where(audit_log.c.at >= since)
    if username is not None:
        query = query.where(audit_log.c.username == username)
    if actions is not None:
        query = query.where(audit_log.c.action.in_(list(actions)))
    if limit is not None:
        query = query.limit(limit)
    out = []
    for row in conn.execute(query):
        entry = dict(row._mapping)
        entry["at"] = utc(entry["at"])
        out.append(entry)
    return out


def failures_since(
    conn: Connection,
    *,
    failure: str,
    success: str,
    username: str,
    client: str | None,
    since: datetime,
) -> tuple[list[datetime], list[datetime]]:
    """The times of failed sign-ins since ``since``: for ``username`` after its last successful
    sign-in, and from ``client`` (every username)."""
    last_success = conn.execute(
        select(func.max(audit_log.c.at)).where(
            audit_log.c.action == success, audit_log.c.username == username, audit_log.c.at >= since
        )
    ).scalar_one_or_none()
    if last_success is not None:
        last_success = utc(last_success)
    start = max(since, last_success) if last_success is not None else since
    by_user = conn.execute(
        select(audit_log.c.at)
        .where(
            audit_log.c.action == failure,
            audit_log.c.username == username,
            audit_log.c.at > start if last_success is not None else audit_log.c.at >= start,
        )
        .order_by(audit_log.c.at)
    ).scalars()
    by_client: list[datetime] = []
    if client is not None:
        by_client = list(
            conn.execute(
                select(audit_log.c.at)
                .where(
                    and_(
                        audit_log.c.action == failure,
                        audit_log.c.client == client,
                        audit_log.c.at >= since,
                    )
                )
                .order_by(audit_log.c.at)
            ).scalars()
        )
    return [utc(t) for t in by_user], [utc(t) for t in by_client]
