"""One URL of a refresh: how to ask for it, and what to do with its answer.

The crawl (harvester/crawl.py) asks the handler before each URL whether and how to fetch it
(harvester/revisit.py decides), and hands it each answer. A page that answers 200 with new bytes
is archived and read (harvester/reader.py stores the profile it holds); one that says what it
said last time (a 304, the same bytes, a sitemap lastmod before our last fetch) is not read
again, and its stored links lead the crawl on. Every URL's row of the pages table is written
through harvester/pages.py. A page that answers 404 or 410 marks its organisation gone; any
other failure says nothing about it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime

from wmkb.harvester.archive import ArchiveWriter, Place
from wmkb.harvester.counters import Count, Counters
from wmkb.harvester.crawl import Fetch, Skip
from wmkb.harvester.doubts import Doubt
from wmkb.harvester.errors import FetchError
from wmkb.harvester.fetch import Response, is_html
from wmkb.harvester.pages import PageBook, PageRow, StoredPage
from wmkb.harvester.reader import PageReader, ReadError
from wmkb.harvester.revisit import decide
from wmkb.harvester.store import now

GONE_STATUSES = frozenset({404, 410})


@dataclass
class Seen:
    """What a run saw of the site: what its withdrawals, outcomes and doubts are decided by."""

    organisations: set[str] = field(default_factory=set)  # read, as before, or failed to fetch
    gone: set[str] = field(default_factory=set)  # organisations whose page answered 404 or 410
    outcomes: dict[str, str] = field(default_factory=dict)  # URL → new / changed / unchanged
    pages: set[str] = field(default_factory=set)  # every URL fetched or skipped as unchanged
    doubts: dict[str, list[Doubt]] = field(default_factory=dict)  # URL → its last read's
    start_page_read: bool = False

    def organisation(self, organisation_url: str, outcome: str) -> None:
        self.organisations.add(organisation_url)
        # The same organisation may be read through two URLs: count its first outcome.
        self.outcomes.setdefault(organisation_url, outcome)

    def again(self, url: str, stored: StoredPage) -> None:
        """The page is as we last read it (skipped by lastmod, 304, or the same bytes)."""
        self.pages.add(url)
        if stored.doubts_json:
            self.doubts[url] = stored.doubts()
        if stored.organisation_url:
            self.organisation(stored.organisation_url, "unchanged")


class PageHandler:
    """What a refresh does with each URL (the crawl's Handler): decide how to fetch it, read
    it, archive it, and remember it in the pages table. What it did goes to `counters`, the
    URLs that failed to `failures`, and what it saw to `seen`."""

    def __init__(
        self,
        site: str,
        *,
        counters: Counters,
        failures: list[tuple[str, str]],
        book: PageBook,
        reader: PageReader,
        archive: ArchiveWriter,
        full: bool,
    ) -> None:
        self.site = site
        self.counters = counters
        self.failures = failures  # (URL, reason), as they fail
        self.book = book
        self.reader = reader
        self.archive = archive
        self.full = full
        self.lastmod: dict[str, datetime | None] = {}
        self.seen = Seen()
        self._in_flight: dict[str, StoredPage | None] = {}  # URL → its stored page, while fetched

    def before(self, url: str) -> Fetch | Skip:
        stored = self.book.stored(url)
        decision = decide(stored, self.lastmod.get(url), full=self.full)
        if isinstance(decision, Skip):
            self.counters.add(Count.SKIPPED)
            self.counters.add(Count.SKIPPED_BY_LASTMOD)
            self.seen.again(url, stored)
            self.seen.start_page_read = self.seen.start_page_read or url == self.site
        else:
            self._in_flight[url] = stored
        return decision

    async def after(self, url: str, response: Response) -> list[str]:
        links = await self._after(url, response, self._in_flight.get(url))
        self._in_flight.pop(url, None)  # not on an error: failed() still needs it
        return links

    async def _after(self, url: str, response: Response, stored: StoredPage | None) -> list[str]:
        if url == self.site and (response.status == 200 or response.not_modified):
            self.seen.start_page_read = True
        if response.not_modified and stored is not None:
            self.counters.add(Count.NOT_MODIFIED)
            return self._as_before(url, stored, response, stored.content_hash)
        if response.status in GONE_STATUSES:
            self.counters.add(Count.GONE, reason=f"http_{response.status}")
            if stored is not None and stored.organisation_url and stored.kind != "gone":
                self.seen.gone.add(stored.organisation_url)
            if stored is None or stored.status != response.status:  # else: archived already
                self.archive.response(response, at=now())
            # The row keeps its organisation and goes on pointing at the page's last content:
            # the evidence of the record the organisation keeps after its withdrawal.
            organisation_url = stored.organisation_url if stored is not None else None
            self._save(url, stored, response, None, "gone", organisation_url, None, [])
            return []
        if response.status != 200:
            self.failed(
                url, FetchError(url, f"HTTP {response.status}", kind=f"http_{response.status}")
            )
            return []
        if not is_html(response.content_type):
            self.counters.add(Count.SKIPPED)
            self.counters.add(Count.NOT_HTML)
            return []
        self.counters.add(Count.FETCHED)
        content_hash = hashlib.sha256(response.body).hexdigest()
        if stored is not None and stored.content_hash == content_hash:
            place = self._archive_again(response, stored)
            if not self.full:
                return self._as_before(url, stored, response, content_hash, place)
        else:
            place = self.archive.response(response, at=now())
        try:
            read = await self.reader.read(response.body, response.final_url, response.content_type)
        except ReadError as error:
            self.failed(url, FetchError(url, f"could not be read: {error}", kind="unreadable"))
            return []
        if read.organisation_url is not None:
            self.seen.organisation(read.organisation_url, read.outcome)
        self.seen.pages.add(url)
        if read.doubts:
            self.seen.doubts[url] = read.doubts
        self._save(
            url,
            stored,
            response,
            content_hash,
            read.kind,
            read.organisation_url,
            json.dumps(read.links),
            read.doubts,
            place,
        )
        return read.links

    def _archive_again(self, response: Response, stored: StoredPage) -> Place:
        """The same bytes as last time: a revisit of the record that holds them, or, for a page
        fetched before the archive existed, the response itself."""
        if stored.place is None:
            return self.archive.response(response, at=now())
        self.archive.revisit(response, refers_to=stored.place, at=now())
        return stored.place

    def keep(self, url: str, response: Response, *, kind: str) -> None:
        """Archive robots.txt or a sitemap (`kind` "robots" or "sitemap") when it changed, and
        remember it in the pages table for the next run's comparison; it is never read as a
        page. The same bytes again, the same error status again, or a 304 add nothing: they are
        asked for on every run, and a revisit each time would grow the archive with every cron
        run instead of with what changed."""
        if response.not_modified:
            return
        stored = self.book.stored(url)
        content_hash, place = None, None
        if response.status == 200:
            content_hash = hashlib.sha256(response.body).hexdigest()
            unchanged = stored is not None and stored.content_hash == content_hash
            if not unchanged or stored.place is None:
                place = self.archive.response(response, at=now())
        elif stored is None or stored.status != response.status:
            place = self.archive.response(response, at=now())
        self._save(url, stored, response, content_hash, kind, None, None, [], place)

    def failed(self, url: str, error: FetchError) -> None:
        self.counters.add(Count.FAILED, reason=error.kind)
        self.failures.append((url, error.reason))
        stored = self._in_flight.pop(url, None)
        if stored is not None and stored.organisation_url and stored.kind != "gone":
            # A failed fetch says nothing about the organisation: keep it as it is.
            self.seen.organisations.add(stored.organisation_url)

    def _as_before(
        self,
        url: str,
        stored: StoredPage,
        response: Response,
        content_hash: str | None,
        place: Place | None = None,
    ) -> list[str]:
        """The page says what it said when we last read it (304, or the same bytes)."""
        self.seen.again(url, stored)
        self._save(
            url,
            stored,
            response,
            content_hash,
            stored.kind,
            stored.organisation_url,
            stored.links_json,
            stored.doubts(),
            place,
        )
        return stored.links()

    def _save(
        self,
        url: str,
        stored: StoredPage | None,
        response: Response,
        content_hash: str | None,
        kind: str | None,
        organisation_url: str | None,
        links_json: str | None,
        doubts: list[Doubt],
        place: Place | None = None,  # the archive record of its bytes; None: as before
    ) -> None:
        merged = stored if response.not_modified else None
        row = PageRow(
            final_url=response.final_url,
            status=200 if response.not_modified else response.status,
            etag=response.etag or (merged.etag if merged else None),
            last_modified=response.last_modified or (merged.last_modified if merged else None),
            content_hash=content_hash,
            fetched_at=now(),
            kind=kind,
            organisation_url=organisation_url,
            links_json=links_json,
            place=place or (stored.place if stored is not None else None),
            doubts=doubts,
        )
        self.book.save(url, row, stored=stored)
