"""One refresh run: robots.txt → sitemaps → crawl → parse → store, recorded in refresh_runs.

Each run also records its doubts (harvester/doubts.py): the pages it saw that it could not
read as they look. A doubt is not a failure: it changes no exit code and withdraws nothing.

A run is *complete* when the crawl ran out of URLs on its own: not interrupted, not cut off by
the page limit, robots.txt readable, and failures at or below the threshold. Only a complete run
withdraws organisations it no longer found; any run may withdraw a profile whose page answered
404 or 410. A failed fetch never changes what is stored.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin

from sqlalchemy import Engine, Row, bindparam, insert, select, update
from sqlalchemy.orm import Session

from wmkb.harvester import settings
from wmkb.harvester.archive import ArchiveWriter, Place
from wmkb.harvester.crawl import Crawler, Fetch, Skip
from wmkb.harvester.discover import MAX_SITEMAPS, canonical_url, read_sitemap, same_site
from wmkb.harvester.doubts import Doubt as PageDoubt
from wmkb.harvester.doubts import from_json, listed_doubts, to_json
from wmkb.harvester.errors import FetchError, UnreachableError
from wmkb.harvester.fetch import Fetcher, FetchSettings, Response, is_html
from wmkb.harvester.lock import refresh_lock
from wmkb.harvester.models import Doubt, FetchFailure, Page, RefreshRun
from wmkb.harvester.reader import PageReader, ReadError
from wmkb.harvester.robots import Robots
from wmkb.harvester.store import active_urls, follow_moves, touch, withdraw, writing
from wmkb.harvester.store import now as _now

logger = logging.getLogger(__name__)

GONE_STATUSES = frozenset({404, 410})
PAGE_BATCH = 100  # page rows written together


@dataclass(frozen=True)
class RefreshOptions:
    site: str = settings.SITE_URL
    fetch: FetchSettings = field(
        default_factory=lambda: FetchSettings(user_agent=default_user_agent())
    )
    max_pages: int = settings.MAX_PAGES
    full: bool = False  # re-fetch and re-read every page, whatever the sitemap and validators say
    failure_threshold: float = settings.FAILURE_THRESHOLD
    # Pages read in the crawl's process before a second one takes reading and storing over;
    # None: never.
    read_process_after: int | None = settings.READ_PROCESS_AFTER
    progress: Callable[[RefreshSummary], None] | None = None  # called after every URL
    archive_dir: Path = field(default_factory=settings.archive_dir)  # WARC files go here


def default_user_agent(contact: str = settings.CONTACT_URL) -> str:
    return settings.USER_AGENT.format(version=settings.version(), contact=contact)


# What a refresh reports, in this order everywhere: summary, JSON, run log.
COUNTS = (
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


@dataclass
class RefreshSummary:
    run_id: int
    fetched: int = 0
    not_modified: int = 0
    skipped: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    failed: int = 0
    doubts: int = 0
    duration_s: float = 0.0
    complete: bool = False
    failures: list[tuple[str, str]] = field(default_factory=list)
    doubted: list[tuple[str, str]] = field(default_factory=list)  # (url, reason), URL order
    counts: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict:
        return {
            "run_id": self.run_id,
            **{key: getattr(self, key) for key in COUNTS},
            "duration_s": round(self.duration_s, 3),
            "complete": self.complete,
            "failures": [{"url": url, "reason": reason} for url, reason in self.failures],
            "counts": self.counts,
        }

    @property
    def failure_share(self) -> float:
        attempted = self.fetched + self.not_modified + self.failed
        return self.failed / attempted if attempted else 0.0


def reach_site(options: RefreshOptions) -> Response:
    """The site's robots.txt as it answers now, asked once before a refresh touches the
    knowledge base: a site that cannot be reached is worth a retry later, not a run.

    Raises UnreachableError when the site does not answer or its robots.txt answers with a
    server error (RFC 9309: then nothing may be crawled)."""
    return asyncio.run(_reach_site(options))


async def _reach_site(options: RefreshOptions) -> Response:
    site = canonical_url(options.site)
    url = urljoin(site, "/robots.txt")
    # One attempt: cron tries again later, which beats seconds of retries now.
    fetcher = Fetcher(site, dataclasses.replace(options.fetch, retries=0))
    try:
        response = await fetcher.get(url, accept_any_type=True)
    except FetchError as error:
        raise UnreachableError(f"cannot reach {url}: {error.reason}; try again later") from error
    finally:
        await fetcher.close()
    if response.status >= 500 or response.status == 429:
        raise UnreachableError(f"{url} answered HTTP {response.status}; try again later")
    return response


def refresh(
    engine: Engine, options: RefreshOptions, *, robots: Response | None = None
) -> RefreshSummary:
    """Run one refresh of the knowledge base at `engine` from `options.site`; `robots` is the
    site's robots.txt when `reach_site` has fetched it already.

    Raises LockedError, touching nothing, when another process holds the knowledge base.
    """
    with refresh_lock(engine):
        return _refresh(engine, options, robots)


def _refresh(
    engine: Engine, options: RefreshOptions, robots: Response | None
) -> RefreshSummary:
    started = time.monotonic()
    site = canonical_url(options.site)
    logger.info("refresh of %s started", site)
    with Session(engine) as session, writing(session):
        run = RefreshRun(site=site, started_at=_now(), status="running")
        session.add(run)
        session.flush()
        run_id = run.id
    summary = RefreshSummary(run_id=run_id)
    handler = _RunHandler(
        engine,
        site,
        run_id,
        summary,
        full=options.full,
        progress=options.progress,
        read_process_after=options.read_process_after,
        archive=ArchiveWriter(options.archive_dir, run_id=run_id, site=site),
    )
    crawl_complete = False  # stays so when the run is interrupted
    try:
        crawl_complete = asyncio.run(_crawl(site, options, handler, summary, robots))
    finally:
        summary.duration_s = time.monotonic() - started
        summary.complete = crawl_complete and summary.failure_share <= options.failure_threshold
        _finish(engine, handler, summary)
    logger.info(
        "refresh %d of %s %s in %.1f s: %s",
        run_id,
        site,
        "complete" if summary.complete else "incomplete",
        summary.duration_s,
        ", ".join(f"{key} {getattr(summary, key)}" for key in COUNTS),
    )
    return summary


async def _crawl(
    site: str,
    options: RefreshOptions,
    handler: _RunHandler,
    summary: RefreshSummary,
    robots_response: Response | None,
) -> bool:
    fetcher = Fetcher(site, options.fetch)
    try:
        robots = await _robots(fetcher, site, handler, robots_response)
        if robots is None:
            return False
        crawl_delay = robots.crawl_delay()
        if crawl_delay:
            fetcher.slow_down(crawl_delay)
        handler.lastmod = await _sitemap_lastmods(fetcher, site, robots, handler)
        crawler = Crawler(
            site,
            fetcher,
            robots,
            max_pages=options.max_pages,
            concurrency=options.fetch.concurrency,
        )
        await crawler.run([site, *handler.lastmod], handler)
        summary.counts.update(crawler.counts)
        summary.counts.update(fetcher.counts)
        # A start page that did not answer means we did not see the site, whatever else we saw.
        return not crawler.truncated and handler.start_page_read
    finally:
        await handler.reader.close()
        if handler.reader.read_there:
            summary.counts["read_in_second_process"] = handler.reader.read_there
        if handler.reader.child_died:
            summary.counts["second_process_died"] = 1
        if handler.reader.child_failed:
            summary.counts["second_process_did_not_start"] = 1
        await fetcher.close()


async def _robots(
    fetcher: Fetcher, site: str, handler: _RunHandler, response: Response | None
) -> Robots | None:
    url = urljoin(site, "/robots.txt")
    user_agent = fetcher.config.user_agent
    try:
        response = response or await fetcher.get(url, accept_any_type=True)
    except FetchError as error:
        # RFC 9309: a robots.txt that cannot be reached means "crawl nothing"; the run is
        # incomplete and withdraws nothing.
        handler.failed(url, error)
        return None
    handler.keep(url, response, kind="robots")
    if response.status == 200:
        return Robots.parse(response.body.decode("utf-8", "replace"), user_agent)
    if response.status in (401, 403):
        return Robots.disallow_all(user_agent)
    return Robots.parse(None, user_agent)


async def _sitemap_lastmods(
    fetcher: Fetcher, site: str, robots: Robots, handler: _RunHandler
) -> dict[str, datetime | None]:
    """Every page the sitemaps name, with its lastmod (None where it gives none)."""
    queue = robots.sitemaps() or [urljoin(site, "/sitemap.xml")]
    lastmods: dict[str, datetime | None] = {}
    read_count = 0
    while queue and read_count < MAX_SITEMAPS:
        url = canonical_url(queue.pop(0))
        if not same_site(url, site):
            continue
        read_count += 1
        try:
            response = await fetcher.get(url, accept_any_type=True)
        except FetchError:
            continue  # pages are still found by following links
        handler.keep(url, response, kind="sitemap")
        if response.status != 200:
            continue
        sitemap = read_sitemap(response.body)
        queue.extend(sitemap.sitemaps)
        for entry in sitemap.entries:
            page = canonical_url(entry.url)
            if same_site(page, site):
                lastmods[page] = entry.lastmod
    return lastmods


class _RunHandler:
    """What a refresh does with each URL: decide how to fetch it, store what it says."""

    def __init__(
        self,
        engine: Engine,
        site: str,
        run_id: int,
        summary: RefreshSummary,
        *,
        full: bool,
        progress: Callable[[RefreshSummary], None] | None = None,
        read_process_after: int | None = None,
        archive: ArchiveWriter,
    ) -> None:
        self.engine = engine
        self.archive = archive
        self.progress = progress
        self.site = site
        self.run_id = run_id
        self.summary = summary
        self.full = full
        self.lastmod: dict[str, datetime | None] = {}
        self.outcomes: dict[str, str] = {}  # organisation URL → new / changed / unchanged
        self.seen_organisations: set[str] = set()
        self.gone_organisations: set[str] = set()
        self.counts: Counter[str] = Counter()
        self.start_page_read = False
        self.seen_pages: set[str] = set()  # every URL this run fetched or skipped as unchanged
        # URL → what its last read could not make of it
        self.doubts: dict[str, list[PageDoubt]] = {}
        self.reader = PageReader(engine, site=site, run_id=run_id, process_after=read_process_after)
        self._page_updates: list[dict] = []
        self._page_inserts: list[dict] = []
        # Stored pages are looked up as the crawl reaches them, not loaded up front: a hundred
        # thousand of them with their links would not fit in bounded memory.
        self._lookups = engine.connect()
        self._in_flight: dict[str, Row | None] = {}  # URL → its stored page, while fetched

    def before(self, url: str) -> Fetch | Skip:
        known = self._stored_page(url)
        if self.full or known is None or known.status != 200 or known.fetched_at is None:
            self._in_flight[url] = known
            return Fetch()
        lastmod = self.lastmod.get(url)
        if lastmod is not None and lastmod <= known.fetched_at.replace(tzinfo=UTC):
            self.summary.skipped += 1
            self._seen_again(url, known)
            self.start_page_read = self.start_page_read or url == self.site
            return Skip(links=json.loads(known.links or "[]"))
        self._in_flight[url] = known
        return Fetch(etag=known.etag, last_modified=known.last_modified)

    def _stored_page(self, url: str) -> Row | None:
        try:
            return self._lookups.execute(_STORED_PAGE, {"url": url}).one_or_none()
        finally:
            self._lookups.rollback()  # hold no snapshot between lookups: SQLite's WAL must not grow

    async def after(self, url: str, response: Response) -> list[str]:
        try:
            links = await self._after(url, response, self._in_flight.get(url))
            self._in_flight.pop(url, None)  # not on an error: failed() still needs it
            return links
        finally:
            if self.progress:
                self.progress(self.summary)

    async def _after(self, url: str, response: Response, known: Row | None) -> list[str]:
        if url == self.site and (response.status == 200 or response.not_modified):
            self.start_page_read = True
        if response.not_modified and known is not None:
            self.summary.not_modified += 1
            return self._as_before(url, known, response, known.content_hash)
        if response.status in GONE_STATUSES:
            self.counts[f"http_{response.status}"] += 1
            if known is not None and known.organisation_url and known.kind != "gone":
                self.gone_organisations.add(known.organisation_url)
            if known is None or known.status != response.status:  # else: archived already
                self.archive.response(response, at=_now())
            # The row keeps its organisation and goes on pointing at the page's last content:
            # the evidence of the record the organisation keeps after its withdrawal.
            organisation_url = known.organisation_url if known is not None else None
            self._save_page(url, known, response, None, "gone", organisation_url, None, [])
            return []
        if response.status != 200:
            self.failed(
                url, FetchError(url, f"HTTP {response.status}", kind=f"http_{response.status}")
            )
            return []
        if not is_html(response.content_type):
            self.summary.skipped += 1
            self.counts["not_html"] += 1
            return []
        self.summary.fetched += 1
        content_hash = hashlib.sha256(response.body).hexdigest()
        if known is not None and known.content_hash == content_hash:
            place = self._archive_again(response, known)
            if not self.full:
                return self._as_before(url, known, response, content_hash, place)
        else:
            place = self.archive.response(response, at=_now())
        try:
            read = await self.reader.read(response.body, response.final_url, response.content_type)
        except ReadError as error:
            self.failed(url, FetchError(url, f"could not be read: {error}", kind="unreadable"))
            return []
        if read.organisation_url is not None:
            self.seen_organisations.add(read.organisation_url)
            self._outcome(read.organisation_url, read.outcome)
        links_json = json.dumps(read.links)
        self.seen_pages.add(url)
        if read.doubts:
            self.doubts[url] = read.doubts
        self._save_page(
            url,
            known,
            response,
            content_hash,
            read.kind,
            read.organisation_url,
            links_json,
            read.doubts,
            place,
        )
        return read.links

    def _archive_again(self, response: Response, known: Row) -> Place:
        """The same bytes as last time: a revisit of the record that holds them, or, for a page
        fetched before the archive existed, the response itself."""
        if known.archive_file is None:
            return self.archive.response(response, at=_now())
        self.archive.revisit(response, refers_to=_place(known), at=_now())
        return _place(known)

    def keep(self, url: str, response: Response, *, kind: str) -> None:
        """Archive robots.txt or a sitemap (`kind` "robots" or "sitemap") when it changed, and
        remember it in the pages table for the next run's comparison; it is never read as a
        page. The same bytes again, the same error status again, or a 304 add nothing: they are
        asked for on every run, and a revisit each time would grow the archive with every cron
        run instead of with what changed."""
        if response.not_modified:
            return
        known = self._stored_page(url)
        content_hash, place = None, None
        if response.status == 200:
            content_hash = hashlib.sha256(response.body).hexdigest()
            unchanged = known is not None and known.content_hash == content_hash
            if not unchanged or known.archive_file is None:
                place = self.archive.response(response, at=_now())
        elif known is None or known.status != response.status:
            place = self.archive.response(response, at=_now())
        self._save_page(url, known, response, content_hash, kind, None, None, [], place)

    def failed(self, url: str, error: FetchError) -> None:
        self.summary.failed += 1
        self.summary.failures.append((url, error.reason))
        self.counts[f"failed/{error.kind}"] += 1
        known = self._in_flight.pop(url, None)
        if known is not None and known.organisation_url and known.kind != "gone":
            # A failed fetch says nothing about the organisation: keep it as it is.
            self.seen_organisations.add(known.organisation_url)

    def _as_before(
        self,
        url: str,
        known: Row,
        response: Response,
        content_hash: str | None,
        place: Place | None = None,
    ) -> list[str]:
        """The page says what it said when we last read it (304, or the same bytes)."""
        self._seen_again(url, known)
        self._save_page(
            url,
            known,
            response,
            content_hash,
            known.kind,
            known.organisation_url,
            known.links,
            from_json(known.doubts),
            place,
        )
        return json.loads(known.links or "[]")

    def _seen_again(self, url: str, known: Row) -> None:
        """The page is as we last read it (skipped by lastmod, 304, or the same bytes)."""
        self.seen_pages.add(url)
        if known.doubts:
            self.doubts[url] = from_json(known.doubts)
        if known.organisation_url:
            self.seen_organisations.add(known.organisation_url)
            self._outcome(known.organisation_url, "unchanged")

    def _outcome(self, organisation_url: str, outcome: str) -> None:
        # The same organisation may be read through two URLs: count its first outcome.
        if organisation_url not in self.outcomes:
            self.outcomes[organisation_url] = outcome

    def _save_page(
        self,
        url: str,
        known: Row | None,
        response: Response,
        content_hash: str | None,
        kind: str | None,
        organisation_url: str | None,
        links: str | None,
        doubts: list[PageDoubt],
        place: Place | None = None,  # the archive record of its bytes; None: as before
    ) -> None:
        merged = known if response.not_modified else None
        place = place or (_place(known) if known is not None else None)
        values = {
            "final_url": response.final_url,
            "status": 200 if response.not_modified else response.status,
            "etag": response.etag or (merged.etag if merged else None),
            "last_modified": response.last_modified or (merged.last_modified if merged else None),
            "content_hash": content_hash,
            "fetched_at": _now(),
            "kind": kind,
            "organisation_url": organisation_url,
            "links": links,
            "archive_file": place.file if place else None,
            "archive_offset": place.offset if place else None,
            "archived_at": place.date if place else None,
            "doubts": to_json(doubts),
        }
        if known is not None:
            self._page_updates.append({"page_url": url, **values})
        else:
            self._page_inserts.append({"url": url, **values})
        if len(self._page_updates) + len(self._page_inserts) >= PAGE_BATCH:
            self.flush_pages()

    def close(self) -> None:
        self._lookups.close()
        self.archive.close()

    def flush_pages(self) -> None:
        """Write the buffered page rows. They are bookkeeping (validators, hashes, links): a
        kill that loses some only means those pages are fetched and read in full next time."""
        with Session(self.engine) as session, writing(session):
            if self._page_updates:
                session.execute(_UPDATE_PAGE, self._page_updates)
            if self._page_inserts:
                session.execute(_INSERT_PAGE, self._page_inserts)
        self._page_updates, self._page_inserts = [], []


# Built once: a refresh runs them for every page.
_PAGES = Page.__table__
_STORED_PAGE = select(
    _PAGES.c.status,
    _PAGES.c.fetched_at,
    _PAGES.c.etag,
    _PAGES.c.last_modified,
    _PAGES.c.content_hash,
    _PAGES.c.kind,
    _PAGES.c.organisation_url,
    _PAGES.c.links,
    _PAGES.c.archive_file,
    _PAGES.c.archive_offset,
    _PAGES.c.archived_at,
    _PAGES.c.doubts,
).where(_PAGES.c.url == bindparam("url"))


def _place(known: Row) -> Place | None:
    if known.archive_file is None:
        return None
    return Place(known.archive_file, known.archive_offset, known.archived_at)


_UPDATE_PAGE = update(_PAGES).where(_PAGES.c.url == bindparam("page_url"))
_INSERT_PAGE = insert(_PAGES)


def _finish(engine: Engine, handler: _RunHandler, summary: RefreshSummary) -> None:
    handler.flush_pages()
    handler.close()
    now = _now()
    arrived = [url for url, outcome in handler.outcomes.items() if outcome == "new"]
    with Session(engine) as session:
        moves = follow_moves(
            session, arrived, handler.seen_organisations, run_id=summary.run_id, now=now
        )
    for known_url, found_url in moves.pairs:
        handler.outcomes[found_url] = "changed"  # an organisation that moved is not new
        logger.info("moved: %s → %s", known_url, found_url)
    if moves.pairs:
        handler.counts["moved"] = len(moves.pairs)
    if moves.ambiguous:
        handler.counts["move_ambiguous"] = moves.ambiguous
        logger.warning(
            "%d organisations found at a new URL could each be more than one known "
            "organisation; stored as new (move_ambiguous in `wmkb stats --json`)",
            moves.ambiguous,
        )
    with Session(engine) as session:
        touch(session, handler.seen_organisations, now=now)
    gone = set(handler.gone_organisations) - handler.seen_organisations
    if summary.complete:
        with Session(engine) as session:
            active = active_urls(session)
        missing = active - handler.seen_organisations
        if len(missing) <= settings.MAX_WITHDRAW_SHARE * len(active):
            gone |= missing
        else:
            summary.counts["withdrawal_refused"] = len(missing)
    with Session(engine) as session:
        summary.withdrawn = len(withdraw(session, sorted(gone), run_id=summary.run_id, now=now))
    for outcome in handler.outcomes.values():
        setattr(summary, outcome, getattr(summary, outcome) + 1)
    summary.counts.update(handler.counts)
    summary.counts.update({f"archive/{kind}": n for kind, n in handler.archive.counts.items()})
    summary.doubted = _run_doubts(engine, handler)
    summary.doubts = len(summary.doubted)
    with Session(engine) as session, writing(session):
        run = session.get(RefreshRun, summary.run_id)
        run.finished_at = now
        run.status = "completed" if summary.complete else "incomplete"
        run.counts = json.dumps({**summary.as_json(), "failures": len(summary.failures)})
        run.failures = [FetchFailure(url=url, reason=reason) for url, reason in summary.failures]
        run.doubts = [Doubt(url=url, reason=reason) for url, reason in summary.doubted]


def _run_doubts(engine: Engine, handler: _RunHandler) -> list[tuple[str, str]]:
    """Every doubt of the pages this run saw: what each page's last read said, and the pages
    an overview lists with the organisations that were not read as profiles."""
    with engine.connect() as connection:
        kinds = {
            url: kind
            for url, kind in connection.execute(select(_PAGES.c.url, _PAGES.c.kind))
            if url in handler.seen_pages
        }
        pages: dict[str, tuple[str, list[str]]] = {url: (kind, []) for url, kind in kinds.items()}
        # Links are streamed and kept only for the pages that link a profile: a hundred
        # thousand pages' links need not be in memory at once.
        for url, links in connection.execute(select(_PAGES.c.url, _PAGES.c.links)):
            if url in kinds and links and links != "[]":
                linked = json.loads(links)
                if any(kinds.get(link) == "profile" for link in linked):
                    pages[url] = (kinds[url], linked)
    found = [(url, doubt) for url, doubts in handler.doubts.items() for doubt in doubts]
    found += listed_doubts(pages).items()
    return sorted((url, doubt.text()) for url, doubt in found)


def append_run_log(path: Path, summary: RefreshSummary, site: str) -> None:
    """One line per run, for whoever reads the cron machine's logs."""
    state = "complete" if summary.complete else "incomplete"
    counts = " ".join(f"{key}={getattr(summary, key)}" for key in COUNTS)
    line = (
        f"{_now().replace(microsecond=0).isoformat()}Z run={summary.run_id} {state} {counts} "
        f"duration_s={summary.duration_s:.1f} site={site}\n"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as log:
        log.write(line)
