"""The dashboard's pages, one module each: Overview, Workforce, Recruitment, Caseloads,
Demand and Data. Each page handler reads its query (as-of date, authority, team), calls the
services through the cache, and renders tables (every one downloadable as CSV) and charts (each
with its table)."""

from __future__ import annotations

from fastapi import APIRouter

from caseloads.web.pages import caseloads, data, demand, overview, recruitment, workforce


def router() -> APIRouter:
    pages = APIRouter(include_in_schema=False)
    for module in (overview, workforce, recruitment, caseloads, demand, data):
        pages.include_router(module.router)
    return pages
