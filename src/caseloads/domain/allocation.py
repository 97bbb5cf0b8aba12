"""Who can take the next case (issue 5, deliverable 7).

The new case is ``children`` children of one status (one family group, so the scheme's sibling
factor applies: the first counts in full, each further child ``sibling_factor`` of its points;
plus the court uplift when flagged). For each worker of the team on the date (the rows of
:func:`caseloads.domain.caseload.worker_steps` at one step):

- ``points_after`` = weighted points + the new case's points; ``capacity_left_after`` =
  capacity points - points_after; ``capacity_pct_after`` = 100 x points_after / capacity.
- Excluded, with every reason that applies: no capacity in their role (managers, and roles the
  scheme gives no capacity); would go red (``capacity_pct_after`` above ``rag.amber``); protected
  (a reduction open on the date: ASYE, phased return, ...) and would be over their protected
  level (``points_after`` above their reduced capacity).
- The others are ranked by ``capacity_left_after``, most first (ties by worker id).
"""

from __future__ import annotations

import polars as pl

from caseloads.domain.weights import Scheme


def case_points(scheme: Scheme, status: str, children: int, *, court: bool = False) -> float:
    """The points of ``children`` new children of ``status`` in one family group."""
    each = scheme.status_points(status, court=court)
    return each + scheme.sibling_factor * each * (children - 1)


def rank_workers(
    workers: pl.DataFrame,
    scheme: Scheme,
    *,
    status: str,
    children: int,
    court_proceedings: bool,
    reductions: pl.DataFrame,
) -> pl.DataFrame:
    """The ranking (module docstring). ``reductions``: ``worker_id, reason, percent`` open on
    the date, named in the protected reason."""
    new = case_points(scheme, status, children, court=court_proceedings)
    why = reductions.group_by("worker_id").agg(
        pl.concat_str(
            pl.col("reason"), pl.lit(" "), pl.col("percent").round(1).cast(pl.String), pl.lit("%")
        )
        .sort()
        .str.join(", ")
        .alias("_protection")
    )
    after = pl.col("weighted_points") + new
    cap = pl.col("capacity_points")
    no_capacity = cap <= 0
    red = ~no_capacity & (100 * after / cap > scheme.rag_amber)
    protected = (pl.col("reduction_pct") > 0) & (after > cap)
    reasons = pl.concat_list(
        pl.when(no_capacity).then(
            pl.concat_str(pl.lit("no caseload capacity in role "), pl.col("role").fill_null("?"))
        ),
        pl.when(red).then(
            pl.format(
                "would go red: {}% of capacity after the case (red above {}%)",
                (100 * after / cap).round(1),
                pl.lit(scheme.rag_amber),
            )
        ),
        pl.when(protected).then(
            pl.format(
                "protected ({}) and would be over the protected level: {} of {} points",
                pl.col("_protection").fill_null("reduction"),
                after.round(2),
                cap.round(2),
            )
        ),
    ).list.drop_nulls()
    frame = (
        workers.join(why, on="worker_id", how="left")
        .with_columns(
            after.alias("points_after"),
            (cap - after).alias("capacity_left_after"),
            pl.when(~no_capacity).then(100 * after / cap).alias("capacity_pct_after"),
            reasons.alias("_reasons"),
        )
        .with_columns(
            (pl.col("_reasons").list.len() == 0).alias("eligible"),
            pl.col("_reasons").list.join("; ").alias("excluded_because"),
        )
        .sort(
            [pl.col("eligible"), pl.col("capacity_left_after"), pl.col("worker_id")],
            descending=[True, True, False],
        )
    )
    rank = pl.when(pl.col("eligible")).then(pl.col("eligible").cast(pl.Int32).cum_sum())
    return frame.select(
        rank.alias("rank"),
        "worker_id",
        "team",
        "role",
        "fte",
        "children",
        "weighted_points",
        "capacity_points",
        "points_after",
        "capacity_left_after",
        "capacity_pct_after",
        "eligible",
        pl.when(pl.col("eligible"))
        .then(None)
        .otherwise(pl.col("excluded_because"))
        .alias("excluded_because"),
    )
