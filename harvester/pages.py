"""The pages table: every URL as a refresh last fetched it, read and written here alone.

A row holds what the next refresh needs to fetch politely and to skip what has not changed:
the validators (ETag, Last-Modified), the content hash, the page's links (so that a page that
answered 304 still leads the crawl on), what its last read made of it (kind, organisation,
doubts) and the archive record holding its bytes.

A refresh looks stored pages up one by one as the crawl reaches them, never all at once: a
hundred thousand of them with their links would not fit in bounded memory. It writes them in
batches: they are bookkeeping, and a kill that loses some only means that those pages are
fetched and read in full next time.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, bindparam, insert, or_, select, update
from sqlalchemy.orm import Session

from wmkb.harvester.archive import Place
from wmkb.harvester.doubts import Doubt, from_json, to_json
from wmkb.harvester.models import SITE_FILE_KINDS, Page
from wmkb.harvester.store import writing

PAGE_BATCH = 100  # page rows a refresh writes together


@dataclass(frozen=True)
class StoredPage:
    """A page as the pages table holds it."""

    status: int | None
    fetched_at: datetime | None  # naive UTC
    etag: str | None
    last_modified: str | None  # the server's Last-Modified, as it sent it
    content_hash: str | None  # SHA-256 of the body last read
    kind: str | None  # profile, other, gone; robots or sitemap for what is no page
    organisation_url: str | None  # the organisation whose profile it is (or was, when gone)
    links_json: str | None  # its crawlable links, as stored
    place: Place | None  # the archive record holding its last bytes
    doubts_json: str | None  # what its last read could not make of it, as stored

    def links(self) -> list[str]:
        return json.loads(self.links_json or "[]")

    def doubts(self) -> list[Doubt]:
        return from_json(self.doubts_json)


@dataclass(frozen=True)
class PageRow:
    """What a refresh writes for one URL it fetched."""

    final_url: str
    status: int
    etag: str | None
    last_modified: str | None
    content_hash: str | None
    fetched_at: datetime
    kind: str | None
    organisation_url: str | None
    links_json: str | None
    place: Place | None
    doubts: list[Doubt]

    def values(self) -> dict:
        return {
            "final_url": self.final_url,
            "status": self.status,
            "etag": self.etag,
            "last_modified": self.last_modified,
            "content_hash": self.content_hash,
            "fetched_at": self.fetched_at,
            "kind": self.kind,
            "organisation_url": self.organisation_url,
            "links": self.links_json,
            "archive_file": self.place.file if self.place else None,
            "archive_offset": self.place.offset if self.place else None,
            "archived_at": self.place.date if self.place else None,
            "doubts": to_json(self.doubts),
        }


@dataclass(frozen=True)
class PageReading:
    """What reading a page's archived bytes again (`wmkb reparse`) says it is."""

    url: str
    kind: str
    organisation_url: str | None
    links: list[str]
    doubts: list[Doubt]


class PageBook:
    """The pages table as one refresh uses it: a lookup per URL, its writes in batches.

        book = PageBook(engine)
        stored = book.stored("https://example.nl/")
        book.save("https://example.nl/", row, stored=stored)
        book.close()  # writes what is left
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._lookups = engine.connect()
        self._updates: list[dict] = []
        self._inserts: list[dict] = []

    def stored(self, url: str) -> StoredPage | None:
        try:
            row = self._lookups.execute(_STORED_PAGE, {"url": url}).one_or_none()
        finally:
            self._lookups.rollback()  # hold no snapshot between lookups: SQLite's WAL must not grow
        if row is None:
            return None
        place = (
            Place(row.archive_file, row.archive_offset, row.archived_at)
            if row.archive_file is not None
            else None
        )
        return StoredPage(
            status=row.status,
            fetched_at=row.fetched_at,
            etag=row.etag,
            last_modified=row.last_modified,
            content_hash=row.content_hash,
            kind=row.kind,
            organisation_url=row.organisation_url,
            links_json=row.links,
            place=place,
            doubts_json=row.doubts,
        )

    def save(self, url: str, row: PageRow, *, stored: StoredPage | None) -> None:
        """Write `row` for `url` (in the next batch); `stored`: its row as stored, if any."""
        if stored is not None:
            self._updates.append({"page_url": url, **row.values()})
        else:
            self._inserts.append({"url": url, **row.values()})
        if len(self._updates) + len(self._inserts) >= PAGE_BATCH:
            self.flush()

    def flush(self) -> None:
        with Session(self.engine) as session, writing(session):
            if self._updates:
                session.execute(_UPDATE_PAGE, self._updates)
            if self._inserts:
                session.execute(_INSERT_PAGE, self._inserts)
        self._updates, self._inserts = [], []

    def close(self) -> None:
        """Write what is left, and let the lookups' connection go."""
        try:
            self.flush()
        finally:
            self._lookups.close()


def kinds_and_links(engine: Engine, urls: Collection[str]) -> dict[str, tuple[str, list[str]]]:
    """The kind of each of these pages, with its links where one of them is a profile (an
    overview); the links of the others are not kept. Links are streamed, so that a hundred
    thousand pages' links are never in memory at once."""
    with engine.connect() as connection:
        kinds = {
            url: kind
            for url, kind in connection.execute(select(_PAGES.c.url, _PAGES.c.kind))
            if url in urls
        }
        pages: dict[str, tuple[str, list[str]]] = {url: (kind, []) for url, kind in kinds.items()}
        for url, links in connection.execute(select(_PAGES.c.url, _PAGES.c.links)):
            if url in kinds and links and links != "[]":
                linked = json.loads(links)
                if any(kinds.get(link) == "profile" for link in linked):
                    pages[url] = (kinds[url], linked)
    return pages


def archived_pages(session: Session) -> list[tuple[str, str, int]]:
    """Every page (not robots.txt, not a sitemap) whose bytes the archive holds: its URL, and
    the file and offset of its record, in the archive's order, so that each file is read front
    to back."""
    return [(row.url, row.archive_file, row.archive_offset) for row in session.execute(_ARCHIVED)]


def save_readings(session: Session, readings: list[PageReading]) -> None:
    """Store what reading pages again said of them (profile or not, whose, their links and
    doubts): the next refresh follows those links and counts that organisation as seen."""
    if not readings:
        return
    with writing(session):
        session.execute(
            _UPDATE_PAGE,
            [
                {
                    "page_url": reading.url,
                    "kind": reading.kind,
                    "organisation_url": reading.organisation_url,
                    "links": json.dumps(reading.links),
                    "doubts": to_json(reading.doubts),
                }
                for reading in readings
            ],
        )


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
_ARCHIVED = (
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
_INSERT_PAGE = insert(_PAGES)
