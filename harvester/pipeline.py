"""One page's bytes → its record and its links: read, classify, normalise. Used by `wmkb parse`
and by every refresh, so that a page is read the same way from a file and from the site."""

from __future__ import annotations

from dataclasses import dataclass

from wmkb.harvester import allocator
from wmkb.harvester.classify import is_profile
from wmkb.harvester.discover import page_links
from wmkb.harvester.doubts import Doubt, page_doubts
from wmkb.harvester.normalise import normalise, other_page
from wmkb.harvester.parse import parse_page
from wmkb.harvester.parts import raw_record
from wmkb.harvester.record import Record

# Every process that reads pages imports this module: set the allocator up for it once.
allocator.keep_freed_memory()


@dataclass(frozen=True)
class ReadPage:
    record: Record
    links: list[str]  # every link on the page, absolute, chrome included
    canonical_url: str | None
    doubts: list[Doubt]  # what the read could not make of the page (harvester/doubts.py)


def read(body: bytes, url: str, content_type: str | None = None) -> ReadPage:
    page = parse_page(body, url, content_type)
    raw = raw_record(page)
    identity = page.canonical_url or url
    record = normalise(raw, url=identity) if is_profile(raw) else other_page(raw, url=identity)
    return ReadPage(record, page.links, page.canonical_url, page_doubts(raw, record))


def record_from_page(body: bytes, url: str, content_type: str | None = None) -> Record:
    return read(body, url, content_type).record


def read_for_crawl(
    body: bytes, url: str, content_type: str | None, site: str
) -> tuple[Record, list[str], list[Doubt]]:
    """A fetched page's record, the links a crawl of `site` follows from it, and its doubts."""
    page = read(body, url, content_type)
    return page.record, page_links(page.links, site), page.doubts
