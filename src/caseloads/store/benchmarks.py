"""The ``benchmarks`` table: the DfE's published figures, replaced as a whole and read back whole.

Rows are the long rows of :func:`caseloads.ingest.dfe_tables.benchmark_rows` (``source,
geographic_level, area_code, year, measure, value, symbol``). A symbol (c, x, z, u, low, ...) is
stored in ``symbol`` with a NULL ``value``: never a zero."""

from __future__ import annotations

import io

import polars as pl
import psycopg
from sqlalchemy import delete, func, select
from sqlalchemy.engine import Connection

from caseloads.store.tables import batches, benchmarks
from caseloads.store.writer import bulk_insert, polars_dtype

#: The stored columns, in table order (``id`` is the database's).
COLUMNS: tuple[str, ...] = tuple(c.name for c in benchmarks.columns if c.name != "id")


def replace_all(conn: Connection, frame: pl.DataFrame) -> int:
    """Delete every stored benchmark row and write ``frame`` in their place, in the caller's
    transaction through the bulk writer (COPY on PostgreSQL, multi-row INSERTs on SQLite).
    Returns the number of rows written."""
    conn.execute(delete(benchmarks))
    if frame.height == 0:
        return 0
    typed = frame.select(pl.col(c).cast(polars_dtype(benchmarks.c[c].type)) for c in COLUMNS)
    return bulk_insert(conn, benchmarks, typed)


def count(conn: Connection) -> int:
    """How many benchmark rows are stored."""
    return int(conn.execute(select(func.count()).select_from(benchmarks)).scalar_one())


def read_all(conn: Connection) -> pl.DataFrame:
    """Every stored benchmark row, as a frame of :data:`COLUMNS` (``year`` Int64, ``value``
    Float64, nulls where a symbol was published), in one query: ``COPY ... TO STDOUT`` read by
    Polars on PostgreSQL, the driver's cursor on SQLite (no per-row objects in between)."""
    schema = {c: polars_dtype(benchmarks.c[c].type) for c in COLUMNS}
    names = ", ".join(f'"{c}"' for c in COLUMNS)
    raw = conn.connection.dbapi_connection
    assert raw is not None
    if conn.dialect.name == "postgresql":
        assert isinstance(raw, psycopg.Connection)
        buffer = io.BytesIO()
        sql = f'COPY (SELECT {names} FROM "{benchmarks.name}") TO STDOUT (FORMAT csv)'
        with raw.cursor() as cursor, cursor.copy(sql) as copy:
            for block in copy:
                buffer.write(block)
        if buffer.tell() == 0:
            return pl.DataFrame(schema=schema)
        buffer.seek(0)
        # COPY writes NULL as an empty unquoted field and "" as a quoted one; no stored text is
        # empty (symbols and codes are never ""), so every empty field is a NULL here.
        return pl.read_csv(buffer, has_header=False, new_columns=list(COLUMNS), schema=schema)
    cursor = raw.cursor()
    try:
        cursor.execute(f'SELECT {names} FROM "{benchmarks.name}"')
        rows = cursor.fetchall()
    finally:
        cursor.close()
    if not rows:
        return pl.DataFrame(schema=schema)
    columns = zip(*rows, strict=True)
    return pl.DataFrame(
        {name: list(values) for name, values in zip(COLUMNS, columns, strict=True)},
        schema=schema,
    )


def active_scopes(conn: Connection, kind: str) -> set[str]:
    """The scopes (for a CSWW return, its census year) of the active batches of ``kind``."""
    query = select(batches.c.scope).where(batches.c.status == "active", batches.c.kind == kind)
    return {str(scope) for scope in conn.execute(query).scalars()}
