"""The Alembic migrations build exactly the model in tables.py, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from caseloads.config import Settings
from caseloads.errors import ConfigError, DatabaseError
from caseloads.services.database import open_database
from caseloads.services.setup import initialise
from caseloads.store import schema
from caseloads.store.tables import metadata


def test_init_creates_schema_matching_the_model(settings: Settings) -> None:
    report = initialise(settings)
    assert report.revision_before is None
    assert report.revision == schema.head_revision()
    assert report.key_created and settings.resolved_key_file().exists()
    assert settings.resolved_key_file().stat().st_mode & 0o077 == 0  # owner-only
    db = open_database(settings)
    with db.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), metadata)
    db.dispose()
    assert diffs == []


def test_init_twice_changes_nothing(settings: Settings) -> None:
    first = initialise(settings)
    second = initialise(settings)
    assert second.revision_before == first.revision == second.revision
    assert not second.key_created


def test_wrong_key_file_is_refused(settings: Settings) -> None:
    initialise(settings)
    settings.resolved_key_file().write_text("00" * 32 + "\n")
    with pytest.raises(ConfigError, match="does not match"):
        initialise(settings)


def test_missing_key_for_initialised_database_is_refused(settings: Settings) -> None:
    initialise(settings)
    settings.resolved_key_file().unlink()
    with pytest.raises(ConfigError, match="initialised with a key"):
        initialise(settings)


def test_uninitialised_database_is_reported(settings: Settings) -> None:
    db = open_database(settings)
    with pytest.raises(DatabaseError, match="caseloads init"):
        db.require_current_schema()
    db.dispose()


def test_unreachable_database_is_a_clear_error(tmp_path: object) -> None:
    settings = Settings(database_url="postgresql://nobody@127.0.0.1:1/none")
    with pytest.raises(DatabaseError, match="cannot reach"):
        initialise(settings)
