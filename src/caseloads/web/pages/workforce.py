"""Workforce: the establishment table (``services.establishment``), turnover monthly and over
rolling 12 months (``services.turnover``), the DfE agency and vacancy rates of the 12 months
(``services.workforce``), the experience profile, time in post (Kaplan-Meier survival curve),
leavers' reasons, and breaches of the DfE agency rules (``services.agency``: worker-level, so
the detail is for analysts and admins; others see the counts)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response

from caseloads.services import agency, establishment, turnover, workforce
from caseloads.web import access, charts
from caseloads.web.deps import CurrentPrincipal, Services
from caseloads.web.pages.common import authority, day, fetch, first_date
from caseloads.web.render import ChartView, Page, TableView, attempt

router = APIRouter()

RATES = [
    "agency_rate_fte",
    "agency_cover_rate_fte",
    "vacancy_rate_fte",
    "vacancy_agency_cover_rate_fte",
    "turnover_rate_fte",
    "absence_rate_fte",
]


@router.get("/workforce")
def workforce_page(
    request: Request,
    principal: CurrentPrincipal,
    services: Services,
    as_of: str | None = None,
    la: str | None = None,
) -> Response:
    page = Page(request, principal)
    code, on = authority(principal, la), day(as_of)
    posts, msg = fetch(
        principal,
        lambda: services.call(establishment.establishment_summary, la_code=code, as_of=on),
    )
    page.add(
        TableView(
            "establishment",
            "Establishment by role (FTE): budgeted posts and who fills them",
            posts,
            columns=[
                "role",
                "establishment_fte",
                "permanent_fte",
                "vacancy_fte",
                "agency_fte",
                "agency_covering_vacancies_fte",
                "uncovered_vacancy_fte",
                "over_establishment_fte",
            ],
            message=msg,
        )
    )
    when = on or first_date(posts)
    rates, msg = fetch(
        principal,
        lambda: services.call(workforce.workforce_indicators, la_code=code, as_of=when, by="team"),
    )
    page.add(
        TableView(
            "rates_by_team",
            "Agency, vacancy, turnover and absence rates by team, 12 months to the date (%)",
            rates,
            columns=["team", *RATES, "inpost_fte", "caseload_fte"],
            message=msg,
        )
    )
    months, msg = fetch(
        principal,
        lambda: services.call(turnover.turnover_by_month, la_code=code, as_of=on, months=24),
    )
    table = TableView(
        "turnover",
        "Turnover by month and over the rolling 12 months (%)",
        months,
        columns=[
            "month",
            "headcount_start",
            "leavers",
            "turnover_rate",
            "voluntary_turnover_rate",
            "leavers_12m",
            "turnover_rate_12m",
            "voluntary_turnover_rate_12m",
        ],
        message=msg,
    )
    page.add(
        table,
        ChartView(
            "turnover",
            "Turnover: month by month and rolling 12 months (%)",
            charts.line(
                months, x="month", y=["turnover_rate", "turnover_rate_12m"], title="", y_title="%"
            ),
            table.id,
        ),
    )
    experience, msg = fetch(
        principal, lambda: services.call(turnover.experience_profile, la_code=code, as_of=on)
    )
    page.add(
        TableView(
            "experience",
            "Experience of the social workers in post (% under 2 and 5 years)",
            experience,
            columns=[
                "headcount",
                "qualified_under_2y_pct",
                "qualified_under_5y_pct",
                "in_authority_under_2y_pct",
                "in_authority_under_5y_pct",
            ],
            message=msg,
        )
    )
    survival, msg = fetch(
        principal, lambda: services.call(turnover.time_in_post, la_code=code, as_of=on)
    )
    page.add(
        TableView(
            "survival",
            "Time in post: share leaving within 1, 2 and 5 years of starting (Kaplan-Meier)",
            survival,
            columns=[
                "spells",
                "leavers",
                "left_within_1y_pct",
                "left_within_2y_pct",
                "left_within_5y_pct",
                "median_years",
            ],
            message=msg,
        )
    )
    curve, msg = fetch(
        principal, lambda: services.call(turnover.time_in_post_curve, la_code=code, as_of=on)
    )
    table = TableView(
        "survival_curve",
        "Survival curve: share still in post by years since starting",
        curve,
        columns=["years", "at_risk", "leavers", "survival"],
        message=msg,
    )
    spec = charts.line(curve, x="years", y=["survival"], title="", y_title="Share still in post")
    spec["encoding"]["x"] = {"field": "years", "type": "quantitative", "title": "Years in post"}
    spec["mark"] = {"type": "line", "interpolate": "step-after"}
    page.add(
        table,
        ChartView("survival_curve", "Share still in post by years since starting", spec, table.id),
    )
    leavers, msg = fetch(
        principal, lambda: services.call(turnover.leavers_breakdown, la_code=code, as_of=on)
    )
    page.add(
        TableView(
            "leavers",
            "Leavers of the 12 months by reason for leaving",
            leavers,
            columns=["label", "leavers_headcount", "leavers_fte", "share_headcount"],
            labels={"label": "Reason"},
            message=msg,
        )
    )
    checks, msg = attempt(
        lambda: services.call(agency.agency_check, code, on or when or date.today())
    )
    checks = access.visible_rows(principal, checks or [])
    summary = agency.summary(checks) if not msg else {}
    page.add(
        TableView(
            "agency_summary",
            "DfE agency rules: breaches and checks that could not be made",
            [{"figure": k.replace("_", " "), "count": v} for k, v in summary.items()],
            message=msg,
        )
    )
    detail = principal.role in (access.ADMIN, access.ANALYST)
    if detail and not msg:
        access.audit(principal, "view_workers", {"page": "workforce", "table": "agency_breaches"})
    page.add(
        TableView(
            "agency_breaches",
            "DfE agency rules: each breach and missing fact, by worker",
            [r for r in checks if r.get("status") != "pass"] if detail else [],
            columns=["worker_id", "agency", "role", "rule", "status", "detail"],
            message=msg
            or (None if detail else "The worker-level list is open to analysts and admins."),
        )
    )
    return page.respond("pages/workforce.html", title="Workforce", as_of=when)
