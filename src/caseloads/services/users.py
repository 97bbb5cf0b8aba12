"""User accounts, sign-in, API tokens and the audit log (issue 6, design.md §8).

- Passwords are hashed with argon2id (argon2-cffi's ``PasswordHasher`` defaults, the RFC 9106
  low-memory profile); a hash made with older parameters is upgraded at the next sign-in
  (``check_needs_rehash``). A password must have 12 to 1,024 characters.
- API tokens are random (``secrets.token_urlsafe(32)``, 256 bits) and shown once; only their
  SHA-256 is stored, so a copy of the database gives no usable token.
- Sign-in attempts are rate-limited: after 5 failures within 15 minutes for one username (since
  its last successful sign-in) or from one client address, further attempts are refused for the
  rest of the window without checking the password. The failures are the ``sign_in_failed``
  entries of the audit log, so every server process (``--workers N``) shares the limit and it
  survives a restart.
- The audit log records sign-ins, failed sign-ins, sign-outs, exports and views of worker-level
  pages, with the time (UTC), the username, the client address and a JSON detail; never a
  password or a token.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from caseloads.domain.access import ALL_AUTHORITIES, ROLES, Principal, Role
from caseloads.errors import CaseloadsError, DatabaseError, NotFoundError
from caseloads.services.database import Database, describe_db_error
from caseloads.store import users as store
from caseloads.store.users import UserRecord

MIN_PASSWORD = 12
MAX_PASSWORD = 1024
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,127}$")
TOKEN_PREFIX = "cl_"

#: The sign-in rate limit: this many failures ...
MAX_FAILURES = 5
#: ... within this window.
FAILURE_WINDOW = timedelta(minutes=15)
#: A token's ``last_used_at`` is written at most this often (one write per request would make
#: every API read a write).
TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)

SIGN_IN = "sign_in"
SIGN_IN_FAILED = "sign_in_failed"
#: An attempt refused by the rate limit: logged, but not counted as a failure (so that a user
#: retrying does not extend the wait).
SIGN_IN_THROTTLED = "sign_in_throttled"
SIGN_OUT = "sign_out"

_hasher = PasswordHasher()
#: Verified against when the username is unknown, so that a wrong username takes as long as a
#: wrong password (no user enumeration by timing).
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


class AccountError(CaseloadsError):
    """A user account cannot be created or changed as asked."""


class SignInThrottled(CaseloadsError):
    """Too many failed sign-ins: ``retry_after`` seconds until the next attempt is accepted."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"too many failed sign-in attempts; try again in {max(1, retry_after // 60)} minute(s)"
        )
        self.retry_after = retry_after


@dataclass(frozen=True)
class SignedIn:
    """A successful sign-in: who, and the session generation to stamp in the cookie."""

    principal: Principal
    generation: int


def now_utc() -> datetime:
    return datetime.now(UTC)


def normalise_username(username: str) -> str:
    """Usernames are compared in lower case, without surrounding spaces."""
    return username.strip().lower()


def hash_password(password: str) -> str:
    check_password_rules(password)
    return _hasher.hash(password)


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must have at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"the password must have at most {MAX_PASSWORD} characters")


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def principal_of(record: UserRecord) -> Principal:
    """The principal of a stored account: its authorities and (for a manager) teams. An admin
    with no authority row is an admin of every authority (``la_codes == ("*",)``)."""
    la_codes = tuple(dict.fromkeys(la for la, _ in record.scopes))
    team_ids = tuple(dict.fromkeys(t for _, t in record.scopes if t is not None))
    if record.role == Role.admin and not la_codes:
        la_codes = (ALL_AUTHORITIES,)
    return Principal(record.username, record.role, la_codes, team_ids)


def retry_after(
    failures_by_user: Sequence[datetime],
    failures_by_client: Sequence[datetime],
    now: datetime,
    *,
    limit: int = MAX_FAILURES,
    window: timedelta = FAILURE_WINDOW,
) -> int | None:
    """Seconds until a sign-in may be tried again, or None when it may be tried now: once
    ``limit`` failures fall within ``window`` (per username, or per client address), until the
    oldest of the last ``limit`` leaves the window."""
    waits = []
    for failures in (failures_by_user, failures_by_client):
        recent = sorted(t for t in failures if now - t < window)
        if len(recent) >= limit:
            waits.append(recent[-limit] + window - now)
    if not waits:
        return None
    return max(1, int(max(waits).total_seconds() + 0.999))


# --- accounts ----------------------------------------------------------------------------------


def add_user(
    db: Database,
    username: str,
    role: str,
    password: str,
    *,
    la_codes: Sequence[str] = (),
    team_names: Sequence[str] = (),
    now: datetime | None = None,
) -> Principal:
    """Create an account. Rules: a username of lower-case letters, digits and ``. _ @ -``; one of
    the four roles; every role but admin names at least one authority (``--la``); a manager
    names at least one team (``--team``, by name, found among the teams of those authorities),
    and only managers have teams."""
    name = normalise_username(username)
    if not USERNAME.match(name):
        raise AccountError(
            f"{username!r} is not a valid username: up to 128 lower-case letters, digits and "
            "'.', '_', '@', '-', starting with a letter or digit"
        )
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}: one of {', '.join(ROLES)}")
    codes = tuple(dict.fromkeys(c.strip() for c in la_codes if c.strip()))
    if role != Role.admin and not codes:
        raise AccountError(f"a {role} needs at least one authority (--la CODE)")
    if team_names and role != Role.manager:
        raise AccountError("only managers have teams (--team); other roles see whole authorities")
    if role == Role.manager and not team_names:
        raise AccountError("a manager needs at least one team (--team NAME)")
    password_hash = hash_password(password)
    try:
        with db.engine.begin() as conn:
            if store.get_user(conn, name) is not None:
                raise AccountError(f"the user {name!r} already exists")
            scopes: list[tuple[str, str | None]] = [(la, None) for la in codes]
            for team in team_names:
                found = store.teams_named(conn, codes, team.strip())
                if not found:
                    known = store.team_names(conn, codes)
                    hint = (
                        f"; its teams are: {', '.join(known)}"
                        if known
                        else ("; no team is loaded for it yet (import an SSD extract first)")
                    )
                    raise NotFoundError(
                        f"no team called {team!r} in authority {', '.join(codes)}{hint}"
                    )
                if len(found) > 1:
                    raise AccountError(
                        f"several teams are called {team!r} in authorities "
                        f"{', '.join(la for la, _ in found)}: give one authority with --la"
                    )
                scopes.append(found[0])
            store.insert_user(
                conn,
                username=name,
                password_hash=password_hash,
                role=role,
                created_at=now or now_utc(),
                scopes=list(dict.fromkeys(scopes)),
            )
            record = store.get_user(conn, name)
    except IntegrityError:
        raise AccountError(f"the user {name!r} already exists") from None
    except SQLAlchemyError as exc:
        raise DatabaseError(f"cannot store the user: {describe_db_error(exc)}") from exc
    assert record is not None
    return principal_of(record)


def _user(conn: Any, username: str) -> UserRecord:
    record = store.get_user(conn, normalise_username(username))
    if record is None:
        raise NotFoundError(f"no user called {username!r} (`caseloads users list` lists them)")
    return record


def set_password(db: Database, username: str, password: str) -> None:
    """Change a password; every session of the user ends."""
    password_hash = hash_password(password)
    with db.engine.begin() as conn:
        record = _user(conn, username)
        store.update_user(conn, record.user_id, password_hash=password_hash)
        store.bump_generation(conn, record.user_id)


def set_disabled(db: Database, username: str, disabled: bool) -> None:
    """Disable (or enable again) an account; a disabled account cannot sign in or use its
    tokens, and its sessions end."""
    with db.engine.begin() as conn:
        record = _user(conn, username)
        store.update_user(conn, record.user_id, disabled=disabled)
        store.bump_generation(conn, record.user_id)


def end_sessions(db: Database, username: str) -> None:
    """End every session of the user (signing out does this)."""
    with db.engine.begin() as conn:
        record = store.get_user(conn, normalise_username(username))
        if record is not None:
            store.bump_generation(conn, record.user_id)


def list_users(db: Database) -> list[dict[str, Any]]:
    """Every account as JSON-safe rows: username, role, authorities, teams (by name), created,
    disabled, live API tokens."""
    with db.engine.connect() as conn:
        records = store.list_users(conn)
        names = store.team_name_map(conn)
        tokens = store.token_counts(conn)
    rows = []
    for record in records:
        principal = principal_of(record)
        teams = [names.get((la, t), t) for la, t in record.scopes if t is not None]
        rows.append(
            {
                "username": record.username,
                "role": record.role,
                "la_codes": ",".join(principal.la_codes),
                "teams": ", ".join(teams),
                "created_at": record.created_at.isoformat(timespec="seconds"),
                "disabled": record.disabled,
                "tokens": tokens.get(record.user_id, 0),
            }
        )
    return rows


def create_demo_admin(
    db: Database, la_codes: Sequence[str] = (), username: str = "admin"
) -> tuple[str, str]:
    """An admin account with a new random password, for ``caseloads demo``: returns (username,
    password). The password is shown once and never stored in clear; running the demo again
    gives the account a new password."""
    password = secrets.token_urlsafe(18)
    with db.engine.connect() as conn:
        exists = store.get_user(conn, username) is not None
    if exists:
        with db.engine.begin() as conn:
            record = _user(conn, username)
            store.update_user(
                conn,
                record.user_id,
                password_hash=hash_password(password),
                role=Role.admin.value,
                disabled=False,
            )
            store.replace_scopes(conn, record.user_id, [(la, None) for la in la_codes])
            store.bump_generation(conn, record.user_id)
    else:
        add_user(db, username, Role.admin, password, la_codes=la_codes)
    return username, password


# --- sign-in and sessions ----------------------------------------------------------------------


def sign_in(
    db: Database,
    username: str,
    password: str,
    *,
    client: str | None,
    now: datetime | None = None,
) -> SignedIn | None:
    """Check a username and password: the signed-in principal, or None when they do not match
    (unknown user, wrong password or disabled account; the reason goes to the audit log only).
    Raises :class:`SignInThrottled` while the rate limit holds (module docstring)."""
    now = now or now_utc()
    name = normalise_username(username)[:128]
    with db.engine.connect() as conn:
        by_user, by_client = store.failures_since(
            conn,
            failure=SIGN_IN_FAILED,
            success=SIGN_IN,
            username=name,
            client=client,
            since=now - FAILURE_WINDOW,
        )
        record = store.get_user(conn, name)
    wait = retry_after(by_user, by_client, now)
    if wait is not None:
        record_audit(db, name, SIGN_IN_THROTTLED, {"retry_after": wait}, client, now=now)
        raise SignInThrottled(wait)
    ok = _verify(record.password_hash if record else _DUMMY_HASH, password)
    if record is None or not ok or record.disabled:
        reason = "unknown_user" if record is None else "disabled" if ok else "wrong_password"
        record_audit(db, name, SIGN_IN_FAILED, {"reason": reason}, client, now=now)
        return None
    if _hasher.check_needs_rehash(record.password_hash):
        with db.engine.begin() as conn:
            store.update_user(conn, record.user_id, password_hash=_hasher.hash(password))
    record_audit(db, name, SIGN_IN, {"method": "password"}, client, now=now)
    return SignedIn(principal_of(record), record.session_generation)


def _verify(password_hash: str, password: str) -> bool:
    if len(password) > MAX_PASSWORD:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def principal_for_session(db: Database, username: str, generation: int) -> Principal | None:
    """The principal of a session cookie, or None when the account is gone, disabled, or its
    sessions were ended since (a different generation)."""
    with db.engine.connect() as conn:
        record = store.get_user(conn, username)
    if record is None or record.disabled or record.session_generation != generation:
        return None
    return principal_of(record)


# --- API tokens ----------------------------------------------------------------------------------


def create_token(db: Database, username: str, *, now: datetime | None = None) -> str:
    """A new API token for the user, returned once; only its SHA-256 is stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with db.engine.begin() as conn:
        record = _user(conn, username)
        if record.disabled:
            raise AccountError(f"the user {record.username!r} is disabled")
        store.insert_token(
            conn,
            user_id=record.user_id,
            token_sha256=token_digest(token),
            created_at=now or now_utc(),
        )
    return token


def revoke_tokens(db: Database, username: str, *, now: datetime | None = None) -> int:
    """Revoke every live token of the user; returns how many."""
    with db.engine.begin() as conn:
        record = _user(conn, username)
        return store.revoke_tokens(conn, record.user_id, now or now_utc())


def principal_for_token(
    db: Database, token: str, *, now: datetime | None = None
) -> Principal | None:
    """The principal of a bearer token, or None when it is unknown, revoked or its user is
    disabled."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 256:
        return None
    now = now or now_utc()
    with db.engine.connect() as conn:
        found = store.user_of_token(conn, token_digest(token))
        record = None if found is None else store.get_user(conn, found[2])
    if found is None or record is None:
        return None
    token_id, last_used, _ = found
    if last_used is None or now - last_used >= TOKEN_TOUCH_INTERVAL:
        with db.engine.begin() as conn:
            store.touch_token(conn, token_id, now)
    return principal_of(record)


# --- audit log -----------------------------------------------------------------------------------


def record_audit(
    db: Database,
    username: str | None,
    action: str,
    detail: Mapping[str, Any] | str | None = None,
    client: str | None = None,
    *,
    now: datetime | None = None,
) -> None:
    """Append one entry to the audit log."""
    if detail is None:
        body: dict[str, Any] = {}
    elif isinstance(detail, str):
        body = {"detail": detail}
    else:
        body = {str(k): _json_safe(v) for k, v in detail.items()}
    with db.engine.begin() as conn:
        store.insert_audit(
            conn,
            at=now or now_utc(),
            username=None if username is None else username[:128],
            action=action[:64],
            detail=body,
            client=None if client is None else client[:64],
        )


def _json_safe(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_json_safe(v) for v in value]
    return str(value)


def audit_log(
    db: Database,
    *,
    since: date | datetime | None = None,
    username: str | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Audit entries, oldest first, as JSON-safe rows (``at`` in ISO 8601, UTC). ``since`` a
    date means from the start of that day (UTC)."""
    start: datetime | None
    if isinstance(since, datetime):
        start = since if since.tzinfo else since.replace(tzinfo=UTC)
    elif isinstance(since, date):
        start = datetime.combine(since, time(0), tzinfo=UTC)
    else:
        start = None
    with db.engine.connect() as conn:
        entries = store.audit_entries(
            conn,
            since=start,
            username=None if username is None else normalise_username(username),
            limit=limit,
        )
    return [
        {
            "at": e["at"].isoformat(timespec="seconds"),
            "username": e["username"],
            "action": e["action"],
            "client": e["client"],
            "detail": e["detail"],
        }
        for e in entries
    ]
