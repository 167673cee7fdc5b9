"""Views a researcher wants in Datasette or sqlite3: every organisation with its province and
CBS figures, and one row per organisation with a column per regulation.

The regulation codes are written out as they were when this revision was made: a revision
describes one schema, whatever the vocabulary says later (a new code needs a new revision).

Revision ID: 0006
Revises: 0002
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

REGULATION_CODES = (
    "kortdurend_zorgverlof",
    "langdurig_zorgverlof",
    "calamiteitenverlof",
    "flexibele_werktijden",
    "thuiswerken",
    "verlof_kopen",
    "verlof_sparen",
    "onbetaald_verlof",
    "uren_aanpassen",
    "maatwerk",
    "cao",
)


def upgrade() -> None:
    op.execute(
        """
        CREATE VIEW organisations_cbs AS
        SELECT o.slug, o.name, o.org_type, o.status, o.province, o.cbs_code,
               m.name AS municipality, m.inhabitants AS cbs_inhabitants, m.year AS cbs_year,
               o.inhabitants, o.employees, o.recognised_since, o.ambassador_since, o.website,
               o.url
        FROM organisations AS o
        LEFT JOIN municipalities AS m ON m.cbs_code = o.cbs_code
        """
    )
    offered = ",\n".join(
        f"MAX(CASE WHEN r.code = '{code}' THEN 1 ELSE 0 END) AS {code}"
        for code in REGULATION_CODES
    )
    op.execute(
        f"""
        CREATE VIEW organisations_regulations AS
        SELECT o.slug, o.name, o.org_type, o.status, o.province,
        {offered}
        FROM organisations AS o
        LEFT JOIN organisation_regulations AS r ON r.organisation_id = o.id
        GROUP BY o.id, o.slug, o.name, o.org_type, o.status, o.province
        """
    )


def downgrade() -> None:
    op.execute("DROP VIEW organisations_regulations")
    op.execute("DROP VIEW organisations_cbs")
