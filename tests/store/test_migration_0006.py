"""Migration 0006: data tables trade the database-generated ``id`` for the importer's ``row_no``;
rows already stored keep their order (``row_no`` = old ``id``), and a downgrade gives them an
``id`` primary key again."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from sqlalchemy import inspect, text
from tests.dbtools import migrate

from caseloads.config import Settings
from caseloads.services.setup import initialise
from caseloads.store import schema
from caseloads.store.engine import make_engine
from caseloads.store.tables import AUTHORITY_TABLES, teams

_PATH = Path(schema.__file__).parent / "migrations" / "versions" / "0006_row_numbers.py"
_SPEC = importlib.util.spec_from_file_location("migration_0006", _PATH)
assert _SPEC is not None and _SPEC.loader is not None
migration = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(migration)


def _columns(settings: Settings, table: str) -> tuple[list[str], list[str]]:
    """(column names, primary key columns) of ``table``."""
    engine = make_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            found = inspect(conn)
            names = [c["name"] for c in found.get_columns(table)]
            return names, list(found.get_pk_constraint(table)["constrained_columns"])
    finally:
        engine.dispose()


def _rows(settings: Settings, sql: str) -> list[tuple[object, ...]]:
    engine = make_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql))]
    finally:
        engine.dispose()


def test_the_list_of_data_tables_is_the_models() -> None:
    assert set(migration.DATA_TABLES) == {t.name for t in AUTHORITY_TABLES if t is not teams}


def test_upgrade_keeps_rows_and_their_order_and_downgrade_restores_the_key(
    settings: Settings,
) -> None:
    initialise(settings)
    migrate(settings, "0005", down=True)
    assert "id" in _columns(settings, "involvements")[0]
    engine = make_engine(settings.database_url)
    try:
        with engine.begin() as conn:
            for i, (batch, child) in enumerate(((7, "c"), (7, "a"), (8, "b")), start=10):
                conn.execute(
                    text(
                        "INSERT INTO involvements (id, la_code, batch_id, worker_id, child_id,"
                        " start_date) VALUES (:i, '826', :b, 'w', :c, '2024-01-02')"
                    ),
                    {"i": i, "b": batch, "c": child},
                )
    finally:
        engine.dispose()
    report = initialise(settings)
    assert (report.revision_before, report.revision) == ("0005", schema.head_revision())
    names, key = _columns(settings, "involvements")
    assert "id" not in names and "row_no" in names and key == []
    assert _rows(
        settings, "SELECT batch_id, row_no, child_id FROM involvements ORDER BY batch_id, row_no"
    ) == [(7, 10, "c"), (7, 11, "a"), (8, 12, "b")]
    migrate(settings, "0005", down=True)
    names, key = _columns(settings, "involvements")
    assert "row_no" not in names and key == ["id"]
    assert _rows(settings, "SELECT child_id FROM involvements ORDER BY id") == [
        ("c",),
        ("a",),
        ("b",),
    ]
