"""Where a record came from: the page it was read from, when those bytes were fetched or
captured, and the archive record that holds them, so that a figure can be traced to its
evidence (`wmkb show --json`, the organisations export)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from wmkb.harvester.models import Page

FIELDS = ("page_url", "captured_at", "fetched_at", "archive_file", "archive_offset")


def provenance(session: Session, organisation_url: str) -> dict | None:
    """The page an organisation's record was last read from, or None when no page is known.

    {"page_url": "https://www.werkenmantelzorg.nl/erkende-organisaties/gemeente-x/",
     "captured_at": "2026-12-04T22:30:00Z",   # when these bytes were downloaded
     "fetched_at": "2026-12-05T04:17:03Z",    # when the site last confirmed them
     "archive_file": "wmkb-20261204T223000-run7-00001.warc.gz", "archive_offset": 48213}
    """
    page = session.execute(_LATEST_PAGE, {"url": organisation_url}).first()
    if page is None:  # withdrawn: its page is gone, and its row keeps the last content
        page = session.execute(_GONE_PAGE, {"url": organisation_url}).first()
    if page is None:
        return None
    return {
        "page_url": page.final_url,
        "captured_at": utc_text(page.archived_at),
        "fetched_at": utc_text(page.fetched_at),
        "archive_file": page.archive_file,
        "archive_offset": page.archive_offset,
    }


def utc_text(value: datetime | None) -> str | None:
    """A time as wmkb shows it: UTC to the second, marked Z."""
    if value is None:
        return None
    return value.replace(microsecond=0).isoformat() + "Z"


_PAGES = Page.__table__
# The same organisation may be read through two URLs: the one whose bytes are newest speaks.
_COLUMNS = (
    _PAGES.c.final_url,
    _PAGES.c.archived_at,
    _PAGES.c.fetched_at,
    _PAGES.c.archive_file,
    _PAGES.c.archive_offset,
)
_LATEST_PAGE = (
    select(*_COLUMNS)
    .where(_PAGES.c.organisation_url == bindparam("url"), _PAGES.c.kind == "profile")
    .order_by(_PAGES.c.archived_at.desc().nulls_last(), _PAGES.c.fetched_at.desc())
    .limit(1)
)
_GONE_PAGE = (
    select(*_COLUMNS)
    .where(
        _PAGES.c.organisation_url == bindparam("url"),
        _PAGES.c.kind == "gone",
        _PAGES.c.archive_file.is_not(None),
    )
    .order_by(_PAGES.c.archived_at.desc())
    .limit(1)
)
