"""Fetching one URL politely: conditional requests, a minimum gap between requests, retries with
backoff, a size cap enforced while the body streams in, and redirects kept on the site.

The decisions are pure functions (`retry_delay`, `is_html`), tested without a network; the
Fetcher puts them around one httpx.AsyncClient.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import random
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin

import httpx

from wmkb.harvester import settings
from wmkb.harvester.counters import Count, Counters
from wmkb.harvester.discover import canonical_url, same_site
from wmkb.harvester.errors import FetchError

logger = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True)
class Response:
    url: str  # as asked for
    final_url: str  # after redirects
    status: int
    body: bytes
    content_type: str | None
    etag: str | None
    last_modified: str | None
    location: str | None = None  # where a redirect points
    # As exchanged, for the archive: the response's and the request's headers, the protocol.
    headers: tuple[tuple[str, str], ...] = ()
    request_headers: tuple[tuple[str, str], ...] = ()
    http_version: str = "HTTP/1.1"
    redirects: tuple[Response, ...] = ()  # the redirects followed to get here, in order

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass(frozen=True)
class FetchSettings:
    user_agent: str
    concurrency: int = settings.CONCURRENCY
    delay_s: float = settings.REQUEST_DELAY_S
    connect_timeout_s: float = settings.CONNECT_TIMEOUT_S
    read_timeout_s: float = settings.READ_TIMEOUT_S
    max_page_bytes: int = settings.MAX_PAGE_BYTES
    retries: int = settings.RETRIES
    backoff_s: float = settings.RETRY_BACKOFF_S


def retry_delay(
    attempt: int,
    *,
    backoff_s: float,
    retry_after: str | None = None,
    rng: random.Random | None = None,
) -> float:
    """Seconds to wait before retry number `attempt` (1, 2, …): the server's Retry-After when it
    gives one (capped), else exponential backoff with full jitter on its upper half."""
    if retry_after:
        seconds = _retry_after_seconds(retry_after)
        if seconds is not None:
            return min(max(seconds, 0.0), settings.RETRY_AFTER_MAX_S)
    ceiling = backoff_s * 2 ** (attempt - 1)
    return ceiling / 2 + (rng or random).uniform(0, ceiling / 2)


def _retry_after_seconds(value: str) -> float | None:
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return moment.timestamp() - time.time()


def is_html(content_type: str | None) -> bool:
    """A missing Content-Type counts as HTML: old servers send none for .html files."""
    if not content_type:
        return True
    return content_type.split(";")[0].strip().lower() in HTML_TYPES


class Fetcher:
    """One client for one site; `counters` say what it did (requests, retries, redirects)."""

    def __init__(self, site: str, config: FetchSettings) -> None:
        self.site = site
        self.config = config
        self.counters = Counters()
        self._next_slot = 0.0
        self._slot_lock = asyncio.Lock()
        self.client = httpx.AsyncClient(
            headers={
                "User-Agent": config.user_agent,
                "Accept": "text/html,application/xhtml+xml,*/*;q=0.5",
            },
            timeout=httpx.Timeout(
                config.read_timeout_s, connect=config.connect_timeout_s, pool=None
            ),
            # Concurrency is capped by the worker count; the pool only has to keep up.
            limits=httpx.Limits(
                max_connections=config.concurrency, max_keepalive_connections=config.concurrency
            ),
            follow_redirects=False,
        )

    async def close(self) -> None:
        await self.client.aclose()

    def slow_down(self, delay_s: float) -> None:
        """Honour a robots.txt Crawl-delay longer than our own."""
        if delay_s > self.config.delay_s:
            self.config = FetchSettings(**{**self.config.__dict__, "delay_s": delay_s})

    async def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept_any_type: bool = False,
    ) -> Response:
        """Fetch with retries, following redirects on the site only. Raises FetchError."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        seen = [url]
        current = url
        redirects: list[Response] = []
        while True:
            response = await self._with_retries(current, headers, accept_any_type)
            logger.debug("GET %s: %s", current, response.status)
            if response.status not in REDIRECT_STATUSES:
                return dataclasses.replace(
                    response, url=url, final_url=current, redirects=tuple(redirects)
                )
            if not response.location:
                raise FetchError(url, f"HTTP {response.status} without a Location", kind="redirect")
            target = canonical_url(urljoin(current, response.location))
            if not same_site(target, self.site):
                self.counters.add(Count.OFFSITE_REDIRECT)
                raise FetchError(
                    url, f"redirects to another site: {target}", kind="offsite_redirect"
                )
            if target in seen or len(seen) > settings.MAX_REDIRECTS:
                raise FetchError(url, "redirect loop", kind="redirect_loop")
            seen.append(target)
            redirects.append(response)
            current = target
            headers = {}

    async def _with_retries(self, url: str, headers: dict[str, str], accept_any_type: bool):
        attempt = 0
        while True:
            try:
                response = await self._fetch_once(url, headers, accept_any_type)
            except FetchError as error:
                if not error.retryable or attempt >= self.config.retries:
                    raise
                retry_after, reason = error.retry_after, error.reason
            else:
                return response
            attempt += 1
            self.counters.add(Count.RETRIED)
            delay = retry_delay(attempt, backoff_s=self.config.backoff_s, retry_after=retry_after)
            logger.info("%s: %s; retry %d in %.1f s", url, reason, attempt, delay)
            await asyncio.sleep(delay)

    async def _take_slot(self) -> None:
        # Reserve the next start time under the lock, then wait outside it, so that the gap
        # holds across all workers without serialising the requests themselves.
        async with self._slot_lock:
            now = time.monotonic()
            start = max(now, self._next_slot)
            self._next_slot = start + self.config.delay_s
        if start > now:
            await asyncio.sleep(start - now)

    async def _fetch_once(
        self, url: str, headers: dict[str, str], accept_any_type: bool
    ) -> Response:
        await self._take_slot()
        self.counters.add(Count.REQUESTS)
        try:
            async with self.client.stream("GET", url, headers=headers) as response:
                status = response.status_code
                if status in RETRY_STATUSES:
                    raise FetchError(
                        url,
                        f"HTTP {status}",
                        kind=f"http_{status}",
                        retryable=True,
                        retry_after=response.headers.get("Retry-After"),
                    )
                exchanged = {
                    "headers": tuple(response.headers.multi_items()),
                    "request_headers": tuple(response.request.headers.multi_items()),
                    "http_version": response.http_version,
                }
                if status in REDIRECT_STATUSES:
                    location = response.headers.get("Location")
                    return Response(url, url, status, b"", None, None, None, location, **exchanged)
                content_type = response.headers.get("Content-Type")
                if status == 200 and not accept_any_type and not is_html(content_type):
                    return Response(url, url, status, b"", content_type, None, None)
                body = await self._body_capped(url, response) if status == 200 else b""
                return Response(
                    url,
                    url,
                    status,
                    body,
                    content_type,
                    response.headers.get("ETag"),
                    response.headers.get("Last-Modified"),
                    **exchanged,
                )
        except httpx.TimeoutException as error:
            reason = f"timed out ({type(error).__name__})"
            raise FetchError(url, reason, kind="timeout", retryable=True) from error
        except httpx.DecodingError as error:
            raise FetchError(url, f"broken body: {error}", kind="broken_body") from error
        except (httpx.TransportError, httpx.StreamError) as error:
            reason = f"connection failed: {str(error) or type(error).__name__}"
            raise FetchError(url, reason, kind="connection", retryable=True) from error

    async def _body_capped(self, url: str, response: httpx.Response) -> bytes:
        limit = self.config.max_page_bytes
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FetchError(url, f"larger than {limit:,} bytes", kind="too_large")
        chunks, size = [], 0
        # aiter_bytes yields decompressed bytes: a gzip bomb stops at the cap, not at the end.
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > limit:
                raise FetchError(url, f"larger than {limit:,} bytes", kind="too_large")
            chunks.append(chunk)
        return b"".join(chunks)
