"""One refresh at a time per knowledge base.

For a SQLite file the lock is an flock on a file beside it; for a server database, a lock file
in $WMKB_HOME named after the database URL. The operating system drops an flock when its
process dies, even by SIGKILL, so a killed refresh never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine

from harvester import settings
from harvester.errors import LockedError


def lock_path(engine: Engine) -> Path:
    url = engine.url
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(url.database).with_name(Path(url.database).name + ".lock")
    digest = hashlib.sha256(url.render_as_string(hide_password=True).encode()).hexdigest()[:16]
    return settings.home() / f"refresh-{digest}.lock"


@contextmanager
def refresh_lock(engine: Engine) -> Iterator[None]:
    """Hold the knowledge base's refresh lock, or raise LockedError at once."""
    path = lock_path(engine)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise LockedError(
                f"another refresh is running on this knowledge base (pid {holder}); "
                "try again when it has finished"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        handle.close()
