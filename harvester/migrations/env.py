"""Alembic's entry point for wmkb's revisions.

wmkb runs it through harvester/migrate.py with an open connection. Developers writing a new
revision run the alembic command from the repository root (pyproject.toml's [tool.alembic]
names this folder) and give the database with `-x db=URL`; see harvester/migrate.py.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from wmkb.harvester.models import Base

config = context.config


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        # SQLite cannot alter a table's constraints: batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("wmkb's revisions run against a database: give one with -x db=URL")

connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    url = context.get_x_argument(as_dictionary=True).get("db")
    if not url:
        raise SystemExit("give the database to migrate with -x db=URL")
    engine = create_engine(url)
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()
