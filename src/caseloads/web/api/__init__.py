"""The JSON API under ``/api/v1``: one route per CLI command, the command's options as query
parameters, answering exactly what the command prints with ``--format json`` (restricted to
what the principal may see: their authorities, their teams' workers, suppressed counts for
viewers)."""

from __future__ import annotations

from fastapi import APIRouter

from caseloads.web.api import caseload, data, demand, workforce

PREFIX = "/api/v1"


def router() -> APIRouter:
    api = APIRouter(prefix=PREFIX)
    for module in (workforce, caseload, demand, data):
        api.include_router(module.router)
    return api
