"""``caseloads serve``: the dashboard and JSON API under uvicorn (the application factory
``caseloads.web.app:create_app``)."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from caseloads.cli_support import err, out, settings_of, user_errors
from caseloads.config import Settings, display_url


def run_server(settings: Settings, *, host: str, port: int, workers: int) -> None:
    """Check the database is ready, then serve until interrupted. The settings reach each worker
    process through the environment (``CASELOADS_DATABASE_URL``, ``CASELOADS_KEY_FILE``)."""
    import uvicorn

    from caseloads.services.database import open_database

    db = open_database(settings)
    try:
        db.require_current_schema()
    finally:
        db.dispose()
    os.environ["CASELOADS_DATABASE_URL"] = settings.database_url
    os.environ["CASELOADS_KEY_FILE"] = str(settings.resolved_key_file().resolve())
    out.print(
        f"Serving the dashboard of {display_url(settings.database_url)} at "
        f"http://{host}:{port}/ ({workers} worker(s)); Ctrl+C stops it."
    )
    if host not in ("127.0.0.1", "localhost", "::1"):
        err.print(
            "Listening beyond this machine: put it behind HTTPS (a reverse proxy) before real use."
        )
    uvicorn.run(
        "caseloads.web.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        proxy_headers=False,
    )


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    workers: Annotated[
        int, typer.Option("--workers", min=1, help="Worker processes (2 or more for PostgreSQL).")
    ] = 1,
) -> None:
    """Serve the dashboard (pages for managers, analysts and members) and the JSON API
    (/api/v1, OpenAPI at /api/v1/openapi.json) over the database."""
    with user_errors():
        run_server(settings_of(ctx), host=host, port=port, workers=workers)


def register(app: typer.Typer) -> None:
    """Add ``serve`` to the ``caseloads`` app."""
    app.command("serve")(serve)
