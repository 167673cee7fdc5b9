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
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urljoin

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from wmkb.harvester import settings
from wmkb.harvester.archive import ArchiveWriter
from wmkb.harvester.counters import Count, Counters
from wmkb.harvester.crawl import Crawler, Fetch, Skip
from wmkb.harvester.discover import MAX_SITEMAPS, canonical_url, parse_sitemap, same_site
from wmkb.harvester.doubts import listed_doubts
from wmkb.harvester.errors import FetchError, UnreachableError
from wmkb.harvester.fetch import Fetcher, FetchSettings, Response
from wmkb.harvester.lock import refresh_lock
from wmkb.harvester.models import Doubt, FetchFailure, RefreshRun
from wmkb.harvester.pages import PageBook, kinds_and_links
from wmkb.harvester.reader import PageReader
from wmkb.harvester.robots import Robots
from wmkb.harvester.store import active_urls, follow_moves, touch, withdraw, writing
from wmkb.harvester.store import now as _now
from wmkb.harvester.visit import PageHandler, Seen
from wmkb.index.build import update as update_index

logger = logging.getLogger(__name__)


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


# What a refresh reports first, in this order everywhere: summary, JSON, run log.
HEADLINE = (
    Count.FETCHED,
    Count.NOT_MODIFIED,
    Count.SKIPPED,
    Count.NEW,
    Count.CHANGED,
    Count.UNCHANGED,
    Count.WITHDRAWN,
    Count.FAILED,
    Count.DOUBTS,
)


def _headline(count: Count) -> property:
    return property(lambda summary: summary.counters[count], doc=count.meaning)


@dataclass
class RefreshSummary:
    run_id: int
    counters: Counters = field(default_factory=Counters)
    duration_s: float = 0.0
    complete: bool = False
    failures: list[tuple[str, str]] = field(default_factory=list)
    doubted: list[tuple[str, str]] = field(default_factory=list)  # (url, reason), URL order

    fetched = _headline(Count.FETCHED)
    not_modified = _headline(Count.NOT_MODIFIED)
    skipped = _headline(Count.SKIPPED)
    new = _headline(Count.NEW)
    changed = _headline(Count.CHANGED)
    unchanged = _headline(Count.UNCHANGED)
    withdrawn = _headline(Count.WITHDRAWN)
    failed = _headline(Count.FAILED)
    doubts = _headline(Count.DOUBTS)

    @property
    def counts(self) -> dict[str, int]:
        """The counters that are not zero and not in the headline, by name."""
        headline = {count.key for count in HEADLINE}
        return {key: n for key, n in self.counters.as_json().items() if key not in headline}

    def as_json(self) -> dict:
        return {
            "run_id": self.run_id,
            **{count.key: self.counters[count] for count in HEADLINE},
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
    site's robots.txt when `reach_site` has fetched it already. The search index is left as it
    is: `refresh_and_index` brings it up to date too.

    Raises LockedError, touching nothing, when another process holds the knowledge base.
    """
    with refresh_lock(engine):
        return _refresh(engine, options, robots)


def refresh_and_index(
    engine: Engine, options: RefreshOptions, index_dir: Path, *, robots: Response | None = None
) -> RefreshSummary:
    """Refresh (as `refresh` does), then bring the search index at `index_dir` up to date with
    what the refresh stored, holding the knowledge base's lock across both, so that no other
    writer comes in between. What `wmkb refresh` does.

        summary = refresh_and_index(open_database(url, create=True), RefreshOptions(), index)
    """
    with refresh_lock(engine):
        summary = _refresh(engine, options, robots)
        update_index(engine, index_dir)
    return summary


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
    handler = PageHandler(
        site,
        counters=summary.counters,
        failures=summary.failures,
        book=PageBook(engine),
        reader=PageReader(
            engine, site=site, run_id=run_id, process_after=options.read_process_after
        ),
        archive=ArchiveWriter(options.archive_dir, run_id=run_id, site=site),
        full=options.full,
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
        ", ".join(f"{count.key} {summary.counters[count]}" for count in HEADLINE),
    )
    return summary


async def _crawl(
    site: str,
    options: RefreshOptions,
    handler: PageHandler,
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
        reporting = _Reporting(handler, options.progress, summary) if options.progress else None
        await crawler.run([site, *handler.lastmod], reporting or handler)
        summary.counters.update(crawler.counters)
        # A start page that did not answer means we did not see the site, whatever else we saw.
        return not crawler.truncated and handler.seen.start_page_read
    finally:
        summary.counters.update(fetcher.counters)
        await handler.reader.close()
        _count_reading(handler.reader, summary.counters)
        await fetcher.close()


def _count_reading(reader: PageReader, counters: Counters) -> None:
    if reader.read_there:
        counters.add(Count.READ_IN_SECOND_PROCESS, reader.read_there)
    if reader.child_died:
        counters.add(Count.SECOND_PROCESS_DIED)
    if reader.child_failed:
        counters.add(Count.SECOND_PROCESS_DID_NOT_START)


async def _robots(
    fetcher: Fetcher, site: str, handler: PageHandler, response: Response | None
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
    fetcher: Fetcher, site: str, robots: Robots, handler: PageHandler
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
        sitemap = parse_sitemap(response.body)
        queue.extend(sitemap.sitemaps)
        for entry in sitemap.entries:
            page = canonical_url(entry.url)
            if same_site(page, site):
                lastmods[page] = entry.lastmod
    return lastmods


class _Reporting:
    """A handler that calls `progress` with the summary after every URL it hands on."""

    def __init__(
        self,
        handler: PageHandler,
        progress: Callable[[RefreshSummary], None],
        summary: RefreshSummary,
    ) -> None:
        self.handler = handler
        self.progress = progress
        self.summary = summary

    def before(self, url: str) -> Fetch | Skip:
        return self.handler.before(url)

    async def after(self, url: str, response: Response) -> list[str]:
        try:
            return await self.handler.after(url, response)
        finally:
            self.progress(self.summary)

    def failed(self, url: str, error: FetchError) -> None:
        self.handler.failed(url, error)


def _finish(engine: Engine, handler: PageHandler, summary: RefreshSummary) -> None:
    handler.book.close()
    handler.archive.close()
    seen, counters = handler.seen, summary.counters
    now = _now()
    arrived = [url for url, outcome in seen.outcomes.items() if outcome == "new"]
    with Session(engine) as session:
        moves = follow_moves(session, arrived, seen.organisations, run_id=summary.run_id, now=now)
    for known_url, found_url in moves.pairs:
        seen.outcomes[found_url] = "changed"  # an organisation that moved is not new
        logger.info("moved: %s → %s", known_url, found_url)
    if moves.pairs:
        counters.add(Count.MOVED, len(moves.pairs))
    if moves.ambiguous:
        counters.add(Count.MOVE_AMBIGUOUS, moves.ambiguous)
        logger.warning(
            "%d organisations found at a new URL could each be more than one known "
            "organisation; stored as new (move_ambiguous in `wmkb stats --json`)",
            moves.ambiguous,
        )
    with Session(engine) as session:
        touch(session, seen.organisations, now=now)
    gone = set(seen.gone) - seen.organisations
    if summary.complete:
        with Session(engine) as session:
            active = active_urls(session)
        missing = active - seen.organisations
        if len(missing) <= settings.MAX_WITHDRAW_SHARE * len(active):
            gone |= missing
        else:
            counters.add(Count.WITHDRAWAL_REFUSED, len(missing))
    with Session(engine) as session:
        withdrawn = withdraw(session, sorted(gone), run_id=summary.run_id, now=now)
    counters.add(Count.WITHDRAWN, len(withdrawn))
    for outcome in seen.outcomes.values():
        counters.add(_OUTCOMES[outcome])
    counters.update(handler.archive.counters)
    summary.doubted = _run_doubts(engine, seen)
    counters.add(Count.DOUBTS, len(summary.doubted))
    _record_run(engine, summary, now)


_OUTCOMES = {"new": Count.NEW, "changed": Count.CHANGED, "unchanged": Count.UNCHANGED}


def _record_run(engine: Engine, summary: RefreshSummary, now: datetime) -> None:
    with Session(engine) as session, writing(session):
        run = session.get(RefreshRun, summary.run_id)
        run.finished_at = now
        run.status = "completed" if summary.complete else "incomplete"
        reported = {key: value for key, value in summary.as_json().items() if key != "counts"}
        run.counts = json.dumps({**reported, "failures": len(summary.failures)})
        run.counters = summary.counters.as_json()
        run.failures = [FetchFailure(url=url, reason=reason) for url, reason in summary.failures]
        run.doubts = [Doubt(url=url, reason=reason) for url, reason in summary.doubted]


def _run_doubts(engine: Engine, seen: Seen) -> list[tuple[str, str]]:
    """Every doubt of the pages this run saw: what each page's last read said, and the pages
    an overview lists with the organisations that were not read as profiles."""
    found = [(url, doubt) for url, doubts in seen.doubts.items() for doubt in doubts]
    found += listed_doubts(kinds_and_links(engine, seen.pages)).items()
    return sorted((url, doubt.text()) for url, doubt in found)


def append_run_log(path: Path, summary: RefreshSummary, site: str) -> None:
    """One line per run, for whoever reads the cron machine's logs."""
    state = "complete" if summary.complete else "incomplete"
    counts = " ".join(f"{count.key}={summary.counters[count]}" for count in HEADLINE)
    line = (
        f"{_now().replace(microsecond=0).isoformat()}Z run={summary.run_id} {state} {counts} "
        f"duration_s={summary.duration_s:.1f} site={site}\n"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as log:
        log.write(line)
