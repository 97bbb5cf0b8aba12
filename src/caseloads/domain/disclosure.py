"""Small-number suppression of published counts, after the DfE convention (practice.md §6).

The rule, as the DfE applies it to children in need, looked-after children and the workforce
census (practice.md §6, "Statistical disclosure control in published children's data"):

1. **Primary suppression**: a count from 1 to 5 inclusive is shown as ``c`` ("confidential");
   a zero stays 0. The threshold is a parameter (the product default is 5).
2. **Secondary suppression**: where a suppressed count could be worked out from the figures still
   shown (a total less the other cells of its row or column), further cells are suppressed too.
   The next-smallest cell of the line is chosen, as the DfE does, so that as little as possible is
   hidden.
3. Figures derived from a suppressed count (a rate, a percentage, an FTE) are suppressed with it.

A table here is a list of rows (dicts). ``count_columns`` are the counted columns; one of them may
be the row total (``total_column``, the sum of the other count columns), and one row may be the
column total (``total_row_key``: ``(column, value)`` that marks it, or a predicate). Secondary
suppression makes sure that **no suppressed cell can be recovered exactly from any combination of
the rows' and columns' additive relations** (not only single subtractions): the cells hidden, seen
as unknowns of the linear equations "components add up to their total", must leave every
suppressed cell undetermined. Bounds that follow from counts being non-negative (a cell hidden
beside a total of 2 lies between 0 and 2) are not removed; the DfE convention accepts them too.

Values that are not numbers (``None``, a symbol already there such as ``x``) count as unknown to a
reader, like suppressed cells, and are left as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

#: Counts from 1 to this number are suppressed (practice.md §6: "counts 1–5 inclusive").
DEFAULT_THRESHOLD = 5
#: The DfE symbol for a suppressed (confidential) figure (EES symbols, practice.md §6).
SUPPRESSED = "c"

Cell = tuple[int, int]  # (row index in ``rows``, column index in ``count_columns``)
RowPredicate = Callable[[Mapping[str, object]], bool]


def suppress_rows(
    rows: Sequence[Mapping[str, object]],
    count_columns: Sequence[str],
    total_row_key: tuple[str, object] | RowPredicate | None = None,
    *,
    total_column: str | None = None,
    linked_columns: Mapping[str, str] | None = None,
    threshold: int = DEFAULT_THRESHOLD,
    symbol: str = SUPPRESSED,
) -> list[dict[str, object]]:
    """``rows`` with small counts and the cells that would reveal them replaced by ``symbol``.

    - ``count_columns``: the columns holding counts (other columns are copied unchanged).
    - ``total_row_key``: ``(column, value)`` marking the row of column totals (e.g.
      ``("team", "Total")``), or a predicate on a row; ``None`` when the table has none.
    - ``total_column``: the count column holding each row's total of the other count columns.
    - ``linked_columns``: ``{derived column: count column}``; the derived figure (a rate, an FTE,
      a percentage) is suppressed wherever its count is.

    The rows are returned as new dicts, in the same order. Rule and source: module docstring
    (DfE convention, practice.md §6).
    """
    columns = list(count_columns)
    if total_column is not None and total_column not in columns:
        raise ValueError(f"total column {total_column!r} is not one of the count columns")
    total_rows = [i for i, row in enumerate(rows) if _is_total_row(row, total_row_key)]
    if len(total_rows) > 1:
        raise ValueError("more than one row matches the total row key")
    table = _Table(
        values=[[_number(row.get(c)) for c in columns] for row in rows],
        total_row=total_rows[0] if total_rows else None,
        total_col=columns.index(total_column) if total_column is not None else None,
    )
    hidden = table.suppress(threshold)
    out = [dict(row) for row in rows]
    index = {c: j for j, c in enumerate(columns)}
    for i, j in hidden:
        out[i][columns[j]] = symbol
    for derived, base in (linked_columns or {}).items():
        if base not in index:
            raise ValueError(f"linked column {derived!r} refers to {base!r}, not a count column")
        for i in range(len(out)):
            if (i, index[base]) in hidden:
                out[i][derived] = symbol
    return out


def _is_total_row(row: Mapping[str, object], key: tuple[str, object] | RowPredicate | None) -> bool:
    if key is None:
        return False
    if callable(key):
        return bool(key(row))
    column, value = key
    return row.get(column) == value


def _number(value: object) -> float | None:
    """A count as a number, or None when it is not one (unknown to a reader)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


@dataclass
class _Table:
    """The counts as a matrix with optional margins, and the additive relations between them."""

    values: list[list[float | None]]
    total_row: int | None
    total_col: int | None

    def lines(self) -> list[tuple[list[Cell], Cell]]:
        """Each additive relation as (the cells it links, the one that is their total): a row's
        cells with its row total; a column's cells with its cell in the total row."""
        n_rows = len(self.values)
        n_cols = len(self.values[0]) if self.values else 0
        out: list[tuple[list[Cell], Cell]] = []
        if self.total_col is not None:
            out.extend(
                ([(i, j) for j in range(n_cols)], (i, self.total_col)) for i in range(n_rows)
            )
        if self.total_row is not None:
            out.extend(
                ([(i, j) for i in range(n_rows)], (self.total_row, j)) for j in range(n_cols)
            )
        return out

    def suppress(self, threshold: int) -> set[Cell]:
        hidden = {
            (i, j)
            for i, row in enumerate(self.values)
            for j, v in enumerate(row)
            if v is not None and 0 < v <= threshold
        }
        if not hidden:
            return hidden
        lines = self.lines()
        unknown = {
            (i, j) for i, row in enumerate(self.values) for j, v in enumerate(row) if v is None
        }
        # Each step hides one more cell, so this ends within the number of cells.
        for _ in range(sum(len(r) for r in self.values) + 1):
            if self._close_lines(lines, hidden, unknown):
                continue
            exposed = self._determined(lines, hidden, unknown)
            if not exposed:
                break
            self._protect(exposed[0], lines, hidden, unknown)
        return hidden

    def _close_lines(
        self, lines: list[tuple[list[Cell], Cell]], hidden: set[Cell], unknown: set[Cell]
    ) -> bool:
        """Hide the smallest other cell of the first line that has exactly one unknown cell (a
        subtraction would reveal it). Returns whether a cell was hidden."""
        for line, _ in lines:
            missing = [c for c in line if c in hidden or c in unknown]
            if len(missing) == 1:
                candidates = [c for c in line if c not in hidden and c not in unknown]
                if candidates:
                    hidden.add(min(candidates, key=lambda c: self._cost(c)))
                    return True
        return False

    def _cost(self, cell: Cell) -> tuple[int, float, int, int]:
        """Which cell to hide first: positive before zero (a zero hides nothing of its own), body
        cells before totals, then the smallest value, then the first in the table."""
        value = self.values[cell[0]][cell[1]]
        assert value is not None
        is_total = cell[0] == self.total_row or cell[1] == self.total_col
        return (0 if value > 0 else 1) * 2 + int(is_total), value, cell[0], cell[1]

    def _determined(
        self, lines: list[tuple[list[Cell], Cell]], hidden: set[Cell], unknown: set[Cell]
    ) -> list[Cell]:
        """The hidden cells that the relations still fix exactly, in table order.

        A hidden cell ``k`` is fixed when the unit vector ``e_k`` lies in the row space of the
        relations restricted to the unknown cells, that is when every solution of the homogeneous
        system leaves it at zero: its row of a null-space basis is zero."""
        if self.total_row is None or self.total_col is None:
            # The relations run one way only, so no two share a cell: a line with two or more
            # unknown cells (what _close_lines leaves) fixes none of them.
            return []
        cells = sorted(hidden | unknown)
        position = {c: k for k, c in enumerate(cells)}
        matrix = np.zeros((len(lines), len(cells)))
        for r, (line, total) in enumerate(lines):
            # A total is the sum of its line's other cells: components +1, the total -1.
            for c in line:
                if c in position:
                    matrix[r, position[c]] = -1.0 if c == total else 1.0
        null = _null_space(matrix)
        return [c for c in cells if c in hidden and np.linalg.norm(null[position[c]]) < 1e-9]

    def _protect(
        self,
        cell: Cell,
        lines: list[tuple[list[Cell], Cell]],
        hidden: set[Cell],
        unknown: set[Cell],
    ) -> None:
        """Hide the cheapest further cell that leaves ``cell`` undetermined."""
        candidates = sorted(
            (
                (i, j)
                for i, row in enumerate(self.values)
                for j, v in enumerate(row)
                if v is not None and (i, j) not in hidden
            ),
            key=self._cost,
        )
        for candidate in candidates:
            hidden.add(candidate)
            if cell not in self._determined(lines, hidden, unknown):
                return
            hidden.discard(candidate)
        # Hiding any one cell is not enough: hide the cheapest and let the loop go on.
        if candidates:
            hidden.add(candidates[0])


def _null_space(matrix: np.ndarray) -> np.ndarray:
    """An orthonormal basis of the null space of ``matrix``, as columns (one row per unknown)."""
    n = matrix.shape[1]
    if matrix.shape[0] == 0:
        return np.eye(n)
    _, singular, vt = np.linalg.svd(matrix)
    rank = int((singular > 1e-9).sum())
    return vt[rank:].T.copy()
