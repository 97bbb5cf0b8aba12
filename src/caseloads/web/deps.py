"""FastAPI dependencies shared by the pages and the API."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import JSONResponse

from caseloads.web import access
from caseloads.web.access import PrincipalLike
from caseloads.web.cache import ServiceCache


async def service_cache(request: Request) -> ServiceCache:
    """The app's service cache (asynchronous: nothing to wait for, no trip through the thread
    pool)."""
    cache = request.app.state.cache
    assert isinstance(cache, ServiceCache)
    return cache


#: The signed-in principal (the security package's dependency).
CurrentPrincipal = Annotated[PrincipalLike, Depends(access.current_principal)]
#: The services, through the cache.
Services = Annotated[ServiceCache, Depends(service_cache)]


class RowsResponse(JSONResponse):
    """JSON of the services' rows, which are JSON-safe already: encoded once with ``json``.

    The API routes return a ``RowsResponse`` themselves rather than the rows: FastAPI passes any
    other return value through ``jsonable_encoder``, which walks every row and cell again (under
    load that walk was a quarter of the server's time)."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
