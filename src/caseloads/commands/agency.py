"""``caseloads agency-check``: the DfE agency rules for each agency worker on a date (see
:mod:`caseloads.services.agency`)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from caseloads.cli_support import TableFormat, emit, out, settings_of, user_errors
from caseloads.errors import CaseloadsError

#: The columns the ``table`` format shows (CSV and JSON carry every column of the service).
TABLE_COLUMNS = ("worker_id", "role", "rule", "status", "detail")

_HELP = (
    "Check every agency worker on the date against the DfE agency rules (statutory guidance in "
    "force from 31 October 2024): at least 3 years' post-qualifying LA experience, the 3-month "
    "cooling-off period within the region, two practice references, and the hourly rate "
    "against the region's price cap for the role. Lists each breach with its figures and each "
    "check that could not be made for lack of data (a missing fact is never a pass). Facts come "
    "from `caseloads import agency` and `caseloads import price-caps`."
)


def register(app: typer.Typer) -> None:
    """Add ``agency-check`` to the ``caseloads`` app."""
    app.command("agency-check", help=_HELP)(agency_check)


def agency_check(
    ctx: typer.Context,
    la: Annotated[
        str | None,
        typer.Option(
            "--la",
            help="DfE three-digit authority number. Default: every authority with agency data.",
            show_default=False,
        ),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="The date (YYYY-MM-DD). Default: today.", show_default=False),
    ] = None,
    include_passes: Annotated[
        bool,
        typer.Option("--all", help="Also list the checks passed and those that do not apply yet."),
    ] = False,
    fmt: Annotated[TableFormat, typer.Option("--format", help="Output format.")] = (
        TableFormat.table
    ),
) -> None:
    from caseloads.services.agency import agency_check as check
    from caseloads.services.agency import summary
    from caseloads.services.database import open_database

    with user_errors():
        try:
            day = date.fromisoformat(as_of) if as_of else date.today()
        except ValueError:
            raise CaseloadsError(f"--as-of {as_of!r} is not a date (YYYY-MM-DD)") from None
        db = open_database(settings_of(ctx))
        try:
            rows = check(db, la, day, include_passes=include_passes)
        finally:
            db.dispose()
    if fmt is not TableFormat.table:
        emit(rows, fmt)
        return
    counts = summary(rows)
    several = len({r["la_code"] for r in rows}) > 1
    columns = ("la_code", *TABLE_COLUMNS) if several else TABLE_COLUMNS
    where = "" if several or not rows else f" for {rows[0]['la_code']} ({rows[0]['region']})"
    emit(rows, fmt, title=f"DfE agency rules{where} on {day.isoformat()}", columns=columns)
    out.print(
        f"{counts['breach']} breach(es) by {counts['workers_in_breach']} worker(s); "
        f"{counts['could_not_check']} check(s) could not be made for lack of data."
    )
