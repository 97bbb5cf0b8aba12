"""Caseloads: the team board on a date (status, caseload per FTE against the team type's safe
standard), the drill-down from a team to its workers (children, families, weighted points
against capacity, RAG), cases held by managers, the weekly history of caseload per FTE by team,
and the allocation helper (``services.caseload``: ``caseload_picture``, ``caseload_history``,
``allocation_options``). Worker-level tables are for admins, analysts and managers (their own
teams; another team answers 403); viewers see the team figures, suppressed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from caseloads.domain import access as policy
from caseloads.services import caseload
from caseloads.web import access, charts
from caseloads.web.deps import CurrentPrincipal, Services
from caseloads.web.pages.common import Rows, authority, day, fetch, first_date
from caseloads.web.render import ChartView, Page, TableView, attempt

router = APIRouter()

STATUSES = ("cla", "cp", "cin", "care_leaver", "assessment", "referral")
BOARD = [
    "team",
    "team_type",
    "status",
    "workers",
    "fte",
    "children",
    "caseload_per_fte",
    "standard",
    "weighted_points",
    "required_fte",
    "available_fte",
]
WORKERS = [
    "worker_id",
    "role",
    "fte",
    "children",
    "families",
    "weighted_points",
    "capacity_points",
    "capacity_pct",
    "rag",
    "reduction_pct",
    "manager_holds_cases",
    "protected_over_level",
]


def by_week(history: Rows) -> Rows:
    """The history as one row per week and one column per team (children per FTE)."""
    weeks: dict[str, dict[str, Any]] = {}
    for row in history:
        weeks.setdefault(row["as_of"], {"week": row["as_of"]})[row["team"]] = row.get(
            "caseload_per_fte"
        )
    return list(weeks.values())


def _team_link(page: Page, principal: access.PrincipalLike) -> Any:
    who = policy.Principal(
        principal.username, principal.role, tuple(principal.la_codes), tuple(principal.team_ids)
    )

    def link(row: dict[str, Any]) -> str | None:
        if not policy.may_see_workers(who, str(row.get("la_code")), str(row.get("team_id"))):
            return None
        return page.url(team=row.get("team_id")) + "#workers"

    return link


def _workers(
    page: Page, services: Any, code: str | None, on: Any, team: str | None
) -> tuple[Rows, str | None]:
    rows, msg = attempt(
        lambda: services.call(
            caseload.caseload_picture, la_code=code, as_of=on, team=team, by="worker"
        )
    )
    if msg is not None:
        return [], msg
    shown = access.worker_rows(
        page.principal, access.visible_rows(page.principal, rows), team_asked=team is not None
    )
    access.audit(page.principal, "view_workers", {"page": "caseloads", "team": team})
    return shown, None


@router.get("/caseloads")
def caseloads_page(
    request: Request,
    principal: CurrentPrincipal,
    services: Services,
    as_of: str | None = None,
    la: str | None = None,
    team: str | None = None,
    status: str | None = None,
    children: int = 1,
    court: bool = False,
) -> Response:
    page = Page(request, principal)
    code, on = authority(principal, la), day(as_of)
    team = team or None
    board, msg = fetch(
        principal,
        lambda: services.call(caseload.caseload_picture, la_code=code, as_of=on, by="team"),
    )
    when = on or first_date(board)
    page.add(
        TableView(
            "board",
            f"Team board on {when}: caseload per FTE against the safe standard",
            board,
            columns=BOARD,
            links={"team": _team_link(page, principal)},
            labels={"standard": "Safe standard (per FTE)", "status": "Status"},
            message=msg,
        )
    )
    worker_level = principal.role in (access.ADMIN, access.ANALYST, access.MANAGER)
    team_name = next((r["team"] for r in board if team in (r.get("team_id"), r.get("team"))), team)
    if team is not None:
        access.require_worker_level(principal)
        rows, wmsg = _workers(page, services, code, on, team)
        page.add(
            TableView(
                "workers",
                f"Workers of {team_name} on {when}: weighted points against capacity",
                rows,
                columns=WORKERS,
                message=wmsg,
            )
        )
    if worker_level and not msg:
        everyone, hmsg = _workers(page, services, code, on, None)
        page.add(
            TableView(
                "managers_holding",
                "Managers holding cases",
                [r for r in everyone if r.get("manager_holds_cases")],
                columns=["team", *WORKERS[:5]],
                message=hmsg,
            )
        )
    history: Rows = []
    hmsg = msg
    if when is not None and not msg:
        history, hmsg = fetch(
            principal,
            lambda: services.call(
                caseload.caseload_history,
                start=when - timedelta(weeks=26),
                end=when,
                freq="week",
                by="team",
                la_code=code,
            ),
        )
    table = TableView(
        "history",
        "Caseload per FTE by team, week by week over 26 weeks",
        by_week(history),
        labels={"week": "Week"},
        message=hmsg,
        note="Children per FTE; the API's caseload-history route has every measure.",
    )
    page.add(
        table,
        ChartView(
            "history",
            "Caseload per FTE by team, weekly",
            charts.line(
                history,
                x="as_of",
                y=["caseload_per_fte"],
                series="team",
                title="",
                y_title="Children per FTE",
            ),
            table.id,
        ),
    )
    options: Rows = []
    amsg: str | None = None
    if worker_level and team is not None and status:
        if status not in STATUSES:
            amsg = f"choose a status: {', '.join(STATUSES)}"
        else:
            found, amsg = attempt(
                lambda: services.call(
                    caseload.allocation_options,
                    team=team,
                    status=status,
                    children=max(1, min(children, 20)),
                    as_of=on,
                    la_code=code,
                    court_proceedings=court,
                )
            )
            if found is not None:
                options = access.worker_rows(
                    principal, access.visible_rows(principal, found), team_asked=False
                )
    if worker_level and team is not None and status:
        page.add(
            TableView(
                "allocation",
                f"Who can take {children} {status} child(ren) in {team_name}",
                options,
                message=amsg,
            )
        )
    return page.respond(
        "pages/caseloads.html",
        title="Caseloads",
        as_of=when,
        team=team,
        team_name=team_name,
        worker_level=worker_level,
        board=board,
        statuses=STATUSES,
        status=status,
        children=children,
        court=court,
    )
