"""Small-number suppression (DfE convention, practice.md §6): counts 1-5 shown as ``c``, zeros
kept, and secondary suppression so that no suppressed count can be recovered from the totals."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caseloads.domain.disclosure import suppress_rows

C = "c"


def table(body: list[list[int]]) -> list[dict[str, object]]:
    """Rows ``r0..`` with count columns ``k0..``, a row total ``total`` and a ``Total`` row."""
    n_cols = len(body[0])
    rows: list[dict[str, object]] = []
    for i, values in enumerate(body):
        row: dict[str, object] = {"name": f"r{i}"}
        row.update({f"k{j}": v for j, v in enumerate(values)})
        row["total"] = sum(values)
        rows.append(row)
    totals: dict[str, object] = {"name": "Total"}
    totals.update({f"k{j}": sum(r[j] for r in body) for j in range(n_cols)})
    totals["total"] = sum(map(sum, body))
    rows.append(totals)
    return rows


def counts(n_cols: int) -> list[str]:
    return [*(f"k{j}" for j in range(n_cols)), "total"]


def test_hand_worked_team_table() -> None:
    # Team A has 3 agency workers: 3 is suppressed, then its row's next smallest (10), then the
    # column's next smallest (C's 7), and C's row is closed by its 8 (a 2x2 block, the DfE way).
    rows = [
        {"team": "A", "agency": 3, "permanent": 10, "total": 13},
        {"team": "B", "agency": 20, "permanent": 12, "total": 32},
        {"team": "C", "agency": 7, "permanent": 8, "total": 15},
        {"team": "Total", "agency": 30, "permanent": 30, "total": 60},
    ]
    out = suppress_rows(
        rows, ["agency", "permanent", "total"], ("team", "Total"), total_column="total"
    )
    assert [(r["agency"], r["permanent"], r["total"]) for r in out] == [
        (C, C, 13),
        (20, 12, 32),
        (C, C, 15),
        (30, 30, 60),
    ]
    assert rows[0]["agency"] == 3  # the input is not changed


def test_zero_stays_and_large_counts_stay_without_totals() -> None:
    rows = [{"t": "A", "n": 0}, {"t": "B", "n": 1}, {"t": "C", "n": 5}, {"t": "D", "n": 6}]
    assert [r["n"] for r in suppress_rows(rows, ["n"])] == [0, C, C, 6]


def test_a_total_row_forces_a_second_suppression() -> None:
    rows = [{"t": "A", "n": 4}, {"t": "B", "n": 40}, {"t": "C", "n": 9}, {"t": "All", "n": 53}]
    out = suppress_rows(rows, ["n"], ("t", "All"))
    assert [r["n"] for r in out] == [C, 40, C, 53]  # 9 is the next smallest


def test_linked_rates_go_with_their_counts() -> None:
    rows = [{"t": "A", "n": 3, "rate": 12.5}, {"t": "B", "n": 30, "rate": 40.0}]
    out = suppress_rows(rows, ["n"], linked_columns={"rate": "n"})
    assert out == [{"t": "A", "n": C, "rate": C}, {"t": "B", "n": 30, "rate": 40.0}]


def test_unknown_values_count_as_hidden_and_are_kept() -> None:
    rows: list[dict[str, object]] = [
        {"t": "A", "n": 3},
        {"t": "B", "n": None},
        {"t": "C", "n": 9},
        {"t": "All", "n": 20},
    ]
    out = suppress_rows(rows, ["n"], ("t", "All"))
    assert [r["n"] for r in out] == [C, None, 9, 20]  # B's missing figure already hides A's


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="total column"):
        suppress_rows([{"n": 1}], ["n"], total_column="m")
    with pytest.raises(ValueError, match="more than one row"):
        suppress_rows([{"t": "x", "n": 1}, {"t": "x", "n": 2}], ["n"], ("t", "x"))
    with pytest.raises(ValueError, match="not a count column"):
        suppress_rows([{"n": 1}], ["n"], linked_columns={"rate": "m"})


# --- properties ---------------------------------------------------------------------------------


def determined_cells(rows: list[dict[str, object]], columns: list[str]) -> set[tuple[int, int]]:
    """The suppressed cells that the table's additive relations still fix, found by exact
    Gaussian elimination over the rationals (independent of the module's floating-point check):
    a hidden cell k is fixed exactly when the unit vector e_k is in the row space of the relations
    restricted to the hidden cells, i.e. when the reduced row echelon form has e_k as a row."""
    n_rows, n_cols = len(rows), len(columns)
    hidden = [(i, j) for i in range(n_rows) for j in range(n_cols) if rows[i][columns[j]] == C]
    if not hidden:
        return set()
    pos = {cell: k for k, cell in enumerate(hidden)}
    total_row, total_col = n_rows - 1, n_cols - 1
    equations: list[list[Fraction]] = []
    for i in range(n_rows):  # row i: its components minus its total
        eq = [Fraction(0)] * len(hidden)
        for j in range(n_cols):
            if (i, j) in pos:
                eq[pos[(i, j)]] += -1 if j == total_col else 1
        equations.append(eq)
    for j in range(n_cols):  # column j: its body cells minus its total-row cell
        eq = [Fraction(0)] * len(hidden)
        for i in range(n_rows):
            if (i, j) in pos:
                eq[pos[(i, j)]] += -1 if i == total_row else 1
        equations.append(eq)
    # Reduced row echelon form.
    m = [row[:] for row in equations]
    width, pivot_row = len(hidden), 0
    for lead in range(width):
        found = next((r for r in range(pivot_row, len(m)) if m[r][lead] != 0), None)
        if found is None:
            continue
        m[pivot_row], m[found] = m[found], m[pivot_row]
        pivot = m[pivot_row][lead]
        m[pivot_row] = [v / pivot for v in m[pivot_row]]
        for r in range(len(m)):
            if r != pivot_row and m[r][lead] != 0:
                factor = m[r][lead]
                m[r] = [a - factor * b for a, b in zip(m[r], m[pivot_row], strict=True)]
        pivot_row += 1
    fixed = set()
    for row in m[:pivot_row]:
        nonzero = [k for k, v in enumerate(row) if v != 0]
        if len(nonzero) == 1:
            fixed.add(hidden[nonzero[0]])
    return fixed


small_counts = st.integers(0, 12) | st.integers(0, 200)
bodies = st.integers(1, 5).flatmap(
    lambda n_cols: st.lists(
        st.lists(small_counts, min_size=n_cols, max_size=n_cols), min_size=1, max_size=6
    )
)


@settings(max_examples=300, deadline=None)
@given(bodies)
def test_no_suppressed_count_can_be_recovered(body: list[list[int]]) -> None:
    rows = table(body)
    columns = counts(len(body[0]))
    out = suppress_rows(rows, columns, ("name", "Total"), total_column="total")
    for before, after in zip(rows, out, strict=True):
        for c in columns:
            value = before[c]
            assert isinstance(value, int)
            if 1 <= value <= 5:
                assert after[c] == C  # primary suppression
            elif after[c] != C:
                assert after[c] == value  # everything shown is the true figure
        assert after["name"] == before["name"]
    # No line (a row or a column with its total) has exactly one hidden cell: no subtraction
    # recovers a suppressed figure ...
    n_rows = len(out)
    for i in range(n_rows):
        assert sum(out[i][c] == C for c in columns) != 1
    for c in columns:
        assert sum(out[i][c] == C for i in range(n_rows)) != 1
    # ... nor does any combination of the rows' and columns' sums.
    assert determined_cells(out, columns) == set()


@settings(max_examples=200, deadline=None)
@given(st.lists(small_counts, min_size=1, max_size=8), st.booleans())
def test_one_column_with_or_without_total(values: list[int], with_total: bool) -> None:
    rows: list[dict[str, object]] = [{"t": f"r{i}", "n": v} for i, v in enumerate(values)]
    if with_total:
        rows.append({"t": "All", "n": sum(values)})
    out = suppress_rows(rows, ["n"], ("t", "All") if with_total else None)
    hidden = sum(r["n"] == C for r in out)
    if with_total:
        assert hidden != 1
    else:
        assert hidden == sum(1 <= v <= 5 for v in values)
    zeros_kept = all(o["n"] == 0 for o, r in zip(out, rows, strict=True) if r["n"] == 0)
    assert zeros_kept or with_total
