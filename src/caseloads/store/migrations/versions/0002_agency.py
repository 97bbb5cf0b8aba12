"""agency placements and regional price caps (the DfE agency rules, definitions.md §2)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
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
        "agency_placements",
        _id(),
        sa.Column("la_code", sa.String(length=8), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.String(length=64), nullable=False),
        sa.Column("agency", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=64), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("hourly_rate", sa.Float(), nullable=True),
        sa.Column("qualified_date", sa.Date(), nullable=True),
        sa.Column("months_post_qualifying_la_experience", sa.SmallInteger(), nullable=True),
        sa.Column("last_substantive_employer_region", sa.String(length=64), nullable=True),
        sa.Column("last_substantive_end_date", sa.Date(), nullable=True),
        sa.Column("references_received", sa.SmallInteger(), nullable=True),
        sa.Column("cooling_off_exception", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency_placements")),
    )
    with op.batch_alter_table("agency_placements", schema=None) as batch_op:
        batch_op.create_index("ix_agency_placements_batch", ["batch_id"], unique=False)

    op.create_table(
        "price_caps",
        _id(),
        sa.Column("la_code", sa.String(length=8), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("region", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=64), nullable=False),
        sa.Column("hourly_cap", sa.Float(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_price_caps")),
    )
    with op.batch_alter_table("price_caps", schema=None) as batch_op:
        batch_op.create_index("ix_price_caps_batch", ["batch_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("price_caps", schema=None) as batch_op:
        batch_op.drop_index("ix_price_caps_batch")
    op.drop_table("price_caps")
    with op.batch_alter_table("agency_placements", schema=None) as batch_op:
        batch_op.drop_index("ix_agency_placements_batch")
    op.drop_table("agency_placements")
