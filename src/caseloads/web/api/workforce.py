"""Workforce routes: ``workforce``, ``establishment``, ``pipeline``, ``turnover``, ``leavers``,
``experience``, ``survival`` and ``agency-check``, as the CLI commands of the same names."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from fastapi import APIRouter, Query

from caseloads.services import agency, establishment, pipeline, turnover, workforce
from caseloads.web import access
from caseloads.web.api.params import AsOf, EstablishmentBy, GroupBy, La, Year
from caseloads.web.deps import CurrentPrincipal, RowsResponse, Services

router = APIRouter(tags=["workforce"])
Rows = list[dict[str, Any]]


@router.get("/workforce", response_class=RowsResponse, response_model=None)
def get_workforce(
    principal: CurrentPrincipal,
    services: Services,
    la: La = None,
    year: Year = None,
    as_of: AsOf = None,
    by: GroupBy | None = None,
) -> RowsResponse:
    """DfE workforce indicators: from the CSWW return (``year``) or the staff extract over the 12
    months to ``as_of`` (``caseloads workforce --format json``)."""
    code = access.check_authority(principal, la)
    rows = services.call(
        workforce.workforce_indicators,
        la_code=code,
        year=year,
        as_of=as_of,
        by=None if by is None else by.value,
    )
    return RowsResponse(access.aggregates_for(principal, rows))


@router.get("/establishment", response_class=RowsResponse, response_model=None)
def get_establishment(
    principal: CurrentPrincipal,
    services: Services,
    la: La = None,
    as_of: AsOf = None,
    by: EstablishmentBy = EstablishmentBy.role,
) -> RowsResponse:
    """Budgeted posts on a date, filled by whom, in FTE (``caseloads establishment``)."""
    code = access.check_authority(principal, la)
    rows = services.call(
        establishment.establishment_summary, la_code=code, as_of=as_of, by=by.value
    )
    return RowsResponse(access.aggregates_for(principal, rows))


@router.get("/pipeline", response_class=RowsResponse, response_model=None)
def get_pipeline(
    principal: CurrentPrincipal,
    services: Services,
    la: La = None,
    as_of: AsOf = None,
    starting_by: date | None = None,
    by: EstablishmentBy = EstablishmentBy.role,
    activity: bool = False,
) -> RowsResponse:
    """Accepted offers against the uncovered vacancies, or with ``activity=true`` candidates by
    month and stage (``caseloads pipeline``)."""
    code = access.check_authority(principal, la)
    if activity:
        rows = services.call(pipeline.recruitment_activity, la_code=code, as_of=as_of)
    else:
        rows = services.call(
            pipeline.pipeline_summary,
            la_code=code,
            as_of=as_of,
            starting_by=starting_by,
            by=by.value,
        )
    return RowsResponse(access.aggregates_for(principal, rows))


@router.get("/turnover", response_class=RowsResponse, response_model=None)
def get_turnover(
    principal: CurrentPrincipal,
    services: Services,
    la: La = None,
    as_of: AsOf = None,
    months: int = Query(24, ge=1, le=240),
    by: GroupBy | None = None,
) -> RowsResponse:
    """Turnover by month and over rolling 12 months (``caseloads turnover``)."""
    code = access.check_authority(principal, la)
    rows = services.call(
        turnover.turnover_by_month,
        la_code=code,
        as_of=as_of,
        months=months,
        by=None if by is None else by.value,
    )
    return RowsResponse(access.aggregates_for(principal, rows))


class LeaversBy(StrEnum):
    reason = "reason"
    destination = "destination"


@router.get("/leavers", response_class=RowsResponse, response_model=None)
def get_leavers(
    principal: CurrentPrincipal,
    services: Services,
    la: La = None,
    year: Year = None,
    as_of: AsOf = None,
    by: LeaversBy = LeaversBy.reason,
) -> RowsResponse:
    """Leavers by reason for leaving or destination (``caseloads leavers``)."""
    code = access.check_authority(principal, la)
    rows = services.call(
        turnover.leavers_breakdown, la_code=code, year=year, as_of=as_of, by=by.value
    )
    return RowsResponse(access.aggregates_for(principal, rows))


@router.get("/experience", response_class=RowsResponse, response_model=None)
def get_experience(
    principal: CurrentPrincipal,
    services: Services,
    la: La = None,
    year: Year = None,
    as_of: AsOf = None,
    by: GroupBy | None = None,
) -> RowsResponse:
    """Share of staff under 2 and 5 years qualified and in the authority
    (``caseloads experience``)."""
    code = access.check_authority(principal, la)
    rows = services.call(
        turnover.experience_profile,
        la_code=code,
        year=year,
        as_of=as_of,
        by=None if by is None else by.value,
    )
    return RowsResponse(access.aggregates_for(principal, rows))


@router.get("/survival", response_class=RowsResponse, response_model=None)
def get_survival(
    principal: CurrentPrincipal,
    services: Services,
    la: La = None,
    as_of: AsOf = None,
    since: date | None = None,
    voluntary: bool = False,
    by: GroupBy | None = None,
    curve: bool = False,
) -> RowsResponse:
    """Time in post, Kaplan-Meier (``caseloads survival``; ``curve=true`` for the curve)."""
    code = access.check_authority(principal, la)
    action = turnover.time_in_post_curve if curve else turnover.time_in_post
    rows = services.call(
        action,
        la_code=code,
        as_of=as_of,
        since=since,
        voluntary_only=voluntary,
        by=None if by is None else by.value,
    )
    return RowsResponse(access.aggregates_for(principal, rows))


@router.get("/agency-check", response_class=RowsResponse, response_model=None)
def get_agency_check(
    principal: CurrentPrincipal,
    services: Services,
    la: La = None,
    as_of: AsOf = None,
    all: bool = Query(False, description="Also list checks passed and not yet applying."),
) -> RowsResponse:
    """The DfE agency rules for each agency worker on the date (``caseloads agency-check``).
    Worker-level: admins and analysts only."""
    access.require_roles_of(principal, access.ADMIN, access.ANALYST)
    code = access.check_authority(principal, la)
    rows = services.call(agency.agency_check, code, as_of or date.today(), include_passes=all)
    access.audit(principal, "view_workers", {"route": "agency-check", "la": code})
    return RowsResponse(access.visible_rows(principal, rows))
