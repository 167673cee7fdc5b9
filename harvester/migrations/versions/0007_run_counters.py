"""A refresh run's counters (harvester/counters.py) in a JSON column of their own.

refresh_runs.counters holds every counter of the run that is not zero, by name: what `wmkb
stats` shows of the last refresh. Runs recorded before kept theirs inside refresh_runs.counts
(the summary's numbers, and the others under "counts"); they are copied over by the names they
were counted by then, and counts is left as it was.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# The summary's numbers as refresh_runs.counts held them when this revision was made.
SUMMARY_KEYS = (
    "fetched",
    "not_modified",
    "skipped",
    "new",
    "changed",
    "unchanged",
    "withdrawn",
    "failed",
    "doubts",
)


def upgrade() -> None:
    with op.batch_alter_table("refresh_runs") as batch:
        batch.add_column(sa.Column("counters", sa.JSON(), nullable=True))
    runs = sa.table(
        "refresh_runs",
        sa.column("id", sa.Integer),
        sa.column("counts", sa.Text),
        sa.column("counters", sa.JSON),
    )
    connection = op.get_bind()
    recorded = sa.select(runs.c.id, runs.c.counts).where(runs.c.counts.is_not(None))
    for run_id, counts in connection.execute(recorded).all():
        counters = _counters(json.loads(counts))
        if counters:
            connection.execute(
                runs.update().where(runs.c.id == run_id).values(counters=counters)
            )


def _counters(counts: dict) -> dict[str, int]:
    numbers = {key: counts[key] for key in SUMMARY_KEYS if counts.get(key)}
    numbers.update(
        (key, value) for key, value in (counts.get("counts") or {}).items() if value
    )
    # Only numbers: an imported day's counts say {"imported": true}.
    return {
        key: value
        for key, value in numbers.items()
        if isinstance(value, int) and not isinstance(value, bool)
    }


def downgrade() -> None:
    with op.batch_alter_table("refresh_runs") as batch:
        batch.drop_column("counters")
