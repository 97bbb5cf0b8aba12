"""``caseloads benchmark``: an authority's published DfE figures beside England, its region and
its statistical neighbours (see :mod:`caseloads.services.benchmark`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

import typer

from caseloads.cli_support import TableFormat, emit, settings_of, user_errors

#: The columns the ``table`` format shows (CSV and JSON carry every column of the service).
TABLE_COLUMNS = ("measure", "year", "value", "England", "region", "SN mean", "SNs", "rank", "own")

RANK_NOTE = (
    "Rank among the authority and its DfE statistical neighbours (2025 model) that have a "
    "value: 1 = highest value, ties share the best place. Symbols (c suppressed, x not "
    "available, z not applicable, u low reliability, low rounds to 0) are left out of the mean "
    "and the rank, never read as zero."
)


def register(app: typer.Typer) -> None:
    """Add ``benchmark`` to the ``caseloads`` app."""
    app.command("benchmark", help=_HELP)(benchmark)


_HELP = (
    "Published DfE figures for an authority (CSWW workforce indicators; children in need, child "
    "protection and looked-after rates per 10,000) beside England, its region and the mean and "
    "rank of its statistical neighbours, and its own figure where its data is loaded. " + RANK_NOTE
)


def benchmark(
    ctx: typer.Context,
    la: Annotated[
        str | None,
        typer.Option(
            "--la",
            help="DfE three-digit authority number (e.g. 301). Default: every authority.",
            show_default=False,
        ),
    ] = None,
    year: Annotated[
        int | None,
        typer.Option(
            "--year",
            help="Year for every measure (CSWW: year to 30 September; CIN, CPP, CLA: year to "
            "31 March). Default: each measure's latest year.",
            show_default=False,
        ),
    ] = None,
    all_years: Annotated[
        bool, typer.Option("--all-years", help="Every published year (ignores --year).")
    ] = False,
    fmt: Annotated[TableFormat, typer.Option("--format", help="Output format.")] = (
        TableFormat.table
    ),
) -> None:
    from caseloads.services.benchmark import benchmark_comparison
    from caseloads.services.database import open_database

    with user_errors():
        db = open_database(settings_of(ctx))
        try:
            rows = benchmark_comparison(db, la, year, all_years=all_years)
        finally:
            db.dispose()
    if fmt is not TableFormat.table:
        emit(rows, fmt)
        return
    codes = list(dict.fromkeys(r["la_code"] for r in rows))
    for code in codes:
        mine = [r for r in rows if r["la_code"] == code]
        first = mine[0]
        title = f"{code} {first['la_name'] or ''} ({first['region_name'] or 'region unknown'})"
        emit([_display(r) for r in mine], fmt, title=title, columns=TABLE_COLUMNS)
        joint = sorted({r["joint_return"] for r in mine if r["joint_return"]})
        if joint:
            typer.echo(f"* joint return {', '.join(joint)}: the figure stands for each partner.")
    typer.echo(
        "SNs: statistical neighbours with a value, of those in the model. own: the figure "
        "computed from the authority's loaded data. " + RANK_NOTE
    )


def _shown(value: Any, symbol: Any) -> str:
    """A published figure as printed: the number, else its symbol, else "no row"."""
    if isinstance(value, int | float):
        return f"{value:,.1f}" if not float(value).is_integer() else f"{value:,.0f}"
    return str(symbol) if symbol is not None else "no row"


def _display(row: Mapping[str, Any]) -> dict[str, Any]:
    value = _shown(row["value"], row["symbol"]) + ("*" if row["joint_return"] else "")
    rank = (
        f"{row['sn_rank']}{'=' if row['sn_tied'] else ''} of {row['sn_ranked']}"
        if row["sn_rank"] is not None
        else ""
    )
    return {
        "measure": row["measure"],
        "year": str(row["year"]),
        "value": value,
        "England": _shown(row["england_value"], row["england_symbol"]),
        "region": _shown(row["region_value"], row["region_symbol"]),
        "SN mean": "" if row["sn_mean"] is None else _shown(row["sn_mean"], None),
        "SNs": f"{row['sn_with_value']} of {row['sn_count']}",
        "rank": rank,
        "own": "" if row["computed"] is None else _shown(row["computed"], None),
    }
