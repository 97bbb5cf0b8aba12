"""Turnover by month and over rolling 12 months, leavers by reason and destination, experience and
time in post (domain/workforce_turnover.py), worked by hand on tests/domain/staff_example.py."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest
from tests.domain.staff_example import AS_OF, ASSIGNMENT_SCHEMA, SW, frames

from caseloads.domain.csww_codes import LEAVER_DESTINATION, REASON_LEAVE, attrition_group
from caseloads.domain.survival import kaplan_meier
from caseloads.domain.workforce_live import live_indicators
from caseloads.domain.workforce_turnover import (
    attrition_group_expr,
    census_experience,
    census_leavers,
    live_experience,
    live_leavers,
    monthly_turnover,
    survival_summary,
    tabulate_leavers,
    time_in_post,
)


def test_monthly_and_rolling_turnover() -> None:
    """Directly employed on 1 October 2023: W1, W2, W5, W6, W10 (5). W4 joins on 1 November (6),
    W3 on 1 February (7). W2 resigns on 15 March (March: 1 of 7 = 14.3%), W4 resigns on 31 May
    (May: 1 of 6 = 16.7%); W7 retired on 30 September 2023, before the series."""
    assignments, _, _ = frames()
    months = monthly_turnover(assignments, date(2023, 10, 1), AS_OF)
    assert (
        months["month"].to_list()
        == pl.date_range(date(2023, 10, 1), date(2024, 9, 1), "1mo", eager=True).to_list()
    )
    assert months["headcount_start"].to_list() == [5, 6, 6, 6, 7, 7, 6, 6, 5, 5, 5, 5]
    assert months["leavers"].to_list() == [0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0]
    assert months["voluntary_leavers"].to_list() == months["leavers"].to_list()
    by_month = {r["month"]: r for r in months.to_dicts()}
    assert by_month[date(2024, 3, 1)]["turnover_rate"] == 14.3  # 100 × 1 / 7
    assert by_month[date(2024, 5, 1)]["turnover_rate"] == 16.7  # 100 × 1 / 6
    assert by_month[date(2023, 10, 1)]["turnover_rate"] == 0.0
    # Rolling 12 months to 31 March 2024 (from 1 April 2023): W7 (retired, not voluntary) and W2;
    # in post on 31 March: W1, W3, W4, W5, W6, W10 = 6.
    march = by_month[date(2024, 3, 1)]
    assert (march["leavers_12m"], march["voluntary_leavers_12m"], march["headcount_end"]) == (
        2,
        1,
        6,
    )
    assert (march["turnover_rate_12m"], march["voluntary_turnover_rate_12m"]) == (33.3, 16.7)
    # To 30 September 2024: W2 only (W4 started and left within the 12 months): 1 of 5, the DfE
    # turnover of the same period.
    september = by_month[date(2024, 9, 1)]
    assert (september["leavers_12m"], september["headcount_end"]) == (1, 5)
    dfe = live_indicators(assignments, AS_OF).row(0, named=True)
    assert september["turnover_rate_12m"] == dfe["turnover_rate_headcount"] == 20.0


def test_monthly_turnover_by_team() -> None:
    assignments, _, _ = frames()
    months = monthly_turnover(assignments, date(2024, 3, 1), date(2024, 5, 31), by="team")
    got = {
        (r["team_id"], r["month"]): (r["headcount_start"], r["leavers"]) for r in months.to_dicts()
    }
    # 1 March: T1 holds W2, W3, W6 (senior post); T2 holds W1 (promoted), W4, W5, W10.
    assert got[("T1", date(2024, 3, 1))] == (3, 1)  # W2 leaves from T1
    assert got[("T2", date(2024, 3, 1))] == (4, 0)
    assert got[("T2", date(2024, 5, 1))] == (4, 1)  # W4 leaves from T2


def test_leavers_by_reason_from_the_staff_extract() -> None:
    assignments, _, _ = frames()
    table = tabulate_leavers(live_leavers(assignments, AS_OF), REASON_LEAVE)
    assert table.height == 10  # every ReasonLeave code, zeros included
    resigned = table.filter(pl.col("code") == 1).row(0, named=True)
    assert resigned == {
        "la_code": "900",
        "code": 1,
        "label": "Resignation",
        "leavers_headcount": 1,  # W2 (W4 started and left within the year)
        "leavers_fte": 0.8,
        "share_headcount": 100.0,
    }
    assert table["leavers_headcount"].sum() == 1


def test_leavers_without_a_code_are_shown() -> None:
    leavers = pl.DataFrame(
        {
            "la_code": ["900"] * 4,
            "code": [1, 1, 3, None],
            "fte": [1.0, 0.5, 1.0, 0.8],
            "leaver": ["a", "b", "c", "d"],
        }
    )
    table = tabulate_leavers(leavers, LEAVER_DESTINATION)
    assert table.height == 10  # 9 destination codes and "Not recorded"
    last = table.row(-1, named=True)
    assert (last["code"], last["label"], last["leavers_headcount"]) == (None, "Not recorded", 1)
    assert table.filter(pl.col("code") == 1)["share_headcount"].item() == 50.0  # 2 of 4
    groups = table.with_columns(attrition_group_expr().alias("group"))
    assert groups.filter(pl.col("code") == 3)["group"].item() == "agency_attrition"
    assert [attrition_group(c) for c in (1, 3, 6, None)] == [
        "mover",
        "agency_attrition",
        "full_attrition",
        None,
    ]


def census_workers() -> pl.DataFrame:
    """A 2024 return: two leavers (one in two posts), one who started and left, one in post."""
    d = date
    rows = [
        ("900", 2024, "P1", False, 0.0, 1.0, 5, d(2019, 1, 1), d(2024, 3, 31), 1, 1),
        ("900", 2024, "P1", False, 0.0, 0.2, 4, d(2019, 1, 1), d(2024, 3, 31), 1, 1),
        ("900", 2024, "P2", False, 0.0, 0.6, 5, d(2015, 1, 1), d(2024, 7, 31), 5, 6),
        ("900", 2024, "P3", False, 0.0, 1.0, 5, d(2023, 12, 1), d(2024, 8, 31), 1, 3),
        ("900", 2024, "P4", False, 1.0, 1.0, 5, d(2010, 1, 1), None, None, None),
    ]
    return pl.DataFrame(
        rows,
        schema={
            "la_code": pl.String,
            "census_year": pl.Int64,
            "person_key": pl.String,
            "agency": pl.Boolean,
            "fte": pl.Float64,
            "fte30": pl.Float64,
            "org_role": pl.Int64,
            "role_start_date": pl.Date,
            "role_end_date": pl.Date,
            "reason_leave": pl.Int64,
            "leaver_destination": pl.Int64,
        },
        orient="row",
    )


def test_leavers_by_reason_and_destination_from_a_return() -> None:
    by_reason = tabulate_leavers(
        census_leavers(census_workers(), 2024, "reason_leave"), REASON_LEAVE
    )
    # P1 is one leaver (person and leaving date [S1]) with two posts' FTE; P3 started and left.
    resigned = by_reason.filter(pl.col("code") == 1).row(0, named=True)
    assert (resigned["leavers_headcount"], resigned["leavers_fte"]) == (1, 1.2)
    retired = by_reason.filter(pl.col("code") == 5).row(0, named=True)
    assert (retired["leavers_headcount"], retired["share_headcount"]) == (1, 50.0)
    by_destination = tabulate_leavers(
        census_leavers(census_workers(), 2024, "leaver_destination"), LEAVER_DESTINATION
    )
    counts = dict(zip(by_destination["code"], by_destination["leavers_headcount"], strict=True))
    assert counts == {1: 1, 2: 0, 3: 0, 4: 0, 5: 0, 6: 1, 7: 0, 8: 0, 9: 0}


def test_experience_from_the_staff_extract() -> None:
    """In post on 30 September 2024: W1 (in the authority since 2015), W3 (2024), W5 (2020),
    W6 (2019), W10 (2016). Qualified: W1 2010-06-01, W3 2023-07-01 (under 2 years), W5
    2019-10-01 (under 5: five years on 1 October 2024), W6 not known, W10 2022-09-30 (exactly 2
    years: not under 2)."""
    assignments, _, _ = frames()
    workers = pl.DataFrame(
        {
            "la_code": ["900"] * 5,
            "worker_id": ["W1", "W3", "W5", "W6", "W10"],
            "qualified_date": [
                date(2010, 6, 1),
                date(2023, 7, 1),
                date(2019, 10, 1),
                None,
                date(2022, 9, 30),
            ],
        }
    )
    row = live_experience(assignments, workers, AS_OF).row(0, named=True)
    assert (row["headcount"], row["qualified_known"]) == (5, 4)
    assert (row["qualified_under_2y"], row["qualified_under_2y_pct"]) == (1, 25.0)
    assert (row["qualified_under_5y"], row["qualified_under_5y_pct"]) == (3, 75.0)  # W3, W5, W10
    assert (row["in_authority_under_2y"], row["in_authority_under_2y_pct"]) == (1, 20.0)  # W3
    assert (row["in_authority_under_5y"], row["in_authority_under_5y_pct"]) == (2, 40.0)  # W3, W5


def test_experience_from_a_return_has_time_in_service_only() -> None:
    row = census_experience(census_workers(), 2024).row(0, named=True)
    # P4 only is in post, since 2010; the return has no qualification dates.
    assert (row["headcount"], row["in_authority_under_5y"], row["in_authority_under_5y_pct"]) == (
        1,
        0,
        0.0,
    )
    assert (row["qualified_known"], row["qualified_under_2y_pct"]) == (0, None)


def test_time_in_post_subjects() -> None:
    """Spells as survival subjects, days in post from each spell's first day. Window opening 1
    July 2020; as of 31 December 2021.

    - P1: 1 Jan 2020 - 31 Dec 2020 (366 days; 2020 is a leap year), resigned: entered at 182
      (days before 1 July 2020), left at 366.
    - P2: 1 Jan 2021 - open: 0 to 365 (31 Dec 2021), censored.
    - P3: 1 Jan 2018 - 31 Mar 2020: ended before the window; left out.
    - P4: 1 Mar 2021 - 30 Jun 2021, dismissed: 0 to 122 days.
    """
    d = date
    rows = [
        ("900", "P1", "T1", SW, 5, "permanent", 1.0, d(2020, 1, 1), d(2020, 12, 31), 1),
        ("900", "P2", "T1", SW, 5, "permanent", 1.0, d(2021, 1, 1), None, None),
        ("900", "P3", "T1", SW, 5, "permanent", 1.0, d(2018, 1, 1), d(2020, 3, 31), 1),
        ("900", "P4", "T1", SW, 5, "permanent", 1.0, d(2021, 3, 1), d(2021, 6, 30), 4),
    ]
    assignments = pl.DataFrame(rows, schema=ASSIGNMENT_SCHEMA, orient="row")
    subjects, opened = time_in_post(assignments, d(2021, 12, 31), window_start=d(2020, 7, 1))
    assert opened == d(2020, 7, 1)
    got = subjects.sort("exit").select("entry", "exit", "event", "left_truncated").rows()
    assert got == [(0, 122, True, False), (0, 365, False, False), (182, 366, True, True)]
    voluntary, _ = time_in_post(
        assignments, d(2021, 12, 31), window_start=d(2020, 7, 1), voluntary_only=True
    )
    assert voluntary.sort("exit")["event"].to_list() == [False, False, True]  # P4 was dismissed
    # By default the window opens at the earliest leaving date: P3's, 31 March 2020.
    _, default = time_in_post(assignments, d(2021, 12, 31))
    assert default == d(2020, 3, 31)


def test_survival_summary_in_years() -> None:
    """Exits at 200 (left), 400 (left), 800 (in post), 1000 (left), 2000 (in post) days:
    S = 4/5 = 0.8 from day 200, 0.8 × 3/4 = 0.6 from day 400, 0.6 × 1/2 = 0.3 from day 1000.
    Within 1 year (365.25 days) 20% left, within 2 years 40%, within 5 years 70%; the median is
    day 1000 = 2.74 years."""
    fit = kaplan_meier(
        exit=np.array([200, 400, 800, 1000, 2000.0]),
        event=np.array([True, True, False, True, False]),
    )
    assert survival_summary(fit) == {
        "spells": 5,
        "leavers": 3,
        "left_within_1y_pct": 20.0,
        "left_within_2y_pct": 40.0,
        "left_within_5y_pct": 70.0,
        "median_years": 2.74,
    }
    short = kaplan_meier(exit=np.array([100.0, 500.0]), event=np.array([True, False]))
    summary = survival_summary(short)
    assert summary["left_within_1y_pct"] == 50.0
    assert summary["left_within_2y_pct"] is None  # no one followed for two years
    assert summary["median_years"] == pytest.approx(round(100 / 365.25, 2))
