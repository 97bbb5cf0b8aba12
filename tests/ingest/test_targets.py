"""Frames shaped as the stored tables (targets.py)."""

from __future__ import annotations

import polars as pl
import sqlalchemy as sa

from caseloads.ingest.findings import Findings
from caseloads.ingest.targets import (
    conform,
    empty_frames,
    kind_tables,
    mentioned_teams,
    target_schema,
    teams_frame,
)
from caseloads.store import tables as store

EXPECTED = {
    sa.Boolean: pl.Boolean,
    sa.Date: pl.Date,
    sa.Float: pl.Float64,
    sa.Integer: pl.Int64,
    sa.String: pl.String,
}


def test_every_kinds_tables_map_column_by_column() -> None:
    for kind, tables in store.KIND_TABLES.items():
        assert kind_tables(kind) == tuple(t.name for t in tables)
        for table in tables:
            schema = target_schema(table.name)
            columns = [c for c in table.columns if c.name not in {"la_code", "batch_id", "row_no"}]
            assert list(schema) == [c.name for c in columns]
            for c in columns:
                wanted = next(v for k, v in EXPECTED.items() if isinstance(c.type, k))
                assert schema[c.name] == wanted, (table.name, c.name)


def test_conform_orders_types_fills_and_drops() -> None:
    frame = pl.DataFrame(
        {"_row": [2], "extra": ["x"], "fte": [1], "post_id": ["P1"], "team_id": ["T" * 70]}
    )
    findings = Findings()
    out = conform(frame, "posts", file="posts.csv", findings=findings, labels={"team_id": "team"})
    assert out.columns == list(target_schema("posts"))
    assert out.schema["fte"] == pl.Float64 and out.get_column("fte").to_list() == [1.0]
    assert out.get_column("role").to_list() == [None]
    assert out.get_column("team_id").to_list() == ["T" * 64]
    assert [(f.rule, f.severity, f.row, f.column) for f in findings] == [
        ("length", "warning", 2, "team")
    ]


def test_empty_frames_and_teams() -> None:
    frames = empty_frames("staff")
    assert set(frames) == {"workers", "assignments"}
    assert all(f.height == 0 for f in frames.values())
    assert teams_frame().columns == ["team_id", "name", "parent_id"]
    teams = mentioned_teams(
        [pl.DataFrame({"team_id": ["B", None, "A", "B"]}), pl.DataFrame({"x": [1]})]
    )
    assert teams.rows() == [("B", "B", None), ("A", "A", None)]
