"""Alembic environment: runs on a connection handed over by :mod:`caseloads.store.schema`."""

from __future__ import annotations

from alembic import context

from caseloads.store.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - the package always hands over a connection
    raise RuntimeError("run migrations through `caseloads init`")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
