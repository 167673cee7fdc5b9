"""One writer at a time per knowledge base: a refresh, a reindex, an index update.

For a SQLite file the lock is an flock on a file beside it; for PostgreSQL, an advisory lock
held by a connection of its own for the whole run, so that refreshes on different machines see
each other; for another server database, a lock file in $WMKB_HOME named after the URL. The
operating system drops an flock when its process dies, and PostgreSQL an advisory lock when its
connection goes, even by SIGKILL, so a killed refresh never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError

from wmkb.harvester import settings
from wmkb.harvester.errors import LockedError

# The advisory lock's key: "wmkb" in ASCII. Advisory locks are per database, so one key will do.
ADVISORY_LOCK_KEY = 0x776D6B62


def sqlite_file(url: URL) -> Path | None:
    """The file of a SQLite URL; None for another database, or a SQLite one in memory."""
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(url.database)
    return None


def lock_path(engine: Engine) -> Path:
    url = engine.url
    database = sqlite_file(url)
    if database is not None:
        return database.with_name(database.name + ".lock")
    digest = hashlib.sha256(url.render_as_string(hide_password=True).encode()).hexdigest()[:16]
    return settings.home() / f"refresh-{digest}.lock"


# Knowledge bases whose lock this process holds. A refresh holds it across its crawl and the
# index update, each of which takes it too; the operating system and PostgreSQL would refuse a
# second take by the same process (a new flock, a new connection), so it is counted here.
_held: dict[str, int] = {}


@contextmanager
def refresh_lock(engine: Engine) -> Iterator[None]:
    """Hold the knowledge base's lock (refresh, reindex, index update, schema upgrade), or raise
    LockedError at once. A process that holds it already takes it again freely."""
    key = engine.url.render_as_string(hide_password=True)
    if key in _held:
        _held[key] += 1
        try:
            yield
        finally:
            _held[key] -= 1
        return
    taking = (
        _advisory_lock(engine)
        if engine.dialect.name == "postgresql"
        else _file_lock(lock_path(engine))
    )
    with taking:
        _held[key] = 1
        try:
            yield
        finally:
            del _held[key]


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            pid = handle.read().strip()
            raise _locked(f"pid {pid}" if pid else "") from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        handle.close()


@contextmanager
def _advisory_lock(engine: Engine) -> Iterator[None]:
    # Autocommit: the connection holds the lock, not a transaction left open for hours.
    connection = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    try:
        holder = f"wmkb refresh, pid {os.getpid()} on {socket.gethostname()}"[:63]
        connection.execute(
            text("SELECT set_config('application_name', :name, false)"), {"name": holder}
        )
        taken = connection.scalar(
            text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY}
        )
        if not taken:
            raise _locked(_advisory_holder(connection))
        try:
            yield
        finally:
            # Said, not left to the server: it notices a closed connection only a moment later.
            # A connection that broke has taken the lock with it.
            with suppress(DBAPIError):
                connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY}
                )
    finally:
        # Closed, not returned to the pool, so that nothing of this session outlives the run.
        connection.invalidate()
        connection.close()


def _advisory_holder(connection) -> str:
    # A bigint key below 2**32 shows in pg_locks as classid 0, objid key, objsubid 1.
    name = connection.scalar(
        text(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
            " JOIN pg_database d ON d.oid = l.database AND d.datname = current_database()"
            " WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0"
            " AND l.objid = :key AND l.objsubid = 1 LIMIT 1"
        ),
        {"key": ADVISORY_LOCK_KEY},
    )
    return (name or "").removeprefix("wmkb refresh, ")


def _locked(holder: str) -> LockedError:
    return LockedError(
        f"another refresh is running on this knowledge base ({holder or 'another process'}); "
        "try again when it has finished"
    )
