"""The plain baseline of ``web_load.py``: a minimal FastAPI application whose one route returns
a constant, served by uvicorn with the same settings as ``caseloads serve`` (same worker count,
log level, no proxy headers). What the HTTP stack alone costs on this machine under the same
load, so that the dashboard's figures can be read as a ratio against it."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import PlainTextResponse

BODY = "ok\n"


def create_app() -> FastAPI:
    """The baseline application: ``GET /`` answers ``ok``."""
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/", response_class=PlainTextResponse)
    def constant() -> str:
        return BODY

    return app
