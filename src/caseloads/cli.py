"""The ``caseloads`` command line. It parses options, calls one service and renders the result;
it never reads files or queries the database itself."""

import json
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich import box
from rich.table import Table

from caseloads import __version__
from caseloads.cli_support import (
    Format,
    err,
    out,
    print_findings,
    progress_bar,
    settings_of,
    user_errors,
)
from caseloads.config import Settings
from caseloads.errors import CaseloadsError

app = typer.Typer(
    name="caseloads",
    help="Workforce, caseload and demand planning for children's social care.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

T = TypeVar("T")


class Size(StrEnum):
    small = "small"
    council = "council"
    national = "national"


@app.callback()
def main_options(
    ctx: typer.Context,
    database: Annotated[
        str | None,
        typer.Option(
            "--database",
            help="Database URL, e.g. sqlite:///caseloads.db or postgresql://user@host/db. "
            "Default: $CASELOADS_DATABASE_URL, else sqlite:///caseloads.db here.",
            show_default=False,
        ),
    ] = None,
    key_file: Annotated[
        Path | None,
        typer.Option(
            "--key-file",
            help="The pseudonymisation key (created by init). Default: $CASELOADS_KEY_FILE, "
            "else beside the SQLite file, else ./caseloads.key.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """caseloads: load a council's extracts, check them, store them and answer for any date."""
    overrides: dict[str, Any] = {}
    if database is not None:
        overrides["database_url"] = database
    if key_file is not None:
        overrides["key_file"] = key_file
    ctx.obj = Settings(**overrides)


@app.command()
def init(ctx: typer.Context) -> None:
    """Create the database (or upgrade it to this version) and the pseudonymisation key."""
    from caseloads.services.setup import initialise

    with user_errors():
        report = initialise(settings_of(ctx))
    action = (
        "created"
        if report.revision_before is None
        else ("already current" if report.revision_before == report.revision else "upgraded")
    )
    out.print(f"Database {report.database}: schema {action} (revision {report.revision}).")
    if report.key_created:
        out.print(
            f"Created the pseudonymisation key {report.key_file} (keep it safe and private; "
            "without it new extracts cannot be linked to stored ones)."
        )


KIND_HELP = (
    "ssd, csww, cin-census, ssda903, staff, absences, establishment, pipeline, agency or price-caps"
)
YEAR_HELP = "Collection year of an SSDA903 return whose files have no YEAR column."


@app.command("import")
def import_(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help=f"Kind of extract: {KIND_HELP}.")],
    path: Annotated[
        Path, typer.Argument(help="The file (or, for ssd and ssda903, the folder) to import.")
    ],
    la: Annotated[
        str | None, typer.Option("--la", help="DfE three-digit authority number.")
    ] = None,
    year: Annotated[int | None, typer.Option("--year", help=YEAR_HELP)] = None,
    fmt: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.table,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Check an extract and store it as one batch (all or nothing). A newer extract of the same
    kind replaces the authority's earlier one; the same files again change nothing."""
    from caseloads.services.database import open_database
    from caseloads.services.imports import import_path

    with user_errors():
        db = open_database(settings_of(ctx))
        try:
            with progress_bar(not quiet and fmt is Format.table) as progress:
                results = import_path(db, kind, path, la_code=la, year=year, progress=progress)
        finally:
            db.dispose()
    if fmt is Format.json:
        payload: Any = [r.as_dict() for r in results]
        out.print_json(json.dumps(payload[0] if len(payload) == 1 else payload, default=str))
        return
    print_findings([f for r in results for f in r.findings])
    for result in results:
        _print_import(result)


def _print_import(result: Any) -> None:
    scope = f" {result.scope}" if result.scope else ""
    if result.status == "unchanged":
        out.print(
            f"{result.kind}{scope} for {result.la_code}: these files are already loaded "
            f"(batch {result.batch_id}); nothing changed."
        )
        return
    rows = sum(result.row_counts.values())
    out.print(
        f"Imported {result.kind}{scope} for authority {result.la_code} as batch "
        f"{result.batch_id}: {rows:,} rows in {result.seconds:.1f} s."
    )
    replaced = result.replaced.get("batches") or []
    if replaced:
        gone = sum(result.replaced.get("rows", {}).values())
        out.print(f"Replaced batch(es) {', '.join(map(str, replaced))} ({gone:,} rows).")


@app.command()
def check(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help=f"Kind of extract: {KIND_HELP}.")],
    path: Annotated[
        Path, typer.Argument(help="The file (or, for ssd and ssda903, the folder) to check.")
    ],
    la: Annotated[
        str | None, typer.Option("--la", help="DfE three-digit authority number.")
    ] = None,
    year: Annotated[int | None, typer.Option("--year", help=YEAR_HELP)] = None,
    fmt: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.table,
) -> None:
    """Dry run: print every finding in an extract and write nothing. Exit 1 if there are errors."""
    from caseloads.services.database import open_database
    from caseloads.services.imports import read_extracts

    with user_errors():
        db = open_database(settings_of(ctx))
        try:
            extracts = read_extracts(db, kind, path, la_code=la, year=year)
        finally:
            db.dispose()
    findings = [f for e in extracts for f in e.findings]
    errors = sum(1 for f in findings if f.severity == "error")
    if fmt is Format.json:
        returns = [
            {"la_code": e.la_code, "scope": e.scope, "rows": e.row_counts()} for e in extracts
        ]
        out.print_json(
            json.dumps(
                {
                    "kind": kind,
                    "la_code": extracts[0].la_code if extracts else None,
                    "returns": returns,
                    "findings": [f.as_dict() for f in findings],
                    "rows": extracts[0].row_counts() if len(extracts) == 1 else {},
                }
            )
        )
    else:
        print_findings(findings, limit=None)
        out.print(f"{errors} error(s), {len(findings) - errors} warning(s).")
    if errors:
        raise typer.Exit(1)


@app.command()
def status(
    ctx: typer.Context,
    fmt: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.table,
) -> None:
    """The database, its schema revision and, for each authority, its rows and latest batches."""
    from caseloads.services.database import open_database
    from caseloads.services.status import database_status

    with user_errors():
        db = open_database(settings_of(ctx))
        try:
            report = database_status(db)
        finally:
            db.dispose()
    if fmt is Format.json:
        out.print_json(json.dumps(report))
        return
    _print_status(report)


@app.command()
def demo(
    ctx: typer.Context,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same files.")] = 1,
    size: Annotated[
        Size,
        typer.Option(
            help="small (for tests), council (~80,000 children) or national (every English "
            "authority sized from its published figures: ~2.5 GB of files)."
        ),
    ] = Size.council,
    out_dir: Annotated[Path, typer.Option("--out", help="Where to write the extracts.")] = Path(
        "demo-data"
    ),
    serve: Annotated[
        bool,
        typer.Option(
            "--serve/--no-serve",
            help="Afterwards create the admin account (random password printed once) and serve "
            "the dashboard on 127.0.0.1.",
        ),
    ] = False,
    port: Annotated[int, typer.Option("--port", help="Port for --serve.")] = 8000,
    today: Annotated[
        str | None,
        typer.Option(
            help="Last day of the history (YYYY-MM-DD). Default: today.", show_default=False
        ),
    ] = None,
    la: Annotated[
        str,
        typer.Option(
            "--la",
            help="DfE authority number to file the council under (its region and neighbours "
            "are used for comparison). Not used with --size national.",
        ),
    ] = "826",
    workers: Annotated[
        int | None,
        typer.Option(
            help="Processes for national generation and reading (default: cores).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Generate synthetic extracts (no real person's data) and load them through the same
    imports a council uses, then print the status summary."""
    from caseloads.services.database import open_database
    from caseloads.services.demo import run_demo
    from caseloads.services.status import database_status

    with user_errors():
        try:
            end = date.fromisoformat(today) if today else date.today()
        except ValueError:
            raise CaseloadsError(f"--today {today!r} is not a date (YYYY-MM-DD)") from None
        settings = settings_of(ctx)
        with progress_bar(True) as progress:
            report = run_demo(
                settings,
                out_dir=out_dir,
                seed=seed,
                size=size.value,
                today=end,
                la_code=la,
                workers=workers,
                progress=progress,
            )
        db = open_database(settings)
        try:
            summary = database_status(db)
        finally:
            db.dispose()
    who = f"{len(report.councils)} authorities" if size is Size.national else f"council {la}"
    out.print(
        f"Synthetic {who} (seed {seed}, {size.value}, history to {end}): files in {out_dir}, "
        f"generated in {report.generate_seconds:.1f} s; {report.rows_loaded:,} rows loaded in "
        f"{report.import_seconds:.1f} s."
    )
    if size is Size.national:
        _print_national(summary)
    else:
        _print_status(summary)
    if serve:
        _serve_demo(settings, [] if size is Size.national else [la], port)


def _serve_demo(settings: Settings, la_codes: list[str], port: int) -> None:
    """Create (or reset) the demo admin account, print its password once, and serve."""
    import importlib

    from caseloads.commands.serve import run_server
    from caseloads.services.database import open_database

    with user_errors():
        try:
            users: Any = importlib.import_module("caseloads.services.users")
        except ModuleNotFoundError:
            users = None
        if users is not None and hasattr(users, "create_demo_admin"):
            db = open_database(settings)
            try:
                username, password = users.create_demo_admin(db, la_codes)
            finally:
                db.dispose()
            out.print(
                f"Sign in at http://127.0.0.1:{port}/login as [bold]{username}[/] with the "
                f"password [bold]{password}[/] (shown once; run the demo again for a new one)."
            )
        else:
            err.print("User accounts are not available in this build: sign-in will refuse.")
        run_server(settings, host="127.0.0.1", port=port, workers=1)


def _print_national(report: dict[str, Any]) -> None:
    totals: dict[str, int] = {}
    for info in report["authorities"].values():
        for name, count in info["tables"].items():
            totals[name] = totals.get(name, 0) + count
    table = Table(
        title=f"{len(report['authorities'])} authorities: rows by table", title_justify="left"
    )
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, count in totals.items():
        table.add_row(name, f"{count:,}")
    out.print(f"Database: {report['database']}")
    out.print(table)


def _print_status(report: dict[str, Any]) -> None:
    revision = report["revision"] or "none (run caseloads init)"
    out.print(f"Database: {report['database']}\nSchema revision: {revision}")
    if not report["authorities"]:
        out.print("No authority's data is loaded yet.")
    for la_code, info in report["authorities"].items():
        table = Table(title=f"Authority {la_code}: rows by table", title_justify="left")
        table.add_column("table")
        table.add_column("rows", justify="right")
        for name, count in info["tables"].items():
            table.add_row(name, f"{count:,}")
        out.print(table)
        log = Table(
            title=f"Authority {la_code}: latest batch of each kind",
            title_justify="left",
            box=box.SIMPLE_HEAD,
            pad_edge=False,
        )
        for col in ("batch", "kind", "scope", "imported (UTC)", "files", "rows", "err/warn"):
            log.add_column(col, no_wrap=True)
        for b in info["batches"]:
            log.add_row(
                str(b["batch_id"]),
                b["kind"],
                b["scope"],
                b["imported_at"][:16].replace("T", " "),
                str(len(b["files"])),
                f"{b['rows']:,}",
                f"{b['findings']['error']}/{b['findings']['warning']}",
            )
        out.print(log)


def _register_commands() -> None:
    """Add the command groups of :mod:`caseloads.commands` (one module per area)."""
    from caseloads.commands import REGISTRARS

    for register in REGISTRARS:
        register(app)


_register_commands()


@app.command(hidden=True)
def version() -> None:
    """Print the version."""
    out.print(__version__)


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        err.print("Interrupted; an import in progress was rolled back.")
        sys.exit(130)
