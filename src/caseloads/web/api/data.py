"""Data routes: ``status`` (``caseloads status --format json``), the batches and the findings
kept for a batch (the Data page)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from caseloads.services import batches, status
from caseloads.web import access
from caseloads.web.api.params import La
from caseloads.web.deps import CurrentPrincipal, RowsResponse, Services

router = APIRouter(tags=["data"])


@router.get("/status", response_class=RowsResponse, response_model=None)
def get_status(principal: CurrentPrincipal, services: Services) -> RowsResponse:
    """The database, its schema revision and each authority's rows and latest batches."""
    report: dict[str, Any] = services.call(status.database_status)
    if access.sees_all_authorities(principal):
        return RowsResponse(report)
    allowed = set(principal.la_codes)
    shown = {la: v for la, v in report["authorities"].items() if la in allowed}
    return RowsResponse({**report, "authorities": shown})


@router.get("/batches", response_class=RowsResponse, response_model=None)
def get_batches(principal: CurrentPrincipal, services: Services, la: La = None) -> RowsResponse:
    """Every batch loaded, newest first, with its errors and warnings."""
    code = access.check_authority(principal, la)
    rows: list[dict[str, Any]] = services.call(batches.batch_list, la_code=code)
    return RowsResponse(access.visible_rows(principal, rows))


@router.get("/batches/{batch_id}", response_class=RowsResponse, response_model=None)
def get_batch(principal: CurrentPrincipal, services: Services, batch_id: int) -> RowsResponse:
    """One batch and the findings kept for it."""
    found: dict[str, Any] = services.call(batches.batch_findings, batch_id)
    access.check_authority(principal, found["la_code"])
    return RowsResponse(found)
