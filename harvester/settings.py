"""Defaults, with their units; environment variables and command options override them."""

from __future__ import annotations

import os
from importlib import metadata
from pathlib import Path

SITE_URL = "https://www.werkenmantelzorg.nl/"  # where a refresh starts; WMKB_SITE overrides
CONTACT_URL = "https://github.com/wmkb/wmkb"  # who is crawling; WMKB_CONTACT overrides
USER_AGENT = "wmkb/{version} (+{contact})"  # sent with every request

CONCURRENCY = 4  # requests in flight to the site at once (worker tasks, not pool slots)
REQUEST_DELAY_S = 0.5  # minimum gap between the starts of two requests to the site
CONNECT_TIMEOUT_S = 10.0
READ_TIMEOUT_S = 30.0  # per read of the body, not for the whole response
MAX_PAGE_BYTES = 5_000_000  # a page larger than this (after decompression) is not read
# Pages a refresh reads and stores in its own process before a second process takes that over:
# then reading and HTTP run on two cores, and starting a process (~0.5 s of the other core) is
# paid only by refreshes that read more than a few dozen pages.
READ_PROCESS_AFTER = 50
# Freed memory the C allocator keeps for the next page instead of returning it to the system
# after each one (harvester/allocator.py): more than one page's tree, less than a bounded buffer.
KEPT_FREE_MEMORY_BYTES = 16 * 1024 * 1024
MAX_PAGES = 20_000  # pages fetched in one run at most; a run that hits it is incomplete
MAX_REDIRECTS = 5
RETRIES = 3  # retries after the first attempt, so at most 4 requests per URL
RETRY_BACKOFF_S = 1.0  # first retry after about this long, doubling each time, with jitter
RETRY_AFTER_MAX_S = 120.0  # a Retry-After longer than this is cut to it
DB_CONNECT_TIMEOUT_S = 5  # seconds to reach a database server; one that does not answer fails
MAX_WITHDRAW_SHARE = 0.5  # a run that would withdraw more of the active organisations than this
# withdraws none of them: a site that moved all its pages is not 200 organisations leaving
# A WARC file of the archive is closed, and the next one begun, once it has grown past this: files
# of this size copy, back up and open in WARC tools comfortably.
ARCHIVE_FILE_BYTES = 100_000_000
# The Wayback Machine's CDX API, where `wmkb backfill --wayback` lists the site's captures;
# --cdx and WMKB_CDX point elsewhere. Captures are fetched from the same origin.
WAYBACK_CDX_URL = "https://web.archive.org/cdx/search/cdx"
FAILURE_THRESHOLD = 0.1  # share of failed URLs above which a run exits 1 and withdraws nothing
# Share of all municipalities the foundation aims to see recognised ("We streven ernaar dat 60%
# van de gemeenten eind 2020 zover is"); `wmkb coverage --target` overrides it.
COVERAGE_TARGET = 0.6

# Tracking parameters that never change a page's content; dropped from every URL.
TRACKING_PARAMETERS = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid", "_ga", "msclkid")


def home() -> Path:
    """$WMKB_HOME, where the default database and index live."""
    return Path(os.environ.get("WMKB_HOME") or Path.home() / ".local" / "share" / "wmkb")


def default_db_url() -> str:
    return f"sqlite:///{home() / 'wmkb.sqlite'}"


def default_index_dir() -> Path:
    return home() / "index"


def version() -> str:
    """wmkb's version, from the installed package's metadata (pyproject.toml says it once)."""
    return metadata.version("wmkb")


def archive_dir() -> Path:
    """$WMKB_HOME/archive: the WARC files of every page a refresh downloaded."""
    return home() / "archive"
