"""The application factory ``create_app`` (``caseloads serve`` runs it under uvicorn as
``caseloads.web.app:create_app`` with ``--factory``).

One FastAPI app serves the pages (``/``, ``/workforce``, ...) and the JSON API (``/api/v1``,
OpenAPI at ``/api/v1/openapi.json``); the static files (GOV.UK Frontend, htmx, Vega, our CSS
and JS) are under ``/static``. Security (sessions, CSRF, headers, /login) is installed by
:mod:`caseloads.web.security` through :func:`caseloads.web.access.install`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from caseloads import __version__
from caseloads.config import Settings
from caseloads.services.database import open_database
from caseloads.web import access, api, pages
from caseloads.web.cache import FragmentCache, ServiceCache
from caseloads.web.problems import install_handlers

STATIC = Path(__file__).parent / "static"


def create_app(settings: Settings | None = None) -> FastAPI:
    """The dashboard and API over the database of ``settings`` (default: from the
    environment, ``CASELOADS_DATABASE_URL`` and friends)."""
    settings = settings if settings is not None else Settings()
    db = open_database(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        db.dispose()

    app = FastAPI(
        lifespan=lifespan,
        title="caseloads API",
        version=__version__,
        description="Workforce, caseload and demand figures of children's social care. Every "
        "route answers what the matching `caseloads` command prints with `--format json`.",
        openapi_url=f"{api.PREFIX}/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.db = db
    app.state.cache = ServiceCache(db)
    app.state.fragments = FragmentCache()
    install_handlers(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(api.router())
    app.include_router(pages.router())
    access.install(app, settings)

    return app
