"""One URL per page, only on the site, found through sitemaps and links."""

from __future__ import annotations

from datetime import UTC, datetime

from wmkb.harvester.discover import canonical_url, crawlable, page_links, parse_sitemap, same_site

SITE = "https://www.werkenmantelzorg.nl/"


def test_canonical_url_drops_what_does_not_change_the_page() -> None:
    assert canonical_url(
        "HTTPS://WWW.werkenmantelzorg.nl:443/a/?utm_source=x&utm_medium=y#top"
    ) == ("https://www.werkenmantelzorg.nl/a/")
    assert canonical_url("https://www.werkenmantelzorg.nl/a/?print=1&fbclid=3") == (
        "https://www.werkenmantelzorg.nl/a/?print=1"
    )
    assert canonical_url("http://127.0.0.1:8000") == "http://127.0.0.1:8000/"


def test_only_the_sites_own_pages_are_crawled() -> None:
    assert same_site("https://www.werkenmantelzorg.nl/x/", SITE)
    assert not same_site("https://werkenmantelzorg.nl.evil.com/x/", SITE)
    assert not same_site("ftp://www.werkenmantelzorg.nl/x", SITE)
    assert not crawlable("https://www.werkenmantelzorg.nl/brochure.PDF", SITE)
    links = [
        "mailto:info@werkenmantelzorg.nl",
        "tel:+31343477890",
        "https://www.linkedin.com/x",
        "https://www.werkenmantelzorg.nl/a/#reacties",
        "https://www.werkenmantelzorg.nl/a/",
        "https://www.werkenmantelzorg.nl/b/?utm_campaign=erkend",
        "javascript:void(0)",
    ]
    assert page_links(links, SITE) == [
        "https://www.werkenmantelzorg.nl/a/",
        "https://www.werkenmantelzorg.nl/b/",
    ]


def test_sitemap_and_sitemap_index() -> None:
    urlset = b"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <url><loc>https://www.werkenmantelzorg.nl/a/</loc><lastmod>2021-03-04</lastmod></url>
      <url><loc>https://www.werkenmantelzorg.nl/b/</loc></url></urlset>"""
    sitemap = parse_sitemap(urlset)
    assert [(entry.url, entry.lastmod) for entry in sitemap.entries] == [
        ("https://www.werkenmantelzorg.nl/a/", datetime(2021, 3, 4, tzinfo=UTC)),
        ("https://www.werkenmantelzorg.nl/b/", None),
    ]
    index = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <sitemap><loc>https://www.werkenmantelzorg.nl/s1.xml</loc></sitemap></sitemapindex>"""
    assert parse_sitemap(index).sitemaps == ["https://www.werkenmantelzorg.nl/s1.xml"]
    assert parse_sitemap(b"<html>not xml").entries == []
