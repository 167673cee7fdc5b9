"""Reading the archive again: every page's archived bytes through the current reader and data
files, with no request to the site.

After an edit to harvester/data (or to $WMKB_DATA's copy) or to the reader, records, index and
queries disagree until every page is read again; the pages are in the archive, so they are read
from there. What changes is stored as changes from the reader (changes.source = "reader"), not
from the site: the site was not visited, so no organisation is seen, withdrawn or brought back.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, bindparam, or_, select, update
from sqlalchemy.orm import Session

from wmkb.harvester import settings
from wmkb.harvester.archive import Capture, read_captures
from wmkb.harvester.discover import canonical_url
from wmkb.harvester.doubts import to_json
from wmkb.harvester.errors import ArchiveError
from wmkb.harvester.lock import refresh_lock
from wmkb.harvester.models import SITE_FILE_KINDS, Page, RefreshRun
from wmkb.harvester.pipeline import read_for_crawl
from wmkb.harvester.reader import on_site_identity
from wmkb.harvester.record import Profile
from wmkb.harvester.store import now, save_profile, writing

COUNTS = ("pages", "new", "changed", "unchanged", "not_profiles", "failed")
_PAGE_BATCH = 500  # page rows updated together


@dataclass
class ReparseSummary:
    pages: int = 0  # archived pages read again
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    not_profiles: int = 0
    failed: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            **{key: getattr(self, key) for key in COUNTS},
            "failures": [{"url": url, "reason": reason} for url, reason in self.failures],
        }


def reparse(
    engine: Engine,
    archive_dir: Path,
    *,
    site: str | None = None,
    progress: Callable[[ReparseSummary], None] | None = None,
) -> ReparseSummary:
    """Read every archived page of the knowledge base at `engine` again and store what changed.
    `site` (whose links a page leads to) defaults to the site of the last refresh.

    Runs under the knowledge base's lock (a refresh waits for no one: it exits 75). A page whose
    record cannot be read is counted as failed with its reason; nothing stored is lost.

        summary = reparse(open_database(url), settings.archive_dir())
    """
    with refresh_lock(engine):
        if site is None:
            with Session(engine) as session:
                site = session.scalar(_LAST_SITE) or settings.SITE_URL
        return _reparse(engine, archive_dir, canonical_url(site), progress)


def _reparse(
    engine: Engine,
    archive_dir: Path,
    site: str,
    progress: Callable[[ReparseSummary], None] | None,
) -> ReparseSummary:
    summary = ReparseSummary()
    with Session(engine) as session:
        pages = session.execute(_ARCHIVED_PAGES).all()
    urls = {(page.archive_file, page.archive_offset): page.url for page in pages}
    places = list(urls)  # sorted by file and offset: each file is read front to back, once
    updates: list[dict] = []
    with Session(engine) as session:
        for place, capture in _captures(archive_dir, places, summary, urls):
            if capture is None:
                continue
            summary.pages += 1
            try:
                update_row = _read_again(session, capture, urls[place], site, summary)
            except Exception as error:  # noqa: BLE001 - one page nobody foresaw fails alone
                _failed(summary, urls[place], f"{type(error).__name__}: {error}")
                continue
            updates.append(update_row)
            if len(updates) >= _PAGE_BATCH:
                _update_pages(session, updates)
                updates = []
            if progress is not None:
                progress(summary)
        _update_pages(session, updates)
    return summary


def _captures(archive_dir: Path, places: list, summary: ReparseSummary, urls: dict):
    """Each place with its capture, or None for one that cannot be read (counted as failed)."""
    for place in places:
        try:
            yield place, next(read_captures(archive_dir, [place]))
        except ArchiveError as error:
            _failed(summary, urls[place], str(error))
            yield place, None


def _read_again(
    session: Session, capture: Capture, url: str, site: str, summary: ReparseSummary
) -> dict:
    record, links, doubts = read_for_crawl(capture.body, capture.url, capture.content_type, site)
    organisation_url = None
    if isinstance(record, Profile):
        profile = on_site_identity(record, capture.url, site)
        outcome = save_profile(session, profile, run_id=None, now=now(), source="reader")
        setattr(summary, outcome, getattr(summary, outcome) + 1)
        organisation_url = profile.url
    else:
        summary.not_profiles += 1
    return {
        "page_url": url,
        "kind": record.kind,
        "organisation_url": organisation_url,
        "links": json.dumps(links),
        # What the reader now doubts: the next refresh lists it, read again or not.
        "doubts": to_json(doubts),
    }


def _failed(summary: ReparseSummary, url: str, reason: str) -> None:
    summary.failed += 1
    summary.failures.append((url, reason))


def _update_pages(session: Session, updates: list[dict]) -> None:
    # What the reader now says a page is (profile or not, whose, its links, its doubts): the
    # next refresh follows those links and counts that organisation as seen.
    if not updates:
        return
    with writing(session):
        session.execute(_UPDATE_PAGE, updates)


_LAST_SITE = select(RefreshRun.site).order_by(RefreshRun.id.desc()).limit(1)
_PAGES = Page.__table__
_ARCHIVED_PAGES = (
    select(_PAGES.c.url, _PAGES.c.archive_file, _PAGES.c.archive_offset)
    .where(
        _PAGES.c.status == 200,
        _PAGES.c.archive_file.is_not(None),
        # robots.txt and the sitemaps are archived too, but they are no pages to read
        or_(_PAGES.c.kind.is_(None), _PAGES.c.kind.not_in(SITE_FILE_KINDS)),
    )
    .order_by(_PAGES.c.archive_file, _PAGES.c.archive_offset)
)
_UPDATE_PAGE = update(_PAGES).where(_PAGES.c.url == bindparam("page_url"))
