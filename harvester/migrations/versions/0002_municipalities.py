"""CBS municipalities; organisations.cbs_code and organisations.province.

The municipalities table is filled from the CBS figures shipped in harvester/data. Stored
organisations get their link the way a refresh would give it (a gemeente by its name; another
organisation by the province its introduction names), and a new knowledge-base version so that
the index takes the change up; the next refresh that reads a page again settles the rest.

Revision ID: 0002
Revises: 0001
Create Date: 2025-01-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from wmkb.harvester.municipalities import match_municipality, municipalities, province_in

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "municipalities",
        sa.Column("cbs_code", sa.String(length=6), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("province", sa.String(length=40), nullable=False),
        sa.Column("inhabitants", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("cbs_code"),
    )
    op.bulk_insert(table, [row.__dict__ for row in municipalities()])
    with op.batch_alter_table("organisations") as batch:
        batch.add_column(sa.Column("cbs_code", sa.String(length=6), nullable=True))
        batch.add_column(sa.Column("province", sa.String(length=40), nullable=True))
        batch.create_foreign_key(
            "organisations_cbs_code_fkey", "municipalities", ["cbs_code"], ["cbs_code"]
        )
        batch.create_index("ix_organisations_cbs_code", ["cbs_code"])
        batch.create_index("ix_organisations_province", ["province"])
    _link_stored_organisations()


def _link_stored_organisations() -> None:
    connection = op.get_bind()
    organisations = sa.table(
        "organisations",
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("org_type", sa.String),
        sa.column("description", sa.Text),
        sa.column("cbs_code", sa.String),
        sa.column("province", sa.String),
        sa.column("version", sa.Integer),
    )
    state = sa.table("kb_state", sa.column("id", sa.Integer), sa.column("version", sa.Integer))
    links = {}
    for row in connection.execute(
        sa.select(
            organisations.c.id,
            organisations.c.name,
            organisations.c.org_type,
            organisations.c.description,
        )
    ):
        municipality = match_municipality(row.name) if row.org_type == "gemeente" else None
        if municipality is not None:
            links[row.id] = (municipality.cbs_code, municipality.province)
        elif (province := province_in(row.description or "")) is not None:
            links[row.id] = (None, province)
    if not links:
        return
    version = (connection.scalar(sa.select(state.c.version).where(state.c.id == 1)) or 0) + 1
    updated = connection.execute(sa.update(state).where(state.c.id == 1).values(version=version))
    if updated.rowcount == 0:
        connection.execute(sa.insert(state).values(id=1, version=version))
    for organisation_id, (cbs_code, province) in links.items():
        connection.execute(
            sa.update(organisations)
            .where(organisations.c.id == organisation_id)
            .values(cbs_code=cbs_code, province=province, version=version)
        )


def downgrade() -> None:
    with op.batch_alter_table("organisations") as batch:
        batch.drop_index("ix_organisations_province")
        batch.drop_index("ix_organisations_cbs_code")
        batch.drop_constraint("organisations_cbs_code_fkey", type_="foreignkey")
        batch.drop_column("province")
        batch.drop_column("cbs_code")
    op.drop_table("municipalities")
