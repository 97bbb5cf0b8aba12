"""Overview: the headline workforce figures of the 12 months to the date (staff extract, via
``services.workforce``) beside the latest published DfE figures for the authority, England,
its region and its statistical neighbours (``services.benchmark``); the caseload picture by
team status (``services.caseload``); and 12-month trends of allocated children per FTE
(``caseload_history``) and rolling turnover (``services.turnover``)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from caseloads.services import benchmark, caseload, turnover, workforce
from caseloads.web import charts
from caseloads.web.deps import CurrentPrincipal, Services
from caseloads.web.pages.common import Rows, authority, day, fetch, first_date, year_before
from caseloads.web.render import ChartView, Page, TableView

router = APIRouter()

#: The headline measures, in DfE names, with their labels.
HEADLINES = {
    "inpost_fte": "Social workers in post (FTE)",
    "turnover_rate_fte": "Turnover rate (FTE, %)",
    "agency_rate_fte": "Agency rate (FTE, %)",
    "vacancy_rate_fte": "Vacancy rate (FTE, %)",
    "caseload_fte": "Average caseload per case-holding FTE",
    "absence_rate_fte": "Absence rate (%)",
}


def headline_rows(own: Rows, published: Rows) -> Rows:
    """One row per headline measure: ours for the 12 months, the published figures beside."""
    mine = own[0] if own else {}
    by_measure = {r["measure"]: r for r in published}
    rows = []
    for measure, text in HEADLINES.items():
        pub: dict[str, Any] = by_measure.get(measure, {})
        rows.append(
            {
                "measure": text,
                "this_authority": mine.get(measure),
                "published_year": pub.get("year"),
                "published": pub.get("value")
                if pub.get("value") is not None
                else pub.get("symbol"),
                "england": pub.get("england_value"),
                "region": pub.get("region_value"),
                "sn_mean": pub.get("sn_mean"),
                "sn_rank": f"{pub['sn_rank']} of {pub['sn_ranked']}"
                if pub.get("sn_rank")
                else None,
            }
        )
    return rows


def monthly_totals(history: Rows) -> Rows:
    """The team rows of each month summed: children, FTE, and children per FTE."""
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for row in history:
        sums[row["as_of"]][0] += row.get("children") or 0
        sums[row["as_of"]][1] += row.get("fte") or 0.0
    return [
        {
            "month": month,
            "children": int(children),
            "fte": round(fte, 1),
            "children_per_fte": round(children / fte, 1) if fte else None,
        }
        for month, (children, fte) in sorted(sums.items())
    ]


def status_rows(teams: Rows) -> Rows:
    out: dict[str, dict[str, Any]] = {}
    for row in teams:
        entry = out.setdefault(row["status"], {"status": row["status"], "teams": 0, "children": 0})
        entry["teams"] += 1
        entry["children"] += row.get("children") or 0
    return list(out.values())


@router.get("/")
def overview(
    request: Request,
    principal: CurrentPrincipal,
    services: Services,
    as_of: str | None = None,
    la: str | None = None,
) -> Response:
    page = Page(request, principal)
    code, on = authority(principal, la), day(as_of)
    teams, team_msg = fetch(
        principal,
        lambda: services.call(caseload.caseload_picture, la_code=code, as_of=on, by="team"),
    )
    when = on or first_date(teams)
    own, own_msg = fetch(
        principal, lambda: services.call(workforce.workforce_indicators, la_code=code, as_of=when)
    )
    published, pub_msg = fetch(
        principal, lambda: services.call(benchmark.benchmark_comparison, code, None)
    )
    page.add(
        TableView(
            "headline",
            "Workforce over the 12 months to the date, and the latest published figures",
            headline_rows(own, published) if not own_msg else [],
            labels={
                "this_authority": "This authority (12 months)",
                "published_year": "Published year",
                "published": "Published",
                "sn_mean": "Statistical neighbours (mean)",
                "sn_rank": "Rank among neighbours",
            },
            message=own_msg or pub_msg,
            note="Published figures: DfE children's social work workforce statistics (year to "
            "30 September). Rank 1 = highest value.",
        )
    )
    page.add(
        TableView(
            "teams_by_status",
            f"Teams by caseload status on {when}",
            status_rows(teams),
            labels={"status": "Status"},
            message=team_msg,
            note="Status compares each team's weighted demand with its available FTE at the team "
            "type's safe standard.",
        )
    )
    trend: Rows = []
    trend_msg = team_msg
    if when is not None and not team_msg:
        history, trend_msg = fetch(
            principal,
            lambda: services.call(
                caseload.caseload_history,
                start=year_before(when),
                end=when,
                freq="month",
                by="team",
                la_code=code,
            ),
        )
        trend = monthly_totals(history)
    table = TableView(
        "caseload_trend",
        "Children allocated and children per FTE, month by month",
        trend,
        message=trend_msg,
    )
    page.add(
        table,
        ChartView(
            "caseload_trend",
            "Children per FTE, month by month",
            charts.line(
                trend, x="month", y=["children_per_fte"], title="", y_title="Children per FTE"
            ),
            table.id,
        ),
    )
    months, months_msg = fetch(
        principal,
        lambda: services.call(turnover.turnover_by_month, la_code=code, as_of=on, months=12),
    )
    ttable = TableView(
        "turnover_trend",
        "Turnover over the rolling 12 months, %",
        months,
        columns=["month", "turnover_rate_12m", "voluntary_turnover_rate_12m", "headcount_end"],
        message=months_msg,
    )
    page.add(
        ttable,
        ChartView(
            "turnover_trend",
            "Turnover over the rolling 12 months (%)",
            charts.line(
                months,
                x="month",
                y=["turnover_rate_12m", "voluntary_turnover_rate_12m"],
                title="",
                y_title="%",
            ),
            ttable.id,
        ),
    )
    totals = {
        "children": sum(
            r.get("children") or 0 for r in teams if isinstance(r.get("children"), int)
        ),
        "teams": len(teams),
        "pressured": sum(1 for r in teams if r.get("status") == "under_pressure"),
    }
    return page.respond(
        "pages/overview.html",
        title="Overview",
        as_of=when,
        own=own[0] if own else {},
        totals=totals,
    )
