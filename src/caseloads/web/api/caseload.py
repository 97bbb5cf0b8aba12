"""Caseload routes: ``caseload``, ``caseload-history`` and ``allocate``, as the CLI commands.
Worker-level answers are for admins, analysts and managers (their own teams only; another
team answers 403); viewers get the team figures only, suppressed."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Query

from caseloads.services import caseload
from caseloads.web import access
from caseloads.web.api.params import AsOf, La
from caseloads.web.deps import CurrentPrincipal, RowsResponse, Services

router = APIRouter(tags=["caseloads"])
Rows = list[dict[str, Any]]


class By(StrEnum):
    worker = "worker"
    team = "team"


class Freq(StrEnum):
    day = "day"
    week = "week"
    month = "month"


def scoped(
    principal: access.PrincipalLike, rows: Rows, by: str, team: str | None, route: str
) -> Rows:
    """Rows as the principal may see them (see the module docstring)."""
    rows = access.visible_rows(principal, rows)
    if by == "worker":
        shown = access.worker_rows(principal, rows, team_asked=team is not None)
        access.audit(principal, "view_workers", {"route": route, "team": team})
        return shown
    return access.aggregates_for(principal, rows)


@router.get("/caseload", response_class=RowsResponse, response_model=None)
def get_caseload(
    principal: CurrentPrincipal,
    services: Services,
    as_of: AsOf = None,
    la: La = None,
    team: str | None = Query(None, description="Only this team (name or id)."),
    by: By = By.worker,
) -> RowsResponse:
    """Caseloads on a date from the allocation intervals, per worker or per team
    (``caseloads caseload --format json``)."""
    code = access.check_authority(principal, la)
    if by is By.worker:
        access.require_worker_level(principal)
    rows = services.call(
        caseload.caseload_picture, la_code=code, as_of=as_of, team=team, by=by.value
    )
    return RowsResponse(scoped(principal, rows, by.value, team, "caseload"))


@router.get("/caseload-history", response_class=RowsResponse, response_model=None)
def get_caseload_history(
    principal: CurrentPrincipal,
    services: Services,
    start: Annotated[date, Query(alias="from", description="First date, YYYY-MM-DD.")],
    end: Annotated[date, Query(alias="to", description="Last date, YYYY-MM-DD.")],
    freq: Freq = Freq.week,
    by: By = By.team,
    la: La = None,
    team: str | None = None,
) -> RowsResponse:
    """The caseload measures at every step (``caseloads caseload-history``)."""
    code = access.check_authority(principal, la)
    if by is By.worker:
        access.require_worker_level(principal)
    rows = services.call(
        caseload.caseload_history,
        start=start,
        end=end,
        freq=freq.value,
        by=by.value,
        la_code=code,
        team=team,
    )
    return RowsResponse(scoped(principal, rows, by.value, team, "caseload-history"))


@router.get("/allocate", response_class=RowsResponse, response_model=None)
def get_allocate(
    principal: CurrentPrincipal,
    services: Services,
    team: Annotated[str, Query(description="The team (name or id).")],
    status: Annotated[str, Query(description="cla, cp, cin, care_leaver, assessment or referral.")],
    children: int = Query(1, ge=1, le=20),
    court: bool = False,
    as_of: AsOf = None,
    la: La = None,
) -> RowsResponse:
    """The team's workers ranked by capacity left after taking the case (``caseloads allocate``)."""
    code = access.check_authority(principal, la)
    access.require_worker_level(principal)
    rows = services.call(
        caseload.allocation_options,
        team=team,
        status=status.strip().lower(),
        children=children,
        as_of=as_of,
        la_code=code,
        court_proceedings=court,
    )
    return RowsResponse(scoped(principal, rows, "worker", team, "allocate"))
