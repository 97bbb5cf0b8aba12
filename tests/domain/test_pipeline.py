"""The recruitment pipeline (domain/pipeline.py): which offers count, the gap and surplus by group
(hand-worked and for any input), and the monthly activity."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caseloads.domain.pipeline import (
    ACTIVITY_COUNTS,
    PIPELINE_FIGURES,
    accepted_offers,
    monthly_activity,
    pipeline_table,
)

AS_OF = date(2025, 3, 31)
SCHEMA = {
    "candidate": pl.String(),  # a label for the test only
    "team_id": pl.String(),
    "role": pl.String(),
    "contract": pl.String(),
    "fte": pl.Float64(),
    "stage": pl.String(),
    "stage_date": pl.Date(),
    "expected_start": pl.Date(),
}
UNCOVERED_SCHEMA = {
    "team_id": pl.String(),
    "role": pl.String(),
    "uncovered_vacancy_fte": pl.Int64(),
}


def pipeline_frame(rows: list[tuple[Any, ...]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=SCHEMA, orient="row")


def uncovered_frame(rows: list[tuple[Any, ...]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=UNCOVERED_SCHEMA, orient="row")


PIPELINE = pipeline_frame(
    [
        (
            "C1",
            "T1",
            "social_worker",
            "permanent",
            1.0,
            "accepted",
            date(2025, 3, 1),
            date(2025, 4, 14),
        ),
        ("C2", "T1", "social_worker", "agency", 0.5, "checks", date(2025, 3, 20), date(2025, 5, 1)),
        (
            "C3",
            "T2",
            "Social Worker",
            "fixed_term",
            0.6,
            "checks",
            date(2025, 2, 1),
            date(2025, 3, 3),
        ),  # overdue: counts
        (
            "C4",
            "T2",
            "social_worker",
            "permanent",
            1.0,
            "accepted",
            date(2025, 3, 10),
            None,
        ),  # no start date
        (
            "C5",
            "T1",
            "social_worker",
            "permanent",
            1.0,
            "accepted",
            date(2025, 4, 2),
            date(2025, 5, 1),
        ),  # recorded after
        (
            "C6",
            "T1",
            "social_worker",
            "permanent",
            1.0,
            "started",
            date(2025, 3, 3),
            date(2025, 3, 3),
        ),  # started
        (
            "C7",
            "T1",
            "social_worker",
            "permanent",
            1.0,
            "offered",
            date(2025, 3, 25),
            None,
        ),  # not accepted
        (
            "C8",
            "T2",
            "team_manager",
            "casual",
            1.0,
            "accepted",
            date(2025, 3, 1),
            date(2025, 4, 1),
        ),  # casual
        (
            "C9",
            None,
            "team_manager",
            "agency",
            1.0,
            "accepted",
            date(2025, 3, 5),
            date(2025, 4, 7),
        ),  # no team
        ("C10", "T1", "social_worker", "permanent", 1.0, "withdrawn", date(2025, 1, 5), None),
        ("C11", "T2", "team_manager", "permanent", 1.0, "applied", date(2024, 12, 30), None),
    ]
)
# Uncovered vacancies on 31 March 2025 (hundredths): T1 social workers 1.2, T2 social workers 0.5,
# T2 team managers 2.0, T3 senior practitioners 1.0.
UNCOVERED = uncovered_frame(
    [
        ("T1", "social_worker", 120),
        ("T2", "social_worker", 50),
        ("T2", "team_manager", 200),
        ("T3", "senior_practitioner", 100),
    ]
)


def figures(
    u: float, perm: float, agency: float, total: float, gap: float, surplus: float, n: int
) -> dict[str, float | int]:
    return {
        **dict(zip(PIPELINE_FIGURES, (u, perm, agency, total, gap, surplus), strict=True)),
        "candidates": n,
    }


def test_which_offers_count() -> None:
    # C1-C4 and C9: accepted or checks, recorded by 31 March, permanent, fixed-term or agency.
    # C5 recorded after the date, C6 started, C7 only offered, C8 casual, C10/C11 earlier stages.
    got = accepted_offers(PIPELINE, AS_OF)["candidate"].to_list()
    assert got == ["C1", "C2", "C3", "C4", "C9"]
    # Starting by 30 April: C1 (14 April) and C3 (overdue, 3 March) and C9 (7 April); C2 starts
    # 1 May; C4 has no expected start, so it cannot be said to start by then.
    by_april = accepted_offers(PIPELINE, AS_OF, date(2025, 4, 30))["candidate"].to_list()
    assert by_april == ["C1", "C3", "C9"]


def test_against_the_gap_by_role() -> None:
    table = pipeline_table(UNCOVERED, PIPELINE, AS_OF, by="role")
    rows = {r["role"]: {k: v for k, v in r.items() if k != "role"} for r in table.groups.to_dicts()}
    assert rows == {
        # Uncovered only, no offers: the gap stays.
        "senior_practitioner": figures(1.0, 0, 0, 0, 1.0, 0, 0),
        # U = 1.2 + 0.5 = 1.7; offers C1 1.0 + C3 0.6 (fixed-term) + C4 1.0 permanent = 2.6,
        # C2 agency 0.5: T = 3.1 -> gap 0, surplus 3.1 - 1.7 = 1.4.
        "social_worker": figures(1.7, 2.6, 0.5, 3.1, 0, 1.4, 4),
        # U = 2.0; C9 agency 1.0 (no team, but the role is known): gap 1.0.
        "team_manager": figures(2.0, 0, 1.0, 1.0, 1.0, 0, 1),
    }
    # Total = sum of the rows: U 4.7, permanent 2.6, agency 1.5, T 4.1, gap 2.0, surplus 1.4.
    assert table.total == figures(4.7, 2.6, 1.5, 4.1, 2.0, 1.4, 5)


def test_against_the_gap_by_team() -> None:
    table = pipeline_table(UNCOVERED, PIPELINE, AS_OF, by="team")
    rows = {
        r["team_id"]: {k: v for k, v in r.items() if k != "team_id"}
        for r in table.groups.to_dicts()
    }
    assert rows == {
        # T1: U 1.2; C1 1.0 permanent + C2 0.5 agency = 1.5 -> surplus 0.3.
        "T1": figures(1.2, 1.0, 0.5, 1.5, 0, 0.3, 2),
        # T2: U 0.5 + 2.0 = 2.5; C3 0.6 + C4 1.0 = 1.6 -> gap 0.9 (team managers' gap is
        # set against social worker offers here: by team, any role).
        "T2": figures(2.5, 1.6, 0, 1.6, 0.9, 0, 2),
        "T3": figures(1.0, 0, 0, 0, 1.0, 0, 0),
        # C9 has no team: a row of its own, all surplus.
        None: figures(0, 0, 1.0, 1.0, 0, 1.0, 1),
    }
    # By team the gap and surplus differ from by role (max is taken per group), the rest not.
    assert table.total == figures(4.7, 2.6, 1.5, 4.1, 1.9, 1.3, 5)


def test_starting_by_narrows_the_offers() -> None:
    table = pipeline_table(UNCOVERED, PIPELINE, AS_OF, starting_by=date(2025, 4, 30), by="role")
    # C1 1.0 + C3 0.6 permanent (social workers: U 1.7 -> gap 0.1), C9 1.0 agency (team
    # managers: U 2.0 -> gap 1.0); senior practitioners' gap 1.0. Gap 0.1 + 1.0 + 1.0 = 2.1.
    assert table.total == figures(4.7, 1.6, 1.0, 2.6, 2.1, 0, 3)


def test_monthly_activity() -> None:
    got = monthly_activity(PIPELINE, AS_OF).to_dicts()
    assert [r["month"] for r in got] == ["2024-12", "2025-01", "2025-02", "2025-03"]
    dec, jan, feb, mar = got
    assert (dec["applications"], dec["candidates"]) == (1, 1)  # C11
    assert (jan["withdrawn"], jan["candidates"]) == (1, 1)  # C10
    assert (feb["checks"], feb["candidates"]) == (1, 1)  # C3
    # March: C1, C4, C8, C9 accepted; C2 checks; C6 started; C7 offered. C5 is April's (after
    # the date, not shown).
    assert {k: mar[k] for k in ACTIVITY_COUNTS} == {
        "applications": 0,
        "shortlisted": 0,
        "offers": 1,
        "acceptances": 4,
        "checks": 1,
        "started": 1,
        "withdrawn": 0,
        "candidates": 7,
    }


def test_monthly_activity_fills_empty_months_and_handles_nothing() -> None:
    two = pipeline_frame(
        [
            ("A", "T1", "sw", "permanent", 1.0, "applied", date(2024, 10, 31), None),
            ("B", "T1", "sw", "permanent", 1.0, "applied", date(2025, 1, 1), None),
        ]
    )
    got = monthly_activity(two, date(2025, 2, 15)).to_dicts()
    assert [(r["month"], r["applications"]) for r in got] == [
        ("2024-10", 1),
        ("2024-11", 0),
        ("2024-12", 0),
        ("2025-01", 1),
        ("2025-02", 0),
    ]
    assert monthly_activity(two.clear(), AS_OF).height == 0


# --- any input --------------------------------------------------------------------------------

TEAMS = st.sampled_from(["T1", "T2", None])
ROLES = st.sampled_from(["sw", "sp", "tm"])


@st.composite
def cases(draw: st.DrawFn) -> tuple[pl.DataFrame, pl.DataFrame]:
    cells = draw(
        st.dictionaries(st.tuples(st.sampled_from(["T1", "T2", "T3"]), ROLES), st.integers(0, 500))
    )
    uncovered = uncovered_frame([(t, r, u) for (t, r), u in cells.items()])
    offers = [
        (
            f"C{i}",
            draw(TEAMS),
            draw(ROLES),
            draw(st.sampled_from(["permanent", "fixed_term", "agency", "casual"])),
            draw(st.floats(0.01, 1.5)),
            draw(st.sampled_from(["accepted", "checks", "started", "offered"])),
            date(2025, 3, draw(st.integers(1, 31))),
            draw(st.one_of(st.none(), st.dates(date(2025, 1, 1), date(2025, 12, 31)))),
        )
        for i in range(draw(st.integers(0, 12)))
    ]
    return uncovered, pipeline_frame(offers)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(), st.sampled_from(["role", "team", "team,role"]))
def test_every_row_and_the_total_add_up(case: tuple[pl.DataFrame, pl.DataFrame], by: str) -> None:
    uncovered, offers = case
    table = pipeline_table(uncovered, offers, AS_OF, by=by)
    groups = table.groups.to_dicts()
    for row in [*groups, table.total]:
        u, p, a, t, gap, surplus = (round(row[f] * 100) for f in PIPELINE_FIGURES)
        assert t == p + a
        assert gap - surplus == u - t
        assert min(u, p, a, gap, surplus) >= 0
        # A group has a gap or a surplus, not both; the total can have both (one group short,
        # another with more offers than vacancies).
        assert row is table.total or min(gap, surplus) == 0
    for name in (*PIPELINE_FIGURES, "candidates"):
        scale = 1 if name == "candidates" else 100
        assert round(table.total[name] * scale) == sum(
            round(r[name] * scale) for r in table.groups.to_dicts()
        )
    # Every uncovered vacancy is in some row, whatever the grouping.
    assert (
        round(table.total["uncovered_vacancy_fte"] * 100)
        == uncovered["uncovered_vacancy_fte"].sum()
    )
