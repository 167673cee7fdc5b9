"""Reading the archive again: every page's archived bytes through the current reader and data
files, with no request to the site.

After an edit to harvester/data (or to $WMKB_DATA's copy) or to the reader, records, index and
queries disagree until every page is read again; the pages are in the archive, so they are read
from there. What changes is stored as changes from the reader (changes.source = "reader"), not
from the site: the site was not visited, so no organisation is seen, withdrawn or brought back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from wmkb.harvester import settings
from wmkb.harvester.archive import Capture, captures_at
from wmkb.harvester.discover import canonical_url
from wmkb.harvester.errors import ArchiveError
from wmkb.harvester.lock import refresh_lock
from wmkb.harvester.models import RefreshRun
from wmkb.harvester.pages import PageReading, archived_pages, save_readings
from wmkb.harvester.pipeline import read_for_crawl
from wmkb.harvester.reader import on_site_identity
from wmkb.harvester.record import Profile
from wmkb.harvester.store import now, save_profile
from wmkb.index.build import update as update_index

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
    index_dir: Path,
    site: str | None = None,
    progress: Callable[[ReparseSummary], None] | None = None,
) -> ReparseSummary:
    """Read every archived page of the knowledge base at `engine` again, store what changed and
    bring the search index at `index_dir` up to date with it. `site` (whose links a page leads
    to) defaults to the site of the last refresh.

    Runs under the knowledge base's lock (a refresh waits for no one: it exits 75). A page whose
    record cannot be read is counted as failed with its reason; nothing stored is lost.

        summary = reparse(open_database(url), settings.archive_dir(), index_dir=index)
    """
    with refresh_lock(engine):
        if site is None:
            with Session(engine) as session:
                site = session.scalar(_LAST_SITE) or settings.SITE_URL
        summary = _reparse(engine, archive_dir, canonical_url(site), progress)
        update_index(engine, index_dir)
        return summary


def _reparse(
    engine: Engine,
    archive_dir: Path,
    site: str,
    progress: Callable[[ReparseSummary], None] | None,
) -> ReparseSummary:
    summary = ReparseSummary()
    with Session(engine) as session:
        pages = archived_pages(session)
    urls = {(file, offset): url for url, file, offset in pages}
    places = list(urls)  # sorted by file and offset: each file is read front to back, once
    readings: list[PageReading] = []
    with Session(engine) as session:
        for place, capture in _captures(archive_dir, places, summary, urls):
            if capture is None:
                continue
            summary.pages += 1
            try:
                reading = _read_again(session, capture, urls[place], site, summary)
            except Exception as error:  # noqa: BLE001 - one page nobody foresaw fails alone
                _failed(summary, urls[place], f"{type(error).__name__}: {error}")
                continue
            readings.append(reading)
            if len(readings) >= _PAGE_BATCH:
                save_readings(session, readings)
                readings = []
            if progress is not None:
                progress(summary)
        save_readings(session, readings)
    return summary


def _captures(archive_dir: Path, places: list, summary: ReparseSummary, urls: dict):
    """Each place with its capture, or None for one that cannot be read (counted as failed)."""
    for place in places:
        try:
            yield place, next(captures_at(archive_dir, [place]))
        except ArchiveError as error:
            _failed(summary, urls[place], str(error))
            yield place, None


def _read_again(
    session: Session, capture: Capture, url: str, site: str, summary: ReparseSummary
) -> PageReading:
    record, links, doubts = read_for_crawl(capture.body, capture.url, capture.content_type, site)
    organisation_url = None
    if isinstance(record, Profile):
        profile = on_site_identity(record, capture.url, site)
        outcome = save_profile(session, profile, run_id=None, now=now(), source="reader")
        setattr(summary, outcome, getattr(summary, outcome) + 1)
        organisation_url = profile.url
    else:
        summary.not_profiles += 1
    # What the reader now doubts: the next refresh lists it, read again or not.
    return PageReading(url, record.kind, organisation_url, links, doubts)


def _failed(summary: ReparseSummary, url: str, reason: str) -> None:
    summary.failed += 1
    summary.failures.append((url, reason))


_LAST_SITE = select(RefreshRun.site).order_by(RefreshRun.id.desc()).limit(1)
