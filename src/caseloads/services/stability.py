"""``caseloads stability``: social worker stability (issue 5, deliverable 6).

For the 12 months to a date, how many different allocated social workers each child had, and how
many and what share of the children had 3 or more: the DfE measure (definitions.md §4). The
definitions, the window and the two cohorts (every child allocated in the window; or, as the DfE
publishes it, the children looked after at the date) are in :mod:`caseloads.domain.stability`.

Allocations are the stored ``involvements`` (the SSD's ``ssd_involvements`` and the SSDA903's
social-worker episodes) of the authority's active batches. Which roles are "allocated social
worker" is the ``roles`` parameter when given, else the setting ``allocated_roles`` of the
authority's weighting scheme in force on the date (``caseloads weights load``; the shipped
default names the SSD's ``CW`` and ``Allocated Case Worker``), the same setting the caseload
engine (:mod:`caseloads.services.caseload`) counts allocations by.

Rows are JSON-safe dicts (dates as ISO text): the web API will serve exactly these.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, Final

import polars as pl
from sqlalchemy.engine import Connection

from caseloads.domain.caseload import resolve_workers
from caseloads.domain.demand import looked_after_spells, open_at
from caseloads.domain.stability import (
    COHORTS,
    SUMMARY_COLUMNS,
    THRESHOLD,
    cohort_workers,
    stability_summary,
    stability_window,
    workers_per_child,
)
from caseloads.domain.weights import SchemeProblem, parse_scheme, scheme_in_force
from caseloads.errors import RequestError
from caseloads.services.caseload import SchemeError, default_scheme
from caseloads.services.database import Database
from caseloads.services.demand import case_authorities
from caseloads.services.workforce import reading
from caseloads.store.caseload import stored_schemes
from caseloads.store.frames import active_frame
from caseloads.store.tables import cla_episodes, involvements, professionals, workers

#: The kinds of extract that hold allocations (involvements).
ALLOCATION_KINDS: Final[tuple[str, ...]] = ("ssd", "ssda903")


class StabilityRequestError(RequestError):
    """A stability question that cannot be answered as asked (an unknown cohort, no roles, a
    threshold below 1)."""


def _check(cohort: str, roles: Sequence[str] | None, threshold: int) -> None:
    if cohort not in COHORTS:
        raise StabilityRequestError(
            f"unknown cohort {cohort!r}: choose one of {', '.join(COHORTS)}"
        )
    if roles is not None and not any(r.strip() for r in roles):
        raise StabilityRequestError("no involvement role is counted as an allocated social worker")
    if threshold < 1:
        raise StabilityRequestError("the threshold must be at least 1 worker")


def allocated_roles_on(conn: Connection, la_code: str, day: date) -> tuple[str, ...]:
    """The authority's ``allocated_roles`` setting on ``day``: that of the weighting scheme in
    force (the latest ``effective_from`` on or before it among the shipped default, the schemes
    loaded for every authority and those loaded for this one; the default before any)."""
    base = default_scheme()
    schemes = [base]
    for row in stored_schemes(conn, la_code):
        try:
            schemes.append(parse_scheme(row["scheme"], base))
        except SchemeProblem as exc:
            raise SchemeError(f"the stored scheme {row['name']!r}: {exc}") from exc
    scheme = scheme_in_force(schemes, day)
    return (scheme if scheme is not None else base).allocated_roles


def _per_child(
    conn: Connection,
    la_codes: Sequence[str],
    as_of: date,
    cohort: str,
    roles: Sequence[str] | None,
) -> pl.DataFrame:
    columns = ["la_code", "child_id", "worker_id", "role", "start_date", "end_date"]
    held = active_frame(conn, involvements, la_codes, columns=columns)
    swe_map = pl.concat(
        [
            active_frame(conn, table, la_codes, columns=["swe_hash", "worker_id"])
            for table in (workers, professionals)
        ]
    )
    held = resolve_workers(held, swe_map)
    per_child = pl.concat(
        [
            workers_per_child(
                held.filter(pl.col("la_code") == la),
                as_of,
                roles if roles is not None else allocated_roles_on(conn, la, as_of),
            )
            for la in la_codes
        ]
    )
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
    roles: Sequence[str] | None = None,
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
    roles: Sequence[str] | None = None,
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
