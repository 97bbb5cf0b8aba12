"""The checks of a hand-made establishment summary (domain/reconcile.py): a hand-worked paper
table, the tolerance, and for any table: consistent tables pass, any one wrong figure is caught,
and the establishment command's own figures pass the sum checks."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.domain.test_establishment import AS_OF, councils

from caseloads.domain.establishment import GROUPINGS, establishment_table
from caseloads.domain.reconcile import FIGURES, check_table, default_tolerance

SCHEMA = {"_row": pl.Int64(), "role": pl.String(), **{f: pl.Float64() for f in FIGURES}}


def table(rows: list[tuple[Any, ...]]) -> pl.DataFrame:
    """Rows without their spreadsheet number: the header is row 1, so the first row is row 2."""
    return pl.DataFrame([(i + 2, *r) for i, r in enumerate(rows)], schema=SCHEMA, orient="row")


PAPER = table(
    [
        # role, establishment, permanent, agency, vacant, over_under
        ("Social workers", 50.0, 38.5, 8.0, 3.5, 0.0),  # 50 - 38.5 - 8 - 3.5 = 0: adds up
        ("Senior practitioners", 12.0, 10.0, 1.0, 1.0, 0.0),  # 12 - 10 - 1 - 1 = 0
        ("Team managers", 8.0, 7.0, 2.0, 0.0, -1.0),  # 8 - 7 - 2 - 0 = -1: one over
        ("Advanced practitioners", 4.0, 3.0, 1.5, 0.5, -0.5),  # 4 - 3 - 1.5 - 0.5 = -1.0, not -0.5
        ("Total", 74.0, 57.5, 12.5, 5.0, -1.5),
    ]
)


def failures(frame: pl.DataFrame, **kwargs: Any) -> list[tuple[Any, ...]]:
    found = check_table(frame, **kwargs)
    return [
        (r["row"], r["check"], r["column"], r["reported"], r["expected"], r["difference"])
        for r in found.to_dicts()
    ]


def test_a_paper_table_that_does_not_add_up() -> None:
    assert failures(PAPER, decimals=1) == [
        # Row 5 (advanced practitioners): over_under should be 4 - 3 - 1.5 - 0.5 = -1.0.
        (5, "row_sum", "over_under", -0.5, -1.0, 0.5),
        # ... and 0.5 vacant although permanent 3 + agency 1.5 = 4.5 already fill 4.0 posts.
        (5, "vacant_while_filled", "vacant", 0.5, 0.0, 0.5),
        # Row 6 (total): 74 - 57.5 - 12.5 - 5 = -1.0, printed -1.5.
        (6, "row_sum", "over_under", -1.5, -1.0, -0.5),
        # Permanent: 38.5 + 10 + 7 + 3 = 58.5, printed 57.5. The other columns add up:
        # establishment 50+12+8+4 = 74, agency 8+1+2+1.5 = 12.5, vacant 3.5+1+0+0.5 = 5,
        # over_under 0+0-1-0.5 = -1.5.
        (6, "total", "permanent", 57.5, 58.5, -1.0),
    ]


def test_a_table_that_adds_up_passes() -> None:
    good = table(
        [
            ("Social workers", 50.0, 38.5, 8.0, 3.5, 0.0),
            ("Team managers", 8.0, 7.0, 2.0, 0.0, -1.0),
            ("total", 58.0, 45.5, 10.0, 3.5, -1.0),  # 50+8, 38.5+7, 8+2, 3.5+0, 0-1
        ]
    )
    assert failures(good, decimals=1) == []


def test_without_a_total_row_only_rows_are_checked() -> None:
    rows = table(
        [("Social workers", 10.0, 8.0, 1.0, 1.0, 0.0), ("Team managers", 2.0, 2.0, 0.0, 0.0, 0.0)]
    )
    assert failures(rows, decimals=1) == []


@pytest.mark.parametrize(("decimals", "expected"), [(0, 0.5), (1, 0.05), (2, 0.005)])
def test_default_tolerance_is_half_the_last_printed_unit(decimals: int, expected: float) -> None:
    assert default_tolerance(decimals) == pytest.approx(expected)


def test_one_printed_unit_out_fails_unless_a_tolerance_allows_it() -> None:
    # 10.0 - 4.5 - 0 - 5.6 = -0.1, printed 0.0: what rounding 4.45 and 5.55 up can do.
    rounded = table([("Social workers", 10.0, 4.5, 0.0, 5.6, 0.0)])
    assert failures(rounded, decimals=1) == [(2, "row_sum", "over_under", 0.0, -0.1, 0.1)]
    assert failures(rounded, decimals=1, tolerance=0.1) == []
    # At 2 decimal places the same table reads 10.00 - 4.50 - 5.60: still 0.1 out.
    assert len(failures(rounded, decimals=2)) == 1


def test_vacant_while_filled_needs_both_conditions() -> None:
    rows = table(
        [
            ("A", 10.0, 9.0, 0.0, 1.0, 0.0),  # P + A = 9 < 10: one vacancy, fine
            ("B", 10.0, 10.0, 0.0, 0.0, 0.0),  # filled, none vacant: fine
            ("C", 10.0, 9.0, 1.0, 1.0, -1.0),  # P + A = 10 fills 10, yet 1 vacant
        ]
    )
    assert failures(rows, decimals=1) == [(4, "vacant_while_filled", "vacant", 1.0, 0.0, 1.0)]


# --- any table --------------------------------------------------------------------------------

TENTHS = st.integers(0, 600)


@st.composite
def consistent_tables(draw: st.DrawFn) -> list[list[int]]:
    """Rows in tenths of an FTE, each worked out with the unit formulas (domain/establishment.py),
    so that vacant > 0 never goes with P + A >= E; plus a total row summing them."""
    rows = []
    for _ in range(draw(st.integers(1, 8))):
        e, p, a = draw(TENTHS), draw(TENTHS), draw(TENTHS)
        v = max(0, e - p)
        u = v - min(a, v)
        o = max(0, p + a - e)
        rows.append([e, p, a, u, -o])
    rows.append([sum(col) for col in zip(*rows, strict=True)])
    return rows


def as_table(rows: list[list[int]]) -> pl.DataFrame:
    labels = [f"role {i}" for i in range(len(rows) - 1)] + ["Total"]
    return table([(label, *(x / 10 for x in row)) for label, row in zip(labels, rows, strict=True)])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(consistent_tables())
def test_consistent_tables_pass(rows: list[list[int]]) -> None:
    found = check_table(as_table(rows), decimals=1)
    # The total row itself may add its rows' uncovered vacancies and over-establishment together
    # (one role short, another over): only that contradiction can show, and only on the total.
    assert set(found["check"].to_list()) <= {"vacant_while_filled"}
    assert set(found["row"].to_list()) <= {len(rows) + 1}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(*([st.integers(-30, 300).map(lambda n: n / 10)] * len(FIGURES))),
        min_size=1,
        max_size=6,
    ),
    st.integers(0, 30),
    st.integers(0, 30),
)
def test_a_larger_tolerance_never_reports_more(
    rows: list[tuple[float, ...]], small: int, extra: int
) -> None:
    frame = table([("Total" if i == 0 else f"role {i}", *r) for i, r in enumerate(rows)])

    def found(tolerance: float) -> set[tuple[int, str, str]]:
        got = check_table(frame, decimals=1, tolerance=tolerance)
        return set(zip(got["row"], got["check"], got["column"], strict=True))

    assert found((small + extra) / 10) <= found(small / 10)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(consistent_tables(), st.data())
def test_any_wrong_figure_is_caught(rows: list[list[int]], data: st.DataObject) -> None:
    r = data.draw(st.integers(0, len(rows) - 1), label="row")
    c = data.draw(st.integers(0, len(FIGURES) - 1), label="column")
    k = data.draw(st.integers(-50, 50).filter(lambda n: n != 0), label="tenths")
    rows[r][c] += k
    found = check_table(as_table(rows), decimals=1)
    sums = found.filter(pl.col("check").is_in(["row_sum", "total"]))
    # The changed row no longer adds up; if it is the total row, its column no longer sums either.
    assert (r + 2, "row_sum") in set(
        zip(sums["row"].to_list(), sums["check"].to_list(), strict=True)
    )
    if r == len(rows) - 1:
        assert FIGURES[c] in sums.filter(pl.col("check") == "total")["column"].to_list()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(councils(), st.sampled_from(["role", "team", "team,role"]))
def test_the_establishment_table_as_a_summary_adds_up(
    council: tuple[pl.DataFrame, pl.DataFrame], by: str
) -> None:
    # `caseloads establishment` printed as a paper prints it: vacant = uncovered vacancies,
    # over_under = minus over establishment, to 2 decimal places.
    result = establishment_table(*council, AS_OF, by=by)
    keys = GROUPINGS[by]
    rows = [
        (
            "/".join(str(g[k]) for k in keys),
            *(g[f] for f in PAPER_COLUMNS[:4]),
            -g[PAPER_COLUMNS[4]],
        )
        for g in [*result.groups.to_dicts(), {**dict.fromkeys(keys, "Total"), **result.total}]
    ]
    found = check_table(table(rows), decimals=2)
    assert found.filter(pl.col("check") != "vacant_while_filled").height == 0
    # The contradiction shows only where a group has empty posts and over-filled ones at once.
    for row in found.to_dicts():
        source = rows[row["row"] - 2]
        assert source[4] > 0 and source[5] < 0


PAPER_COLUMNS = (
    "establishment_fte",
    "permanent_fte",
    "agency_fte",
    "uncovered_vacancy_fte",
    "over_establishment_fte",
)
