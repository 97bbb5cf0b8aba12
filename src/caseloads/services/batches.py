"""The batches an authority has loaded and what was found in them (the web's Data page and
``GET /api/v1/batches``), and a cheap data version the web uses to know when its cached figures
are stale."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from caseloads.errors import DatabaseError, NotFoundError
from caseloads.services.database import Database, describe_db_error
from caseloads.store import repositories
from caseloads.store.tables import batches


def _summary(batch: dict[str, Any]) -> dict[str, Any]:
    return {
        "batch_id": batch["batch_id"],
        "la_code": batch["la_code"],
        "kind": batch["kind"],
        "scope": batch["scope"],
        "status": batch["status"],
        "superseded_by": batch["superseded_by"],
        "imported_at": batch["imported_at"].isoformat(),
        "imported_by": batch["imported_by"],
        "as_of": batch["as_of"].isoformat() if batch["as_of"] else None,
        "files": ", ".join(f["name"] for f in batch["files"]),
        "rows": sum(batch["row_counts"].values()),
        "errors": batch["findings_summary"].get("error", 0),
        "warnings": batch["findings_summary"].get("warning", 0),
    }


def batch_list(db: Database, *, la_code: str | None = None) -> list[dict[str, Any]]:
    """Every batch (active and superseded), newest first: kind, scope, files, rows and the
    number of errors and warnings found."""
    try:
        with db.engine.connect() as conn:
            log = repositories.batch_log(conn, la_code)
    except SQLAlchemyError as exc:
        raise DatabaseError(f"cannot read the batches: {describe_db_error(exc)}") from exc
    return [_summary(b) for b in log]


def batch_findings(db: Database, batch_id: int) -> dict[str, Any]:
    """One batch with the findings kept for it (the warnings: a batch with errors is never
    stored)."""
    try:
        with db.engine.connect() as conn:
            log = [b for b in repositories.batch_log(conn) if b["batch_id"] == batch_id]
    except SQLAlchemyError as exc:
        raise DatabaseError(f"cannot read the batches: {describe_db_error(exc)}") from exc
    if not log:
        raise NotFoundError(f"there is no batch {batch_id}")
    return {**_summary(log[0]), "findings": list(log[0]["findings"])}


def data_version(db: Database) -> tuple[int, int]:
    """(highest batch id, number of batches): changes whenever an import lands, so a cache of
    figures keyed on it is never served after new data."""
    with db.engine.connect() as conn:
        top, count = conn.execute(select(func.max(batches.c.batch_id), func.count())).one()
    return int(top or 0), int(count)
