"""``caseloads establishment``, ``caseloads pipeline`` and ``caseloads reconcile``: the
establishment table, the recruitment pipeline against the gap, and the check of a hand-made
summary table (issue 4, deliverables 2-4). Each parses its options, calls one service and renders
its rows; ``--format json`` prints exactly what the service returns."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from caseloads.cli_support import (
    TableFormat,
    emit,
    err,
    out,
    print_findings,
    settings_of,
    user_errors,
)
from caseloads.errors import CaseloadsError

LA_HELP = "DfE three-digit authority number (default: the only authority in the database)."
AS_OF_HELP = (
    "The date, YYYY-MM-DD (default: the latest date the establishment, staff and pipeline "
    "extracts record, up to the day they were imported)."
)
FORMAT_HELP = "Output format: table, csv or json (json is what the API serves)."
#: Columns shown on screen (CSV and JSON have every column, the authority and date included).
_HIDDEN = ("la_code", "as_of", "starting_by", "team_id")
#: Shorter headings on screen (CSV and JSON keep the full names).
_SHORT = {
    "establishment_fte": "establishment",
    "permanent_fte": "permanent",
    "vacancy_fte": "vacant",
    "agency_fte": "agency",
    "agency_covering_vacancies_fte": "agency covering",
    "uncovered_vacancy_fte": "uncovered",
    "over_establishment_fte": "over",
    "casual_fte": "casual",
    "pipeline_permanent_fte": "permanent offers",
    "pipeline_agency_fte": "agency offers",
    "pipeline_total_fte": "all offers",
    "remaining_gap_fte": "remaining gap",
    "surplus_fte": "surplus",
}


class Grouping(StrEnum):
    role = "role"
    team = "team"
    team_role = "team,role"


def _date(option: str, text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise CaseloadsError(f"{option} {text!r} is not a date (YYYY-MM-DD)") from None


def _show(rows: list[dict[str, Any]], fmt: TableFormat, title: str) -> None:
    if fmt is not TableFormat.table:
        emit(rows, fmt)
        return
    shown = [{_SHORT.get(k, k): v for k, v in row.items() if k not in _HIDDEN} for row in rows]
    emit(shown, fmt, title=title)


def establishment(
    ctx: typer.Context,
    la: Annotated[str | None, typer.Option("--la", help=LA_HELP)] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help=AS_OF_HELP)] = None,
    by: Annotated[Grouping, typer.Option("--by", help="Group by role, team or team,role.")] = (
        Grouping.role
    ),
    fmt: Annotated[TableFormat, typer.Option("--format", help=FORMAT_HELP)] = TableFormat.table,
) -> None:
    """Budgeted posts on a date, filled by whom: establishment, permanent, vacant, agency (covering
    vacancies or not), uncovered vacancies and over establishment, in FTE, with a total row.
    Worked out post by post where staff carry a post id, else by team and role, then summed."""
    from caseloads.services.database import open_database
    from caseloads.services.establishment import establishment_summary

    with user_errors():
        on = _date("--as-of", as_of)
        db = open_database(settings_of(ctx))
        try:
            rows = establishment_summary(db, la_code=la, as_of=on, by=by.value)
        finally:
            db.dispose()
    head = rows[0]
    _show(rows, fmt, f"Establishment of authority {head['la_code']} on {head['as_of']} (FTE)")


def pipeline(
    ctx: typer.Context,
    la: Annotated[str | None, typer.Option("--la", help=LA_HELP)] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help=AS_OF_HELP)] = None,
    starting_by: Annotated[
        str | None,
        typer.Option(
            "--starting-by",
            help="Count only offers expected to start by this date, YYYY-MM-DD (default: every "
            "accepted offer not yet started).",
        ),
    ] = None,
    by: Annotated[Grouping, typer.Option("--by", help="Group by role, team or team,role.")] = (
        Grouping.role
    ),
    activity: Annotated[
        bool,
        typer.Option(
            "--activity",
            help="Show instead the candidates recorded each month, by stage (applications, "
            "offers, acceptances ...).",
        ),
    ] = False,
    fmt: Annotated[TableFormat, typer.Option("--format", help=FORMAT_HELP)] = TableFormat.table,
) -> None:
    """Accepted offers not yet started (stage accepted or checks), permanent and agency, against
    the uncovered vacancies of each group: the remaining gap and any surplus, with a total row."""
    from caseloads.services.database import open_database
    from caseloads.services.pipeline import pipeline_summary, recruitment_activity

    with user_errors():
        on = _date("--as-of", as_of)
        by_date = _date("--starting-by", starting_by)
        db = open_database(settings_of(ctx))
        try:
            if activity:
                rows = recruitment_activity(db, la_code=la, as_of=on)
            else:
                rows = pipeline_summary(db, la_code=la, as_of=on, starting_by=by_date, by=by.value)
        finally:
            db.dispose()
    if activity:
        title = "Recruitment activity: candidates by the month of their latest stage"
        _show(rows, fmt, title)
        return
    head = rows[0]
    until = f", starting by {head['starting_by']}" if head["starting_by"] else ""
    title = f"Pipeline of authority {head['la_code']} on {head['as_of']}{until} (FTE)"
    _show(rows, fmt, title)


def reconcile(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="The summary table, a CSV file.")],
    tolerance: Annotated[
        float | None,
        typer.Option(
            "--tolerance",
            help="Largest difference accepted, in FTE (default: half a unit in the last "
            "decimal place the table prints, e.g. 0.05 for figures to 1 decimal place).",
        ),
    ] = None,
    fmt: Annotated[TableFormat, typer.Option("--format", help=FORMAT_HELP)] = TableFormat.table,
) -> None:
    """Check a hand-made establishment table (columns role, establishment, permanent, agency,
    vacant, over_under): every row must add up, the total row must be the sum of the others, and
    no row may report uncovered vacancies when its posts are already filled. Prints each failing
    row with the value expected; exit 1 if any."""
    from caseloads.services.reconcile import reconcile_table

    settings = settings_of(ctx)
    with user_errors():
        report = reconcile_table(path, max_file_bytes=settings.max_file_bytes, tolerance=tolerance)
    failures: list[dict[str, Any]] = report["failures"]
    if fmt is TableFormat.json:
        emit(failures, fmt, payload=report)
    elif fmt is TableFormat.csv:
        emit(failures, fmt, columns=list(failures[0]) if failures else _FAILURE_COLUMNS)
    else:
        _print_reconcile(report)
    if failures:
        raise typer.Exit(1)


_FAILURE_COLUMNS = [
    "row",
    "role",
    "check",
    "column",
    "reported",
    "expected",
    "difference",
    "message",
]


def _print_reconcile(report: dict[str, Any]) -> None:
    from caseloads.ingest.findings import Finding

    print_findings([Finding(**w) for w in report["warnings"]])
    failures = report["failures"]
    compared = f"compared to {report['tolerance']:g} FTE"
    total = "" if report["total_row"] else " (no total row: column sums not checked)"
    if failures:
        emit(failures, TableFormat.table, title=f"{report['file']}: checks failed")
        rows = len({f["row"] for f in failures})
        err.print(
            f"[bold red]{len(failures)} check(s) failed in {rows} row(s)[/] of "
            f"{report['rows']}, {compared}{total}."
        )
        return
    out.print(f"{report['file']}: all {report['rows']} rows add up, {compared}{total}.")


def register(app: typer.Typer) -> None:
    """Add ``establishment``, ``pipeline`` and ``reconcile`` to the ``caseloads`` app."""
    app.command("establishment")(establishment)
    app.command("pipeline")(pipeline)
    app.command("reconcile")(reconcile)
