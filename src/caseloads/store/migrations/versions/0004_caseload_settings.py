"""weighting schemes (effective-dated caseload settings) and per-worker workload reductions

Issue 5: the caseload weighting scheme and the settings councils differ on (allowed involvement
roles, role mapping, standards per team type, team status margins) are stored as data with an
effective date, and reductions of capacity (phased return, union duties) per worker with dates.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sa.Column[int]:
    return sa.Column(
        "id",
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        autoincrement=True,
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "weighting_schemes",
        _id(),
        sa.Column("la_code", sa.String(length=8), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("scheme", sa.JSON(), nullable=False),
        sa.Column("source_file", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("loaded_by", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_weighting_schemes")),
        sa.UniqueConstraint("la_code", "effective_from", name=op.f("uq_weighting_schemes_la_code")),
    )
    op.create_table(
        "workload_reductions",
        _id(),
        sa.Column("la_code", sa.String(length=8), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("percent", sa.Float(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workload_reductions")),
    )
    # A BRIN index on PostgreSQL, as every data table's batch index since 0003.
    op.create_index(
        "ix_workload_reductions_batch",
        "workload_reductions",
        ["batch_id"],
        unique=False,
        postgresql_using="brin",
    )


def downgrade() -> None:
    op.drop_index("ix_workload_reductions_batch", table_name="workload_reductions")
    op.drop_table("workload_reductions")
    op.drop_table("weighting_schemes")
