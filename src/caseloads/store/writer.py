"""Bulk writes: one transaction per import, COPY on PostgreSQL, executemany on SQLite."""

from __future__ import annotations

import io
import mmap
import os
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import psycopg
from sqlalchemy import (
    Boolean,
    Date,
    Float,
    Integer,
    Table,
    delete,
    insert,
    select,
    tuple_,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.types import TypeEngine

from caseloads.store.tables import KIND_TABLES, MERGE_KEYS, batches, metadata, teams

#: Rows per chunk written at once: bounds memory on national-scale imports.
CHUNK_ROWS = 200_000


def insert_frame(
    conn: Connection, table: Table, frame: pl.DataFrame, *, la_code: str, batch_id: int
) -> int:
    """Append ``frame`` (the table's columns less ``la_code``, ``batch_id`` and ``row_no``) to
    ``table``, stamped with the authority and batch, each row numbered 1, 2, ... in the frame's
    order (a batch writes a table once). Returns the number of rows written."""
    if frame.height == 0:
        return 0
    stamped = stamp_frame(frame, table, la_code=la_code, batch=pl.lit(batch_id, dtype=pl.Int64))
    return bulk_insert(conn, table, stamped)


#: Width of the batch id written at the start of every line of an :class:`EncodedFrame`: the
#: largest value of the ``batch_id`` column (a 32-bit integer) has ten digits, and PostgreSQL
#: reads leading zeros.
BATCH_DIGITS = 10


@dataclass(frozen=True, slots=True)
class EncodedFrame:
    """A frame of one table already written out as the data of a PostgreSQL ``COPY ... FROM STDIN
    (FORMAT text)``, with every line starting with a batch id of :data:`BATCH_DIGITS` zeros,
    to be overwritten with the batch's id when it is stored (:func:`copy_encoded`). Encoding is
    the costly part of a COPY on the client (about a microsecond a row); a bulk import does it
    in its reader processes, in parallel, so the one writing process only sends bytes.

    ``data``: the file holding the text; ``starts``: a file of the byte offset (int64) at which
    each line starts; ``columns``: the COPY column list (``batch_id`` first); ``rows``: lines;
    ``team_ids``: the distinct team references of its ``team_id`` column, as the extract gave
    them (the writer resolves them against the stored teams)."""

    table: str
    columns: tuple[str, ...]
    data: str
    starts: str
    rows: int
    team_ids: tuple[str, ...] = ()


def encode_frame(
    table: Table, frame: pl.DataFrame, *, la_code: str, folder: Path, name: str
) -> EncodedFrame | None:
    """Write ``frame`` (as :func:`insert_frame` takes it) for a text-format COPY into ``folder``
    (files ``name.copy`` and ``name.starts``). None if a text value holds a tab, line end or
    backslash (the text format would read it as syntax, and a line would no longer be a row):
    such a frame is inserted from the frame itself."""
    stamped = stamp_frame(frame, table, la_code=la_code, batch=pl.lit(0, dtype=pl.Int64))
    if not _plain_text(stamped):
        return None
    columns = ("batch_id", *(c for c in stamped.columns if c != "batch_id"))
    data = folder / f"{name}.copy"
    starts = folder / f"{name}.starts"
    buffer = io.BytesIO()
    placeholder = pl.lit("0" * BATCH_DIGITS, dtype=pl.String).alias("batch_id")
    stamped.with_columns(placeholder).select(columns).write_csv(
        buffer, include_header=False, separator="\t", null_value="\\N", quote_style="never"
    )
    text = buffer.getbuffer()
    ends = np.flatnonzero(np.frombuffer(text, dtype=np.uint8) == ord("\n"))
    line_starts = np.empty(len(ends), dtype=np.int64)
    line_starts[:1] = 0
    line_starts[1:] = ends[:-1] + 1
    data.write_bytes(text)
    line_starts.tofile(starts)
    teams = team_references(frame)
    return EncodedFrame(table.name, columns, str(data), str(starts), len(line_starts), teams)


def team_references(frame: pl.DataFrame) -> tuple[str, ...]:
    """The distinct values of ``frame``'s ``team_id`` column, sorted (none if it has none): the
    references a prepared frame carries for the writer to resolve."""
    if "team_id" not in frame.columns:
        return ()
    return tuple(frame.get_column("team_id").drop_nulls().unique().sort().to_list())


def copy_encoded(conn: Connection, table: Table, encoded: EncodedFrame, *, batch_id: int) -> int:
    """COPY an :class:`EncodedFrame` into ``table`` (PostgreSQL), its lines stamped with
    ``batch_id``; its files are deleted. Returns the rows written."""
    raw = conn.connection.dbapi_connection
    assert isinstance(raw, psycopg.Connection)
    digits = f"{batch_id:0{BATCH_DIGITS}d}"
    if batch_id < 0 or len(digits) != BATCH_DIGITS:
        raise ValueError(f"batch id {batch_id} does not fit the encoded frame's batch field")
    if encoded.rows:
        starts = np.fromfile(encoded.starts, dtype=np.int64)
        with open(encoded.data, "r+b") as fh, mmap.mmap(fh.fileno(), 0) as view:
            text = np.frombuffer(view, dtype=np.uint8)
            for place, digit in enumerate(digits.encode()):
                if digit != ord("0"):
                    text[starts + place] = digit
            del text  # the view must be released before the map is closed
            cols = ", ".join(f'"{c}"' for c in encoded.columns)
            sql = f'COPY "{table.name}" ({cols}) FROM STDIN (FORMAT text)'
            whole = memoryview(view)
            try:
                with raw.cursor() as cursor, cursor.copy(sql) as copy:
                    for offset in range(0, len(whole), COPY_BYTES):
                        copy.write(whole[offset : offset + COPY_BYTES])
            finally:
                whole.release()
    for path in (encoded.data, encoded.starts):
        os.unlink(path)
    return encoded.rows


#: Bytes handed to the COPY at once when sending an encoded frame.
COPY_BYTES = 8 << 20


def decode_encoded(table: Table, encoded: EncodedFrame) -> pl.DataFrame:
    """The frame an :class:`EncodedFrame` was encoded from, as :func:`insert_frame` takes it (row
    order kept); its files are deleted. For the rare frame whose team references resolve to other
    teams' ids: the references are replaced in the frame before it is written, rather than by an
    UPDATE of the rows written, which rewrites every row and, with only a block-range index on
    the batch, reads the whole table once per team. The text reads back exactly: it holds no tab,
    line end or backslash, ``\\N`` is NULL and an empty field an empty string."""
    schema = {name: polars_dtype(table.c[name].type) for name in encoded.columns}
    schema["batch_id"] = pl.String()  # still the placeholder
    frame = (
        pl.read_csv(
            encoded.data,
            has_header=False,
            new_columns=list(encoded.columns),
            schema=schema,
            separator="\t",
            quote_char=None,
            null_values="\\N",
            empty_string_is_null=False,
        )
        if encoded.rows
        else pl.DataFrame(schema=schema)
    )
    for path in (encoded.data, encoded.starts):
        os.unlink(path)
    return frame.drop("batch_id", "la_code", "row_no")


def stamp_frame(frame: pl.DataFrame, table: Table, *, la_code: str, batch: pl.Expr) -> pl.DataFrame:
    """``frame`` with the authority, ``batch`` and row numbers 1, 2, ... added, every column cast
    to the type it is written from, in the table's column order."""
    return frame.with_columns(
        pl.lit(la_code, dtype=pl.String).alias("la_code"),
        batch.alias("batch_id"),
        pl.int_range(1, frame.height + 1, dtype=pl.Int64).alias("row_no"),
    ).select(pl.col(c.name).cast(polars_dtype(c.type)) for c in table.columns)


def bulk_insert(conn: Connection, table: Table, frame: pl.DataFrame) -> int:
    """Append ``frame`` (columns named and typed as ``table``'s, any ``id`` left to the database):
    COPY on PostgreSQL, multi-row INSERT statements on SQLite. Returns the rows written."""
    if frame.height == 0:
        return 0
    if conn.dialect.name == "postgresql":
        _copy_postgres(conn, table, frame)
    else:
        _executemany(conn, table, frame)
    return frame.height


def polars_dtype(sql_type: TypeEngine[object]) -> pl.DataType:
    """The Polars type a column of ``sql_type`` is written from."""
    if isinstance(sql_type, Boolean):
        return pl.Boolean()
    if isinstance(sql_type, Date):
        return pl.Date()
    if isinstance(sql_type, Float):
        return pl.Float64()
    if isinstance(sql_type, Integer):  # also SmallInteger and BigInteger
        return pl.Int64()
    return pl.String()


#: Rows per INSERT statement on SQLite: one statement with many VALUES rows spends SQLite's
#: per-statement work (reset, step, journal bookkeeping) once per block rather than once per row,
#: which measured 1.6 times faster than a one-row statement (benchmarks/README.md). Bounded so
#: that rows x columns stays under SQLite's default limit of 32,766 bound parameters.
SQLITE_ROWS_PER_STATEMENT = 256
SQLITE_MAX_PARAMETERS = 32_766


def _executemany(conn: Connection, table: Table, frame: pl.DataFrame) -> None:
    raw = conn.connection.dbapi_connection
    assert raw is not None
    insert_rows(raw, table.name, frame)


def insert_rows(raw: Any, name: str, frame: pl.DataFrame) -> None:
    """Insert ``frame`` into table ``name`` through the DB-API connection ``raw`` (sqlite3)."""
    # Dates go in as ISO text, SQLAlchemy's storage format for SQLite dates.
    frame = frame.with_columns(
        pl.col(name).dt.to_string("%Y-%m-%d")
        for name, dtype in frame.schema.items()
        if dtype == pl.Date
    )
    # The authority and batch are the same on every row: written into the statement as literals
    # (checked to be plain text and an integer) instead of being bound on each row.
    constants = {
        name: frame.get_column(name)[0]
        for name in ("la_code", "batch_id")
        if name in frame.columns and frame.get_column(name).n_unique() == 1
    }
    variable = [c for c in frame.columns if c not in constants]
    literals = [_sqlite_literal(constants[c]) if c in constants else "?" for c in frame.columns]
    names = ", ".join(f'"{c}"' for c in frame.columns)
    one_row = "(" + ", ".join(literals) + ")"
    block = max(1, min(SQLITE_ROWS_PER_STATEMENT, SQLITE_MAX_PARAMETERS // max(1, len(variable))))
    cursor = raw.cursor()
    try:
        for offset in range(0, frame.height, CHUNK_ROWS):
            chunk = frame.slice(offset, CHUNK_ROWS)
            # The chunk's values row after row in one flat list: columns to Python lists, zipped.
            flat = list(
                chain.from_iterable(
                    zip(*(chunk.get_column(c).to_list() for c in variable), strict=True)
                )
            )
            width = len(variable) * block
            whole = chunk.height // block
            if whole:
                sql = f'INSERT INTO "{name}" ({names}) VALUES ' + ", ".join([one_row] * block)
                cursor.executemany(sql, [flat[i * width : (i + 1) * width] for i in range(whole)])
            rest = chunk.height - whole * block
            if rest:
                # One row per statement: a statement of exactly ``rest`` rows would be new to
                # the connection's statement cache nearly every time, costing a prepare of
                # thousands of parameters and pushing the block statements out of the cache.
                sql = f'INSERT INTO "{name}" ({names}) VALUES {one_row}'
                step = len(variable)
                cursor.executemany(
                    sql,
                    [flat[start : start + step] for start in range(whole * width, len(flat), step)],
                )
    finally:
        cursor.close()


def _sqlite_literal(value: object) -> str:
    """An authority code or batch id as an SQL literal; anything else is refused."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and value.isalnum():
        return f"'{value}'"
    raise ValueError(f"not a plain authority code or batch id: {value!r}")


def _copy_postgres(conn: Connection, table: Table, frame: pl.DataFrame) -> None:
    raw = conn.connection.dbapi_connection
    assert isinstance(raw, psycopg.Connection)
    cols = ", ".join(f'"{c}"' for c in frame.columns)
    if _plain_text(frame):
        # COPY's text format: tab-separated, NULL as \N, no quoting. PostgreSQL parses it with
        # about a tenth less CPU than CSV (benchmarks/README.md); usable only when no value
        # holds a tab, line end or backslash, which the text format would read as syntax.
        sql = f'COPY "{table.name}" ({cols}) FROM STDIN (FORMAT text)'
        options: dict[str, str] = {"separator": "\t", "null_value": "\\N", "quote_style": "never"}
    else:
        # CSV COPY reads an unquoted empty field as NULL and a quoted one ("") as an empty
        # string, which is how Polars writes nulls and empty strings: no text can be mistaken
        # for NULL.
        sql = f'COPY "{table.name}" ({cols}) FROM STDIN (FORMAT csv)'
        options = {}
    with raw.cursor() as cursor, cursor.copy(sql) as copy:
        for offset in range(0, frame.height, CHUNK_ROWS):
            buffer = io.BytesIO()
            frame.slice(offset, CHUNK_ROWS).write_csv(buffer, include_header=False, **options)
            copy.write(buffer.getbuffer())


def _plain_text(frame: pl.DataFrame) -> bool:
    """No text value holds a tab, carriage return, line feed or backslash."""
    text = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    if not text:
        return True
    special = pl.any_horizontal(pl.col(name).str.contains(r"[\t\n\r\\]") for name in text)
    return not frame.select(special.any()).item()


def replace_previous(
    conn: Connection, *, la_code: str, kind: str, scope: str, new_batch_id: int
) -> dict[str, object]:
    """Delete the rows that earlier active batches of the same kind and scope wrote for this
    authority, and mark those batches superseded by ``new_batch_id``. Returns what was replaced."""
    previous = [
        row.batch_id
        for row in conn.execute(
            select(batches.c.batch_id).where(
                batches.c.la_code == la_code,
                batches.c.kind == kind,
                batches.c.scope == scope,
                batches.c.status == "active",
                batches.c.batch_id != new_batch_id,
            )
        )
    ]
    removed: dict[str, int] = {}
    if previous:
        for table in KIND_TABLES[kind]:
            result = conn.execute(
                delete(table).where(table.c.la_code == la_code, table.c.batch_id.in_(previous))
            )
            if result.rowcount:
                removed[table.name] = result.rowcount
        conn.execute(
            update(batches)
            .where(batches.c.batch_id.in_(previous))
            .values(status="superseded", superseded_by=new_batch_id)
        )
    return {"batches": previous, "rows": removed}


def repoint_team(conn: Connection, *, la_code: str, old_id: str, new_id: str) -> None:
    """Move every stored reference from team ``old_id`` to ``new_id`` and drop the old team."""
    for table in metadata.sorted_tables:
        if table is teams or "team_id" not in table.c:
            continue
        conn.execute(
            update(table)
            .where(table.c.la_code == la_code, table.c.team_id == old_id)
            .values(team_id=new_id)
        )
    conn.execute(delete(teams).where(teams.c.la_code == la_code, teams.c.team_id == old_id))


def insert_teams(conn: Connection, rows: list[dict[str, object]]) -> None:
    if rows:
        conn.execute(insert(teams), rows)


def merge_across_scopes(
    conn: Connection, *, la_code: str, kind: str, scope: str, new_batch_id: int
) -> dict[str, dict[str, int]]:
    """For kinds whose scopes are collection years (:data:`MERGE_KEYS`): rows of earlier years'
    active batches that the new batch holds again (same natural key) are deleted; rows of the new
    batch that a later year's active batch already holds are deleted from the new batch. Returns
    ``{"older": {table: rows removed}, "newer": {table: rows of the new batch dropped}}``."""
    keys_by_table = MERGE_KEYS.get(kind)
    out: dict[str, dict[str, int]] = {"older": {}, "newer": {}}
    if not keys_by_table or not scope:
        return out
    others = conn.execute(
        select(batches.c.batch_id, batches.c.scope).where(
            batches.c.la_code == la_code,
            batches.c.kind == kind,
            batches.c.status == "active",
            batches.c.batch_id != new_batch_id,
            batches.c.scope != "",
        )
    ).all()
    older = [b for b, s in others if s < scope]
    newer = [b for b, s in others if s > scope]
    tables = {t.name: t for t in KIND_TABLES[kind]}
    for name, keys in keys_by_table.items():
        table = tables[name]
        key_cols = [table.c[k] for k in keys]
        key = key_cols[0] if len(key_cols) == 1 else tuple_(*key_cols)
        if older:
            fresh = select(*key_cols).where(table.c.batch_id == new_batch_id)
            removed = conn.execute(
                delete(table).where(
                    table.c.la_code == la_code, table.c.batch_id.in_(older), key.in_(fresh)
                )
            ).rowcount
            if removed:
                out["older"][name] = removed
        if newer:
            later = select(*key_cols).where(table.c.la_code == la_code, table.c.batch_id.in_(newer))
            dropped = conn.execute(
                delete(table).where(table.c.batch_id == new_batch_id, key.in_(later))
            ).rowcount
            if dropped:
                out["newer"][name] = dropped
    return out
