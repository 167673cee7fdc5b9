"""The schema's revisions (Alembic): which one a database is at, and bringing it to head.

The revisions live in harvester/migrations/versions/; a database records its own in the
alembic_version table. One made before wmkb had migrations has no such table: its revision is
read from its tables instead (0002 has organisations.cbs_code, 0001 has not).

    >>> from sqlalchemy import create_engine
    >>> done = upgrade(create_engine("sqlite://"))  # an empty database gets the whole schema
    >>> done.before is None and done.after == head()
    True

Every change to harvester/models.py needs a new revision: tests/test_migrations.py fails when
the migrated schema and the models differ. To write one, from the repository root:

    .venv/bin/alembic -x db=sqlite:////tmp/scratch.sqlite upgrade head
    .venv/bin/alembic -x db=sqlite:////tmp/scratch.sqlite revision --autogenerate \\
        --rev-id 0003 -m "what changed"

then read the generated file and finish it: data to move or fill, batch mode for SQLite.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.script.revision import RevisionError
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, inspect

from wmkb.harvester.errors import StoreError

MIGRATIONS = Path(__file__).with_name("migrations")


@dataclass(frozen=True)
class Upgrade:
    before: str | None  # None: the database was empty
    after: str


def head() -> str:
    """The newest revision this program knows, e.g. '0003'."""
    return _script().get_current_head()


def is_ours(revision: str) -> bool:
    """False for a revision written by a newer wmkb than this one."""
    try:
        return _script().get_revision(revision) is not None
    except (RevisionError, CommandError):
        return False


def revision_of(connection: Connection) -> str | None:
    """The database's revision, as recorded or as its tables show; None when it is empty."""
    recorded = MigrationContext.configure(connection).get_current_revision()
    if recorded is not None:
        return recorded
    return _unrecorded_revision(connection)


def upgrade(engine: Engine, *, to: str = "head") -> Upgrade:
    """Bring the database to head (or to revision `to`) in one transaction; the caller holds
    the refresh lock and has checked that the database's revision is known."""
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch mode copies a table and drops the old one; with foreign keys enforced the
            # drop would fail for the rows that refer to it. The pragma is a no-op inside a
            # transaction, so it goes to the driver before the transaction begins.
            connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                config = _config(connection)
                recorded = MigrationContext.configure(connection).get_current_revision()
                before = recorded or _unrecorded_revision(connection)
                if recorded is None and before is not None:
                    command.stamp(config, before)  # made before wmkb had migrations
                command.upgrade(config, to)
                after = revision_of(connection)
                if sqlite:
                    _check_references(connection, after)
        finally:
            if sqlite:
                connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")
    return Upgrade(before, after)


def _check_references(connection: Connection, revision: str) -> None:
    # Foreign keys were off while batch mode copied tables: look before the commit.
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        raise StoreError(
            f"upgrading to revision {revision} would leave {len(broken)} rows referring to rows "
            f"that do not exist (the first in table {broken[0][0]}); nothing was changed"
        )


def _unrecorded_revision(connection: Connection) -> str | None:
    inspector = inspect(connection)
    if not inspector.has_table("organisations"):
        return None
    columns = {column["name"] for column in inspector.get_columns("organisations")}
    return "0002" if "cbs_code" in columns else "0001"


def _config(connection: Connection | None = None) -> Config:
    # No alembic.ini: wmkb finds its revisions itself, wherever it is installed.
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@cache
def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config())
