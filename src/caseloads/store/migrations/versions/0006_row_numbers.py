"""data tables: the batch's row number instead of a database-generated surrogate key

Every data table loses its ``id`` (a sequence value and a B-tree primary key entry per row) and
gains ``row_no``, the row's place among the rows its batch wrote to the table, which the importer
writes. Nothing read or referred to single rows by ``id``; it only ordered reads. A PostgreSQL
COPY of 1.7 million involvements took 4.1 CPU seconds of the server with the ``bigserial``
primary key and 2.5 s without (benchmarks/README.md). Existing rows keep their order: their
``row_no`` is their old ``id``, which grew with insertion.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The data tables at revision 0005 (store/tables.py ``data_table``).
DATA_TABLES: tuple[str, ...] = (
    "absences",
    "adoptions",
    "agency_placements",
    "assessment_factors",
    "assessments",
    "assignments",
    "care_leavers",
    "children",
    "cin_plans",
    "cla_episodes",
    "cla_outcomes",
    "cla_reviews",
    "contacts",
    "cp_plans",
    "cp_reviews",
    "csww_vacancies",
    "csww_workers",
    "disabilities",
    "families",
    "icpcs",
    "involvements",
    "missing_episodes",
    "pipeline",
    "placed_for_adoption",
    "posts",
    "pre_proceedings",
    "previous_permanence",
    "price_caps",
    "professionals",
    "referrals",
    "s47_enquiries",
    "uasc",
    "workers",
    "workload_reductions",
)

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in DATA_TABLES:
        op.add_column(table, sa.Column("row_no", _ID, nullable=True))
        op.execute(f'UPDATE "{table}" SET row_no = id')
        if postgres:
            op.alter_column(table, "row_no", nullable=False)
            op.drop_column(table, "id")  # with its primary key and its sequence
        else:
            with op.batch_alter_table(table, recreate="always") as batch:
                batch.alter_column("row_no", existing_type=_ID, nullable=False)
                batch.drop_column("id")


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in DATA_TABLES:
        if postgres:
            # Existing rows are numbered from the new sequence, in the order they are stored.
            op.execute(f'ALTER TABLE "{table}" ADD COLUMN id BIGSERIAL')
            op.create_primary_key(f"pk_{table}", table, ["id"])
            op.drop_column(table, "row_no")
        else:
            # SQLite numbers an INTEGER PRIMARY KEY left empty by the copy itself.
            with op.batch_alter_table(table, recreate="always") as batch:
                batch.add_column(sa.Column("id", sa.Integer(), nullable=True))
                batch.drop_column("row_no")
            with op.batch_alter_table(table, recreate="always") as batch:
                batch.alter_column("id", existing_type=sa.Integer(), nullable=False)
                batch.create_primary_key(f"pk_{table}", ["id"])
