"""``caseloads users ...`` (accounts and API tokens of the web application) and ``caseloads audit``
(the audit log), over :mod:`caseloads.services.users`."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Annotated, TypeVar

import typer

from caseloads.cli_support import TableFormat, emit, err, out, settings_of, user_errors
from caseloads.domain.access import ROLES
from caseloads.errors import CaseloadsError
from caseloads.services.database import Database

T = TypeVar("T")

users_app = typer.Typer(
    name="users",
    help="User accounts of the dashboard and API: add, list, passwords, API tokens.",
    no_args_is_help=True,
)

_ROLE_HELP = (
    "admin (everything, accounts and audit), analyst (all data of their authorities), manager "
    "(their teams' workers), viewer (aggregates only, small numbers suppressed)."
)


def register(app: typer.Typer) -> None:
    """Add ``users`` and ``audit`` to the ``caseloads`` app."""
    app.add_typer(users_app, name="users")
    app.command("audit")(audit)


@contextmanager
def _database(ctx: typer.Context) -> Iterator[Database]:
    from caseloads.services.database import open_database

    db = open_database(settings_of(ctx))
    try:
        db.require_current_schema()
        yield db
    finally:
        db.dispose()


def _run(ctx: typer.Context, action: Callable[[Database], T]) -> T:
    with user_errors(), _database(ctx) as db:
        return action(db)


def read_password(password_stdin: bool) -> str:
    """The password from standard input (its first line, without the line ending). Passwords are
    never taken as arguments, which other users of the machine could see."""
    if not password_stdin:
        raise CaseloadsError(
            "give the password on standard input with --password-stdin, e.g. "
            "`caseloads users add NAME --role viewer --la 826 --password-stdin < file`"
        )
    if sys.stdin.isatty():
        err.print("Password (input hidden is not available; type it and press Enter):")
    line = sys.stdin.readline()
    password = line.rstrip("\r\n")
    if not password:
        raise CaseloadsError("no password on standard input")
    return password


@users_app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[
        str, typer.Argument(help="The username (lower-case letters, digits, . _ @ -).")
    ],
    role: Annotated[str, typer.Option("--role", help=_ROLE_HELP, show_default=False)],
    team: Annotated[
        list[str] | None,
        typer.Option("--team", help="A team the manager manages, by name (repeat for several)."),
    ] = None,
    la: Annotated[
        list[str] | None,
        typer.Option(
            "--la",
            help="An authority (DfE three-digit number) the user may see (repeat for several). "
            "Required for every role but admin; an admin without --la sees every authority.",
        ),
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Create a user account."""
    from caseloads.services import users

    if role not in ROLES:
        with user_errors():
            raise CaseloadsError(f"--role must be one of {', '.join(ROLES)}, not {role!r}")
    with user_errors():
        password = read_password(password_stdin)
    principal = _run(
        ctx,
        lambda db: users.add_user(
            db, name, role, password, la_codes=la or [], team_names=team or []
        ),
    )
    scope = ", ".join(principal.la_codes) if principal.la_codes != ("*",) else "every authority"
    teams = f", {len(principal.team_ids)} team(s)" if principal.team_ids else ""
    out.print(f"Added {principal.username} ({principal.role}; {scope}{teams}).")


@users_app.command("token")
def token(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The user the token acts as.")],
) -> None:
    """Create an API token for a user and print it (alone on the last line). It is shown only
    this once: only its SHA-256 is stored. Send it as `Authorization: Bearer <token>`."""
    from caseloads.services import users

    value = _run(ctx, lambda db: users.create_token(db, name))
    err.print(f"API token for {name} (shown once; keep it secret):")
    sys.stdout.write(value + "\n")


@users_app.command("revoke-tokens")
def revoke_tokens(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="The user.")]
) -> None:
    """Revoke every API token of a user."""
    from caseloads.services import users

    count = _run(ctx, lambda db: users.revoke_tokens(db, name))
    out.print(f"Revoked {count} token(s) of {name}.")


@users_app.command("password")
def password(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The user.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Set a user's password (their sessions end)."""
    from caseloads.services import users

    with user_errors():
        new = read_password(password_stdin)
    _run(ctx, lambda db: users.set_password(db, name, new))
    out.print(f"Password of {name} changed; their sessions have ended.")


@users_app.command("disable")
def disable(ctx: typer.Context, name: Annotated[str, typer.Argument(help="The user.")]) -> None:
    """Disable an account: no sign-in, no API token, sessions ended."""
    from caseloads.services import users

    _run(ctx, lambda db: users.set_disabled(db, name, True))
    out.print(f"Disabled {name}.")


@users_app.command("enable")
def enable(ctx: typer.Context, name: Annotated[str, typer.Argument(help="The user.")]) -> None:
    """Enable a disabled account again."""
    from caseloads.services import users

    _run(ctx, lambda db: users.set_disabled(db, name, False))
    out.print(f"Enabled {name}.")


@users_app.command("list")
def list_users(
    ctx: typer.Context,
    fmt: Annotated[TableFormat, typer.Option("--format", help="Output format.")] = (
        TableFormat.table
    ),
) -> None:
    """List the user accounts with their role, authorities, teams and live API tokens."""
    from caseloads.services import users

    rows = _run(ctx, users.list_users)
    emit(rows, fmt, title="Users")


def audit(
    ctx: typer.Context,
    since: Annotated[
        str | None,
        typer.Option("--since", help="From this date (YYYY-MM-DD, UTC).", show_default=False),
    ] = None,
    user: Annotated[
        str | None, typer.Option("--user", help="Only this user's entries.", show_default=False)
    ] = None,
    fmt: Annotated[TableFormat, typer.Option("--format", help="Output format.")] = (
        TableFormat.table
    ),
) -> None:
    """The audit log: sign-ins, failed sign-ins, sign-outs, exports and views of worker-level
    pages, oldest first."""
    from caseloads.services import users

    with user_errors():
        try:
            day = date.fromisoformat(since) if since else None
        except ValueError:
            raise CaseloadsError(f"--since {since!r} is not a date (YYYY-MM-DD)") from None
    rows = _run(ctx, lambda db: users.audit_log(db, since=day, username=user))
    if fmt is TableFormat.table:
        shown = [{**r, "detail": _detail(r["detail"])} for r in rows]
        emit(
            shown, fmt, title="Audit log", columns=("at", "username", "action", "client", "detail")
        )
        return
    if fmt is TableFormat.csv:
        emit([{**r, "detail": _detail(r["detail"])} for r in rows], fmt)
        return
    emit(rows, fmt)


def _detail(detail: object) -> str:
    if isinstance(detail, dict):
        return ", ".join(f"{k}={v}" for k, v in detail.items())
    return str(detail)
