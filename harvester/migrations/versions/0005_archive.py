"""The archive: pages point at the WARC record holding their current bytes; changes say where
they came from.

pages.archive_file, archive_offset and archived_at locate the response record (file of
$WMKB_HOME/archive, offset, WARC-Date); pages are found by organisation_url for provenance.
changes.source says what made a change: "site" (a refresh), "reader" (`wmkb reparse` after the
reader or its data improved) or "archive" (captures brought in by `wmkb import-warc` or `wmkb
backfill`); imported_captures lists those captures, so that importing one again changes
nothing. Every change stored before is a refresh's.

Revision ID: 0005
Revises: 0002
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pages") as batch:
        batch.add_column(sa.Column("archive_file", sa.String(length=300), nullable=True))
        batch.add_column(sa.Column("archive_offset", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("archived_at", sa.DateTime(), nullable=True))
        # The provenance of an organisation's record is looked up by its URL.
        batch.create_index("ix_pages_organisation_url", ["organisation_url"])
    op.create_table(
        "imported_captures",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("captured_at", sa.DateTime(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("changes") as batch:
        batch.add_column(
            sa.Column("source", sa.String(length=20), nullable=False, server_default="site")
        )


def downgrade() -> None:
    with op.batch_alter_table("changes") as batch:
        batch.drop_column("source")
    op.drop_table("imported_captures")
    with op.batch_alter_table("pages") as batch:
        batch.drop_index("ix_pages_organisation_url")
        batch.drop_column("archived_at")
        batch.drop_column("archive_offset")
        batch.drop_column("archive_file")
