"""Demand by period (domain/demand.py): hand-worked boundaries and properties of the open numbers.

The end-to-end figures (through the SSD import, on SQLite and PostgreSQL) are in
tests/services/test_demand_services.py."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from itertools import pairwise

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from caseloads.domain.demand import (
    DemandRecords,
    demand_table,
    flag_re_referrals,
    open_at,
    period_calendar,
    reporting_year,
    spells,
)

S, D = pl.String(), pl.Date()


def frame(rows: list[tuple[object, ...]], columns: dict[str, pl.DataType]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=columns, orient="row")


def records(
    *,
    contacts: Sequence[date] = (),
    referrals: Sequence[tuple[str, date]] = (),
    cp_plans: Sequence[tuple[str, date, date | None]] = (),
    cla: Sequence[tuple[str, date, date | None, str | None]] = (),
) -> DemandRecords:
    base = {"la_code": S, "child_id": S, "team_id": S}
    return DemandRecords(
        contacts=frame(
            [("1", f"c{i}", None, d) for i, d in enumerate(contacts)],
            {**base, "contact_date": D},
        ),
        referrals=frame([("1", c, None, d) for c, d in referrals], {**base, "referral_date": D}),
        assessments=frame([], {**base, "start_date": D, "auth_date": D}),
        s47_enquiries=frame([], {**base, "start_date": D}),
        icpcs=frame([], {**base, "icpc_date": D}),
        cin_plans=frame([], {**base, "start_date": D, "end_date": D}),
        cp_plans=frame(
            [("1", c, None, s, e) for c, s, e in cp_plans],
            {**base, "start_date": D, "end_date": D},
        ),
        cla_episodes=frame(
            [("1", c, None, s, e, ls) for c, s, e, ls in cla],
            {**base, "start_date": D, "ceased_date": D, "legal_status": S},
        ),
    )


POPULATION = pl.DataFrame({"la_code": ["1"], "year": [2023], "population": [5000.0]})


def test_calendar_months_and_weeks() -> None:
    months = period_calendar(date(2024, 1, 31), date(2024, 3, 1), "month")
    assert months.rows() == [
        (date(2024, 1, 1), date(2024, 1, 31)),
        (date(2024, 2, 1), date(2024, 2, 29)),  # a leap year
        (date(2024, 3, 1), date(2024, 3, 31)),
    ]
    # 1 January 2025 is a Wednesday: its ISO week starts on Monday 30 December 2024.
    weeks = period_calendar(date(2025, 1, 1), date(2025, 1, 6), "week")
    assert weeks.rows() == [
        (date(2024, 12, 30), date(2025, 1, 5)),
        (date(2025, 1, 6), date(2025, 1, 12)),
    ]


def test_reporting_year_of_the_population_estimate() -> None:
    days = pl.DataFrame({"d": [date(2024, 3, 31), date(2024, 4, 1), date(2025, 1, 15)]})
    # 31 March 2024 closes the reporting year 2023-24 (mid-2023 estimate); 1 April 2024 opens
    # 2024-25 (mid-2024), which 15 January 2025 is also in.
    assert days.select(reporting_year("d")).to_series().to_list() == [2023, 2024, 2024]


def test_re_referrals_within_12_months() -> None:
    flagged = flag_re_referrals(
        frame(
            [
                ("1", "a", None, date(2023, 4, 1)),
                ("1", "a", None, date(2024, 3, 31)),  # 365 days on, within the 12 months
                ("1", "b", None, date(2023, 4, 1)),
                ("1", "b", None, date(2024, 4, 1)),  # exactly a year on: not within
                ("1", "c", None, date(2023, 2, 28)),
                ("1", "c", None, date(2024, 2, 29)),  # 12 months to 29 Feb: from 1 March 2023
                ("1", "d", None, date(2023, 3, 1)),
                ("1", "d", None, date(2024, 2, 29)),  # within
                ("1", "e", None, date(2024, 5, 1)),
                ("1", "e", None, date(2024, 5, 1)),  # the same referral twice counts once
                ("1", "f", None, date(2022, 1, 1)),
                ("1", "f", None, date(2022, 6, 1)),
                ("1", "f", None, date(2023, 5, 1)),  # within 12 months of 1 June 2022
            ],
            {"la_code": S, "child_id": S, "team_id": S, "referral_date": D},
        )
    )
    got = {(r["child_id"], r["referral_date"]): r["re_referral"] for r in flagged.to_dicts()}
    assert got == {
        ("a", date(2023, 4, 1)): False,
        ("a", date(2024, 3, 31)): True,
        ("b", date(2023, 4, 1)): False,
        ("b", date(2024, 4, 1)): False,
        ("c", date(2023, 2, 28)): False,
        ("c", date(2024, 2, 29)): False,
        ("d", date(2023, 3, 1)): False,
        ("d", date(2024, 2, 29)): True,
        ("e", date(2024, 5, 1)): False,
        ("f", date(2022, 1, 1)): False,
        ("f", date(2022, 6, 1)): True,
        ("f", date(2023, 5, 1)): True,
    }


def test_periods_of_care_and_short_breaks() -> None:
    table = demand_table(
        records(
            cla=[
                # 903 episodes of one period of care: the next starts on the previous DEC.
                ("a", date(2024, 1, 10), date(2024, 2, 1), "C2"),
                ("a", date(2024, 2, 1), date(2024, 3, 31), "C2"),
                # Re-entry the day after ceasing is a new period of care.
                ("b", date(2024, 1, 5), date(2024, 1, 31), "V2"),
                ("b", date(2024, 2, 1), None, "V2"),
                # Short breaks are not counted.
                ("c", date(2024, 1, 1), None, "V3"),
            ]
        ),
        date(2024, 1, 1),
        date(2024, 3, 31),
        "month",
        ["1"],
        POPULATION,
    )
    got = table.select("cla_started", "cla_ended", "cla_open").rows()
    # January: a and b start, b ceases on the 31st (not open at its end): open 1 (a).
    # February: b starts again; open a and b. March: a ceases on the 31st: open b.
    assert got == [(2, 1, 1), (1, 0, 2), (0, 1, 1)]


def test_conversion_rate_and_rates_per_10000() -> None:
    table = demand_table(
        records(
            contacts=[date(2024, 5, 1)] * 8,
            referrals=[("a", date(2024, 5, 2)), ("b", date(2024, 5, 31)), ("c", date(2024, 5, 9))],
        ),
        date(2024, 5, 1),
        date(2024, 6, 30),
        "month",
        ["1"],
        POPULATION,
    )
    may, june = table.to_dicts()
    # 3 referrals / 8 contacts = 37.5%; none in June, and no contacts: no rate.
    assert (may["contacts"], may["referrals"], may["conversion_rate"]) == (8, 3, 37.5)
    assert june["conversion_rate"] is None
    # Periods after the latest estimate (mid-2023, for April 2023 - March 2024) use it: 3 /
    # 5,000 x 10,000 = 6.0.
    assert (may["population_year"], may["referrals_per_10k"]) == (2023, 6.0)
    # No data a year before (the data starts on 1 May 2024): no change.
    assert may["referrals_change"] is None


# --- properties -------------------------------------------------------------------------------

DAY0 = date(2023, 1, 1)
intervals = st.lists(
    st.tuples(
        st.sampled_from(["a", "b", "c", "d"]),
        st.integers(0, 500),
        st.one_of(st.none(), st.integers(0, 200)),
    ),
    max_size=25,
)


def as_plans(drawn: list[tuple[str, int, int | None]]) -> list[tuple[str, date, date | None]]:
    return [
        (child, DAY0 + timedelta(days=s), None if n is None else DAY0 + timedelta(days=s + n))
        for child, s, n in drawn
    ]


@settings(max_examples=60, deadline=None)
@given(intervals, st.sampled_from(["month", "week"]), st.integers(0, 300))
def test_open_numbers_are_the_definition_and_follow_the_flows(
    drawn: list[tuple[str, int, int | None]], freq: str, offset: int
) -> None:
    plans = as_plans(drawn)
    first = DAY0 + timedelta(days=offset)
    table = demand_table(
        records(cp_plans=plans), first, first + timedelta(days=150), freq, ["1"], POPULATION
    )
    rows = table.to_dicts()
    merged = spells(records(cp_plans=plans).cp_plans, "start_date", "end_date")
    for row in rows:
        end = row["period_end"]
        # Plain Python, from the definition: children with a plan open at the end of the
        # period's last day (started on or before it, not ended on or before it).
        children = {c for c, s, e in plans if s <= end and (e is None or e > end)}
        assert row["cp_plans_open"] == len(children) == open_at(merged, end).height
    for before, after in pairwise(rows):
        assert after["cp_plans_open"] == (
            before["cp_plans_open"] + after["cp_plans_started"] - after["cp_plans_ended"]
        )


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abc"), st.integers(0, 1200)), max_size=20))
def test_re_referrals_against_a_plain_reading(drawn: list[tuple[str, int]]) -> None:
    referrals = [(c, DAY0 + timedelta(days=n)) for c, n in drawn]
    flagged = flag_re_referrals(
        frame(
            [("1", c, None, d) for c, d in referrals],
            {"la_code": S, "child_id": S, "team_id": S, "referral_date": D},
        )
    )
    for row in flagged.to_dicts():
        day = row["referral_date"]
        try:
            year_before = day.replace(year=day.year - 1)
        except ValueError:  # 29 February
            year_before = date(day.year - 1, 2, 28)
        earlier = [d for c, d in referrals if c == row["child_id"] and year_before < d < day]
        assert row["re_referral"] == bool(earlier)
