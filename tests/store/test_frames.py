"""Reading an authority's active rows back as typed frames."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import polars as pl
import pytest
from sqlalchemy import insert, or_, select, text, update
from sqlalchemy.engine import Connection

from caseloads.config import Settings
from caseloads.services.database import open_database
from caseloads.services.setup import initialise
from caseloads.store.frames import active_batch_ids, active_frame, active_select
from caseloads.store.tables import assignments, batches, workers


def _batch(conn, batch_id: int, la: str, status: str = "active") -> None:  # type: ignore[no-untyped-def]
    conn.execute(
        insert(batches).values(
            batch_id=batch_id,
            la_code=la,
            kind="staff",
            scope="",
            status=status,
            sha256=f"{batch_id:064d}",
            files=[],
            row_counts={},
            findings_summary={},
            findings=[],
            replaced={},
            imported_at=datetime(2026, 1, 1, tzinfo=UTC),
            imported_by="test",
        )
    )


def _assignment(
    batch_id: int, row_no: int, worker: str, fte: float = 1.0, la: str = "826"
) -> dict[str, object]:
    return {
        "batch_id": batch_id,
        "row_no": row_no,
        "la_code": la,
        "worker_id": worker,
        "role": "social_worker",
        "contract": "permanent",
        "fte": fte,
        "start_date": date(2024, 1, 2),
    }


def test_only_active_batches_of_the_authority_are_read(settings: Settings) -> None:
    initialise(settings)
    db = open_database(settings)
    try:
        with db.engine.begin() as conn:
            for batch_id, la in ((1, "826"), (2, "826"), (3, "999")):
                _batch(conn, batch_id, la)
            conn.execute(update(batches).where(batches.c.batch_id == 1).values(status="superseded"))
            rows = [
                _assignment(b, 1, w, la=la)
                for b, la, w in ((1, "826", "old"), (2, "826", "new"), (3, "999", "other"))
            ]
            conn.execute(insert(assignments), rows)
        with db.engine.connect() as conn:
            assert active_batch_ids(conn, ["826"]) == [2]
            frame = active_frame(conn, assignments, "826")
            everyone = active_frame(conn, assignments, None, columns=["worker_id"])
            none = active_frame(conn, assignments, "000")
    finally:
        db.dispose()
    assert frame["worker_id"].to_list() == ["new"]
    assert frame.schema["start_date"] == pl.Date
    assert frame["start_date"].to_list() == [date(2024, 1, 2)]
    assert frame.schema["fte"] == pl.Float64
    assert sorted(everyone["worker_id"].to_list()) == ["new", "other"]
    assert none.height == 0 and "worker_id" in none.columns


def test_rows_come_back_in_import_order_by_batch_then_row_number(settings: Settings) -> None:
    """Stored order is not import order (rows written out of order here); reads sort by batch,
    then row number."""
    initialise(settings)
    db = open_database(settings)
    try:
        with db.engine.begin() as conn:
            for batch_id in (1, 2):
                _batch(conn, batch_id, "826")
            written = [(2, 1, "c"), (1, 2, "b"), (2, 2, "d"), (1, 1, "a")]
            conn.execute(insert(assignments), [_assignment(b, r, w) for b, r, w in written])
        with db.engine.connect() as conn:
            frame = active_frame(conn, assignments, "826", columns=["worker_id"])
    finally:
        db.dispose()
    assert frame["worker_id"].to_list() == ["a", "b", "c", "d"]


def test_alternatives_read_the_rows_meeting_any_in_import_order(settings: Settings) -> None:
    initialise(settings)
    db = open_database(settings)
    try:
        with db.engine.begin() as conn:
            for batch_id in (1, 2):
                _batch(conn, batch_id, "826")
            held = [(2, 1, "c", 0.2), (1, 2, "b", 0.6), (2, 2, "d", 1.0), (1, 1, "a", 1.0)]
            conn.execute(insert(assignments), [_assignment(*row) for row in held])
            conn.execute(
                insert(workers),
                [{"batch_id": 1, "row_no": 1, "la_code": "826", "worker_id": "c"}],
            )
        with db.engine.connect() as conn:
            frame = active_frame(
                conn,
                assignments,
                "826",
                columns=["worker_id"],
                where=[assignments.c.role == "social_worker"],
                alternatives=[
                    [assignments.c.fte >= 1.0],
                    [
                        assignments.c.fte < 1.0,
                        assignments.c.worker_id.in_(select(workers.c.worker_id)),
                    ],
                ],
            )
    finally:
        db.dispose()
    # a and d by their FTE, c as a known worker with less; b is neither.
    assert frame["worker_id"].to_list() == ["a", "c", "d"]


def test_a_sub_query_among_alternatives_is_a_join_not_a_sub_plan(settings: Settings) -> None:
    """PostgreSQL searched an ``IN (sub-query)`` inside an OR once per row when its result looked
    too big to hash (a national caseload picture did not finish in five minutes); each arm on its
    own plans as a semi-join. ``work_mem`` at its least makes every sub-query look too big."""
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("a PostgreSQL plan")
    initialise(settings)
    db = open_database(settings)
    try:
        with db.engine.begin() as conn:
            _batch(conn, 1, "826")
            conn.execute(insert(assignments), [_assignment(1, 1, "a", 1.0)])
            conn.execute(text("SET LOCAL work_mem = '64kB'"))
            known = assignments.c.worker_id.in_(select(workers.c.worker_id))
            joined = active_select(
                conn,
                assignments,
                ["826"],
                ["worker_id"],
                alternatives=[[assignments.c.fte >= 1.0], [assignments.c.fte < 1.0, known]],
            )
            either = active_select(
                conn,
                assignments,
                ["826"],
                ["worker_id"],
                where=[or_(assignments.c.fte >= 1.0, known)],
            )
            assert joined is not None and either is not None
            plans = {
                name: "\n".join(conn.execute(text("EXPLAIN " + _sql(conn, query))).scalars().all())
                for name, query in (("joined", joined), ("either", either))
            }
    finally:
        db.dispose()
    assert "SubPlan" in plans["either"]  # what the OR form does: the test can tell
    assert "SubPlan" not in plans["joined"], plans["joined"]


def _sql(conn: Connection, query: Any) -> str:
    return str(query.compile(conn, compile_kwargs={"literal_binds": True}))
