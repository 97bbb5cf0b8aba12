"""The command-line commands of each area, one module each. Every module has a
``register(app)`` function that adds its commands to the ``caseloads`` Typer app; each command
parses options, calls one service function and renders its rows with
:func:`caseloads.cli_support.emit`, so the CLI, the web and the reports always agree."""

from __future__ import annotations

from collections.abc import Callable

import typer

from caseloads.commands import agency, benchmark
from caseloads.commands import caseload as caseload_commands
from caseloads.commands import demand as demand_commands
from caseloads.commands import establishment as establishment_commands
from caseloads.commands import serve as serve_commands
from caseloads.commands import turnover as turnover_commands
from caseloads.commands import users as users_commands
from caseloads.commands import workforce as workforce_commands

Registrar = Callable[[typer.Typer], None]

#: Every area's ``register`` function, in the order their commands appear in ``--help``.
REGISTRARS: list[Registrar] = [
    benchmark.register,
    establishment_commands.register,
    agency.register,
    workforce_commands.register,
    turnover_commands.register,
    demand_commands.register,
    caseload_commands.register,
    serve_commands.register,
    users_commands.register,
]
