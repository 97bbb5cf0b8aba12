"""SQLite bulk imports through shard files.

On SQLite every row passes through the one writing process, and most of its time went on handing
Python values to ``sqlite3`` one by one (binding, about three microseconds a row). In a bulk
import the reader processes do that instead, in parallel: each writes the frames it has read into
a SQLite file of its own (a shard: no journal, no index, a table per stored table with the row
number and the data columns), and the writer copies each table across inside SQLite, with
``INSERT INTO ... SELECT`` from the shard attached to its connection, adding the authority and the
batch id. The values are the ones :func:`caseloads.store.writer.insert_frame` would bind (dates as
ISO text, booleans as 0 and 1), and the stored table's column types apply to them on the way in,
exactly as to bound values, so a shard stores what a direct insert stores.

SQLite cannot attach a file inside a transaction: :func:`attached` attaches an import's shards to
the connection before its transaction begins and detaches them after it ends.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from sqlalchemy import Table, text
from sqlalchemy.engine import Connection

from caseloads.store.engine import bind_none_directly
from caseloads.store.writer import insert_rows, stamp_frame, team_references


@dataclass(frozen=True, slots=True)
class ShardTable:
    """One frame in a shard file: ``path`` of the file, ``name`` of its table there, ``rows``,
    and the distinct team references of its ``team_id`` column as the extract gave them."""

    table: str
    path: str
    name: str
    rows: int
    team_ids: tuple[str, ...] = ()


def write_shard(
    path: Path, extracts: Sequence[tuple[str, Mapping[str, tuple[Table, pl.DataFrame]]]]
) -> list[dict[str, ShardTable]]:
    """Write the frames of ``extracts`` (each: its authority, and by stored table name the table
    and a frame as :func:`~caseloads.store.writer.insert_frame` takes it) into a new SQLite file
    at ``path``. Returns, for each extract, its tables there."""
    bind_none_directly()
    out: list[dict[str, ShardTable]] = []
    raw = sqlite3.connect(path, isolation_level=None)
    try:
        raw.execute("PRAGMA journal_mode=OFF")  # a scratch file: nothing to recover
        raw.execute("PRAGMA synchronous=OFF")
        raw.execute("BEGIN")
        for i, (la_code, frames) in enumerate(extracts):
            tables: dict[str, ShardTable] = {}
            for name, (table, frame) in frames.items():
                local = f"x{i}_{name}"
                stamped = stamp_frame(
                    frame, table, la_code=la_code, batch=pl.lit(0, dtype=pl.Int64)
                )
                stamped = stamped.drop("la_code", "batch_id")
                columns = ", ".join(f'"{c}"' for c in stamped.columns)
                raw.execute(f'CREATE TABLE "{local}" ({columns})')
                if stamped.height:
                    insert_rows(raw, local, stamped)
                teams = team_references(frame)
                tables[name] = ShardTable(name, str(path), local, frame.height, teams)
            out.append(tables)
        raw.execute("COMMIT")
    finally:
        raw.close()
    return out


def schema_of(path: str) -> str:
    """The name a shard file is attached under (derived from its path, so that a writer needs
    nothing but the :class:`ShardTable` to find it)."""
    return "shard_" + hashlib.sha256(path.encode()).hexdigest()[:16]


@contextmanager
def attached(conn: Connection, paths: Sequence[str]) -> Iterator[None]:
    """Attach the shard files ``paths`` to ``conn`` (SQLite, no transaction begun yet) for the
    duration; they are detached afterwards, whatever happened."""
    raw = conn.connection.dbapi_connection
    assert raw is not None
    done: list[str] = []
    try:
        for path in dict.fromkeys(paths):
            schema = schema_of(path)
            raw.execute(f"ATTACH DATABASE ? AS {schema}", (path,))
            done.append(schema)
        yield
    finally:
        for schema in done:
            raw.execute(f"DETACH DATABASE {schema}")


def copy_shard(
    conn: Connection,
    table: Table,
    shard: ShardTable,
    *,
    la_code: str,
    batch_id: int,
    mapping: Mapping[str, str],
) -> int:
    """Copy a shard's table into ``table`` (its shard attached by :func:`attached`), stamped with
    ``la_code`` and ``batch_id``, in row order, each team reference replaced by the team id
    ``mapping`` gives it. Returns the rows written."""
    moved = {ref: mapping[ref] for ref in shard.team_ids if mapping[ref] != ref}
    params: dict[str, object] = {"la_code": la_code, "batch_id": batch_id}
    chosen: list[str] = []
    for column in table.columns:
        if column.name in ("la_code", "batch_id"):
            chosen.append(f":{column.name}")
        elif column.name == "team_id" and moved:
            cases = []
            for n, (old, new) in enumerate(moved.items()):
                params[f"old{n}"], params[f"new{n}"] = old, new
                cases.append(f"WHEN :old{n} THEN :new{n}")
            chosen.append(f'CASE "team_id" {" ".join(cases)} ELSE "team_id" END')
        else:
            chosen.append(f'"{column.name}"')
    names = ", ".join(f'"{c.name}"' for c in table.columns)
    source = f'{schema_of(shard.path)}."{shard.name}"'
    conn.execute(
        text(
            f'INSERT INTO main."{table.name}" ({names}) '
            f"SELECT {', '.join(chosen)} FROM {source} ORDER BY rowid"
        ),
        params,
    )
    return shard.rows
