"""Reading a fetched page and storing the profile it holds, in this process or in a child.

Reading and storing take most of a refresh's CPU; the crawl loop needs the rest for HTTP. On a
large refresh they move to a process of their own (`python -m wmkb.harvester.reader`), so the two
run on two cores: after `process_after` pages have been read here, a child is started, and once
it answers, every further page goes to it (with 0, every page: the first waits for the child).
Small refreshes never pay for starting a process.

The child stores each profile in its own transaction, as the parent would; the parent keeps the
run's bookkeeping (pages, outcomes, withdrawals). Pages go to the child over a pipe, one frame
each, and come back as a `ReadOutcome` in the order sent. If the child dies, the pages it was
reading fail (the run is then incomplete, and withdraws nothing) and the rest are read here.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pickle
import struct
import sys
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from wmkb.harvester.discover import canonical_url, same_site
from wmkb.harvester.lock import sqlite_file
from wmkb.harvester.pipeline import read_for_crawl
from wmkb.harvester.record import Profile
from wmkb.harvester.store import now, open_database, save_profile

_FRAME = struct.Struct("!I")  # each message: its length, then a pickle
_CHILD_EXIT_WAIT_S = 10.0


def _framed(message: object) -> bytes:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return _FRAME.pack(len(data)) + data


@dataclass(frozen=True)
class ReadOutcome:
    kind: str  # the record's kind: "profile" or "other"
    organisation_url: str | None  # a profile's identity
    outcome: str | None  # a profile's "new", "changed" or "unchanged"
    links: list[str]  # the links a crawl of the site follows from the page
    doubts: list[str]  # what the read could not make of the page


class ReadError(Exception):
    """A page that could not be read or stored; the message says why."""


def read_and_store(
    session: Session,
    body: bytes,
    final_url: str,
    content_type: str | None,
    *,
    site: str,
    run_id: int,
) -> ReadOutcome:
    """Read one fetched page and store the profile it holds, if any, in its own transaction."""
    record, links, doubts = read_for_crawl(body, final_url, content_type, site)
    if not isinstance(record, Profile):
        return ReadOutcome(record.kind, None, None, links, doubts)
    profile = on_site_identity(record, final_url, site)
    outcome = save_profile(session, profile, run_id=run_id, now=now())
    return ReadOutcome(record.kind, profile.url, outcome, links, doubts)


def on_site_identity(profile: Profile, final_url: str, site: str) -> Profile:
    """The profile under its identity: rel=canonical, but only when it points into the site."""
    identity = canonical_url(profile.url)
    if not same_site(identity, site):
        identity = canonical_url(final_url)
    if identity == profile.url:
        return profile
    return Profile(**{**profile.__dict__, "url": identity})


class PageReader:
    """Reads pages for one refresh run: here at first, then in a child process."""

    def __init__(
        self, engine: Engine, *, site: str, run_id: int, process_after: int | None
    ) -> None:
        self.engine = engine
        self.site = site
        self.run_id = run_id
        # A database in this process's memory cannot be shared with another process.
        shareable = engine.url.get_backend_name() != "sqlite" or sqlite_file(engine.url) is not None
        self.process_after = process_after if shareable else None
        self.read_here = 0
        self.read_there = 0
        self.child_died = False
        self.child_failed: str | None = None  # why the child could not start
        self._session = Session(engine)
        self._child: _Child | None = None
        self._starting: asyncio.Task[None] | None = None

    async def read(self, body: bytes, final_url: str, content_type: str | None) -> ReadOutcome:
        """Raises ReadError for a page that could not be read or stored."""
        self._maybe_start_child()
        if self.process_after == 0 and self._starting is not None:
            await asyncio.shield(self._starting)  # 0: every page in the second process
        if self._child is not None and self._child.alive:
            self.read_there += 1
            return await self._child.read(body, final_url, content_type)
        self.read_here += 1
        try:
            return read_and_store(
                self._session, body, final_url, content_type, site=self.site, run_id=self.run_id
            )
        except Exception as error:  # noqa: BLE001 - one page nobody foresaw fails alone
            raise ReadError(f"{type(error).__name__}: {error}") from error

    def _maybe_start_child(self) -> None:
        if (
            self.process_after is not None
            and self._starting is None
            and self.read_here >= self.process_after
        ):
            self._starting = asyncio.create_task(self._start_child())

    async def _start_child(self) -> None:
        url = self.engine.url.render_as_string(hide_password=False)
        try:
            child = await _Child.start(url, self.site, self.run_id)
        except (OSError, ReadError) as error:
            self.child_failed = str(error)  # pages go on being read here
            return
        child.on_death = self._on_child_death
        self._child = child

    def _on_child_death(self) -> None:
        self.child_died = True

    async def close(self) -> None:
        """Let the child finish what it was given, then stop it."""
        if self._starting is not None:
            self._starting.cancel()
            await asyncio.gather(self._starting, return_exceptions=True)
        if self._child is not None:
            await self._child.close()
        self._session.close()


class _Child:
    """The parent's end of a child process that reads and stores pages, in the order sent."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.alive = True
        self.on_death = lambda: None
        self._pending: asyncio.Queue[asyncio.Future[ReadOutcome]] = asyncio.Queue()
        self._answers = asyncio.create_task(self._read_answers())

    @classmethod
    async def start(cls, database_url: str, site: str, run_id: int) -> _Child:
        environment = dict(os.environ)
        # The child imports this very package, wherever the parent was started from: -P keeps
        # the working directory off its path, PYTHONPATH puts this package first.
        package_root = str(Path(__file__).resolve().parent.parent)
        environment["PYTHONPATH"] = os.pathsep.join(
            filter(None, [package_root, environment.get("PYTHONPATH")])
        )
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-P",
            "-m",
            "wmkb.harvester.reader",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            env=environment,
        )
        child = cls(process)
        # The URL goes over the pipe, not the command line: it may hold a password.
        child._send({"database": database_url, "site": site, "run_id": run_id})
        ready = asyncio.get_running_loop().create_future()
        child._pending.put_nowait(ready)
        try:
            await ready
        except ReadError:
            await child.close()
            raise
        return child

    def _send(self, message: object) -> None:
        self.process.stdin.write(_framed(message))

    async def read(self, body: bytes, final_url: str, content_type: str | None) -> ReadOutcome:
        answer = asyncio.get_running_loop().create_future()
        self._send((body, final_url, content_type))
        self._pending.put_nowait(answer)
        # A child that is gone cannot take it: the answers task fails the page with its exit.
        with contextlib.suppress(ConnectionError):
            await self.process.stdin.drain()
        return await answer

    async def _read_answers(self) -> None:
        stdout = self.process.stdout
        try:
            while True:
                header = await stdout.readexactly(_FRAME.size)
                (length,) = _FRAME.unpack(header)
                answer = pickle.loads(await stdout.readexactly(length))
                waiting = self._pending.get_nowait()
                if isinstance(answer, ReadOutcome) or answer == "ready":
                    waiting.set_result(answer)
                else:
                    waiting.set_exception(ReadError(answer))
        except asyncio.IncompleteReadError:
            pass  # the child ended
        except Exception:  # noqa: BLE001 - a frame that makes no sense: the child is unusable
            self.process.kill()
        self.alive = False
        code = await self.process.wait()
        while not self._pending.empty():
            self._pending.get_nowait().set_exception(
                ReadError(f"the reading process ended (exit status {code})")
            )
        if code != 0:
            self.on_death()

    async def close(self) -> None:
        if self.process.stdin is not None and not self.process.stdin.is_closing():
            self.process.stdin.close()
        try:
            await asyncio.wait_for(self.process.wait(), _CHILD_EXIT_WAIT_S)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
        await asyncio.gather(self._answers, return_exceptions=True)


def serve() -> None:
    """The child's side: read frames from stdin, answer each on stdout, until stdin closes."""
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # a stray print must not break a frame
    requests = sys.stdin.buffer

    def receive() -> object | None:
        header = requests.read(_FRAME.size)
        if len(header) < _FRAME.size:
            return None
        (length,) = _FRAME.unpack(header)
        return pickle.loads(requests.read(length))

    def answer(message: object) -> None:
        answers.write(_framed(message))
        answers.flush()

    config = receive()
    if config is None:
        return
    try:
        engine = open_database(config["database"])
    except Exception as error:  # noqa: BLE001 - said to the parent, which reads pages itself
        answer(f"cannot open the knowledge base: {error}")
        return
    answer("ready")
    with Session(engine) as session:
        while (request := receive()) is not None:
            body, final_url, content_type = request
            try:
                outcome = read_and_store(
                    session,
                    body,
                    final_url,
                    content_type,
                    site=config["site"],
                    run_id=config["run_id"],
                )
            except Exception as error:  # noqa: BLE001 - one page nobody foresaw fails alone
                answer(f"{type(error).__name__}: {error}")
                continue
            answer(outcome)
    engine.dispose()


if __name__ == "__main__":
    # Through the package, not this __main__: answers must unpickle as harvester.reader's.
    from wmkb.harvester import reader

    try:
        reader.serve()
    except (BrokenPipeError, KeyboardInterrupt):
        sys.exit(0)
