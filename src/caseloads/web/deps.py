"""FastAPI dependencies shared by the pages and the API."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from caseloads.web import access
from caseloads.web.access import PrincipalLike
from caseloads.web.cache import ServiceCache


def service_cache(request: Request) -> ServiceCache:
    cache = request.app.state.cache
    assert isinstance(cache, ServiceCache)
    return cache


#: The signed-in principal (the security package's dependency).
CurrentPrincipal = Annotated[PrincipalLike, Depends(access.current_principal)]
#: The services, through the cache.
Services = Annotated[ServiceCache, Depends(service_cache)]


def json_rows(rows: Any) -> Any:
    """What a route answers: the service's JSON-safe rows unchanged."""
    return rows
