"""Demand and comparison routes: ``demand``, ``stability`` and ``benchmark``, as the CLI
commands."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Query

from caseloads.domain.stability import DEFAULT_ALLOCATED_ROLES
from caseloads.services import benchmark, demand, stability
from caseloads.web import access
from caseloads.web.api.params import La, Year
from caseloads.web.deps import CurrentPrincipal, RowsResponse, Services

router = APIRouter(tags=["demand"])
Rows = list[dict[str, Any]]


class DemandFreq(StrEnum):
    month = "month"
    week = "week"


class DemandBy(StrEnum):
    team = "team"


class Cohort(StrEnum):
    allocated = "allocated"
    cla = "cla"


@router.get("/demand", response_class=RowsResponse, response_model=None)
def get_demand(
    principal: CurrentPrincipal,
    services: Services,
    start: Annotated[date, Query(alias="from", description="First day, YYYY-MM-DD.")],
    end: Annotated[date, Query(alias="to", description="Last day, YYYY-MM-DD.")],
    freq: DemandFreq = DemandFreq.month,
    la: La = None,
    by: DemandBy | None = None,
    population: int | None = Query(None, ge=1),
) -> RowsResponse:
    """Contacts, referrals, conversion, re-referrals, plans and CLA by month or week
    (``caseloads demand --format json``)."""
    code = access.check_authority(principal, la)
    rows = services.call(
        demand.demand_by_period,
        date_from=start,
        date_to=end,
        freq=freq.value,
        la_code=code,
        by=None if by is None else by.value,
        population=population,
    )
    return RowsResponse(access.aggregates_for(principal, rows))


@router.get("/stability", response_class=RowsResponse, response_model=None)
def get_stability(
    principal: CurrentPrincipal,
    services: Services,
    as_of: Annotated[date, Query(description="The date, YYYY-MM-DD.")],
    la: La = None,
    cohort: Cohort = Cohort.allocated,
    role: Annotated[list[str] | None, Query()] = None,
    by_child: bool = False,
) -> RowsResponse:
    """Children with 3 or more allocated social workers in the 12 months to the date
    (``caseloads stability``); ``by_child=true`` (child level) is for admins and analysts."""
    code = access.check_authority(principal, la)
    roles = tuple(role) if role else DEFAULT_ALLOCATED_ROLES
    if by_child:
        access.require_roles_of(principal, access.ADMIN, access.ANALYST)
        rows = services.call(
            stability.workers_by_child, as_of=as_of, la_code=code, cohort=cohort.value, roles=roles
        )
        return RowsResponse(access.visible_rows(principal, rows))
    rows = services.call(
        stability.social_worker_stability,
        as_of=as_of,
        la_code=code,
        cohort=cohort.value,
        roles=roles,
    )
    return RowsResponse(access.aggregates_for(principal, rows))


@router.get("/benchmark", response_class=RowsResponse, response_model=None)
def get_benchmark(
    principal: CurrentPrincipal,
    services: Services,
    la: La = None,
    year: Year = None,
    all_years: bool = False,
) -> RowsResponse:
    """Published DfE figures beside England, region and statistical neighbours
    (``caseloads benchmark``). Published figures are already suppressed by the DfE."""
    code = access.check_authority(principal, la)
    rows = services.call(benchmark.benchmark_comparison, code, year, all_years=all_years)
    return RowsResponse(access.visible_rows(principal, rows))
