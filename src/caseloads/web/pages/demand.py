"""Demand: contacts and referrals by month with the conversion rate, children in need (CIN
plans), child protection plans and children looked after open at each month end
(``services.demand.demand_by_period``, 12 months to the date), and the published rates per
10,000 children beside England, the region and statistical neighbours (``services.benchmark``)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response

from caseloads.services import benchmark, demand
from caseloads.web import charts
from caseloads.web.deps import CurrentPrincipal, Services
from caseloads.web.pages.common import authority, day, fetch
from caseloads.web.render import ChartView, Page, TableView

router = APIRouter()


def month_window(on: date) -> tuple[date, date]:
    """The 12 whole months ending with the month of ``on``."""
    start = date(on.year - 1, on.month, 1)
    start = date(start.year + (start.month // 12), start.month % 12 + 1, 1)
    return start, on


@router.get("/demand")
def demand_page(
    request: Request,
    principal: CurrentPrincipal,
    services: Services,
    as_of: str | None = None,
    la: str | None = None,
) -> Response:
    page = Page(request, principal)
    code = authority(principal, la)
    on = day(as_of) or date.today()
    first, last = month_window(on)
    months, msg = fetch(
        principal,
        lambda: services.call(
            demand.demand_by_period, date_from=first, date_to=last, freq="month", la_code=code
        ),
    )
    table = TableView(
        "front_door",
        "Contacts and referrals by month, with the conversion rate (%)",
        months,
        columns=["period_start", "contacts", "referrals", "conversion_rate", "re_referral_rate"],
        labels={"period_start": "Month"},
        message=msg,
    )
    page.add(
        table,
        ChartView(
            "front_door",
            "Contacts and referrals by month",
            charts.line(
                months,
                x="period_start",
                y=["contacts", "referrals"],
                title="",
                y_title="Number",
                time_unit="yearmonth",
            ),
            table.id,
        ),
    )
    table = TableView(
        "open_cases",
        "Children in need, on child protection plans and looked after, open at each month end",
        months,
        columns=[
            "period_start",
            "cin_plans_open",
            "cp_plans_open",
            "cla_open",
            "cin_plans_open_per_10k",
            "cp_plans_open_per_10k",
            "cla_open_per_10k",
        ],
        labels={"period_start": "Month"},
        message=msg,
    )
    page.add(
        table,
        ChartView(
            "open_cases",
            "CIN plans, CP plans and children looked after open at month end",
            charts.line(
                months,
                x="period_start",
                y=["cin_plans_open", "cp_plans_open", "cla_open"],
                title="",
                y_title="Children",
                time_unit="yearmonth",
            ),
            table.id,
        ),
    )
    published, msg = fetch(
        principal, lambda: services.call(benchmark.benchmark_comparison, code, None)
    )
    rates = [r for r in published if str(r.get("measure", "")).endswith("_per_10000")]
    page.add(
        TableView(
            "rates",
            "Rates per 10,000 children beside England, region and statistical neighbours",
            rates,
            columns=[
                "label",
                "year",
                "value",
                "england_value",
                "region_value",
                "sn_mean",
                "sn_rank",
                "computed",
            ],
            labels={
                "label": "Measure",
                "value": "Published",
                "england_value": "England",
                "region_value": "Region",
                "sn_mean": "Statistical neighbours (mean)",
                "sn_rank": "Rank among neighbours",
                "computed": "From loaded data",
            },
            message=msg,
        )
    )
    return page.respond("pages/demand.html", title="Demand", as_of=on)
