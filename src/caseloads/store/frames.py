"""Reading stored rows back as Polars frames: the rows of an authority's *active* batches.

Every data table carries ``la_code`` and ``batch_id`` and is indexed on ``batch_id`` only, so a
read selects the active batch ids from ``batches`` first and then the rows of those batches."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl
from sqlalchemy import ColumnElement, CompoundSelect, Select, Table, select, union_all
from sqlalchemy.engine import Connection

from caseloads.store.tables import batches
from caseloads.store.writer import polars_dtype


def active_batch_ids(
    conn: Connection, la_codes: Sequence[str] | None = None, kinds: Sequence[str] | None = None
) -> list[int]:
    """The ids of the active batches of these authorities (all when ``None``) and kinds."""
    query = select(batches.c.batch_id).where(batches.c.status == "active")
    if la_codes is not None:
        query = query.where(batches.c.la_code.in_(list(la_codes)))
    if kinds is not None:
        query = query.where(batches.c.kind.in_(list(kinds)))
    return [int(b) for b in conn.execute(query.order_by(batches.c.batch_id)).scalars()]


def active_frame(
    conn: Connection,
    table: Table,
    la_codes: Sequence[str] | str | None = None,
    *,
    columns: Sequence[str] | None = None,
    where: Sequence[ColumnElement[bool]] = (),
    alternatives: Sequence[Sequence[ColumnElement[bool]]] = (),
) -> pl.DataFrame:
    """The rows of ``table`` in the active batches of ``la_codes`` (one code, several, or every
    authority when ``None``) as a frame with one typed column per table column (``batch_id`` and
    ``row_no`` left out unless asked for), in the order the rows were imported: by batch, then
    row number (sorted here rather than by the database). ``where`` adds conditions.

    ``alternatives``: sets of further conditions that no row meets more than one of, each read
    by a SELECT of its own (UNION ALL): the rows meeting any. For an OR one of whose arms is an
    ``IN (sub-query)``: inside an OR, PostgreSQL runs the sub-query as a sub-plan, which is
    searched row by row when its result looks too big to hash (quadratic: minutes for a large
    authority), while on its own it becomes a semi-join."""
    if isinstance(la_codes, str):
        la_codes = [la_codes]
    names = (
        list(columns)
        if columns is not None
        else [c.name for c in table.columns if c.name not in ("batch_id", "row_no")]
    )
    schema = {name: polars_dtype(table.c[name].type) for name in names}
    query = active_select(conn, table, la_codes, names, where=where, alternatives=alternatives)
    if query is None:
        return pl.DataFrame(schema=schema)
    order = {"_batch": pl.Int64(), "_row": pl.Int64()}
    rows = conn.execute(query).all()
    if not rows:
        return pl.DataFrame(schema=schema)
    frame = pl.DataFrame([tuple(r) for r in rows], schema={**schema, **order}, orient="row")
    return frame.sort("_batch", "_row").drop("_batch", "_row")


def active_select(
    conn: Connection,
    table: Table,
    la_codes: Sequence[str] | None,
    names: Sequence[str],
    *,
    where: Sequence[ColumnElement[bool]] = (),
    alternatives: Sequence[Sequence[ColumnElement[bool]]] = (),
) -> Select[Any] | CompoundSelect[Any] | None:
    """The query :func:`active_frame` runs (its columns ``names``, then ``batch_id`` and
    ``row_no``); None when the authorities have no active batch."""
    ids = active_batch_ids(conn, la_codes)
    if not ids:
        return None
    base = select(*(table.c[name] for name in names), table.c.batch_id, table.c.row_no).where(
        table.c.batch_id.in_(ids), *where
    )
    return union_all(*(base.where(*arm) for arm in alternatives)) if alternatives else base
