"""Shared fixtures. Every storage test takes ``settings`` and so runs on SQLite and, when
``CASELOADS_TEST_POSTGRES_URL`` is set (CI sets it), again on a fresh PostgreSQL database."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from caseloads.config import Settings, normalise_database_url

POSTGRES_ENV = "CASELOADS_TEST_POSTGRES_URL"
FIXTURES = Path(__file__).parent / "fixtures"


def _postgres_base() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


BACKENDS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(_postgres_base() is None, reason=f"{POSTGRES_ENV} is not set"),
        ],
    ),
]


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A new, empty database on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    base = _postgres_base()
    assert base is not None
    admin_url = make_url(normalise_database_url(base))
    name = f"caseloads_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :n AND pid <> pg_backend_pid()"
                ),
                {"n": name},
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Settings for a fresh database with its own key file (not yet initialised)."""
    return Settings(database_url=database_url, key_file=tmp_path / "test.key")
