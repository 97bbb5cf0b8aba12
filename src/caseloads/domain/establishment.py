"""The establishment table: the budgeted posts on a date, filled by whom, vacant, covered by agency.

Definitions (issue 4, deliverable 2; definitions.md §1.1 and §1.3). For one post, on the date:

- ``establishment_fte`` E: the post's budgeted FTE (the ``establishment`` extract; a post counts
  on the days from its ``start_date`` to its ``end_date``, both included).
- ``permanent_fte`` P: directly employed staff in it, on ``permanent`` or ``fixed_term``
  contracts (the DfE's "children and family social workers ... employed and paid directly by the
  LA", definitions.md §1.1).
- ``agency_fte`` A: agency workers in it ("not directly paid by the LA", §1.1).
- ``vacancy_fte`` V = max(0, E − P): the DfE's vacancy counts posts "including ... those covered
  by agency workers" (§1.3), so agency staff do not reduce it.
- ``agency_covering_vacancies_fte`` C = min(A, V): the DfE's ``agency_cover_fte``.
- ``uncovered_vacancy_fte`` U = V − C: the "vacant posts not covered by agency" of council
  papers (needs.md).
- ``over_establishment_fte`` O = max(0, P + A − E).

Whatever E, P and A are, these give ``V = C + U`` and ``E − P − A = U − O`` (check the two cases
P ≥ E and P < E), and C ≤ A, C ≤ V, every figure ≥ 0.

**Where max and min are applied.** They are applied to the smallest unit the data allows, and
every larger group is the plain sum of its units; the total row is the sum of the groups. Reasons:

1. A vacancy is a post (the DfE counts "any FTE vacancy ... within a local authority's
   organisational structure", §1.3). A worker over establishment in one team does not fill an
   empty post in another, so netting at team or role level would hide vacancies.
2. Sums are linear, so the two identities above hold for every group and for the total exactly,
   and the total is the same whichever grouping is asked for (netting per group would make the
   vacancy total of a table by role differ from that of a table by team).

The price: a group (even one role in one team) can show both uncovered vacancies and
over-establishment, when one of its posts is empty and another is over-filled (for example an
agency worker covering a permanent worker's long absence, which the DfE does not count as
covering a vacancy). Then ``vacancy_fte`` of the group is more than max(0, E − P) of its sums.

**The units.** Staff whose assignment names a ``post_id`` budgeted on the date are counted in that
post (and in its team and role, even if their own record names others). Staff without one (no
``post_id``, or one not budgeted on the date) are counted in the pool of their own team and role
("post by post where staff carry a post_id, else by team and role", issue 4). The posts are
worked out first; then, in each team and role, the pool's permanent staff fill the vacancies
its posts still have, uncovered ones first (an unplaced worker is most likely in an empty post,
not displacing an agency worker), then covered ones (the agency worker they displace becomes
over establishment); what is left over is over establishment. The pool's agency staff then cover
the uncovered vacancies left; the rest is over establishment. When no staff carry a post id this
is exactly E, P, A summed over the team and role with the formulas above; the identities hold
for each step (tests/domain/test_establishment.py proves them for any input).

**Casual staff** (``casual`` contracts: bank and zero-hours staff) hold no budgeted post; they are
not in P or A, and are shown in ``casual_fte`` so that no one disappears from the table.

**Rounding.** FTE are summed per unit (a post, or a team-and-role pool) and rounded there, once,
to hundredths of an FTE (half up, after removing binary noise at the millionth); everything after
that is exact integer arithmetic in hundredths. So the identities hold exactly in the printed
two-decimal figures and the total row is exactly the sum of the rows shown. The cost is at most
0.005 FTE per unit.

Roles are compared as keys: lower case, runs of spaces and hyphens as ``_`` (``Social Worker`` is
``social_worker``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

PERMANENT_CONTRACTS = ("permanent", "fixed_term")
AGENCY_CONTRACTS = ("agency",)
CASUAL_CONTRACTS = ("casual",)

#: The grouping options and the key columns each groups by.
GROUPINGS: dict[str, tuple[str, ...]] = {
    "role": ("role",),
    "team": ("team_id",),
    "team,role": ("team_id", "role"),
}
CELL = ("team_id", "role")

#: The figures of a row, in the order they are shown.
FIGURES = (
    "establishment_fte",
    "permanent_fte",
    "vacancy_fte",
    "agency_fte",
    "agency_covering_vacancies_fte",
    "uncovered_vacancy_fte",
    "over_establishment_fte",
    "casual_fte",
)

_CENT = 100  # hundredths of an FTE per FTE


def active_on(
    frame: pl.DataFrame, as_of: date, start: str = "start_date", end: str = "end_date"
) -> pl.DataFrame:
    """The rows in force on ``as_of``: started on or before it, not ended before it (an empty end
    is open)."""
    return frame.filter((pl.col(start) <= as_of) & (pl.col(end).is_null() | (pl.col(end) >= as_of)))


def role_key(expr: pl.Expr) -> pl.Expr:
    """A role as a key: trimmed, lower case, runs of spaces and hyphens as ``_``."""
    return expr.str.strip_chars().str.to_lowercase().str.replace_all(r"[\s\-]+", "_")


def hundredths(expr: pl.Expr) -> pl.Expr:
    """Non-negative FTE as whole hundredths, half up. Rounded to millionths first, so that binary
    noise (0.285 is stored as 0.28499999...) cannot decide the rounding."""
    micro = (expr * 1_000_000).round(0).cast(pl.Int64)
    return (micro + 5_000) // 10_000


def to_fte(frame: pl.DataFrame, columns: tuple[str, ...]) -> pl.DataFrame:
    """Hundredths back to FTE: the float nearest the two-decimal value (3.8, never
    3.8000000000000003). NumPy divides exactly rounded; a Polars division by a constant is
    done as a multiplication by its reciprocal, which is not."""
    return frame.with_columns(
        pl.Series(c, frame.get_column(c).cast(pl.Float64).to_numpy() / float(_CENT))
        for c in columns
    )


def _kind(contracts: tuple[str, ...]) -> pl.Expr:
    return pl.col("contract").is_in(list(contracts))


def _sum_fte(contracts: tuple[str, ...], name: str) -> pl.Expr:
    return pl.col("fte").filter(_kind(contracts)).sum().alias(name)


def cell_figures(posts: pl.DataFrame, staff: pl.DataFrame) -> pl.DataFrame:
    """The figures of every team and role, in hundredths of an FTE (Int64).

    ``posts``: the posts budgeted on the date (``post_id, team_id, role, fte``); ``staff``: the
    assignments in force on the date (``post_id, team_id, role, contract, fte``). See the module
    docstring for how staff are placed and where max and min apply."""
    posts = posts.select(
        pl.col("post_id"),
        pl.col("team_id"),
        role_key(pl.col("role")).alias("role"),
        pl.col("fte").alias("E"),
    )
    staff = staff.select(
        pl.col("post_id"),
        pl.col("team_id"),
        role_key(pl.col("role")).alias("role"),
        pl.col("contract"),
        pl.col("fte").fill_null(0.0),
    )
    budgeted = posts.select("post_id")
    linked = staff.join(budgeted, on="post_id", how="semi")
    unlinked = staff.join(budgeted, on="post_id", how="anti", nulls_equal=False)

    # 1. Post by post.
    filled = linked.group_by("post_id").agg(
        _sum_fte(PERMANENT_CONTRACTS, "P"),
        _sum_fte(AGENCY_CONTRACTS, "A"),
        _sum_fte(CASUAL_CONTRACTS, "K"),
    )
    per_post = (
        posts.join(filled, on="post_id", how="left")
        .with_columns(pl.col("P", "A", "K").fill_null(0.0))
        .with_columns(hundredths(pl.col(c)).alias(c) for c in ("E", "P", "A"))
        .with_columns(pl.max_horizontal(pl.col("E") - pl.col("P"), pl.lit(0)).alias("V"))
        .with_columns(pl.min_horizontal("A", "V").alias("C"))
        .with_columns(
            (pl.col("V") - pl.col("C")).alias("U"),
            pl.max_horizontal(pl.col("P") + pl.col("A") - pl.col("E"), pl.lit(0)).alias("O"),
        )
    )
    from_posts = per_post.group_by(CELL).agg(
        pl.col("E", "P", "A", "V", "C", "U", "O").sum(), pl.col("K").sum().alias("K_posts")
    )

    # 2. The staff without a budgeted post, pooled by their team and role.
    pooled = unlinked.group_by(CELL).agg(
        _sum_fte(PERMANENT_CONTRACTS, "Pu"),
        _sum_fte(AGENCY_CONTRACTS, "Au"),
        _sum_fte(CASUAL_CONTRACTS, "K_pool"),
    )
    cells = (
        from_posts.join(pooled, on=list(CELL), how="full", coalesce=True, nulls_equal=True)
        .with_columns(pl.col("E", "P", "A", "V", "C", "U", "O").fill_null(0))
        .with_columns(pl.col("Pu", "Au", "K_posts", "K_pool").fill_null(0.0))
        .with_columns(
            hundredths(pl.col("Pu")).alias("Pu"),
            hundredths(pl.col("Au")).alias("Au"),
            hundredths(pl.col("K_posts") + pl.col("K_pool")).alias("K"),
        )
        # f: vacancies the pool's permanent staff fill; g1 of them uncovered, g2 covered.
        .with_columns(pl.min_horizontal("Pu", "V").alias("f"))
        .with_columns(pl.min_horizontal("f", "U").alias("g1"))
        .with_columns((pl.col("f") - pl.col("g1")).alias("g2"))
        # h: uncovered vacancies still left that the pool's agency staff cover.
        .with_columns(pl.min_horizontal(pl.col("Au"), pl.col("U") - pl.col("g1")).alias("h"))
    )
    return cells.select(
        *CELL,
        pl.col("E").alias("establishment_fte"),
        (pl.col("P") + pl.col("Pu")).alias("permanent_fte"),
        (pl.col("V") - pl.col("f")).alias("vacancy_fte"),
        (pl.col("A") + pl.col("Au")).alias("agency_fte"),
        (pl.col("C") - pl.col("g2") + pl.col("h")).alias("agency_covering_vacancies_fte"),
        (pl.col("U") - pl.col("g1") - pl.col("h")).alias("uncovered_vacancy_fte"),
        (
            pl.col("O") + (pl.col("Pu") - pl.col("f")) + pl.col("g2") + (pl.col("Au") - pl.col("h"))
        ).alias("over_establishment_fte"),
        pl.col("K").alias("casual_fte"),
    ).sort(CELL, nulls_last=True)


def group_sums(cells: pl.DataFrame, keys: tuple[str, ...]) -> pl.DataFrame:
    """``cells`` summed by ``keys`` (columns of ``cells``), sorted by them."""
    figures = [c for c in cells.columns if c not in CELL]
    return cells.group_by(list(keys)).agg(pl.col(figures).sum()).sort(list(keys), nulls_last=True)


def total_of(groups: pl.DataFrame, figures: tuple[str, ...]) -> dict[str, int]:
    """The total row: the sum of the groups, figure by figure."""
    sums = groups.select(pl.col(list(figures)).sum()).row(0, named=True)
    return {name: int(value) for name, value in sums.items()}


@dataclass(frozen=True, slots=True)
class EstablishmentTable:
    """The groups (key columns plus :data:`FIGURES`, in FTE) and their total row (in FTE)."""

    groups: pl.DataFrame
    total: dict[str, float]


def establishment_table(
    posts: pl.DataFrame, staff: pl.DataFrame, as_of: date, by: str = "role"
) -> EstablishmentTable:
    """The establishment on ``as_of`` grouped ``by`` role, team or team and role (the keys of
    :data:`GROUPINGS`). ``posts`` and ``staff`` hold every row of the extracts; the rows in force
    on the date are chosen here."""
    keys = GROUPINGS[by]
    cells = cell_figures(active_on(posts, as_of), active_on(staff, as_of))
    groups = group_sums(cells, keys)
    total = total_of(groups, FIGURES)
    return EstablishmentTable(
        groups=to_fte(groups, FIGURES),
        total={name: value / _CENT for name, value in total.items()},
    )
