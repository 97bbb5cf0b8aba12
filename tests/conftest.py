"""Shared fixtures. Every storage test takes ``settings`` and so runs on SQLite and, when
``CASELOADS_TEST_POSTGRES_URL`` is set (CI sets it), again on a fresh PostgreSQL database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.dbtools import POSTGRES_ENV, fresh_postgres_database, postgres_base

from caseloads.config import Settings

FIXTURES = Path(__file__).parent / "fixtures"

BACKENDS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(postgres_base() is None, reason=f"{POSTGRES_ENV} is not set"),
        ],
    ),
]


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A new, empty database on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Settings for a fresh database with its own key file (not yet initialised)."""
    return Settings(database_url=database_url, key_file=tmp_path / "test.key")
