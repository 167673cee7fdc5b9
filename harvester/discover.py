"""Where the pages are: sitemaps, links, and one canonical form per URL.

A URL is crawled when it is http(s), on the site's own host, not a file we never read (PDF,
images, office documents), and allowed by robots.txt. Canonicalisation drops the fragment and
tracking parameters, so one page is one URL:

    >>> canonical_url("https://Www.Example.nl:443/a/?utm_source=x&b=1#top")
    'https://www.example.nl/a/?b=1'
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from wmkb.harvester import settings
from wmkb.harvester.errors import UsageError

# Endings of links that are never an HTML page; skipped without a request.
NOT_PAGES = (
    ".pdf",
    ".doc",
    ".docx",
    ".xls",
    ".xlsx",
    ".ppt",
    ".pptx",
    ".odt",
    ".zip",
    ".jpg",
    ".jpeg",
    ".png",
    ".gif",
    ".svg",
    ".webp",
    ".mp3",
    ".mp4",
    ".avi",
    ".mov",
    ".ics",
    ".css",
    ".js",
    ".xml",
    ".json",
    ".rss",
    ".txt",
    ".ico",
    ".woff",
    ".woff2",
)
_DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_SITEMAPS = 50  # sitemap files read per run at most (an index may point to many)


@lru_cache(maxsize=65_536)  # the same menu and overview links stand on every page
def canonical_url(url: str) -> str:
    """The one form of a URL we store: lower-case scheme and host, no default port, no
    fragment, no tracking parameters, an empty path as "/"."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port if parts.port and parts.port != _DEFAULT_PORTS.get(scheme) else None
    netloc = f"{host}:{port}" if port else host
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not key.lower().startswith(settings.TRACKING_PARAMETERS)
    ]
    return urlunsplit((scheme, netloc, parts.path or "/", urlencode(query), ""))


def site_url(value: str) -> str:
    """The site a refresh starts from, canonical; raises UsageError for anything but an
    http(s) URL with a host ("ftp://x", "notaurl", "http://").

        >>> site_url("HTTPS://www.werkenmantelzorg.nl")
        'https://www.werkenmantelzorg.nl/'
    """
    try:
        parts = urlsplit(value.strip())
        parts.port  # noqa: B018 - a port that is not a number fails here
    except ValueError as error:
        raise UsageError(f"not a site URL: {value!r} ({error})") from error
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise UsageError(
            f"not a site URL: {value!r} (e.g. https://www.werkenmantelzorg.nl/)"
        )
    return canonical_url(value)


def same_site(url: str, site: str) -> bool:
    """True for an http(s) URL on the site's own host and port."""
    parts, home = urlsplit(url), urlsplit(site)
    return (
        parts.scheme in ("http", "https")
        and (parts.hostname or "").lower() == (home.hostname or "").lower()
        and _port(parts) == _port(home)
    )


def _port(parts) -> int | None:
    return parts.port or _DEFAULT_PORTS.get(parts.scheme)


@lru_cache(maxsize=65_536)
def crawlable(url: str, site: str) -> bool:
    """A link worth a request: on the site, and not a file that is never a page."""
    if not same_site(url, site):
        return False
    return not urlsplit(url).path.lower().endswith(NOT_PAGES)


def page_links(links: list[str], site: str) -> list[str]:
    """The crawlable, canonical, distinct links of a page, in page order."""
    seen: dict[str, None] = {}
    for link in links:
        if link.lower().startswith(("mailto:", "tel:", "javascript:", "data:")):
            continue
        url = canonical_url(link)
        if crawlable(url, site):
            seen.setdefault(url, None)
    return list(seen)


@dataclass(frozen=True)
class SitemapEntry:
    url: str
    lastmod: datetime | None


@dataclass(frozen=True)
class Sitemap:
    entries: list[SitemapEntry]
    sitemaps: list[str]  # further sitemap files named by a sitemap index


def parse_sitemap(body: bytes) -> Sitemap:
    """Entries of a <urlset>, or the sitemaps of a <sitemapindex>; nothing for bad XML."""
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError:
        return Sitemap([], [])
    entries, sitemaps = [], []
    for element in root:
        tag = element.tag.rsplit("}", 1)[-1]
        location = _child_text(element, "loc")
        if not location:
            continue
        if tag == "sitemap":
            sitemaps.append(location)
        elif tag == "url":
            entries.append(SitemapEntry(location, _lastmod(_child_text(element, "lastmod"))))
    return Sitemap(entries, sitemaps)


def _child_text(element: ElementTree.Element, name: str) -> str | None:
    for child in element:
        if child.tag.rsplit("}", 1)[-1] == name and child.text:
            return child.text.strip()
    return None


def _lastmod(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
