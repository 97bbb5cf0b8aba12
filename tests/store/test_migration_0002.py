"""Migration 0002 (agency placements and price caps) upgrades a database made at 0001 without
touching its data, and downgrades back to it, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import func, inspect, select
from tests.dbtools import migrate

from caseloads.config import Settings
from caseloads.services.setup import initialise
from caseloads.store import schema
from caseloads.store.engine import make_engine
from caseloads.store.tables import meta


def _state(settings: Settings) -> tuple[set[str], int]:
    engine = make_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            names = set(inspect(conn).get_table_names())
            rows = int(conn.execute(select(func.count()).select_from(meta)).scalar_one())
    finally:
        engine.dispose()
    return names, rows


def test_upgrade_from_0001_and_back(settings: Settings) -> None:
    migrate(settings, "0001")
    assert not {"agency_placements", "price_caps"} & _state(settings)[0]
    report = initialise(settings)  # init upgrades an existing database to the head
    assert (report.revision_before, report.revision) == ("0001", schema.head_revision())
    names, kept = _state(settings)
    assert {"agency_placements", "price_caps"} <= names and kept >= 1  # the key fingerprint
    migrate(settings, "0001", down=True)
    names, after = _state(settings)
    assert not {"agency_placements", "price_caps"} & names and after == kept
