"""``caseloads workforce``: the DfE children's social work workforce indicators (see
:mod:`caseloads.services.workforce`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from enum import StrEnum
from typing import Annotated, Any

import typer

from caseloads.cli_support import TableFormat, emit, out, settings_of, user_errors
from caseloads.errors import CaseloadsError

_HELP = (
    "The DfE workforce indicators of an authority, with the DfE's column names and rounding "
    "(inpost_fte ... absence_rate_fte, as in the DfE file csww_indicators).\n\n"
    "With --year: computed from the authority's CSWW census return for the year ending 30 "
    "September, exactly as the DfE computes its published figures (headcount de-duplicated, "
    "starters and leavers rules, 253 or 254 working days, case holders with FTE above 0 and a "
    "case, agency staff in the caseload).\n\n"
    "With --as-of: the same measures from the staff extract (with absences, the SSD "
    "allocations and the establishment where loaded) over the 12 months to that date; --as-of "
    "YYYY-09-30 gives the census year.\n\n"
    "--by role groups by CSWW OrgRole (a return) or the council's roles (staff extract); --by "
    "team needs the staff extract. Vacancy measures exist for the authority (return) or come "
    "from the establishment (staff extract). The table shows one column per authority or "
    "group; csv and json give one row each."
)


class WorkforceBy(StrEnum):
    team = "team"
    role = "role"


def register(app: typer.Typer) -> None:
    """Add ``workforce`` to the ``caseloads`` app."""
    app.command(
        "workforce",
        help=_HELP,
        short_help="DfE workforce indicators for a census year (CSWW) or any date (staff).",
    )(workforce)


def parse_date(text: str | None, option: str) -> date | None:
    """``text`` as a date, or a clear error naming the option."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise CaseloadsError(f"{option} {text!r} is not a date (YYYY-MM-DD)") from None


def transposed(
    rows: Sequence[Mapping[str, Any]], keys: Sequence[str], figures: Sequence[str]
) -> tuple[list[dict[str, Any]], list[str]]:
    """``rows`` turned for reading on a screen: one line per figure, one column per row (named
    by its ``keys`` values)."""
    names = [" ".join(str(r[k]) for k in keys if r.get(k) is not None) or "all" for r in rows]
    table = [
        {
            "measure": figure,
            **{name: one_place(row.get(figure)) for name, row in zip(names, rows, strict=True)},
        }
        for figure in figures
    ]
    return table, ["measure", *names]


def one_place(value: Any) -> Any:
    """Figures as the DfE prints them: decimals to one place (whole numbers stay whole)."""
    return f"{value:,.1f}" if isinstance(value, float) else value


LaOption = Annotated[
    str | None,
    typer.Option(
        "--la",
        help="DfE three-digit authority number. Default: every authority with the data.",
        show_default=False,
    ),
]
FormatOption = Annotated[TableFormat, typer.Option("--format", help="Output format.")]


def workforce(
    ctx: typer.Context,
    la: LaOption = None,
    year: Annotated[
        int | None,
        typer.Option(
            "--year",
            help="CSWW census year (the year ending 30 September): figures from the return.",
            show_default=False,
        ),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Any date (YYYY-MM-DD): figures from the staff extract, 12 months to the date.",
            show_default=False,
        ),
    ] = None,
    by: Annotated[
        WorkforceBy | None,
        typer.Option("--by", help="Group by team or role.", show_default=False),
    ] = None,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="With --year: list what the return contradicts in itself (agency cover above "
            "the agency workers in post or the vacancies, records outside the year) instead.",
        ),
    ] = False,
    fmt: FormatOption = TableFormat.table,
) -> None:
    from caseloads.domain.workforce_rates import INDICATORS
    from caseloads.services.database import open_database
    from caseloads.services.workforce import census_return_checks, workforce_indicators

    with user_errors():
        day = parse_date(as_of, "--as-of")
        if check and (year is None or day is not None):
            raise CaseloadsError("--check needs --year (it checks a CSWW return)")
        db = open_database(settings_of(ctx))
        try:
            if check:
                assert year is not None
                findings = census_return_checks(db, la_code=la, year=year)
            else:
                rows = workforce_indicators(
                    db, la_code=la, year=year, as_of=day, by=None if by is None else by.value
                )
        finally:
            db.dispose()
    if check:
        emit(
            findings,
            fmt,
            title=f"CSWW return {year}: contradictions",
            columns=None
            if fmt is not TableFormat.table
            else ["la_code", "check", "figure", "limit", "detail"],
        )
        if fmt is TableFormat.table and not findings:
            out.print("The return's worker records and LALevelVacancies do not contradict.")
        return
    if fmt is not TableFormat.table:
        emit(rows, fmt)
        return
    groups = {None: [], "team": ["team"], "role": ["role"]}[None if by is None else by.value]
    several = len({r["la_code"] for r in rows}) > 1 or not groups
    keys = (["la_code"] if several else []) + groups
    table, columns = transposed(rows, keys, INDICATORS)
    first = rows[0] if rows else {}
    period = (
        f"census year {first['year']} (CSWW return)"
        if first.get("year") is not None
        else f"12 months to {first.get('as_of')} (staff extract)"
    )
    where = "" if several else f" of {first.get('la_code')}"
    emit(table, fmt, title=f"DfE workforce indicators{where}, {period}", columns=columns)
