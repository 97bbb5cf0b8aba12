"""The establishment table (domain/establishment.py): a hand-worked council, the identities for any
input (hypothesis), and an independent plain-Python reference of the placing of staff."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caseloads.domain.establishment import (
    FIGURES,
    GROUPINGS,
    active_on,
    cell_figures,
    establishment_table,
    hundredths,
)

AS_OF = date(2025, 3, 31)
DAY_BEFORE = date(2025, 3, 30)
DAY_AFTER = date(2025, 4, 1)
LONG_AGO = date(2020, 1, 1)

POST_SCHEMA = {
    "post_id": pl.String(),
    "team_id": pl.String(),
    "role": pl.String(),
    "fte": pl.Float64(),
    "start_date": pl.Date(),
    "end_date": pl.Date(),
}
STAFF_SCHEMA = {
    "post_id": pl.String(),
    "team_id": pl.String(),
    "role": pl.String(),
    "contract": pl.String(),
    "fte": pl.Float64(),
    "start_date": pl.Date(),
    "end_date": pl.Date(),
}


def posts_frame(rows: list[tuple[Any, ...]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=POST_SCHEMA, orient="row")


def staff_frame(rows: list[tuple[Any, ...]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=STAFF_SCHEMA, orient="row")


# A small council on 31 March 2025. Each row says what it tests.
POSTS = posts_frame(
    [
        ("P1", "T1", "social_worker", 1.0, LONG_AGO, None),  # filled by W1
        ("P2", "T1", "social_worker", 1.0, LONG_AGO, None),  # W2 0.5 + agency W3 1.0
        ("P3", "T1", "social_worker", 0.8, LONG_AGO, None),  # nobody placed in it
        ("P4", "T1", "social_worker", 1.0, LONG_AGO, None),  # W4 + agency W5 covering absence
        ("P5", "T1", "social_worker", 1.0, LONG_AGO, DAY_BEFORE),  # ended the day before
        ("P8", "T1", "senior_practitioner", 1.0, LONG_AGO, None),  # empty
        ("P6", "T2", "Team Manager", 1.0, LONG_AGO, None),  # agency W8
        ("P7", "T2", "social_worker", 0.6, DAY_AFTER, None),  # starts the day after
        ("P9", "T2", "senior_practitioner", 1.0, LONG_AGO, AS_OF),  # ends on the day: counts
        ("P10", "T2", "senior_practitioner", 0.5, AS_OF, None),  # starts on the day: counts
    ]
)
STAFF = staff_frame(
    [
        ("P1", "T1", "social_worker", "permanent", 1.0, LONG_AGO, None),  # W1
        ("P2", "T1", "social_worker", "permanent", 0.5, LONG_AGO, None),  # W2
        ("P2", "T1", "social_worker", "agency", 1.0, LONG_AGO, None),  # W3
        ("P4", "T1", "social_worker", "permanent", 1.0, LONG_AGO, None),  # W4
        ("P4", "T1", "social_worker", "agency", 1.0, LONG_AGO, None),  # W5
        ("P5", "T1", "social_worker", "permanent", 1.0, LONG_AGO, None),  # W6: post ended
        (None, "T1", "social_worker", "agency", 0.6, LONG_AGO, None),  # W7: no post id
        ("P6", "T2", "team_manager", "agency", 1.0, LONG_AGO, None),  # W8
        (None, "T2", "social_worker", "permanent", 0.285, LONG_AGO, None),  # W9
        (None, "T2", "social_worker", "casual", 0.4, LONG_AGO, None),  # W10
        (None, "T2", "team_manager", "permanent", 1.0, LONG_AGO, DAY_BEFORE),  # W11: left
        (None, "T2", "team_manager", "permanent", 1.0, DAY_AFTER, None),  # W12: not yet
        ("P99", "T2", "social_worker", "fixed_term", 1.0, LONG_AGO, None),  # W13: unknown post
        (None, "T2", "Senior Practitioner", "agency", 0.5, LONG_AGO, None),  # W14
    ]
)


def as_dict(frame: pl.DataFrame, keys: tuple[str, ...]) -> dict[tuple[Any, ...], dict[str, float]]:
    return {tuple(row[k] for k in keys): {f: row[f] for f in FIGURES} for row in frame.to_dicts()}


def fte(
    e: float, p: float, v: float, a: float, c: float, u: float, o: float, k: float = 0.0
) -> dict[str, float]:
    return dict(zip(FIGURES, (e, p, v, a, c, u, o, k), strict=True))


# Hand-worked, team and role by team and role.
# T1 social_worker, post by post (E, P, A -> V, C, U, O):
#   P1 1.0, 1.0, 0   -> 0,   0,   0,   0
#   P2 1.0, 0.5, 1.0 -> 0.5, 0.5, 0,   0.5
#   P3 0.8, 0,   0   -> 0.8, 0,   0.8, 0
#   P4 1.0, 1.0, 1.0 -> 0,   0,   0,   1.0   (agency covering an absence, not a vacancy)
#   sums: E 3.8, P 2.5, A 2.0, V 1.3, C 0.5, U 0.8, O 1.5
# Pool (no budgeted post): W6 permanent 1.0 (P5 ended), W7 agency 0.6.
#   W6 fills vacancies: f = min(1.0, V 1.3) = 1.0, uncovered first g1 = min(1.0, U 0.8) = 0.8,
#   then covered g2 = 0.2 (P2's agency W3 is displaced by 0.2: over).
#   W7 covers uncovered left: h = min(0.6, 0.8 - 0.8) = 0, so W7 is over: 0.6.
#   E 3.8, P 3.5, V 1.3 - 1.0 = 0.3, A 2.6, C 0.5 - 0.2 + 0 = 0.3, U 0.8 - 0.8 - 0 = 0,
#   O 1.5 + (1.0 - 1.0) + 0.2 + (0.6 - 0) = 2.3.    Check: 3.8 - 3.5 - 2.6 = -2.3 = 0 - 2.3.
# T1 senior_practitioner: P8 empty: E 1, V 1, U 1.
# T2 social_worker: no post budgeted on the day (P7 starts the day after). Pool: W9 0.285 and
#   W13 1.0 (post P99 unknown) permanent: 1.285 FTE rounded once to 1.29; all over. W10 casual 0.4.
# T2 team_manager ("Team Manager" on the post): P6 E 1, A 1 -> V 1, C 1. W11 and W12 not in post.
# T2 senior_practitioner: P9 (ends on the day) 1.0 + P10 (starts on the day) 0.5 = E 1.5, V 1.5,
#   U 1.5; pool agency W14 0.5 ("Senior Practitioner") covers h = min(0.5, 1.5) = 0.5:
#   C 0.5, U 1.0.
EXPECTED_CELLS = {
    ("T1", "senior_practitioner"): fte(1.0, 0, 1.0, 0, 0, 1.0, 0),
    ("T1", "social_worker"): fte(3.8, 3.5, 0.3, 2.6, 0.3, 0, 2.3),
    ("T2", "senior_practitioner"): fte(1.5, 0, 1.5, 0.5, 0.5, 1.0, 0),
    ("T2", "social_worker"): fte(0, 1.29, 0, 0, 0, 0, 1.29, 0.4),
    ("T2", "team_manager"): fte(1.0, 0, 1.0, 1.0, 1.0, 0, 0),
}


def test_hand_worked_council_by_team_and_role() -> None:
    table = establishment_table(POSTS, STAFF, AS_OF, by="team,role")
    assert as_dict(table.groups, ("team_id", "role")) == EXPECTED_CELLS
    # Total: E 3.8+1+1.5+1 = 7.3; P 3.5+1.29 = 4.79; V 0.3+1+1.5+1 = 3.8; A 2.6+0.5+1 = 4.1;
    # C 0.3+0.5+1 = 1.8; U 1+1 = 2.0; O 2.3+1.29 = 3.59; casual 0.4.
    # Check: E - P - A = 7.3 - 4.79 - 4.1 = -1.59 = U - O = 2.0 - 3.59.
    assert table.total == fte(7.3, 4.79, 3.8, 4.1, 1.8, 2.0, 3.59, 0.4)


def test_hand_worked_council_by_role() -> None:
    table = establishment_table(POSTS, STAFF, AS_OF, by="role")
    assert as_dict(table.groups, ("role",)) == {
        # T1 + T2 senior practitioners: E 1+1.5, V 1+1.5, A 0.5, C 0.5, U 1+1.
        ("senior_practitioner",): fte(2.5, 0, 2.5, 0.5, 0.5, 2.0, 0),
        # T1 + T2 social workers: P 3.5+1.29, O 2.3+1.29. Both uncovered vacancy (0) and over
        # establishment (3.59): P3's 0.8 vacancy is filled by W6 in the same team and role.
        ("social_worker",): fte(3.8, 4.79, 0.3, 2.6, 0.3, 0, 3.59, 0.4),
        ("team_manager",): fte(1.0, 0, 1.0, 1.0, 1.0, 0, 0),
    }
    assert table.total == fte(7.3, 4.79, 3.8, 4.1, 1.8, 2.0, 3.59, 0.4)


def test_hand_worked_council_by_team() -> None:
    table = establishment_table(POSTS, STAFF, AS_OF, by="team")
    assert as_dict(table.groups, ("team_id",)) == {
        # T1: social workers + senior practitioner: E 3.8+1, V 0.3+1, U 0+1.
        ("T1",): fte(4.8, 3.5, 1.3, 2.6, 0.3, 1.0, 2.3),
        # T2: E 1.5+1, P 1.29, V 1.5+1, A 0.5+1, C 0.5+1, U 1.0, O 1.29, casual 0.4.
        ("T2",): fte(2.5, 1.29, 2.5, 1.5, 1.5, 1.0, 1.29, 0.4),
    }
    assert table.total == fte(7.3, 4.79, 3.8, 4.1, 1.8, 2.0, 3.59, 0.4)


def test_vacancies_are_not_netted_across_posts() -> None:
    # Two 1.0 posts in one team and role: A has two permanent workers, B none. Post by post:
    # A over by 1.0, B vacant 1.0 (uncovered). Netting the group (E 2, P 2) would show neither.
    posts = posts_frame(
        [("A", "T", "sw", 1.0, LONG_AGO, None), ("B", "T", "sw", 1.0, LONG_AGO, None)]
    )
    staff = staff_frame(
        [
            ("A", "T", "sw", "permanent", 1.0, LONG_AGO, None),
            ("A", "T", "sw", "permanent", 1.0, LONG_AGO, None),
        ]
    )
    table = establishment_table(posts, staff, AS_OF, by="role")
    assert table.total == fte(2.0, 2.0, 1.0, 0, 0, 1.0, 1.0)


def test_without_post_ids_the_team_and_role_is_the_unit() -> None:
    # Same posts, the two workers without a post id: pooled, they fill both posts.
    posts = posts_frame(
        [("A", "T", "sw", 1.0, LONG_AGO, None), ("B", "T", "sw", 1.0, LONG_AGO, None)]
    )
    staff = staff_frame(
        [
            (None, "T", "sw", "permanent", 1.0, LONG_AGO, None),
            (None, "T", "sw", "agency", 1.0, LONG_AGO, None),
            (None, "T", "sw", "agency", 0.5, LONG_AGO, None),
        ]
    )
    # E 2, P 1 -> V 1; A 1.5 -> C 1, U 0, O = 1 + 1.5 - 2 = 0.5.
    table = establishment_table(posts, staff, AS_OF, by="team")
    assert table.total == fte(2.0, 1.0, 1.0, 1.5, 1.0, 0, 0.5)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.285, 29),  # stored as 0.28499999999999998: half up after the millionth
        (0.2849, 28),
        (1 / 3, 33),
        (0.995, 100),
        (0.0, 0),
        (1.5, 150),
    ],
)
def test_hundredths(value: float, expected: int) -> None:
    got = pl.select(hundredths(pl.lit(value, pl.Float64))).item()
    assert got == expected


def test_active_on_includes_both_ends() -> None:
    # P5 ends the day before, P7 starts the day after: out. P9 ends on the day, P10 starts on it.
    ids = active_on(POSTS, AS_OF)["post_id"].to_list()
    assert "P5" not in ids and "P7" not in ids
    assert {"P9", "P10"} <= set(ids)


def test_empty_inputs_give_no_groups_and_a_zero_total() -> None:
    table = establishment_table(posts_frame([]), staff_frame([]), AS_OF, by="role")
    assert table.groups.height == 0
    assert table.total == fte(0, 0, 0, 0, 0, 0, 0)


# --- any input --------------------------------------------------------------------------------

TEAMS = ("T1", "T2", "T3")
ROLES = ("social_worker", "senior_practitioner", "Social Worker")  # the last is the first's key
CONTRACTS = ("permanent", "fixed_term", "agency", "casual")
DATES = st.one_of(st.none(), st.integers(-3, 3).map(lambda d: AS_OF + timedelta(days=d)))
FTES = st.one_of(
    st.integers(0, 150).map(lambda n: n / 100),
    st.floats(0, 1.5, allow_nan=False, allow_infinity=False),
)


@st.composite
def councils(draw: st.DrawFn) -> tuple[pl.DataFrame, pl.DataFrame]:
    n_posts = draw(st.integers(0, 12))
    post_rows = []
    for i in range(n_posts):
        start = draw(DATES) or LONG_AGO
        post_rows.append(
            (
                f"P{i}",
                draw(st.sampled_from(TEAMS)),
                draw(st.sampled_from(ROLES)),
                draw(FTES.filter(lambda f: f > 0)),
                start,
                draw(DATES),
            )
        )
    ids = [r[0] for r in post_rows]
    post_choice = st.one_of(st.none(), st.just("UNKNOWN"), *([st.sampled_from(ids)] if ids else []))
    staff_rows = [
        (
            draw(post_choice),
            draw(st.sampled_from(TEAMS)),
            draw(st.sampled_from(ROLES)),
            draw(st.sampled_from(CONTRACTS)),
            draw(FTES),
            draw(DATES) or LONG_AGO,
            draw(DATES),
        )
        for _ in range(draw(st.integers(0, 16)))
    ]
    return posts_frame(post_rows), staff_frame(staff_rows)


def _ints(frame: pl.DataFrame) -> list[dict[str, Any]]:
    return frame.to_dicts()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(councils())
def test_identities_hold_in_every_cell(council: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    posts, staff = council
    cells = cell_figures(active_on(posts, AS_OF), active_on(staff, AS_OF))
    for row in cells.to_dicts():  # hundredths: exact integers
        e, p, v, a, c, u, o = (row[f] for f in FIGURES[:7])
        assert min(row[f] for f in FIGURES) >= 0
        assert v == c + u  # vacancies are covered or not
        assert e - p - a == u - o  # establishment - permanent - agency = uncovered - over
        assert c <= a and c <= v
        assert v >= max(0, e - p)  # never netted away across posts


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(councils())
def test_total_is_the_sum_of_the_groups_whatever_the_grouping(
    council: tuple[pl.DataFrame, pl.DataFrame],
) -> None:
    posts, staff = council
    totals = []
    for by, keys in GROUPINGS.items():
        table = establishment_table(posts, staff, AS_OF, by=by)
        # In hundredths, so that the comparison is exact.
        sums = table.groups.select(
            (pl.col(f) * 100).round(0).cast(pl.Int64).sum().alias(f) for f in FIGURES
        ).row(0, named=True)
        total = {f: round(table.total[f] * 100) for f in FIGURES}
        assert total == {f: int(sums[f] or 0) for f in FIGURES}
        assert table.groups.select(pl.struct(list(keys)).is_unique().all()).item()
        e, p, v, a, c, u, o = (total[f] for f in FIGURES[:7])
        assert v == c + u and e - p - a == u - o
        totals.append(total)
    assert totals[0] == totals[1] == totals[2]  # the same total by role, team, team and role


def _reference(posts: pl.DataFrame, staff: pl.DataFrame) -> dict[tuple[str, str], list[int]]:
    """The module docstring's rules written again in plain Python, integer hundredths."""

    def key(role: str) -> str:
        return "_".join(role.strip().lower().replace("-", " ").split())

    def cents(x: float) -> int:
        return (round(x * 1_000_000) + 5_000) // 10_000

    on = [
        r
        for r in posts.to_dicts()
        if r["start_date"] <= AS_OF and (r["end_date"] is None or r["end_date"] >= AS_OF)
    ]
    working = [
        r
        for r in staff.to_dicts()
        if r["start_date"] <= AS_OF and (r["end_date"] is None or r["end_date"] >= AS_OF)
    ]
    budget = {r["post_id"]: r for r in on}
    cells: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * 8)
    placed: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    pool: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    kind = {"permanent": 0, "fixed_term": 0, "agency": 1, "casual": 2}
    for w in working:
        if w["post_id"] in budget:
            placed[w["post_id"]][kind[w["contract"]]] += w["fte"]
        else:
            pool[(w["team_id"], key(w["role"]))][kind[w["contract"]]] += w["fte"]
    casual: dict[tuple[str, str], float] = defaultdict(float)
    for pid, post in budget.items():
        cell = (post["team_id"], key(post["role"]))
        e, p, a = cents(post["fte"]), cents(placed[pid][0]), cents(placed[pid][1])
        v = max(0, e - p)
        c = min(a, v)
        figures = [e, p, v, a, c, v - c, max(0, p + a - e), 0]
        cells[cell] = [x + y for x, y in zip(cells[cell], figures, strict=True)]
        casual[cell] += placed[pid][2]
    for cell, (pu_f, au_f, k) in pool.items():
        casual[cell] += k
        e, p, v, a, c, u, o, _ = cells[cell]
        pu, au = cents(pu_f), cents(au_f)
        fill = min(pu, v)
        from_uncovered = min(fill, u)
        from_covered = fill - from_uncovered
        cover = min(au, u - from_uncovered)
        cells[cell] = [
            e,
            p + pu,
            v - fill,
            a + au,
            c - from_covered + cover,
            u - from_uncovered - cover,
            o + (pu - fill) + from_covered + (au - cover),
            0,
        ]
    for cell in cells:
        cells[cell][7] = cents(casual[cell])
    return dict(cells)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(councils())
def test_cells_match_a_plain_python_reference(council: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    posts, staff = council
    cells = cell_figures(active_on(posts, AS_OF), active_on(staff, AS_OF))
    got = {(r["team_id"], r["role"]): [r[f] for f in FIGURES] for r in cells.to_dicts()}
    assert got == _reference(posts, staff)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(councils())
def test_without_post_ids_each_cell_is_the_plain_formula(
    council: tuple[pl.DataFrame, pl.DataFrame],
) -> None:
    posts, staff = council
    staff = staff.with_columns(pl.lit(None, pl.String).alias("post_id"))
    cells = cell_figures(active_on(posts, AS_OF), active_on(staff, AS_OF))
    for row in cells.to_dicts():
        e, p, v, a, c, u, o = (row[f] for f in FIGURES[:7])
        assert v == max(0, e - p)
        assert c == min(a, v)
        assert u == v - c
        assert o == max(0, p + a - e)
