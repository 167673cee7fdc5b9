"""A throwaway PostgreSQL cluster for the tests: initdb in a temporary directory, the server
listening only on a Unix socket in that directory, stopped and removed when the tests end.
Nothing depends on a server left running by hand.

PostgreSQL refuses to run as root; run as root, the cluster belongs to the `postgres` user that
Debian's postgresql package creates.

    with running_cluster(find_binaries()) as cluster:
        url = cluster.url(cluster.create_database())
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg

USER = "wmkb"  # the cluster's superuser; trusted on the socket, so no password
SETTINGS = """
listen_addresses = ''                 # the socket only: no port to collide with
unix_socket_directories = '{socket}'
max_connections = 300                 # every test engine keeps a small pool
fsync = off                           # a throwaway cluster: speed over durability
synchronous_commit = off
full_page_writes = off
"""
_names = itertools.count(1)


def find_binaries() -> Path | None:
    """The folder holding initdb and pg_ctl: on PATH, or Debian's /usr/lib/postgresql/N/bin."""
    on_path = shutil.which("pg_ctl")
    candidates = [Path(on_path).parent] if on_path else []
    candidates += sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0,
        reverse=True,
    )
    for folder in candidates:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    return None


@dataclass
class Cluster:
    socket_dir: Path

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{USER}@/{database}?host={self.socket_dir}"

    def create_database(self) -> str:
        """A new empty database with a name no other test uses."""
        name = f"wmkb_test_{os.getpid()}_{next(_names)}"
        self._admin(f'CREATE DATABASE "{name}"')
        return name

    def drop_database(self, name: str) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _admin(self, statement: str) -> None:
        with psycopg.connect(
            host=str(self.socket_dir), dbname="postgres", user=USER, autocommit=True
        ) as connection:
            connection.execute(statement)


@contextmanager
def running_cluster(binaries: Path) -> Iterator[Cluster]:
    """Start a cluster in a new temporary directory; stop it and remove the directory after."""
    owner = _owner()
    directory = Path(tempfile.mkdtemp(prefix="wmkb-pg-"))  # short: a socket path has a limit
    data = directory / "data"
    try:
        if owner is not None:
            os.chown(directory, owner.pw_uid, owner.pw_gid)
        _run(owner, binaries / "initdb", "-D", data, "-U", USER, "-A", "trust", "-E", "UTF8",
             "--no-locale", "--no-sync")
        with (data / "postgresql.conf").open("a") as conf:
            conf.write(SETTINGS.format(socket=directory))
        _run(owner, binaries / "pg_ctl", "-D", data, "-l", directory / "server.log", "-w",
             "-t", "60", "start", log=directory / "server.log")
        try:
            yield Cluster(directory)
        finally:
            _run(owner, binaries / "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _owner() -> pwd.struct_passwd | None:
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam("postgres")
    except KeyError:
        raise RuntimeError(
            "running as root, and PostgreSQL will not: no `postgres` user to run it as "
            "(apt-get install postgresql creates one)"
        ) from None


def _run(owner: pwd.struct_passwd | None, *command, log: Path | None = None) -> None:
    argv = [str(part) for part in command]
    if owner is not None:
        argv = ["runuser", "-u", owner.pw_name, "--", *argv]
    done = subprocess.run(argv, capture_output=True, text=True, cwd="/", timeout=120)
    if done.returncode != 0:
        detail = done.stderr.strip() or done.stdout.strip()
        if log is not None and log.exists():
            detail += "\n" + log.read_text(errors="replace")[-2000:]
        raise RuntimeError(f"{' '.join(argv)} failed ({done.returncode}): {detail}")
