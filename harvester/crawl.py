"""The crawl loop: a fixed set of worker tasks pulling URLs from one queue.

Workers, not the connection pool, cap the concurrency: with every discovered URL waiting inside
httpx's pool each request costs far more CPU. The crawler knows nothing of the database; it asks
its handler what to do before each URL (fetch, conditionally, or skip) and hands it each answer,
in a task of its own: the worker fetches its next URL while the answer is read.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from wmkb.harvester.counters import Count, Counters
from wmkb.harvester.discover import canonical_url, crawlable
from wmkb.harvester.errors import FetchError
from wmkb.harvester.fetch import Fetcher, Response
from wmkb.harvester.robots import Robots


@dataclass(frozen=True)
class Fetch:
    """Fetch the URL, conditionally when validators are given."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class Skip:
    """Do not fetch: the sitemap says the page has not changed since we last read it."""

    links: list[str] = field(default_factory=list)


class Handler(Protocol):
    def before(self, url: str) -> Fetch | Skip: ...

    async def after(self, url: str, response: Response) -> list[str]: ...

    def failed(self, url: str, error: FetchError) -> None: ...


class Crawler:
    def __init__(
        self, site: str, fetcher: Fetcher, robots: Robots, *, max_pages: int, concurrency: int
    ) -> None:
        self.site = site
        self.fetcher = fetcher
        self.robots = robots
        self.max_pages = max_pages
        self.concurrency = concurrency
        self.counters = Counters()  # links not followed
        self.truncated = False  # max_pages stopped the crawl: not every page was seen
        self._seen: set[str] = set()
        self._queue: asyncio.Queue[str] = asyncio.Queue()

    def enqueue(self, urls: Iterable[str]) -> None:
        for link in urls:
            url = canonical_url(link)
            if url in self._seen:
                continue
            if not crawlable(url, self.site):
                self.counters.add(Count.OFFSITE_OR_NOT_A_PAGE)
                continue
            self._seen.add(url)
            if not self.robots.allowed(url):
                self.counters.add(Count.ROBOTS_DISALLOWED)
                continue
            if len(self._seen) - self.counters[Count.ROBOTS_DISALLOWED] > self.max_pages:
                self.truncated = True
                continue
            self._queue.put_nowait(url)

    async def run(self, seeds: Iterable[str], handler: Handler) -> None:
        self.enqueue(seeds)
        # A fetched page is read by a task of its own, so that the worker that fetched it goes
        # on to the next URL meanwhile; at most `concurrency` pages wait for their reading.
        self._reading = asyncio.Semaphore(self.concurrency)
        self._readers: set[asyncio.Task[None]] = set()
        workers = [asyncio.create_task(self._work(handler)) for _ in range(self.concurrency)]
        try:
            await self._queue.join()
        finally:
            tasks = [*workers, *self._readers]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _work(self, handler: Handler) -> None:
        while True:
            url = await self._queue.get()
            handed_over = False
            try:
                response = await self._fetch(url, handler)
                if response is not None:
                    await self._reading.acquire()
                    reader = asyncio.create_task(self._read(url, response, handler))
                    self._readers.add(reader)
                    reader.add_done_callback(self._readers.discard)
                    handed_over = True
            finally:
                if not handed_over:
                    self._queue.task_done()

    async def _fetch(self, url: str, handler: Handler) -> Response | None:
        """The response to read, or None for a URL skipped or failed."""
        decision = handler.before(url)
        if isinstance(decision, Skip):
            self.enqueue(decision.links)
            return None
        try:
            return await self.fetcher.get(
                url, etag=decision.etag, last_modified=decision.last_modified
            )
        except FetchError as error:
            handler.failed(url, error)
            return None

    async def _read(self, url: str, response: Response, handler: Handler) -> None:
        try:
            links = await handler.after(url, response)
        except Exception as error:  # noqa: BLE001
            # One page nobody foresaw must not stop an unattended refresh: it is recorded as a
            # failure with its reason, and the crawl goes on.
            reason = f"could not be read: {type(error).__name__}: {error}"
            handler.failed(url, FetchError(url, reason, kind="unreadable"))
        else:
            self.enqueue(links)
        finally:
            self._reading.release()
            self._queue.task_done()
