"""What every command shares: the consoles, settings from the context, turning user errors into
a message and exit status 1, progress bars, and rendering result rows as a table, CSV or JSON.

Result rows are the plain dicts the services return (JSON-safe values: str, int, float, bool,
None; dates as ISO strings), so ``--format json`` prints exactly what the API will serve."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from enum import StrEnum
from typing import Any

import typer
from rich import box
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from caseloads.config import Settings
from caseloads.errors import CaseloadsError, ExtractError
from caseloads.ingest.findings import Finding

#: Piped or redirected output is not cut to 80 columns (rich's default off a terminal): the
#: tables of figures are wide, and a wrapped table is hard to read in a log or an e-mail.
out = Console(width=None if sys.stdout.isatty() else 200)
err = Console(stderr=True, width=None if sys.stderr.isatty() else 200)


class Format(StrEnum):
    """``table`` for people, ``json`` for programs (the same JSON the API serves)."""

    table = "table"
    json = "json"


class TableFormat(StrEnum):
    """Output formats of the commands that answer with a table of figures."""

    table = "table"
    csv = "csv"
    json = "json"


def settings_of(ctx: typer.Context) -> Settings:
    """The settings built by the main callback from ``--database``, ``--key-file`` and the
    environment."""
    root = ctx.find_root()
    settings = root.obj
    assert isinstance(settings, Settings)
    return settings


def print_findings(findings: Sequence[Finding], limit: int | None = 50) -> None:
    """Findings as a table on stderr: severity, file, row, column, value, rule, message."""
    if not findings:
        return
    table = Table(title="Findings", title_justify="left")
    for col in ("severity", "file", "row", "column", "value", "rule", "message"):
        table.add_column(col, overflow="fold")
    shown = findings if limit is None else findings[:limit]
    for f in shown:
        style = "red" if f.severity == "error" else "yellow"
        table.add_row(
            f"[{style}]{f.severity}[/]",
            f.file,
            "" if f.row is None else str(f.row),
            f.column or "",
            f.value or "",
            f.rule,
            f.message,
        )
    err.print(table)
    if limit is not None and len(findings) > limit:
        err.print(
            f"... and {len(findings) - limit} more; `caseloads check --format json` lists all."
        )


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the errors users can act on into a message and exit status 1 (never a traceback)."""
    try:
        yield
    except ExtractError as exc:
        print_findings(exc.findings)
        err.print(f"[bold red]Refused:[/] {exc}")
        raise typer.Exit(1) from None
    except CaseloadsError as exc:
        err.print(f"[bold red]Error:[/] {exc}")
        raise typer.Exit(1) from None


@contextmanager
def progress_bar(enabled: bool) -> Iterator[Callable[[str, float], None]]:
    """A progress callback ``(step, fraction done)`` drawing a bar on stderr, or doing nothing."""
    if not enabled:
        yield lambda _step, _fraction: None
        return
    columns = (TextColumn("{task.description:<40}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task("starting", total=1.0)

        def update(step: str, fraction: float) -> None:
            progress.update(task, description=step[:40], completed=fraction)

        yield update


def json_value(value: object) -> object:
    """A value as JSON holds it: dates as ISO text, everything else unchanged."""
    if isinstance(value, date):
        return value.isoformat()
    return value


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 1e15 else str(value)
    if isinstance(value, int):
        return f"{value:,}"
    return str(json_value(value))


def safe_csv_cell(value: object) -> object:
    """A cell a spreadsheet will not run: text starting with ``=``, ``+``, ``-`` or ``@`` (or a
    tab or carriage return) gets a leading apostrophe (OWASP's CSV-injection advice). Numbers are
    left as they are, so negative figures stay numbers."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return json_value(value)


def rows_to_csv(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> str:
    """Rows as CSV text with a header, cells neutralised by :func:`safe_csv_cell`."""
    names = list(columns) if columns is not None else _columns(rows)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(names)
    for row in rows:
        writer.writerow(["" if row.get(n) is None else safe_csv_cell(row.get(n)) for n in names])
    return buffer.getvalue()


def _columns(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    return list(dict.fromkeys(k for row in rows for k in row))


def emit(
    rows: Sequence[Mapping[str, Any]],
    fmt: TableFormat | Format | str,
    *,
    title: str | None = None,
    columns: Sequence[str] | None = None,
    payload: object | None = None,
) -> None:
    """Print ``rows`` in ``fmt``. JSON prints ``payload`` when given (for commands whose JSON is
    more than one list), else the list of rows; CSV and table print the rows."""
    fmt = str(fmt)
    if fmt == "json":
        data = payload if payload is not None else [dict(r) for r in rows]
        # Indented for a person at a terminal; compact when piped to a program or a file (a
        # national table is several MB, and indenting it costs more than computing it).
        indent = 2 if sys.stdout.isatty() else None
        sys.stdout.write(json.dumps(data, default=json_value, indent=indent) + "\n")
        return
    if fmt == "csv":
        sys.stdout.write(rows_to_csv(rows, columns))
        return
    names = list(columns) if columns is not None else _columns(rows)
    table = Table(title=title, box=box.SIMPLE_HEAD)
    for name in names:
        table.add_column(name, overflow="fold", justify="left")
    for row in rows:
        table.add_row(*(_cell(row.get(n)) for n in names))
    out.print(table)
    if not rows:
        out.print("No rows.")
