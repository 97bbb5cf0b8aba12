"""The DfE indicators from the staff extract for any date (domain/workforce_live.py), on a small
staff extract worked by hand."""

from __future__ import annotations

from datetime import date

import polars as pl
from tests.domain.staff_example import AS_OF, ASSIGNMENT_SCHEMA, SP, SW, d, frames

from caseloads.domain.workforce_live import (
    employment_spells,
    live_indicators,
    period_to,
)


def test_the_twelve_months_to_a_date() -> None:
    assert period_to(date(2024, 9, 30)) == (date(2023, 10, 1), date(2024, 9, 30))
    assert period_to(date(2024, 2, 29)) == (date(2023, 3, 1), date(2024, 2, 29))
    assert period_to(date(2025, 3, 31)) == (date(2024, 4, 1), date(2025, 3, 31))


def test_spells_join_moves_and_split_real_breaks() -> None:
    assignments, _, _ = frames()
    spells = employment_spells(assignments)
    by_worker = {w: g for (w,), g in spells.group_by("worker_id")}
    # W1's promotion the day after is one spell, ending with the senior practitioner post.
    w1 = by_worker["W1"].row(0, named=True)
    assert (w1["start_date"], w1["end_date"], w1["role"]) == (date(2015, 1, 1), None, SP)
    # W2's agency work is not direct employment: the spell ends on 15 March 2024, resigned.
    w2 = by_worker["W2"].row(0, named=True)
    assert (w2["end_date"], w2["leaving_reason"], w2["fte"]) == (date(2024, 3, 15), 1, 0.8)
    assert by_worker["W6"].height == 1  # two concurrent posts, one spell
    # A three-day break is a leave and a new start, unless the council allows such gaps.
    gap = pl.DataFrame(
        [
            ("900", "X", "T1", SW, 5, "permanent", 1.0, d(2020, 1, 1), d(2022, 1, 31), None),
            ("900", "X", "T1", SW, 5, "permanent", 1.0, d(2022, 2, 4), None, None),
        ],
        schema=ASSIGNMENT_SCHEMA,
        orient="row",
    )
    assert employment_spells(gap).height == 2
    assert employment_spells(gap, rejoin_gap_days=3).height == 1
    assert employment_spells(gap, rejoin_gap_days=2).height == 2


def test_the_hand_worked_staff_extract() -> None:
    assignments, involvements, absences = frames()
    vacancies = pl.DataFrame({"la_code": ["900"], "vacancy_fte": [2.0], "agency_cover_fte": [1.5]})
    row = live_indicators(
        assignments, AS_OF, absences=absences, involvements=involvements, vacancies=vacancies
    ).row(0, named=True)
    assert (row["as_of"], row["period_start"]) == (AS_OF, date(2023, 10, 1))
    # In post on 30 Sep 2024: W1, W3, W5 (casual), W6 (two posts), W10 (leaves in December).
    assert row["inpost_headcount"] == 5
    assert row["inpost_fte"] == 3.8  # 1.0 + 0.5 + 0.2 + 1.0 + 0.1 + 1.0
    # Starters: W3 (W1's promotion and W2's agency return are not; W4 started and left).
    assert (row["starters_headcount"], row["starters_fte"]) == (1, 0.5)
    # Leavers: W2 (to agency work); not W4 (in and out), W7 (left the year before) or W10.
    assert (row["leavers_headcount"], row["leavers_fte"]) == (1, 0.8)
    assert row["turnover_rate_fte"] == 21.1  # 100 × 0.8 / 3.8 = 21.05
    assert row["turnover_rate_headcount"] == 20.0  # 100 × 1 / 5
    # Agency on the day: W2 (1.0) and W8 (its last day, 0.5).
    assert (row["agency_headcount"], row["agency_fte"]) == (2, 1.5)
    assert row["agency_rate_fte"] == 28.3  # 100 × 1.5 / 5.3
    assert row["agency_rate_headcount"] == 28.6  # 100 × 2 / 7
    # Cases: W1 c1, c2 (not the IRO's c3); W3 c4; W2 c5, c6. W6's c7 ended; FH1 is not staff.
    assert (row["cases"], row["case_holders_fte"], row["caseload_fte"]) == (5, 2.5, 2.0)
    # Sickness begun in the period: W1 5, W2 3, W4 1.5 (not W3's training, not W5's of September).
    assert row["working_days_lost_fte"] == 9.5
    assert row["absence_rate_fte"] == 1.0  # 100 × 9.5 / (3.8 × 254) = 0.98
    assert (row["vacancy_fte"], row["vacancy_rate_fte"]) == (2.0, 34.5)  # 100 × 2 / 5.8 = 34.48
    assert row["agency_cover_rate_fte"] == 100.0


def test_by_team_adds_up_to_the_authority() -> None:
    assignments, involvements, absences = frames()
    rows = {
        r["team_id"]: r
        for r in live_indicators(
            assignments, AS_OF, by="team", absences=absences, involvements=involvements
        ).to_dicts()
    }
    # T1: W3 and W6 (whose senior post is there); T2: W1, W5, W10 (W6's 0.1 FTE stays in T2).
    assert (rows["T1"]["inpost_headcount"], rows["T1"]["inpost_fte"]) == (2, 1.5)
    assert (rows["T2"]["inpost_headcount"], rows["T2"]["inpost_fte"]) == (3, 2.3)
    assert (rows["T1"]["leavers_headcount"], rows["T1"]["starters_headcount"]) == (1, 1)
    assert (rows["T1"]["agency_fte"], rows["T2"]["agency_fte"]) == (1.0, 0.5)
    # W1's sickness in January is in T2 (promoted on 1 January), W4's too; W2's in T1.
    assert (rows["T1"]["working_days_lost_fte"], rows["T2"]["working_days_lost_fte"]) == (3.0, 6.5)
    assert (rows["T1"]["cases"], rows["T2"]["cases"]) == (3, 2)
    # Without an establishment, no vacancy figures.
    assert rows["T1"]["vacancy_fte"] is None and rows["T1"]["vacancy_rate_fte"] is None


def test_sources_not_loaded_leave_their_measures_unknown() -> None:
    assignments, _, _ = frames()
    row = live_indicators(assignments, AS_OF).row(0, named=True)
    assert row["inpost_headcount"] == 5
    unknown = ("cases", "caseload_fte", "working_days_lost_fte", "absence_rate_fte", "vacancy_fte")
    assert all(row[name] is None for name in unknown)
