"""Whether a refresh fetches a page it has fetched before, and how: the decision before each
URL, a pure function of what the pages table holds and what the sitemap says.

- A page never fetched, one that did not answer 200 last time, or any page of a full refresh
  (`wmkb refresh --full`) is fetched whole.
- A page the sitemap dates (lastmod) no later than our last fetch is not fetched at all: it
  leads the crawl on through the links stored with it.
- Any other page is fetched conditionally, with the validators it sent last time: a 304 costs
  the site nothing.

    >>> decide(None, None, full=False)
    Fetch(etag=None, last_modified=None)
"""

from __future__ import annotations

from datetime import UTC, datetime

from wmkb.harvester.crawl import Fetch, Skip
from wmkb.harvester.pages import StoredPage


def decide(stored: StoredPage | None, lastmod: datetime | None, *, full: bool) -> Fetch | Skip:
    """How to ask for a page stored as `stored` (None: never fetched) that the sitemap dates
    `lastmod` (None: it gives no date, or does not list the page)."""
    if full or stored is None or stored.status != 200 or stored.fetched_at is None:
        return Fetch()
    if lastmod is not None and lastmod <= stored.fetched_at.replace(tzinfo=UTC):
        return Skip(links=stored.links())
    return Fetch(etag=stored.etag, last_modified=stored.last_modified)
