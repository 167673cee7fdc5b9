"""The site's captures in the Wayback Machine: listed through its CDX API, fetched as their
original bytes, and imported as WARC files are (harvester/imports.py).

    GET {cdx}?url=www.werkenmantelzorg.nl/*&output=json&fl=timestamp,original,statuscode,…
    GET {origin of cdx}/web/20160301100000id_/https://www.werkenmantelzorg.nl/…

httpx directly, through the refresh's own Fetcher, rather than cdx_toolkit: the CDX API is one
GET with a JSON answer, and the Fetcher already gives what politeness asks (a minimum gap between
requests, a cap on requests in flight, retries with backoff, Retry-After, a size cap), which
cdx_toolkit's requests-based client would do its own way, beside it.

Identical captures are collapsed by digest: of the captures of one URL in date order, one whose
digest is that of the capture before it says nothing new and is not fetched.
"""

from __future__ import annotations

import asyncio
import io
import json
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

from sqlalchemy import Engine
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from wmkb.harvester import settings
from wmkb.harvester.archive import WARC_VERSION, warc_date
from wmkb.harvester.discover import canonical_url
from wmkb.harvester.errors import FetchError, UsageError
from wmkb.harvester.fetch import Fetcher, FetchSettings
from wmkb.harvester.imports import GONE_STATUSES, ImportSummary, import_warcs

FIELDS = ("timestamp", "original", "statuscode", "mimetype", "digest")
KEPT_STATUSES = frozenset({"200", *map(str, GONE_STATUSES)})


@dataclass(frozen=True)
class CdxCapture:
    timestamp: str  # 14 digits, UTC
    original: str  # the URL as captured
    status: int
    mimetype: str
    digest: str

    @property
    def date(self) -> datetime:
        return datetime.strptime(self.timestamp, "%Y%m%d%H%M%S")


def cdx_query(site: str, *, year_from: int | None, year_to: int | None) -> dict[str, str]:
    """The CDX API's parameters for every capture under the site's host."""
    host = urlsplit(site).hostname
    query = {"url": f"{host}/*", "output": "json", "fl": ",".join(FIELDS), "collapse": "digest"}
    if year_from is not None:
        query["from"] = str(year_from)
    if year_to is not None:
        query["to"] = str(year_to)
    return query


def parse_cdx(body: bytes) -> list[CdxCapture]:
    """The rows of a CDX API answer in JSON (a header row, then one row per capture). Raises
    FetchError for an answer that is not one."""
    text = body.decode("utf-8", "replace").strip()
    if not text:
        return []
    try:
        rows = json.loads(text)
        header, *rows = rows
        columns = [header.index(name) for name in FIELDS]
    except (ValueError, TypeError, AttributeError) as error:
        raise FetchError("CDX API", f"not a CDX answer in JSON: {text[:80]!r}") from error
    found = []
    for row in rows:
        if len(row) < len(header):
            continue  # the empty row before a resume key
        timestamp, original, status, mimetype, digest = (row[i] for i in columns)
        if status not in KEPT_STATUSES or len(timestamp) != 14 or not timestamp.isdigit():
            continue  # redirects, server errors, revisits ("-"): no page, no withdrawal
        found.append(CdxCapture(timestamp, original, int(status), mimetype, digest))
    return found


def collapse(found: list[CdxCapture]) -> list[CdxCapture]:
    """Of each URL's captures in date order, those whose digest differs from the one before."""
    kept, last_digest = [], {}
    for capture in sorted(found, key=lambda c: (_page_key(c.original), c.timestamp)):
        url = _page_key(capture.original)
        if last_digest.get(url) == capture.digest:
            continue
        last_digest[url] = capture.digest
        kept.append(capture)
    return sorted(kept, key=lambda c: (c.timestamp, c.original))


def _page_key(url: str) -> str:
    """One page whatever the scheme or port it was captured under (http://…:80, https://…)."""
    parts = urlsplit(canonical_url(url))
    return urlunsplit(("", parts.hostname or "", parts.path, parts.query, ""))


def replay_url(cdx_url: str, capture: CdxCapture) -> str:
    """Where the Wayback Machine serves a capture's original bytes: `id_` asks for them as
    captured, without its banner or rewritten links."""
    parts = urlsplit(cdx_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/web/{capture.timestamp}id_/", "", "")) + (
        capture.original
    )


@dataclass
class BackfillSummary:
    listed: int = 0  # captures the CDX API listed for the site (pages and withdrawals)
    collapsed: int = 0  # identical to the capture before them, not fetched
    fetched: int = 0
    failed: int = 0
    failures: list[tuple[str, str]] | None = None
    imported: ImportSummary | None = None

    def as_json(self) -> dict:
        return {
            "listed": self.listed,
            "collapsed": self.collapsed,
            "fetched": self.fetched,
            "failed": self.failed,
            "failures": [{"url": url, "reason": reason} for url, reason in self.failures or []],
            "imported": self.imported.as_json() if self.imported else None,
        }


def backfill(
    engine: Engine,
    *,
    site: str,
    cdx_url: str,
    fetch: FetchSettings,
    archive_dir: Path,
    index_dir: Path,
    year_from: int | None = None,
    year_to: int | None = None,
) -> BackfillSummary:
    """List the site's captures through the CDX API at `cdx_url`, fetch each distinct one, and
    import them as `import_warcs` does (the search index at `index_dir` brought up to date).
    Raises FetchError when the CDX API cannot be read; a capture that cannot be fetched is
    counted as failed and the rest go on.

        backfill(engine, site=settings.SITE_URL, cdx_url=settings.WAYBACK_CDX_URL,
                 fetch=FetchSettings(user_agent=default_user_agent()), archive_dir=...,
                 index_dir=...)
    """
    parts = urlsplit(cdx_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(f"not a CDX API URL: {cdx_url!r} (e.g. {settings.WAYBACK_CDX_URL})")
    summary = BackfillSummary(failures=[])
    with tempfile.TemporaryDirectory(prefix="wmkb-wayback-") as folder:
        path = Path(folder) / "wayback.warc.gz"
        asyncio.run(_fetch_all(site, cdx_url, fetch, year_from, year_to, path, summary))
        summary.imported = import_warcs(
            engine, [path], site=site, archive_dir=archive_dir, index_dir=index_dir
        )
    return summary


async def _fetch_all(
    site: str,
    cdx_url: str,
    config: FetchSettings,
    year_from: int | None,
    year_to: int | None,
    path: Path,
    summary: BackfillSummary,
) -> None:
    fetcher = Fetcher(cdx_url, config)
    try:
        query = cdx_query(site, year_from=year_from, year_to=year_to)
        answer = await fetcher.get(f"{cdx_url}?{urlencode(query)}", accept_any_type=True)
        if answer.status != 200:
            raise FetchError(cdx_url, f"the CDX API answered HTTP {answer.status}")
        listed = parse_cdx(answer.body)
        wanted = collapse(listed)
        summary.listed, summary.collapsed = len(listed), len(listed) - len(wanted)
        with path.open("wb") as stream:
            writer = WARCWriter(stream, gzip=True, warc_version=WARC_VERSION)
            queue: asyncio.Queue[CdxCapture] = asyncio.Queue()
            for capture in wanted:
                queue.put_nowait(capture)
            results: dict[CdxCapture, bytes | None] = {}
            workers = [
                asyncio.create_task(_worker(fetcher, cdx_url, queue, results, summary))
                for _ in range(config.concurrency)
            ]
            await asyncio.gather(*workers)
            for capture in wanted:  # in date order, whatever order they arrived in
                if capture in results:
                    _write(writer, capture, results[capture])
    finally:
        await fetcher.close()


async def _worker(
    fetcher: Fetcher,
    cdx_url: str,
    queue: asyncio.Queue[CdxCapture],
    results: dict[CdxCapture, bytes | None],
    summary: BackfillSummary,
) -> None:
    while not queue.empty():
        capture = queue.get_nowait()
        url = replay_url(cdx_url, capture)
        try:
            response = await fetcher.get(url, accept_any_type=True)
        except FetchError as error:
            summary.failed += 1
            summary.failures.append((url, error.reason))
            continue
        if capture.status == 200 and response.status != 200:
            summary.failed += 1
            summary.failures.append((url, f"HTTP {response.status}"))
            continue
        summary.fetched += 1
        results[capture] = response.body if capture.status == 200 else b""


def _write(writer: WARCWriter, capture: CdxCapture, body: bytes) -> None:
    """The capture as a response record dated by its timestamp, as the Wayback Machine holds it."""
    headers = [("Content-Length", str(len(body)))]
    if capture.mimetype and capture.mimetype != "warc/revisit":
        headers.append(("Content-Type", capture.mimetype))
    reason = "OK" if capture.status == 200 else "Gone"
    record = writer.create_warc_record(
        capture.original,
        "response",
        payload=io.BytesIO(body),
        length=len(body),
        http_headers=StatusAndHeaders(f"{capture.status} {reason}", headers, "HTTP/1.1"),
        warc_headers_dict={"WARC-Date": warc_date(capture.date)},
    )
    writer.write_record(record)
