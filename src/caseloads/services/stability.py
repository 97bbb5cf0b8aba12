"""``caseloads stability``: social worker stability (issue 5, deliverable 6).

For the 12 months to a date, how many different allocated social workers each child had, and how
many and what share of the children had 3 or more: the DfE measure (definitions.md §4). The
definitions, the window and the two cohorts (every child allocated in the window; or, as the DfE
publishes it, the children looked after at the date) are in :mod:`caseloads.domain.stability`.

Allocations are the stored ``involvements`` (the SSD's ``ssd_involvements`` and the SSDA903's
social-worker episodes) of the authority's active batches. Which roles are "allocated social
worker" is the ``roles`` parameter, by default
:data:`~caseloads.domain.stability.DEFAULT_ALLOCATED_ROLES`.

Rows are JSON-safe dicts (dates as ISO text): the web API will serve exactly these.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, Final

import polars as pl
from sqlalchemy.engine import Connection

from caseloads.domain.demand import looked_after_spells, open_at
from caseloads.domain.stability import (
    COHORTS,
    DEFAULT_ALLOCATED_ROLES,
    SUMMARY_COLUMNS,
    THRESHOLD,
    cohort_workers,
    stability_summary,
    stability_window,
    with_worker_key,
    workers_per_child,
)
from caseloads.errors import CaseloadsError
from caseloads.services.database import Database
from caseloads.services.demand import case_authorities
from caseloads.services.workforce import reading
from caseloads.store.frames import active_frame
from caseloads.store.tables import cla_episodes, involvements, professionals

#: The kinds of extract that hold allocations (involvements).
ALLOCATION_KINDS: Final[tuple[str, ...]] = ("ssd", "ssda903")


class StabilityRequestError(CaseloadsError):
    """A stability question that cannot be answered as asked (an unknown cohort, no roles, a
    threshold below 1)."""


def _check(cohort: str, roles: Sequence[str], threshold: int) -> None:
    if cohort not in COHORTS:
        raise StabilityRequestError(
            f"unknown cohort {cohort!r}: choose one of {', '.join(COHORTS)}"
        )
    if not any(r.strip() for r in roles):
        raise StabilityRequestError("no involvement role is counted as an allocated social worker")
    if threshold < 1:
        raise StabilityRequestError("the threshold must be at least 1 worker")


def _per_child(
    conn: Connection, la_codes: Sequence[str], as_of: date, cohort: str, roles: Sequence[str]
) -> pl.DataFrame:
    columns = ["la_code", "child_id", "worker_id", "role", "start_date", "end_date"]
    held = active_frame(conn, involvements, la_codes, columns=columns)
    known = active_frame(
        conn, professionals, la_codes, columns=["la_code", "worker_id", "swe_hash"]
    )
    per_child = workers_per_child(with_worker_key(held, known), as_of, roles)
    if cohort == "allocated":
        return cohort_workers(per_child, None)
    episodes = active_frame(
        conn,
        cla_episodes,
        la_codes,
        columns=["la_code", "child_id", "start_date", "ceased_date", "legal_status"],
    ).with_columns(pl.lit(None, pl.String).alias("team_id"))
    looked_after = open_at(looked_after_spells(episodes), as_of)
    return cohort_workers(per_child, looked_after)


def _header(la_codes: Sequence[str], as_of: date, cohort: str) -> pl.DataFrame:
    first, last = stability_window(as_of)
    return pl.DataFrame(
        {
            "la_code": list(la_codes),
            "as_of": [last.isoformat()] * len(la_codes),
            "period_start": [first.isoformat()] * len(la_codes),
            "cohort": [cohort] * len(la_codes),
        }
    )


def social_worker_stability(
    db: Database,
    *,
    as_of: date,
    la_code: str | None = None,
    cohort: str = "allocated",
    roles: Sequence[str] = DEFAULT_ALLOCATED_ROLES,
    threshold: int = THRESHOLD,
) -> list[dict[str, Any]]:
    """One row per authority (``la_code``, else every authority with allocations loaded):
    ``la_code, as_of, period_start`` (the 12 months to ``as_of``, both inclusive), ``cohort``,
    ``children``, ``children_with_3_or_more``, ``share_with_3_or_more`` (percent, 1 dp) and
    ``children_without_worker`` (see :func:`caseloads.domain.stability.stability_summary`)."""
    _check(cohort, roles, threshold)
    with reading(db) as conn:
        la_codes = case_authorities(conn, la_code, ALLOCATION_KINDS)
        per_child = _per_child(conn, la_codes, as_of, cohort, roles)
    summary = stability_summary(per_child, la_codes, threshold)
    frame = _header(la_codes, as_of, cohort).join(summary, on="la_code", how="left")
    return frame.select(
        "la_code", "as_of", "period_start", "cohort", *SUMMARY_COLUMNS[1:]
    ).to_dicts()


def workers_by_child(
    db: Database,
    *,
    as_of: date,
    la_code: str | None = None,
    cohort: str = "allocated",
    roles: Sequence[str] = DEFAULT_ALLOCATED_ROLES,
) -> list[dict[str, Any]]:
    """Every child of the cohort with its number of different allocated social workers in the 12
    months to ``as_of``: ``la_code, child_id`` (the pseudonymous id), ``workers``; most workers
    first."""
    _check(cohort, roles, THRESHOLD)
    with reading(db) as conn:
        la_codes = case_authorities(conn, la_code, ALLOCATION_KINDS)
        per_child = _per_child(conn, la_codes, as_of, cohort, roles)
    return per_child.sort(
        ["la_code", "workers", "child_id"], descending=[False, True, False]
    ).to_dicts()
