"""``caseloads demand`` and ``caseloads stability`` (see :mod:`caseloads.services.demand` and
:mod:`caseloads.services.stability`)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any

import typer

from caseloads.cli_support import TableFormat, emit, settings_of, user_errors
from caseloads.commands.workforce import (
    FormatOption,
    LaOption,
    one_place,
    parse_date,
    transposed,
)
from caseloads.domain.demand import COUNTS, PERCENTAGES
from caseloads.domain.stability import DEFAULT_ALLOCATED_ROLES
from caseloads.errors import CaseloadsError

_DEMAND_HELP = (
    "Demand month by month (or week by week, Monday to Sunday) from the loaded case records: "
    "contacts, referrals, the contact-to-referral conversion rate (referrals / contacts in the "
    "period, %), re-referrals within 12 months of the child's previous referral and their rate, "
    "assessments started and completed, section 47 enquiries started, initial child protection "
    "conferences, and CIN plans, CP plans and periods of care (CLA) started, ended and open at "
    "the end of each period (started on or before its last day and not ended on or before it). "
    "Rates per 10,000 children aged 0-17 use the ONS mid-year estimate of the reporting year "
    "(April to March) holding the period's first day, as the DfE does; --population replaces it. "
    "Each figure also has its change on the same period a year before.\n\n"
    "The table shows the counts (--view counts), the rates (--view per10k) or the changes "
    "(--view change); csv and json give every column."
)
_STABILITY_HELP = (
    "Social worker stability: for the 12 months to --as-of (from the day after the same date a "
    "year before), the number of different allocated social workers each child had, and how "
    "many and what share of the children had 3 or more (the DfE measure). --cohort allocated "
    "(default) counts every child with an allocated worker in the 12 months; --cohort cla counts "
    "the children looked after at the end of --as-of, as the DfE publishes it (la_cla_swcount). "
    "Allocated worker: involvements whose role is one of --role (default: the weighting "
    "scheme's allocated_roles setting, shipped as CW and Allocated Case Worker; any case); start "
    "and end dates inclusive, an empty end still held; a worker held twice counts once. "
    "--by-child lists each child instead."
)


class DemandFreq(StrEnum):
    month = "month"
    week = "week"


class DemandBy(StrEnum):
    team = "team"


class DemandView(StrEnum):
    counts = "counts"
    per10k = "per10k"
    change = "change"


class Cohort(StrEnum):
    allocated = "allocated"
    cla = "cla"


def register(app: typer.Typer) -> None:
    """Add ``demand`` and ``stability`` to the app."""
    app.command(
        "demand",
        help=_DEMAND_HELP,
        short_help="Contacts, referrals, conversion, re-referrals, plans and CLA by month or week.",
    )(demand)
    app.command(
        "stability",
        help=_STABILITY_HELP,
        short_help="Children with 3 or more social workers in the 12 months to a date (DfE).",
    )(stability)


def _required_date(text: str, option: str) -> date:
    day = parse_date(text, option)
    if day is None:  # pragma: no cover - typer requires the option
        raise CaseloadsError(f"{option} is required")
    return day


def _view_columns(view: DemandView) -> list[str]:
    if view is DemandView.counts:
        return [*COUNTS[:2], "conversion_rate", COUNTS[2], "re_referral_rate", *COUNTS[3:]]
    if view is DemandView.per10k:
        return ["population", *(f"{c}_per_10k" for c in COUNTS)]
    return [f"{c}_change" for c in (*COUNTS, *PERCENTAGES)]


def demand(
    ctx: typer.Context,
    date_from: Annotated[str, typer.Option("--from", help="First day (YYYY-MM-DD).")],
    date_to: Annotated[str, typer.Option("--to", help="Last day (YYYY-MM-DD).")],
    freq: Annotated[DemandFreq, typer.Option("--freq", help="Months or weeks.")] = (
        DemandFreq.month
    ),
    la: LaOption = None,
    by: Annotated[
        DemandBy | None,
        typer.Option("--by", help="Per team the records name.", show_default=False),
    ] = None,
    population: Annotated[
        int | None,
        typer.Option(
            "--population",
            help="Children aged 0-17 to divide by, instead of the ONS estimate.",
            show_default=False,
        ),
    ] = None,
    view: Annotated[
        DemandView, typer.Option("--view", help="What the table shows.")
    ] = DemandView.counts,
    fmt: FormatOption = TableFormat.table,
) -> None:
    from caseloads.services.database import open_database
    from caseloads.services.demand import demand_by_period

    with user_errors():
        first = _required_date(date_from, "--from")
        last = _required_date(date_to, "--to")
        db = open_database(settings_of(ctx))
        try:
            rows = demand_by_period(
                db,
                date_from=first,
                date_to=last,
                freq=freq.value,
                la_code=la,
                by=None if by is None else by.value,
                population=population,
            )
        finally:
            db.dispose()
    if fmt is not TableFormat.table:
        emit(rows, fmt)
        return
    several = len({r["la_code"] for r in rows}) > 1
    keys = (["la_code"] if several else []) + (["team"] if by is not None else [])
    shown: list[dict[str, Any]] = [
        {**r, "team": r.get("team") or r.get("team_id") or "(no team)"} if by else r for r in rows
    ]
    table, columns = transposed(shown, [*keys, "period_start"], _view_columns(view))
    emit(
        table,
        fmt,
        title=f"Demand by {freq.value} from the {freq.value} starting ({view.value}; "
        "conversion and re-referral rates in %)",
        columns=columns,
    )


def stability(
    ctx: typer.Context,
    as_of: Annotated[str, typer.Option("--as-of", help="The date (YYYY-MM-DD).")],
    la: LaOption = None,
    cohort: Annotated[Cohort, typer.Option("--cohort", help="Which children count.")] = (
        Cohort.allocated
    ),
    role: Annotated[
        list[str] | None,
        typer.Option(
            "--role",
            help="An involvement role counted as allocated social worker (repeat for more). "
            "Default: the allocated_roles setting of the weighting scheme in force on the date "
            f"(`caseloads weights show`; shipped: {', '.join(DEFAULT_ALLOCATED_ROLES)}).",
            show_default=False,
        ),
    ] = None,
    by_child: Annotated[
        bool, typer.Option("--by-child", help="List each child and its number of workers.")
    ] = False,
    fmt: FormatOption = TableFormat.table,
) -> None:
    from caseloads.services.database import open_database
    from caseloads.services.stability import social_worker_stability, workers_by_child

    roles = tuple(role) if role else None
    with user_errors():
        day = _required_date(as_of, "--as-of")
        db = open_database(settings_of(ctx))
        try:
            if by_child:
                rows = workers_by_child(db, as_of=day, la_code=la, cohort=cohort.value, roles=roles)
            else:
                rows = social_worker_stability(
                    db, as_of=day, la_code=la, cohort=cohort.value, roles=roles
                )
        finally:
            db.dispose()
    title = (
        "Allocated social workers per child, 12 months to " + day.isoformat()
        if by_child
        else "Children with 3 or more allocated social workers in the 12 months (share in %)"
    )
    emit(
        [{k: one_place(v) for k, v in r.items()} for r in rows]
        if fmt is TableFormat.table
        else rows,
        fmt,
        title=title,
    )
