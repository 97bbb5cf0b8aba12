"""The caseload definitions (domain/caseload.py, child_status.py, weights.py, allocation.py) on
hand-worked frames, and the one-pass sweep against a plain day-by-day count (hypothesis)."""

from __future__ import annotations

from datetime import date, timedelta
from importlib import resources

import polars as pl
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from caseloads.domain import caseload, child_status
from caseloads.domain.allocation import case_points
from caseloads.domain.weights import (
    STATUSES,
    Scheme,
    SchemeProblem,
    normalise_role,
    parse_scheme,
    scheme_in_force,
)

DEFAULT = parse_scheme(
    yaml.safe_load(
        resources.files("caseloads.data").joinpath("caseload_scheme.yaml").read_text("utf-8")
    )
)
D = date(2024, 6, 30)


def _frame(rows: list[tuple[object, ...]], names: list[str], dates: list[str]) -> pl.DataFrame:
    schema = {n: (pl.Date if n in dates else pl.String) for n in names}
    return pl.DataFrame(rows, schema=schema, orient="row")


def _empty(names: list[str], dates: list[str]) -> pl.DataFrame:
    return _frame([], names, dates)


def _episodes(rows: list[tuple[object, ...]]) -> pl.DataFrame:
    return _frame(
        rows,
        ["child_id", "start_date", "ceased_date", "legal_status"],
        ["start_date", "ceased_date"],
    )


def _plans(rows: list[tuple[object, ...]]) -> pl.DataFrame:
    return _frame(rows, ["child_id", "start_date", "end_date"], ["start_date", "end_date"])


def _status(cla: pl.DataFrame, cp: pl.DataFrame | None = None) -> pl.DataFrame:
    return child_status.status_intervals(
        referrals=_frame(
            [], ["child_id", "referral_date", "close_date"], ["referral_date", "close_date"]
        ),
        assessments=pl.DataFrame(
            schema={
                "child_id": pl.String,
                "start_date": pl.Date,
                "auth_date": pl.Date,
                "nfa": pl.Boolean,
            }
        ),
        s47_enquiries=_plans([]),
        cin_plans=_plans([]),
        cp_plans=cp if cp is not None else _plans([]),
        cla_episodes=cla,
        care_leavers=_empty(["child_id"], []),
    )


def test_the_903_ceased_date_is_exclusive_and_a_new_episode_continues_care() -> None:
    cla = _episodes(
        [
            ("A", date(2024, 1, 1), D, "C1"),  # ceased on D: not looked after on D ...
            ("B", date(2024, 1, 1), D, "V2"),  # ... unless the next episode starts on D
            ("B", D, None, "C2"),
        ]
    )
    cp = _plans([("A", date(2024, 5, 1), None)])
    intervals = _status(cla, cp)
    court = child_status.court_intervals(
        pre_proceedings=_frame(
            [], ["child_id", "care_proceedings_letter_date"], ["care_proceedings_letter_date"]
        ),
        cla_episodes=cla,
        weeks=26,
    )
    on_d = child_status.statuses_on(intervals, court, D).rows()
    # A: CP on D (its CLA ceased that day); B: still looked after. A's interim care order (C1)
    # flagged court proceedings to 29 June only; B's full care order (C2) does not.
    assert on_d == [("A", "cp", False), ("B", "cla", False)]
    before = child_status.statuses_on(intervals, court, D - timedelta(days=1)).rows()
    assert before == [("A", "cla", True), ("B", "cla", False)]


def test_precedence_and_the_letter_to_issue_lasts_26_weeks() -> None:
    letter = date(2024, 1, 1)
    pre = _frame(
        [("A", letter)],
        ["child_id", "care_proceedings_letter_date"],
        ["care_proceedings_letter_date"],
    )
    intervals = child_status.status_intervals(
        referrals=_frame(
            [("A", date(2023, 12, 1), None), ("B", date(2024, 6, 1), None)],
            ["child_id", "referral_date", "close_date"],
            ["referral_date", "close_date"],
        ),
        assessments=pl.DataFrame(
            {
                "child_id": ["B"],
                "start_date": [date(2024, 6, 2)],
                "auth_date": [date(2024, 6, 10)],
                "nfa": [False],
            }
        ),
        s47_enquiries=_plans([("A", date(2024, 1, 5), date(2024, 1, 20))]),
        cin_plans=_plans([("A", date(2024, 2, 1), None)]),
        cp_plans=_plans([("A", date(2024, 3, 1), date(2024, 5, 31))]),
        cla_episodes=_episodes([]),
        care_leavers=_empty(["child_id"], []),
    )
    court = child_status.court_intervals(pre_proceedings=pre, cla_episodes=_episodes([]), weeks=26)
    expected = {
        date(2023, 12, 1): "referral",  # referral day
        date(2024, 1, 5): "assessment",  # section 47 beats the referral
        date(2024, 2, 1): "cin",  # CIN plan beats the referral
        date(2024, 3, 1): "cp",  # CP beats CIN
        date(2024, 5, 31): "cp",  # the plan's end day is inclusive
        date(2024, 6, 1): "cin",
    }
    for day, status in expected.items():
        assert child_status.statuses_on(intervals, court, day).row(0)[:2] == ("A", status)
    # B: under assessment from 2 June, open after assessment (cin) from its authorisation.
    assert child_status.statuses_on(intervals, court, date(2024, 6, 9)).row(1)[1] == "assessment"
    assert child_status.statuses_on(intervals, court, date(2024, 6, 10)).row(1)[1] == "cin"
    # 26 weeks from 1 January 2024 is 1 July 2024: flagged on 30 June, not on 1 July.
    assert child_status.statuses_on(intervals, court, date(2024, 6, 30)).row(0)[2] is True
    assert child_status.statuses_on(intervals, court, date(2024, 7, 1)).row(0)[2] is False


def _inputs(
    allocations: list[tuple[str, str, date, date | None]],
    families: list[tuple[str, str]] = (),  # type: ignore[assignment]
    status: pl.DataFrame | None = None,
) -> caseload.CaseloadInputs:
    return caseload.CaseloadInputs(
        allocations=_frame(
            list(allocations),
            ["worker_id", "child_id", "start_date", "end_date"],
            ["start_date", "end_date"],
        ),
        status=status if status is not None else pl.DataFrame(schema=child_status.INTERVAL_SCHEMA),
        court=pl.DataFrame(schema={"child_id": pl.String, "start": pl.Date, "end": pl.Date}),
        families=_frame(list(families), ["family_id", "child_id"], []),
        assignments=pl.DataFrame(
            {
                "worker_id": ["W"],
                "team_id": ["T"],
                "role": ["Social Worker"],
                "fte": [1.0],
                "start_date": [date(2020, 1, 1)],
                "end_date": [None],
            },
            schema_overrides={"end_date": pl.Date},
        ),
        professionals=_frame([], ["worker_id", "team_id", "role", "fte"], []).with_columns(
            pl.col("fte").cast(pl.Float64)
        ),
        reductions=pl.DataFrame(
            schema={
                "worker_id": pl.String,
                "reason": pl.String,
                "percent": pl.Float64,
                "start_date": pl.Date,
                "end_date": pl.Date,
            }
        ),
        workers=pl.DataFrame(schema={"worker_id": pl.String, "asye_start": pl.Date}),
    )


def _ranks(rows: list[tuple[str, int, date | None, date | None]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=child_status.INTERVAL_SCHEMA, orient="row")


def test_sibling_factor_three_children_of_one_family() -> None:
    rank = {s: i for i, s in enumerate(("cla", "cp", "cin"))}
    status = _ranks(
        [
            ("A", rank["cla"], None, None),
            ("B", rank["cp"], None, None),
            ("C", rank["cin"], None, None),
        ]
    )
    inputs = _inputs(
        [("W", c, date(2024, 1, 1), None) for c in ("A", "B", "C")] + [("W", "E", D, D)],
        [("F", "A"), ("F", "B"), ("F", "C")],
        status,
    )
    (row,) = caseload.worker_steps(inputs, DEFAULT, [D]).to_dicts()
    # Default points: cla 5, cp 5, cin 3, other 1. F: 5 + 0.5 x (5 + 3) = 9; E (no family) 1.
    assert (row["children"], row["families"], row["weighted_points"]) == (4, 2, 10.0)
    # One social worker at 1.0 FTE: 50 points; 10 / 50 = 20%.
    assert (row["role"], row["capacity_points"], row["capacity_pct"], row["rag"]) == (
        "social_worker",
        50.0,
        20.0,
        "green",
    )


def test_resolve_workers_joins_903_swe_hashes() -> None:
    inv = _frame(
        [("swe1", "A", date(2024, 1, 1), None, "CW"), ("W2", "B", date(2024, 1, 1), None, "cw")],
        ["worker_id", "child_id", "start_date", "end_date", "role"],
        ["start_date", "end_date"],
    )
    swe = pl.DataFrame({"swe_hash": ["swe1", None], "worker_id": ["W1", "W9"]})
    assert caseload.resolve_workers(inv, swe)["worker_id"].to_list() == ["W1", "W2"]
    assert caseload.allocated(inv, ["CW"]).height == 2
    assert caseload.allocated(inv, [" allocated case worker "]).height == 0


def test_scheme_overlay_and_in_force() -> None:
    later = parse_scheme(
        {"name": "later", "effective_from": "2025-04-01", "points": {"cp": 8}}, DEFAULT
    )
    assert (later.points["cp"], later.points["cla"], later.sibling_factor) == (8.0, 5.0, 0.5)
    assert scheme_in_force([DEFAULT, later], date(2025, 3, 31)) is DEFAULT
    assert scheme_in_force([DEFAULT, later], date(2025, 4, 1)) is later
    assert scheme_in_force([later], date(2025, 3, 31)) is None
    mapped = parse_scheme(
        {
            "name": "m",
            "effective_from": "2025-04-01",
            "role_mapping": {"Practice Consultant": "Senior Practitioner"},
        },
        DEFAULT,
    )
    assert mapped.role_mapping == {"practice_consultant": "senior_practitioner"}
    assert normalise_role("  Senior  Practitioner (Band 9) ") == "senior_practitioner_band_9"
    with pytest.raises(SchemeProblem, match="sibling_factor: 2: must be between 0 and 1"):
        parse_scheme({"name": "x", "effective_from": "2025-01-01", "sibling_factor": 2}, DEFAULT)
    with pytest.raises(
        SchemeProblem, match=r"standard_case\.cla: 'looked_after': must be a status"
    ):
        parse_scheme(
            {"name": "x", "effective_from": "2025-01-01", "standard_case": {"cla": "looked_after"}},
            DEFAULT,
        )
    # The issue's example form is accepted as it stands.
    issue = parse_scheme(
        yaml.safe_load(
            """
name: example
effective_from: 2024-04-01
points: {referral: 1, assessment: 2, cin: 3, cp: 5, cla: 7, care_leaver: 1}
uplifts: {court_proceedings: 2}
sibling_factor: 0.5
capacity_points: {social_worker: 20, senior_practitioner: 16, team_manager: 0}
reductions: {asye: {percent: 10, months: 12}}
rag: {green: 85, amber: 100}
"""
        ),
        DEFAULT,
    )
    assert (issue.points["cla"], issue.capacity_of("senior_practitioner")) == (7.0, 16.0)
    # Two CLA children of one family under it: 7 + 0.5 x 7 = 10.5; with court, 9 + 4.5 = 13.5.
    assert case_points(issue, "cla", 2) == 10.5
    assert case_points(issue, "cla", 2, court=True) == 13.5


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["W1", "W2"]),
            st.sampled_from(["A", "B", "C", "D"]),
            st.integers(0, 40),
            st.one_of(st.none(), st.integers(0, 40)),
        ),
        min_size=1,
        max_size=12,
    ),
    st.lists(
        st.tuples(
            st.sampled_from(["A", "B", "C", "D"]),
            st.integers(0, 2),
            st.integers(0, 40),
            st.integers(0, 40),
        ),
        max_size=6,
    ),
)
def test_the_sweep_equals_a_plain_day_by_day_count(
    allocs: list[tuple[str, str, int, int | None]], statuses: list[tuple[str, int, int, int]]
) -> None:
    """For every day: children once per worker, families, and the sibling-weighted points as a
    plain Python loop over the intervals computes them."""
    day0 = date(2024, 1, 1)
    rows = [
        (w, c, day0 + timedelta(s), None if e is None else day0 + timedelta(s + e))
        for w, c, s, e in allocs
    ]
    status = _ranks(
        [(c, r, day0 + timedelta(s), day0 + timedelta(s + e)) for c, r, s, e in statuses]
    )
    fam = [("F", "A"), ("F", "B")]
    inputs = _inputs(rows, fam, status)
    steps = [day0 + timedelta(k) for k in range(0, 90, 3)]
    got = {
        (r["worker_id"], r["step"]): (r["children"], r["families"], r["weighted_points"])
        for r in caseload.worker_steps(inputs, DEFAULT, steps)
        .filter(pl.col("children") > 0)
        .to_dicts()
    }
    points = [DEFAULT.points[s] for s in ("cla", "cp", "cin")]
    expected = {}
    for w in ("W1", "W2"):
        for day in steps:
            held = {c for ww, c, s, e in rows if ww == w and s <= day and (e is None or day <= e)}
            if not held:
                continue
            groups: dict[str, list[float]] = {}
            for c in held:
                ranks = [
                    r
                    for cc, r, s, e in statuses
                    if cc == c and day0 + timedelta(s) <= day <= day0 + timedelta(s + e)
                ]
                p = points[min(ranks)] if ranks else DEFAULT.points["other"]
                groups.setdefault("F" if c in ("A", "B") else c, []).append(p)
            weighted = sum(max(g) + 0.5 * (sum(g) - max(g)) for g in groups.values())
            expected[(w, day)] = (len(held), len(groups), weighted)
    assert got == expected


def test_totals_packed_in_several_words(monkeypatch: pytest.MonkeyPatch) -> None:
    """The workers' children, families and points are swept packed side by side in Int64
    words; where they do not fit in one (a worker holding very many pieces), they are spread
    over several, with the same totals."""
    day0 = date(2024, 1, 1)
    inputs = _inputs(
        [
            ("W1", c, day0 + timedelta(days=i), day0 + timedelta(days=10 + i))
            for i, c in enumerate("ABCDE")
        ]
        + [("W2", "A", day0, None), ("W2", "G", day0 + timedelta(days=3), None)],
        [("F1", "A"), ("F1", "B"), ("F1", "C")],
        _ranks([("A", 0, day0, day0 + timedelta(days=6)), ("B", 2, None, None)]),
    )
    steps = [day0 + timedelta(days=d) for d in range(0, 20, 2)]
    one_word = caseload.worker_steps(inputs, DEFAULT, steps)
    assert one_word["children"].max() == 5
    monkeypatch.setattr(caseload, "_WORD_BITS", 4)  # children, families, points: a word each
    assert_frame_equal(caseload.worker_steps(inputs, DEFAULT, steps), one_word)


@pytest.mark.parametrize("few", [False, True])
def test_codes_are_exact_whatever_the_hashes(few: bool) -> None:
    """Ids become integer codes by their hash; every id is checked against its code's name, so
    even a hash that gives every id the same value (all collide) yields exact codes."""
    values = pl.Series(["b", "a", "c", "a", "b", "d", "c", "a"])
    for hashes in (None, pl.zeros(values.len(), pl.UInt64, eager=True)):
        codes, names = caseload._encode(values, few=few, hashes=hashes)
        assert names.gather(codes).to_list() == values.to_list()
        assert sorted(names.to_list()) == ["a", "b", "c", "d"]


def test_codes_of_runs_of_equal_ids() -> None:
    """Ids listed in runs (an extract ordered child by child) are encoded one run at a time;
    the codes are those of every value, nulls and values recurring after other runs included."""
    values = pl.Series([None, None, "a", "a", "a", "b", "b", "a", "a", None, "c", "c"])
    codes, names = caseload._encode(values)
    assert names.gather(codes).to_list() == values.to_list()
    assert names.len() == 4
    assert codes.to_list()[:5] == [codes[0], codes[0], codes[2], codes[2], codes[2]]


def test_sorting_packed_keys_or_rows_gives_one_order() -> None:
    frame = pl.DataFrame(
        {"x": [3, 1, 2, 1, 3], "y": [0, 7, 5, 2, 1]}, schema={"x": pl.UInt64, "y": pl.UInt64}
    )
    packed = caseload._sorted(frame, [("x", 4), ("y", 8)])
    rows = caseload._sorted(frame, [("x", 2**40), ("y", 2**40)])  # too large to pack
    assert packed.equals(rows)
    assert packed.rows() == [(1, 2), (1, 7), (2, 5), (3, 0), (3, 1)]


def _plain_weighted(scheme: Scheme, groups: dict[str, list[float]]) -> float:
    f = scheme.sibling_factor
    return sum(f * sum(g) + (1 - f) * max(g) for g in groups.values())


def test_many_siblings_and_many_overlapping_statuses() -> None:
    """The sweeps keep counts side by side in 64-bit integers; 600 children of one family held
    by one worker, and 600 overlapping status spans of one child, need the wider layouts."""
    scheme = parse_scheme(
        {
            "name": "distinct",
            "effective_from": "2024-01-01",
            "points": {
                "cla": 7,
                "cp": 6,
                "cin": 5,
                "care_leaver": 4,
                "assessment": 3,
                "referral": 2,
                "other": 1,
            },
        },
        DEFAULT,
    )
    day0 = date(2024, 1, 1)
    kids = [f"K{i:03d}" for i in range(600)]
    rank = {k: i % 7 for i, k in enumerate(kids)}  # 6 is "other": no status row
    rank["K000"] = 6
    status = _ranks(
        [(k, r, day0, None) for k, r in rank.items() if r < 6]
        # K000 has 600 overlapping CIN spans instead, the last ending on day 20.
        + [("K000", 2, day0, day0 + timedelta(days=i % 21)) for i in range(600)]
    )
    inputs = _inputs(
        [("W", k, day0 + timedelta(days=i % 5), None) for i, k in enumerate(kids)],
        [("F", k) for k in kids],
        status,
    )
    steps = [day0 + timedelta(days=d) for d in (0, 3, 4, 10, 30)]
    rows = {r["step"]: r for r in caseload.worker_steps(inputs, scheme, steps).to_dicts()}
    names = [*STATUSES]
    for day in steps:
        held = [k for i, k in enumerate(kids) if day0 + timedelta(days=i % 5) <= day]
        cin = day <= day0 + timedelta(days=20)
        points = [scheme.points["cin" if k == "K000" and cin else names[rank[k]]] for k in held]
        expected = _plain_weighted(scheme, {"F": points})
        row = rows[day]
        assert (row["children"], row["families"]) == (len(held), 1)
        assert row["weighted_points"] == pytest.approx(expected, abs=1e-9)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["W1", "W2", "W3"]),
            st.sampled_from(["A", "B", "C", "D", "E"]),
            st.integers(0, 30),
            st.one_of(st.none(), st.integers(0, 30)),
        ),
        min_size=1,
        max_size=10,
    ),
    st.lists(st.sampled_from(["T1", "T2", None]), min_size=3, max_size=3),
)
def test_team_totals_are_the_sums_of_the_workers(
    allocs: list[tuple[str, str, int, int | None]], team_of: list[str | None]
) -> None:
    """Per team and step, ``team_steps`` (which totals the worker timeline) gives the counts,
    FTE and points that summing ``worker_rows`` per team gives."""
    day0 = date(2024, 1, 1)
    rows = [
        (w, c, day0 + timedelta(s), None if e is None else day0 + timedelta(s + e))
        for w, c, s, e in allocs
    ]
    base = _inputs(rows, [("F", "A"), ("F", "B")])
    workers = ["W1", "W2", "W3"]
    assignments = pl.DataFrame(
        {
            "worker_id": workers,
            "team_id": team_of,
            "role": ["Social Worker", "Team Manager", "Senior Practitioner"],
            "fte": [1.0, 0.8, 0.6],
            "start_date": [day0, day0 + timedelta(10), day0],
            "end_date": [None, None, day0 + timedelta(20)],
        },
        schema_overrides={"end_date": pl.Date, "team_id": pl.String},
    )
    inputs = caseload.CaseloadInputs(
        **{
            **{f: getattr(base, f) for f in caseload.CaseloadInputs.__dataclass_fields__},
            "assignments": assignments,
            "workers": pl.DataFrame(
                {"worker_id": ["W1"], "asye_start": [day0 + timedelta(5)]},
                schema={"worker_id": pl.String, "asye_start": pl.Date},
            ),
        }
    )
    teams = pl.DataFrame({"team_id": ["T1"], "name": ["Team one"], "team_type": ["cin_cp"]})
    steps = [day0 + timedelta(k) for k in range(0, 40, 2)]
    timeline = caseload.worker_timeline(inputs, DEFAULT, steps)
    got = caseload.team_steps(timeline, teams, DEFAULT)
    per_worker = caseload.worker_rows(timeline, DEFAULT).with_columns(
        pl.col("team_id").fill_null("(no team)"),
        pl.when(pl.col("capacity_points") > 0)
        .then(pl.col("fte") * (1 - pl.col("reduction_pct") / 100))
        .otherwise(0.0)
        .alias("available"),
    )
    expected = per_worker.group_by("step", "team_id").agg(
        pl.len().alias("workers"),
        pl.col("fte").fill_null(0.0).sum(),
        pl.col("children").sum(),
        pl.col("weighted_points").sum(),
        pl.col("available").sum().alias("available_fte"),
    )
    columns = ["step", "team_id", "workers", "fte", "children", "weighted_points", "available_fte"]
    key = ["step", "team_id"]
    assert_frame_equal(
        got.select(columns).sort(key),
        expected.select(columns).sort(key).with_columns(pl.col("workers").cast(pl.UInt32)),
        check_exact=False,
        abs_tol=1e-9,
    )
    assert got.columns == ["step", *caseload.TEAM_COLUMNS]
    assert got["step"].is_sorted()


def test_a_child_in_two_families_counts_in_the_first() -> None:
    """A child recorded in two families belongs to the first family id in sort order."""
    rank = {s: i for i, s in enumerate(STATUSES)}
    status = _ranks([(c, rank["cp"], None, None) for c in ("A", "B", "C")])
    inputs = _inputs(
        [("W", c, date(2024, 1, 1), None) for c in ("A", "B", "C")],
        [("F2", "A"), ("F1", "A"), ("F1", "B"), ("F2", "C")],
        status,
    )
    (row,) = caseload.worker_steps(inputs, DEFAULT, [D]).to_dicts()
    # F1 = {A, B}: 5 + 0.5 x 5; F2 = {C}: 5.
    assert (row["children"], row["families"], row["weighted_points"]) == (3, 2, 12.5)


def test_children_never_held_and_children_held_later() -> None:
    """Status and family rows of a child nobody holds change nothing (X shares a family with C
    and one with A and B); a child first held between two steps counts from the later one; a
    child alone in its family counts its points in full as its status changes."""
    rank = {s: i for i, s in enumerate(STATUSES)}
    d1, d2, d3 = date(2024, 1, 7), date(2024, 1, 14), date(2024, 1, 21)
    status = _ranks(
        [
            ("A", rank["cla"], None, None),
            ("C", rank["cp"], None, date(2024, 1, 10)),
            ("C", rank["cin"], date(2024, 1, 11), None),
            ("E", rank["cp"], date(2024, 1, 1), None),
            ("X", rank["cla"], None, None),
        ]
    )
    inputs = _inputs(
        [("W", c, date(2024, 1, 1), None) for c in ("A", "B", "C")]
        + [("W", "E", date(2024, 1, 15), None)],
        [("F", "A"), ("F", "B"), ("F", "X"), ("H", "C"), ("H", "X"), ("G", "E")],
        status,
    )
    rows = {
        r["step"]: (r["children"], r["families"], r["weighted_points"])
        for r in caseload.worker_steps(inputs, DEFAULT, [d1, d2, d3]).to_dicts()
    }
    # F = {A cla 5, B other 1}: 5 + 0.5 x 1 = 5.5; H = {C}: cp 5, then cin 3 from 11 January;
    # G = {E, cp 5} from 15 January.
    assert rows == {d1: (3, 2, 10.5), d2: (3, 2, 8.5), d3: (4, 3, 13.5)}
