"""``caseloads caseload``, ``caseload-history``, ``allocate`` and ``weights load|show`` (issue 5,
deliverables 1-5 and 7). Each parses its options, calls one service and renders its rows;
``--format json`` prints exactly what the service returns."""

from __future__ import annotations

import json
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from caseloads.cli_support import TableFormat, emit, out, settings_of, user_errors
from caseloads.errors import CaseloadsError

LA_HELP = "DfE three-digit authority number (default: the only authority in the database)."
FORMAT_HELP = "Output format: table, csv or json (json is what the API serves)."
_HIDDEN = ("la_code", "team_id")


class By(StrEnum):
    worker = "worker"
    team = "team"


class Freq(StrEnum):
    day = "day"
    week = "week"
    month = "month"


def _date(option: str, text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise CaseloadsError(f"{option} {text!r} is not a date (YYYY-MM-DD)") from None


def _required(option: str, text: str) -> date:
    value = _date(option, text)
    assert value is not None
    return value


def _show(rows: list[dict[str, object]], fmt: TableFormat, title: str) -> None:
    if fmt is not TableFormat.table:
        emit(rows, fmt)
        return
    emit([{k: v for k, v in r.items() if k not in _HIDDEN} for r in rows], fmt, title=title)


def caseload(
    ctx: typer.Context,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="The date, YYYY-MM-DD (default: the latest allocation date recorded)."
        ),
    ] = None,
    la: Annotated[str | None, typer.Option("--la", help=LA_HELP)] = None,
    team: Annotated[str | None, typer.Option("--team", help="Only this team (name or id).")] = None,
    by: Annotated[By, typer.Option("--by", help="One row per worker or per team.")] = By.worker,
    fmt: Annotated[TableFormat, typer.Option("--format", help=FORMAT_HELP)] = TableFormat.table,
) -> None:
    """Caseloads on a date from the allocation intervals: per worker (children, families,
    weighted points against capacity, RAG, manager and protected flags) or per team (demand
    against the team type's safe standard: required and available FTE, status)."""
    from caseloads.services.caseload import caseload_picture
    from caseloads.services.database import open_database

    with user_errors():
        on = _date("--as-of", as_of)
        db = open_database(settings_of(ctx))
        try:
            rows = caseload_picture(db, la_code=la, as_of=on, team=team, by=by.value)
        finally:
            db.dispose()
    when = rows[0]["as_of"] if rows else (on.isoformat() if on else "")
    _show(rows, fmt, f"Caseloads by {by.value} on {when}")


def caseload_history(
    ctx: typer.Context,
    start: Annotated[str, typer.Option("--from", help="First date, YYYY-MM-DD.")],
    end: Annotated[str, typer.Option("--to", help="Last date, YYYY-MM-DD.")],
    freq: Annotated[Freq, typer.Option("--freq", help="Step: day, week or month.")] = Freq.week,
    by: Annotated[By, typer.Option("--by", help="One row per team or worker per step.")] = By.team,
    la: Annotated[str | None, typer.Option("--la", help=LA_HELP)] = None,
    team: Annotated[str | None, typer.Option("--team", help="Only this team (name or id).")] = None,
    fmt: Annotated[TableFormat, typer.Option("--format", help=FORMAT_HELP)] = TableFormat.table,
) -> None:
    """The caseload measures at every step from --from to --to, computed in one pass over the
    allocation intervals; each step uses the weighting scheme in force on it."""
    from caseloads.services.caseload import caseload_history as history
    from caseloads.services.database import open_database

    with user_errors():
        first, last = _required("--from", start), _required("--to", end)
        db = open_database(settings_of(ctx))
        try:
            rows = history(
                db, start=first, end=last, freq=freq.value, by=by.value, la_code=la, team=team
            )
        finally:
            db.dispose()
    _show(rows, fmt, f"Caseloads by {by.value}, every {freq.value} from {first} to {last}")


def allocate(
    ctx: typer.Context,
    team: Annotated[str, typer.Option("--team", help="The team (name or id).")],
    status: Annotated[
        str,
        typer.Option(
            "--status",
            help="The new case's status: cla, cp, cin, care_leaver, assessment, referral.",
        ),
    ],
    children: Annotated[
        int, typer.Option("--children", help="Children in the new case (one family group).")
    ] = 1,
    court: Annotated[
        bool, typer.Option("--court/--no-court", help="The case is in court proceedings.")
    ] = False,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="The date, YYYY-MM-DD (default: the latest allocation date recorded)."
        ),
    ] = None,
    la: Annotated[str | None, typer.Option("--la", help=LA_HELP)] = None,
    fmt: Annotated[TableFormat, typer.Option("--format", help=FORMAT_HELP)] = TableFormat.table,
) -> None:
    """Rank the team's workers by capacity left after taking the case; workers who would go
    red, are protected beyond their level or have no caseload capacity are listed last with
    the reason."""
    from caseloads.services.caseload import allocation_options
    from caseloads.services.database import open_database

    with user_errors():
        on = _date("--as-of", as_of)
        db = open_database(settings_of(ctx))
        try:
            rows = allocation_options(
                db,
                team=team,
                status=status.strip().lower(),
                children=children,
                as_of=on,
                la_code=la,
                court_proceedings=court,
            )
        finally:
            db.dispose()
    _show(rows, fmt, f"Who can take {children} {status} child(ren) in {team}")


weights_app = typer.Typer(help="Caseload weighting schemes (effective-dated YAML).")


@weights_app.command("load")
def weights_load(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The scheme, a YAML file.")],
    la: Annotated[
        str | None,
        typer.Option("--la", help=LA_HELP + " '*' stores it for every authority."),
    ] = None,
) -> None:
    """Check a weighting scheme and store it; one with the same effective_from is replaced.
    Keys the file leaves out keep the shipped defaults."""
    from caseloads.services.caseload import load_weights
    from caseloads.services.database import open_database

    with user_errors():
        db = open_database(settings_of(ctx))
        try:
            result = load_weights(db, file, la_code=la)
        finally:
            db.dispose()
    verb = "replaced" if result["replaced"] else "loaded"
    out.print(
        f"Scheme {result['name']!r} {verb} for authority {result['la_code']}, in force from "
        f"{result['effective_from']}."
    )


@weights_app.command("show")
def weights_show(
    ctx: typer.Context,
    la: Annotated[str | None, typer.Option("--la", help=LA_HELP)] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Show the scheme in force on this date.")
    ] = None,
    fmt: Annotated[TableFormat, typer.Option("--format", help=FORMAT_HELP)] = TableFormat.table,
) -> None:
    """The schemes stored (and the shipped default), and the one in force on the date."""
    from caseloads.services.caseload import show_weights
    from caseloads.services.database import open_database

    with user_errors():
        on = _date("--as-of", as_of)
        db = open_database(settings_of(ctx))
        try:
            result = show_weights(db, la_code=la, as_of=on)
        finally:
            db.dispose()
    if fmt is TableFormat.json:
        sys.stdout.write(json.dumps(result, indent=2) + "\n")
        return
    emit(result["schemes"], fmt, title=f"Weighting schemes of authority {result['la_code']}")
    if fmt is TableFormat.table:
        import yaml

        out.print(f"In force on {result['as_of']}:")
        out.print(yaml.safe_dump(result["in_force"], sort_keys=False), markup=False)


def register(app: typer.Typer) -> None:
    app.command("caseload")(caseload)
    app.command("caseload-history")(caseload_history)
    app.command("allocate")(allocate)
    app.add_typer(weights_app, name="weights")
