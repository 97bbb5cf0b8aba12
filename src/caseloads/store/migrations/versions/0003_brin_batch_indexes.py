"""on PostgreSQL, the batch index of every data table becomes a BRIN index

Every read of a data table is "the rows of these batches" and every replacement deletes by
batch. Batch ids only grow and a batch's rows are written together, in one transaction, so on
PostgreSQL a block-range (BRIN) index answers those questions while costing a COPY a fraction of
what a B-tree costs to maintain (measured: a million-row COPY 2.4 s with BRIN, 3.3 s with a
B-tree, 2.2 s with no index; benchmarks/README.md). SQLite has no BRIN: its B-tree stays.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op
from sqlalchemy import text

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _batch_indexes() -> list[tuple[str, str]]:
    """(index, table) for every ``ix_<table>_batch`` index on a ``batch_id`` column."""
    rows = op.get_bind().execute(
        text(
            "SELECT indexname, tablename FROM pg_indexes "
            "WHERE schemaname = current_schema() AND indexname LIKE 'ix\\_%\\_batch' "
            "AND indexdef LIKE '%(batch_id)%' ORDER BY tablename"
        )
    )
    return [(str(index), str(table)) for index, table in rows]


def _rebuild(using: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for index, table in _batch_indexes():
        op.execute(f'DROP INDEX "{index}"')
        op.execute(f'CREATE INDEX "{index}" ON "{table}" USING {using} (batch_id)')


def upgrade() -> None:
    _rebuild("brin")


def downgrade() -> None:
    _rebuild("btree")
