"""Migration 0003: on PostgreSQL every data table's batch index is a BRIN index, and a downgrade
makes them B-trees again; on SQLite nothing changes (it has no BRIN)."""

from __future__ import annotations

from sqlalchemy import text
from tests.dbtools import migrate

from caseloads.config import Settings
from caseloads.services.setup import initialise
from caseloads.store import schema
from caseloads.store.engine import make_engine
from caseloads.store.tables import AUTHORITY_TABLES, teams


def _methods(settings: Settings) -> dict[str, str]:
    """{index name: access method} of the ``ix_<table>_batch`` indexes."""
    engine = make_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                query = (
                    "SELECT i.relname, am.amname FROM pg_class i JOIN pg_am am ON am.oid = i.relam"
                    " WHERE i.relkind = 'i' AND i.relname LIKE 'ix\\_%\\_batch'"
                )
            else:
                query = (
                    "SELECT name, 'btree' FROM sqlite_master WHERE type = 'index' "
                    "AND name LIKE 'ix\\_%\\_batch' ESCAPE '\\'"
                )
            return {str(n): str(m) for n, m in conn.execute(text(query))}
    finally:
        engine.dispose()


def test_batch_indexes_are_brin_on_postgresql_and_back_after_downgrade(
    settings: Settings,
) -> None:
    initialise(settings)
    data_tables = [t.name for t in AUTHORITY_TABLES if t is not teams]
    expected = {f"ix_{name}_batch" for name in data_tables}
    postgres = settings.database_url.startswith("postgresql")
    methods = _methods(settings)
    assert expected <= set(methods)
    assert set(methods.values()) == ({"brin"} if postgres else {"btree"})
    migrate(settings, "0002", down=True)
    assert set(_methods(settings).values()) == {"btree"}
    report = initialise(settings)
    assert (report.revision_before, report.revision) == ("0002", schema.head_revision())
    assert set(_methods(settings).values()) == ({"brin"} if postgres else {"btree"})
