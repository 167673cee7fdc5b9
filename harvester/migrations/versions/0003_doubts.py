"""Doubts: what each refresh could not read, and what each page's last read could not make of it.

Pages read before this revision have no doubts recorded; the next refresh that reads them again
(any page whose content changed, or every page with `--full`) records theirs.

Revision ID: 0003
Revises: 0002
Create Date: 2025-01-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "doubts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["refresh_runs.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_doubts_run_id", "doubts", ["run_id"])
    with op.batch_alter_table("pages") as batch:
        batch.add_column(sa.Column("doubts", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pages") as batch:
        batch.drop_column("doubts")
    op.drop_index("ix_doubts_run_id", table_name="doubts")
    op.drop_table("doubts")
