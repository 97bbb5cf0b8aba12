"""Errors as answers: JSON problem documents (RFC 9457) on the API, a GOV.UK error page on the
pages; never a stack trace."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from caseloads.errors import CaseloadsError, ConfigError, DatabaseError, NotFoundError

log = logging.getLogger("caseloads.web")

TITLES = {
    400: "Bad request",
    401: "Not signed in",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    413: "Too large",
    422: "Invalid request",
    500: "Internal error",
    503: "Service unavailable",
}


def status_of(exc: CaseloadsError) -> int:
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, DatabaseError | ConfigError):
        return 503
    return 400


def wants_json(request: Request) -> bool:
    return (
        request.url.path.startswith("/api/")
        or "application/json" in request.headers.get("accept", "").split(",")[0]
    )


def problem(request: Request, status: int, detail: str, **extra: Any) -> Response:
    if wants_json(request):
        body = {"type": "about:blank", "title": TITLES.get(status, "Error"), "status": status}
        body.update({"detail": detail, **extra})
        return JSONResponse(body, status_code=status, media_type="application/problem+json")
    from caseloads.web.render import render_error

    return render_error(request, status, TITLES.get(status, "Error"), detail)


def install_handlers(app: FastAPI) -> None:
    """Map every error a route can raise to a problem answer."""

    @app.exception_handler(CaseloadsError)
    async def _caseloads(request: Request, exc: CaseloadsError) -> Response:
        return problem(request, status_of(exc), str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code in (301, 302, 303, 307, 308) or (
            exc.status_code == 401 and not wants_json(request) and exc.headers
        ):
            return Response(status_code=exc.status_code, headers=exc.headers)
        response = problem(request, exc.status_code, str(exc.detail))
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", ""))}
            for e in exc.errors()
        ]
        detail = "; ".join(f"{'.'.join(e['loc'][1:]) or 'request'}: {e['msg']}" for e in errors)
        return problem(request, 422, detail, errors=errors)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s", request.url.path)
        return problem(request, 500, "something went wrong; the error has been logged")


__all__ = ["HTMLResponse", "HTTPException", "install_handlers", "problem"]
