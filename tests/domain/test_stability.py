"""Social worker stability (domain/stability.py): hand-worked windows, roles and workers, and the
summary reproducing the DfE's published England figure."""

from __future__ import annotations

from datetime import date

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from caseloads.domain.caseload import resolve_workers
from caseloads.domain.stability import (
    cohort_workers,
    stability_summary,
    stability_window,
    workers_per_child,
)

COLUMNS = {
    "la_code": pl.String(),
    "child_id": pl.String(),
    "worker_id": pl.String(),
    "role": pl.String(),
    "start_date": pl.Date(),
    "end_date": pl.Date(),
}


def involvements(rows: list[tuple[str, str, str | None, date, date | None]]) -> pl.DataFrame:
    return pl.DataFrame([("1", *r) for r in rows], schema=COLUMNS, orient="row")


def counts(frame: pl.DataFrame) -> dict[str, int]:
    return {r["child_id"]: r["workers"] for r in frame.to_dicts()}


def test_the_window() -> None:
    # The DfE's year to 31 March; a 29 February's year starts on 1 March.
    assert stability_window(date(2024, 3, 31)) == (date(2023, 4, 1), date(2024, 3, 31))
    assert stability_window(date(2024, 2, 29)) == (date(2023, 3, 1), date(2024, 2, 29))


def test_workers_per_child_worked_by_hand() -> None:
    as_of = date(2024, 3, 31)  # window 1 April 2023 - 31 March 2024
    frame = involvements(
        [
            # a: exactly three workers, one of them twice.
            ("a", "w1", "CW", date(2023, 1, 1), date(2023, 4, 1)),  # ends on the first day
            ("a", "w2", "CW", date(2023, 5, 1), date(2023, 8, 31)),
            ("a", "w1", "CW", date(2023, 9, 1), date(2023, 12, 31)),  # w1 again: once
            ("a", "w3", " allocated case worker ", date(2024, 3, 31), None),  # starts on the last
            # b: outside the window on both sides, and a non-allocated role.
            ("b", "w4", "CW", date(2022, 1, 1), date(2023, 3, 31)),  # ends the day before
            ("b", "w5", "CW", date(2024, 4, 1), None),  # starts the day after
            ("b", "w6", "IRO", date(2023, 6, 1), None),
            ("b", "w7", "cw", date(2023, 6, 1), None),
            # c: none in the window at all.
            ("c", "w8", "CW", date(2020, 1, 1), date(2021, 1, 1)),
            ("c", "w9", None, date(2023, 6, 1), None),  # role unknown: not counted
        ]
    )
    per_child = workers_per_child(frame, as_of)
    assert counts(per_child) == {"a": 3, "b": 1}
    (row,) = stability_summary(per_child, ["1"]).to_dicts()
    # 2 children, 1 with 3 or more: 50.0%.
    assert row == {
        "la_code": "1",
        "children": 2,
        "children_with_3_or_more": 1,
        "share_with_3_or_more": 50.0,
        "children_without_worker": 0,
    }
    # Other roles as the setting: the IRO alone.
    assert counts(workers_per_child(frame, as_of, roles=["IRO"])) == {"b": 1}


def test_the_same_worker_from_two_extracts_counts_once() -> None:
    # The 903's social-worker episode carries the worker's SWE number hash; the SSD professional
    # of the same person maps it to the worker id (domain/caseload.resolve_workers).
    frame = involvements(
        [
            ("a", "ssd-worker", "CW", date(2023, 5, 1), date(2023, 6, 30)),
            ("a", "swe-hash", "CW", date(2023, 5, 1), date(2023, 6, 30)),  # the 903's record
            ("a", "other", "CW", date(2023, 7, 1), None),
        ]
    )
    swe_map = pl.DataFrame({"swe_hash": ["swe-hash"], "worker_id": ["ssd-worker"]})
    resolved = resolve_workers(frame, swe_map)
    assert counts(workers_per_child(resolved, date(2024, 3, 31))) == {"a": 2}
    assert counts(workers_per_child(frame, date(2024, 3, 31))) == {"a": 3}


def test_cla_cohort_counts_children_without_a_worker() -> None:
    per_child = workers_per_child(
        involvements([("a", "w1", "CW", date(2023, 5, 1), None)]), date(2024, 3, 31)
    )
    looked_after = pl.DataFrame({"la_code": ["1", "1"], "child_id": ["a", "z"]})
    cohort = cohort_workers(per_child, looked_after)
    assert counts(cohort) == {"a": 1, "z": 0}
    (row,) = stability_summary(cohort, ["1", "2"]).to_dicts()[:1]
    assert (row["children"], row["children_without_worker"]) == (2, 1)
    # An authority with nobody in the cohort: no share, not 0%.
    empty = stability_summary(cohort, ["1", "2"]).to_dicts()[1]
    assert (empty["children"], empty["share_with_3_or_more"]) == (0, None)


def test_the_published_england_share() -> None:
    """la_cla_swcount.csv (bundled), lines 2-3: England 2024, CLA on 31 March 83,300, of whom
    22,140 had 3 or more social workers during the year: 27% (whole number as published;
    26.6% to 1 dp)."""
    children = pl.DataFrame(
        {
            "la_code": ["E"] * 83_300,
            "child_id": [str(i) for i in range(83_300)],
            "workers": [3] * 22_140 + [1] * (83_300 - 22_140),
        },
        schema={"la_code": pl.String(), "child_id": pl.String(), "workers": pl.UInt32()},
    )
    (row,) = stability_summary(children, ["E"]).to_dicts()
    assert (row["children"], row["children_with_3_or_more"]) == (83_300, 22_140)
    assert row["share_with_3_or_more"] == 26.6
    assert round(row["share_with_3_or_more"]) == 27


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from("abc"),
            st.sampled_from(["w1", "w2", "w3", "w4"]),
            st.integers(0, 800),
            st.one_of(st.none(), st.integers(0, 300)),
        ),
        max_size=20,
    )
)
def test_against_a_plain_reading(drawn: list[tuple[str, str, int, int | None]]) -> None:
    day0 = date(2022, 6, 1)
    as_of = date(2024, 3, 31)
    first, last = stability_window(as_of)
    rows: list[tuple[str, str, str | None, date, date | None]] = []
    for child, worker, start, length in drawn:
        begins = date.fromordinal(day0.toordinal() + start)
        ends = None if length is None else date.fromordinal(begins.toordinal() + length)
        rows.append((child, worker, "CW", begins, ends))
    expected: dict[str, set[str]] = {}
    for child, worker, _, begins, ends in rows:
        if begins <= last and (ends is None or ends >= first):
            expected.setdefault(child, set()).add(worker)
    got = counts(workers_per_child(involvements(rows), as_of))
    assert got == {child: len(workers) for child, workers in expected.items()}
