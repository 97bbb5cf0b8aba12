"""``caseloads status``: what the database holds, by authority."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from caseloads.errors import DatabaseError
from caseloads.services.database import Database, describe_db_error
from caseloads.store import repositories, schema


def database_status(db: Database) -> dict[str, Any]:
    """``{"database", "revision", "head_revision", "authorities": {la: {"tables", "batches"}}}``;
    ``batches`` holds the latest active batch of each kind, newest first."""
    try:
        with db.engine.connect() as conn:
            revision = schema.current_revision(conn)
            authorities: dict[str, Any] = {}
            if revision is not None:
                counts = repositories.table_counts(conn)
                log = repositories.batch_log(conn)
                for la_code, tables in counts.items():
                    authorities[la_code] = {
                        "tables": tables,
                        "batches": _latest_per_kind(b for b in log if b["la_code"] == la_code),
                    }
    except SQLAlchemyError as exc:
        raise DatabaseError(
            f"cannot reach the database {db.url}: {describe_db_error(exc)}"
        ) from exc
    return {
        "database": db.url,
        "revision": revision,
        "head_revision": schema.head_revision(),
        "authorities": authorities,
    }


def _latest_per_kind(log: Any) -> list[dict[str, Any]]:
    seen: set[str] = set()
    out: list[dict[str, Any]] = []
    for batch in log:  # newest first
        if batch["status"] != "active" or batch["kind"] in seen:
            continue
        seen.add(batch["kind"])
        out.append(
            {
                "batch_id": batch["batch_id"],
                "kind": batch["kind"],
                "scope": batch["scope"],
                "imported_at": batch["imported_at"].isoformat(),
                "imported_by": batch["imported_by"],
                "as_of": batch["as_of"].isoformat() if batch["as_of"] else None,
                "files": [f["name"] for f in batch["files"]],
                "rows": sum(batch["row_counts"].values()),
                "findings": batch["findings_summary"],
            }
        )
    return out
