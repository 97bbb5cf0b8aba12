"""Recruitment: accepted offers not yet started against the uncovered vacancies, with the
remaining gap (``services.pipeline.pipeline_summary``), and candidates by month and stage
(``recruitment_activity``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from caseloads.services import pipeline
from caseloads.web import charts
from caseloads.web.deps import CurrentPrincipal, Services
from caseloads.web.pages.common import authority, day, fetch, first_date
from caseloads.web.render import ChartView, Page, TableView

router = APIRouter()


@router.get("/recruitment")
def recruitment_page(
    request: Request,
    principal: CurrentPrincipal,
    services: Services,
    as_of: str | None = None,
    la: str | None = None,
) -> Response:
    page = Page(request, principal)
    code, on = authority(principal, la), day(as_of)
    gap, msg = fetch(
        principal, lambda: services.call(pipeline.pipeline_summary, la_code=code, as_of=on)
    )
    page.add(
        TableView(
            "pipeline",
            "Pipeline by role (FTE): accepted offers against uncovered vacancies",
            gap,
            columns=[
                "role",
                "uncovered_vacancy_fte",
                "pipeline_permanent_fte",
                "pipeline_agency_fte",
                "pipeline_total_fte",
                "remaining_gap_fte",
                "surplus_fte",
                "candidates",
            ],
            message=msg,
        )
    )
    activity, msg = fetch(
        principal, lambda: services.call(pipeline.recruitment_activity, la_code=code, as_of=on)
    )
    table = TableView(
        "activity",
        "Candidates by the month of their latest stage",
        activity,
        columns=[
            "month",
            "applications",
            "shortlisted",
            "offers",
            "acceptances",
            "checks",
            "started",
            "withdrawn",
        ],
        message=msg,
    )
    page.add(
        table,
        ChartView(
            "activity",
            "Applications, offers and starters by month",
            charts.line(
                activity,
                x="month",
                y=["applications", "offers", "started"],
                title="",
                y_title="Candidates",
                time_unit="yearmonth",
            ),
            table.id,
        ),
    )
    return page.respond("pages/recruitment.html", title="Recruitment", as_of=on or first_date(gap))
