"""Creating throw-away databases for tests."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from caseloads.config import Settings, normalise_database_url
from caseloads.store import schema
from caseloads.store.engine import make_engine

POSTGRES_ENV = "CASELOADS_TEST_POSTGRES_URL"


def postgres_base() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """Create an empty PostgreSQL database on the server of ``CASELOADS_TEST_POSTGRES_URL``; drop it
    afterwards. Yields its URL."""
    base = postgres_base()
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
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


requires_postgres = pytest.mark.skipif(postgres_base() is None, reason=f"{POSTGRES_ENV} is not set")


def migrate(settings: Settings, revision: str, *, down: bool = False) -> None:
    """Upgrade (or, with ``down``, downgrade) the database of ``settings`` to ``revision``."""
    engine = make_engine(settings.database_url)
    try:
        with engine.begin() as conn:
            cfg = schema.alembic_config()
            cfg.attributes["connection"] = conn
            (command.downgrade if down else command.upgrade)(cfg, revision)
    finally:
        engine.dispose()


def unsummarised_and_unanalysed(engine: Engine, tables: list[str]) -> dict[str, tuple[int, bool]]:
    """PostgreSQL: for each table, the block ranges its BRIN index had left to summarise (they are
    summarised by this call) and whether it was never analysed (``pg_class.reltuples`` < 0)."""
    out: dict[str, tuple[int, bool]] = {}
    with engine.begin() as conn:
        for name in tables:
            ranges = conn.execute(
                text("SELECT brin_summarize_new_values(CAST(:ix AS regclass))"),
                {"ix": f"ix_{name}_batch"},
            ).scalar_one()
            tuples = conn.execute(
                text("SELECT reltuples FROM pg_class WHERE oid = CAST(:t AS regclass)"), {"t": name}
            ).scalar_one()
            out[name] = (int(ranges), float(tuples) < 0)
    return out
