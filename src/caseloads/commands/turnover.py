"""Turnover in more detail: ``caseloads turnover``, ``leavers``, ``experience`` and ``survival``
(see :mod:`caseloads.services.turnover`)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from caseloads.cli_support import TableFormat, emit, out, settings_of, user_errors
from caseloads.commands.workforce import FormatOption, LaOption, WorkforceBy, one_place, parse_date

_AS_OF = "The date (YYYY-MM-DD). Default: the latest date the staff extract records."
_YEAR = "CSWW census year (year ending 30 September): from the CSWW return instead."

_TURNOVER_HELP = (
    "Social worker turnover month by month, from the staff extract: leavers in the month over "
    "the headcount in post on its first day, and over the rolling 12 months to the month's "
    "end (the DfE's turnover: leavers over headcount in post at the end, not counting those "
    "who started and left within the 12 months; a September gives the census year's "
    "turnover_rate_headcount). Both for all reasons and for resignations only (voluntary). "
    "Directly employed staff; moves inside the authority are not leaving."
)
_LEAVERS_HELP = (
    "The leavers of a census year (--year: the CSWW return) or of the 12 months to a date "
    "(the staff extract) by CSWW reason for leaving (--by reason) or destination (--by "
    "destination, CSWW return only), every code with its DfE label; destinations also show "
    "the DfE attrition group (mover between authorities, agency attrition, full attrition)."
)
_EXPERIENCE_HELP = (
    "The experience profile of the directly employed headcount in post: the share qualified "
    "less than 2 and less than 5 years (staff extract qualified_date; shares of those whose "
    "date is known) and in the authority less than 2 and 5 years (since the start of their "
    "current spell of direct employment; for a CSWW return --year, since RoleStartDate, the "
    "DfE's time in service)."
)
_SURVIVAL_HELP = (
    "Kaplan-Meier survival of time in post of directly employed staff (staff extract): the "
    "share leaving within 1, 2 and 5 years of starting and the median time in post. Each "
    "unbroken spell of direct employment is one subject; it leaves when the spell ends "
    "(--voluntary: only resignations count as leaving, others are censored) and is censored "
    "at the date if still in post. Spells that began before the data window (--since: the "
    "first day the extract's records are complete; default, its earliest leaving date) are "
    "left-truncated: they count as at risk only from then. --curve prints the estimated curve "
    "instead."
)


class LeaversBy(StrEnum):
    reason = "reason"
    destination = "destination"


def register(app: typer.Typer) -> None:
    """Add ``turnover``, ``leavers``, ``experience`` and ``survival`` to the app."""
    app.command(
        "turnover",
        help=_TURNOVER_HELP,
        short_help="Turnover by month and over rolling 12 months, all reasons and resignations.",
    )(turnover)
    app.command(
        "leavers",
        help=_LEAVERS_HELP,
        short_help="Leavers by CSWW reason for leaving or destination.",
    )(leavers)
    app.command(
        "experience",
        help=_EXPERIENCE_HELP,
        short_help="Share of staff under 2 and 5 years qualified and in the authority.",
    )(experience)
    app.command(
        "survival",
        help=_SURVIVAL_HELP,
        short_help="Time in post (Kaplan-Meier): share leaving within 1, 2, 5 years; median.",
    )(survival)


AsOfOption = Annotated[str | None, typer.Option("--as-of", help=_AS_OF, show_default=False)]
YearOption = Annotated[int | None, typer.Option("--year", help=_YEAR, show_default=False)]
ByOption = Annotated[
    WorkforceBy | None, typer.Option("--by", help="Group by team or role.", show_default=False)
]


def _group_columns(by: WorkforceBy | None, several: bool) -> list[str]:
    groups = {None: [], "team": ["team"], "role": ["role"]}[None if by is None else by.value]
    return (["la_code"] if several else []) + groups


def _formatted(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    return [{k: one_place(v) for k, v in row.items()} for row in rows]


def turnover(
    ctx: typer.Context,
    la: LaOption = None,
    as_of: AsOfOption = None,
    months: Annotated[
        int, typer.Option("--months", help="How many whole months, up to the date.")
    ] = 24,
    by: ByOption = None,
    fmt: FormatOption = TableFormat.table,
) -> None:
    from caseloads.services.database import open_database
    from caseloads.services.turnover import turnover_by_month

    with user_errors():
        day = parse_date(as_of, "--as-of")
        db = open_database(settings_of(ctx))
        try:
            rows = turnover_by_month(
                db, la_code=la, as_of=day, months=months, by=None if by is None else by.value
            )
        finally:
            db.dispose()
    if fmt is not TableFormat.table:
        emit(rows, fmt)
        return
    several = len({r["la_code"] for r in rows}) > 1
    columns = [
        *_group_columns(by, several),
        "month",
        "headcount_start",
        "leavers",
        "turnover_rate",
        "voluntary_leavers",
        "voluntary_turnover_rate",
        "headcount_end",
        "leavers_12m",
        "turnover_rate_12m",
        "voluntary_turnover_rate_12m",
    ]
    emit(
        _formatted(rows),
        fmt,
        title="Turnover by month (%; 12m = rolling 12 months)",
        columns=columns,
    )


def leavers(
    ctx: typer.Context,
    la: LaOption = None,
    year: YearOption = None,
    as_of: AsOfOption = None,
    by: Annotated[
        LeaversBy, typer.Option("--by", help="By reason for leaving or destination.")
    ] = LeaversBy.reason,
    fmt: FormatOption = TableFormat.table,
) -> None:
    from caseloads.services.database import open_database
    from caseloads.services.turnover import leavers_breakdown

    with user_errors():
        day = parse_date(as_of, "--as-of")
        db = open_database(settings_of(ctx))
        try:
            rows = leavers_breakdown(db, la_code=la, year=year, as_of=day, by=by.value)
        finally:
            db.dispose()
    if fmt is not TableFormat.table:
        emit(rows, fmt)
        return
    several = len({r["la_code"] for r in rows}) > 1
    extra = ["attrition_group"] if by is LeaversBy.destination else []
    columns = [
        *(["la_code"] if several else []),
        "code",
        "label",
        *extra,
        "leavers_headcount",
        "leavers_fte",
        "share_headcount",
    ]
    first = rows[0] if rows else {}
    title = f"Leavers by {by.value}, {first.get('period_start')} to {first.get('as_of')}"
    emit(_formatted(rows), fmt, title=title, columns=columns)


def experience(
    ctx: typer.Context,
    la: LaOption = None,
    year: YearOption = None,
    as_of: AsOfOption = None,
    by: ByOption = None,
    fmt: FormatOption = TableFormat.table,
) -> None:
    from caseloads.services.database import open_database
    from caseloads.services.turnover import experience_profile

    with user_errors():
        day = parse_date(as_of, "--as-of")
        db = open_database(settings_of(ctx))
        try:
            rows = experience_profile(
                db, la_code=la, year=year, as_of=day, by=None if by is None else by.value
            )
        finally:
            db.dispose()
    if fmt is not TableFormat.table:
        emit(rows, fmt)
        return
    several = len({r["la_code"] for r in rows}) > 1
    groups = _group_columns(by, several)
    if by is WorkforceBy.role and rows and "org_role" in rows[0]:
        groups = [*(["la_code"] if several else []), "org_role"]
    columns = [
        *groups,
        "headcount",
        "qualified_known",
        "qualified_under_2y_pct",
        "qualified_under_5y_pct",
        "in_authority_under_2y_pct",
        "in_authority_under_5y_pct",
    ]
    first = rows[0] if rows else {}
    title = f"Experience of the headcount in post on {first.get('as_of')} (% under 2 / 5 years)"
    emit(_formatted(rows), fmt, title=title, columns=columns)


def survival(
    ctx: typer.Context,
    la: LaOption = None,
    as_of: AsOfOption = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="First day of complete records in the staff extract (YYYY-MM-DD). Default: "
            "its earliest leaving date.",
            show_default=False,
        ),
    ] = None,
    voluntary: Annotated[
        bool, typer.Option("--voluntary", help="Count only resignations as leaving.")
    ] = False,
    by: ByOption = None,
    curve: Annotated[bool, typer.Option("--curve", help="Print the survival curve.")] = False,
    fmt: FormatOption = TableFormat.table,
) -> None:
    from caseloads.services.database import open_database
    from caseloads.services.turnover import time_in_post, time_in_post_curve

    action = time_in_post_curve if curve else time_in_post
    with user_errors():
        day = parse_date(as_of, "--as-of")
        window = parse_date(since, "--since")
        db = open_database(settings_of(ctx))
        try:
            rows = action(
                db,
                la_code=la,
                as_of=day,
                since=window,
                voluntary_only=voluntary,
                by=None if by is None else by.value,
            )
        finally:
            db.dispose()
    if fmt is not TableFormat.table:
        emit(rows, fmt)
        return
    several = len({r["la_code"] for r in rows}) > 1
    figures = (
        ["years", "at_risk", "leavers", "survival", "left_pct"]
        if curve
        else [
            "spells",
            "left_truncated",
            "leavers",
            "left_within_1y_pct",
            "left_within_2y_pct",
            "left_within_5y_pct",
            "median_years",
        ]
    )
    first = rows[0] if rows else {}
    what = "resignations" if voluntary else "all leaving"
    emit(
        _formatted(rows),
        fmt,
        title=f"Time in post to {first.get('as_of')} ({what}; records from "
        f"{first.get('window_start')})",
        columns=[*_group_columns(by, several), *figures],
    )
    if not curve and rows and any(r["left_within_1y_pct"] is None for r in rows):
        out.print(
            "A blank share: the data do not reach that far, or no spell is seen from its start."
        )
