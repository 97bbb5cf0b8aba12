"""``caseloads agency-check``: the DfE agency rules for every agency worker on a date.

For each authority, the assignments of its active ``agency`` import that run on the date are
checked against the four rules of :mod:`caseloads.domain.agency_rules` (experience, cooling-off,
references, the regional price cap), using the caps of its active ``price-caps`` import for its
own region (the region comes from the authority's DfE number: :mod:`caseloads.ingest.regions`).
Agency workers that its ``staff`` extract shows on the date but the agency import does not are
listed as checks that could not be made.

The result is a list of JSON-safe dicts, one per assignment and check (the future web API serves
exactly this): ``la_code, region, as_of, worker_id`` (the pseudonymous id), ``agency, role,
start_date, end_date, rule, status`` (``breach``, ``could_not_check``, and with ``include_passes``
also ``pass`` and ``not_applicable``), ``value`` and ``limit`` (the worker's figure and the rule's,
in ``unit``: months, days, references or £/hour), ``missing`` (what a check lacked), ``detail``
(the figures in words) and ``guidance`` (the rule's source).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
from sqlalchemy.exc import SQLAlchemyError

from caseloads.domain.agency_rules import PASS, check_agency_rules
from caseloads.errors import CaseloadsError, DatabaseError
from caseloads.ingest.regions import region_of
from caseloads.services.database import Database, describe_db_error
from caseloads.services.imports import LA_CODE
from caseloads.store.frames import active_frame
from caseloads.store.tables import agency_placements, assignments, price_caps

WHOLE_UNITS = frozenset({"months", "days", "references"})
SHOWN = ("breach", "could_not_check")


def agency_check(
    db: Database,
    la_code: str | None = None,
    as_of: date | None = None,
    *,
    include_passes: bool = False,
) -> list[dict[str, Any]]:
    """Every breach, and every check that could not be made, of the agency workers on ``as_of``
    (default: today) of authority ``la_code`` (default: every authority with an agency import).
    ``include_passes`` adds the checks passed and those that do not apply yet."""
    day = as_of or date.today()
    if la_code is not None and not LA_CODE.match(la_code):
        raise CaseloadsError(
            f"--la {la_code!r} is not a DfE authority number (three digits, e.g. 826)"
        )
    db.require_current_schema()
    try:
        with db.engine.connect() as conn:
            loaded = (
                active_frame(conn, agency_placements, la_code, columns=["la_code"])
                .get_column("la_code")
                .unique(maintain_order=True)
                .to_list()
            )
            codes = [la_code] if la_code is not None else sorted(loaded)
            frames = {
                code: (
                    active_frame(conn, agency_placements, code),
                    active_frame(conn, price_caps, code),
                    active_frame(
                        conn,
                        assignments,
                        code,
                        columns=["worker_id", "role", "contract", "start_date", "end_date"],
                    ),
                )
                for code in codes
            }
    except SQLAlchemyError as exc:
        raise DatabaseError(
            f"cannot read the agency data from {db.url}: {describe_db_error(exc)}"
        ) from exc
    rows: list[dict[str, Any]] = []
    for code in codes:
        placements, caps, staff = frames[code]
        agency_staff = staff.filter(pl.col("contract") == "agency").drop("contract")
        if placements.height == 0 and agency_staff.height == 0:
            raise CaseloadsError(
                f"no agency assignments are loaded for authority {code}: import them with "
                f"`caseloads import agency FILE --la {code}`"
            )
        region = region_of(code)
        results = check_agency_rules(
            placements.drop("la_code"),
            caps.drop("la_code"),
            la_region=region,
            as_of=day,
            agency_staff=agency_staff,
        )
        if not include_passes:
            results = results.filter(pl.col("status").is_in(SHOWN))
        rows.extend(_row(code, region, day, r) for r in results.iter_rows(named=True))
    if la_code is None and not codes:
        raise CaseloadsError(
            "no authority has agency assignments loaded: import them with "
            "`caseloads import agency FILE --la CODE`"
        )
    return rows


def _row(la_code: str, region: str | None, as_of: date, r: dict[str, Any]) -> dict[str, Any]:
    whole = r["unit"] in WHOLE_UNITS
    return {
        "la_code": la_code,
        "region": region,
        "as_of": as_of.isoformat(),
        "worker_id": r["worker_id"],
        "agency": r["agency"],
        "role": r["role"],
        "start_date": _iso(r["start_date"]),
        "end_date": _iso(r["end_date"]),
        "rule": r["rule"],
        "status": r["status"],
        "value": _number(r["value"], whole),
        "limit": _number(r["limit"], whole),
        "unit": r["unit"],
        "missing": r["missing"],
        "detail": r["detail"],
        "guidance": r["guidance"],
    }


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _number(value: float | None, whole: bool) -> int | float | None:
    if value is None:
        return None
    return round(value) if whole else round(value, 2)


def summary(rows: list[dict[str, Any]]) -> dict[str, int]:
    """Counts by status, and the workers with at least one breach."""
    counts = {s: 0 for s in ("breach", "could_not_check", PASS, "not_applicable")}
    for row in rows:
        counts[row["status"]] += 1
    counts["workers_in_breach"] = len(
        {(r["la_code"], r["worker_id"]) for r in rows if r["status"] == "breach"}
    )
    return counts
