"""The frames a reader hands over, shaped exactly as the stored tables (store/tables.py).

A reader's frame for table ``t`` has ``t``'s columns other than ``id``, ``la_code`` and
``batch_id``, in the table's order, with these Polars types: String for Ident/Code/String, Date,
Float64 for Float, Int64 for Integer/SmallInteger, Boolean (extract.py). The shape is read from
the SQLAlchemy metadata itself, so the two cannot drift apart; ingest uses the metadata only and
never a database connection.

Text longer than its column (``String(n)``) would be refused by PostgreSQL: it is cut to fit and
reported (``length``, warning), so that one long team name does not refuse a whole extract.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache

import polars as pl
import sqlalchemy as sa

from caseloads.ingest import parse
from caseloads.ingest.csv_io import ROW
from caseloads.ingest.findings import Findings
from caseloads.store import tables as store

_SKIP = frozenset({"la_code", "batch_id", "row_no"})
TEAM_SCHEMA: dict[str, pl.DataType] = {
    "team_id": pl.String(),
    "name": pl.String(),
    "parent_id": pl.String(),
}


def _polars_type(column: sa.Column[object]) -> pl.DataType:
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return pl.Boolean()
    if isinstance(kind, sa.Date):
        return pl.Date()
    if isinstance(kind, sa.Float):
        return pl.Float64()
    if isinstance(kind, sa.Integer):
        return pl.Int64()
    if isinstance(kind, sa.String):
        return pl.String()
    raise TypeError(f"no frame type for {column.table.name}.{column.name}: {kind!r}")


@cache
def target_schema(table: str) -> dict[str, pl.DataType]:
    """Column name -> Polars type of the frame for ``table``."""
    t = store.metadata.tables[table]
    return {c.name: _polars_type(c) for c in t.columns if c.name not in _SKIP}


@cache
def _lengths(table: str) -> dict[str, int]:
    t = store.metadata.tables[table]
    return {
        c.name: c.type.length
        for c in t.columns
        if c.name not in _SKIP and isinstance(c.type, sa.String) and c.type.length
    }


def kind_tables(kind: str) -> tuple[str, ...]:
    """The tables an extract of ``kind`` fills."""
    return tuple(t.name for t in store.KIND_TABLES[kind])


def empty_frame(table: str) -> pl.DataFrame:
    return pl.DataFrame(schema=target_schema(table))


def empty_frames(kind: str) -> dict[str, pl.DataFrame]:
    return {t: empty_frame(t) for t in kind_tables(kind)}


def conform(
    frame: pl.DataFrame,
    table: str,
    *,
    file: str,
    findings: Findings,
    labels: Mapping[str, str] | None = None,
) -> pl.DataFrame:
    """Select, order and type ``table``'s columns from ``frame`` (absent ones null), cutting text
    to its column length. ``labels`` maps a column to the file's name for it, for findings."""
    schema = target_schema(table)
    if table == "children" and "sex" in frame.columns and frame.schema["sex"] == pl.String:
        frame = frame.with_columns(parse.sex(pl.col("sex")).alias("sex"))
    frame = _fit_lengths(frame, _lengths(table), file=file, findings=findings, labels=labels)
    return frame.select(
        (pl.col(name).cast(dtype) if name in frame.columns else pl.lit(None, dtype)).alias(name)
        for name, dtype in schema.items()
    )


def _fit_lengths(
    frame: pl.DataFrame,
    lengths: Mapping[str, int],
    *,
    file: str,
    findings: Findings,
    labels: Mapping[str, str] | None,
) -> pl.DataFrame:
    present = [c for c in lengths if c in frame.columns and frame.schema[c] == pl.String]
    if not present or frame.height == 0:
        return frame
    too_long = frame.select(
        (pl.col(c).str.len_chars() > lengths[c]).any().alias(c) for c in present
    ).row(0)
    cut = [c for c, bad in zip(present, too_long, strict=True) if bad]
    for c in cut:
        bad = frame.filter(pl.col(c).str.len_chars() > lengths[c])
        findings.from_frame(
            bad.select(ROW, c) if ROW in bad.columns else bad.with_row_index(ROW, 1),
            severity="warning",
            rule="length",
            message=f"longer than {lengths[c]} characters; cut to fit",
            file=file,
            column=(labels or {}).get(c, c),
            value_col=c,
        )
    return frame.with_columns(pl.col(c).str.slice(0, lengths[c]) for c in cut)


def fit_team_lengths(frame: pl.DataFrame, *, file: str, findings: Findings) -> pl.DataFrame:
    """Cut team ids and names to the ``teams`` table's lengths (``length``, warning)."""
    lengths = {c: n for c, n in _lengths("teams").items() if c in TEAM_SCHEMA}
    labels = {
        "team_id": "dept_team_id",
        "name": "dept_team_name",
        "parent_id": "dept_team_parent_id",
    }
    return _fit_lengths(frame, lengths, file=file, findings=findings, labels=labels)


def teams_frame(rows: pl.DataFrame | None = None) -> pl.DataFrame:
    """``Extract.teams``: team_id, name, parent_id (String), one row per team id."""
    if rows is None or rows.height == 0:
        return pl.DataFrame(schema=TEAM_SCHEMA)
    out = rows.select(
        (pl.col(c).cast(pl.String) if c in rows.columns else pl.lit(None, pl.String)).alias(c)
        for c in TEAM_SCHEMA
    )
    return out.filter(pl.col("team_id").is_not_null()).unique(
        "team_id", keep="first", maintain_order=True
    )


def mentioned_teams(frames: Iterable[pl.DataFrame], column: str = "team_id") -> pl.DataFrame:
    """Teams named by the rows themselves: each distinct value as both id and name."""
    values = [f.get_column(column) for f in frames if column in f.columns and f.height]
    if not values:
        return teams_frame()
    distinct = pl.concat(values).drop_nulls().unique(maintain_order=True)
    return teams_frame(pl.DataFrame({"team_id": distinct, "name": distinct}))
