"""The Scrapy reference crawler: what a user would otherwise write. It reads robots.txt and the
sitemap, follows the site's links, and on every page extracts what wmkb's parse extracts
(headings, list items, bullet lines, key facts, numbers) with Scrapy's own selectors. Run in a
process of its own, so that its Twisted reactor never meets wmkb's asyncio loop; writes one
JSON object: pages, seconds (spider opened → closed), peak memory.

    python -m benchmarks.scrapy_spider --site http://127.0.0.1:PORT/ --concurrency 16 \
        --out /tmp/scrapy.json
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import time
from pathlib import Path
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.crawler import CrawlerProcess

NOT_PAGES = re.compile(r"\.(?:pdf|docx?|xlsx?|zip|jpe?g|png|gif|svg|css|js|xml|txt)$", re.I)
CONTENT_ROOTS = ("main article", "main", "#content", "article")
NUMBER = re.compile(r"\d{1,3}(?:\.\d{3})+|\d+")
CHROME = (
    "script, style, nav, aside, form, footer, #header, #footer, #menu, #sidebar, .sidebar, "
    ".site-header, .widget-area, .breadcrumbs, .share-links, .cookie-notice"
)


class SiteSpider(scrapy.Spider):
    name = "wmkb-bench"

    def __init__(self, site: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.site = site
        self.host = urlsplit(site).netloc
        self.records = 0
        self.started = 0.0
        self.finished = 0.0

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.opened, signal=signals.spider_opened)
        crawler.signals.connect(spider.closed_, signal=signals.spider_closed)
        return spider

    def opened(self, spider) -> None:
        self.started = time.perf_counter()

    def closed_(self, spider) -> None:
        self.finished = time.perf_counter()

    async def start(self):
        yield scrapy.Request(self.site + "sitemap.xml", callback=self.parse_sitemap)
        yield scrapy.Request(self.site, callback=self.parse)

    def start_requests(self):  # Scrapy < 2.13
        yield scrapy.Request(self.site + "sitemap.xml", callback=self.parse_sitemap)
        yield scrapy.Request(self.site, callback=self.parse)

    def parse_sitemap(self, response):
        response.selector.remove_namespaces()
        for url in response.xpath("//sitemap/loc/text()").getall():
            yield scrapy.Request(url, callback=self.parse_sitemap)
        for url in response.xpath("//url/loc/text()").getall():
            yield scrapy.Request(url, callback=self.parse)

    def parse(self, response):
        if b"html" not in (response.headers.get("Content-Type") or b"html"):
            return
        self.records += 1
        links = response.css("a::attr(href)").getall()  # before extract() drops the chrome
        extract(response)
        for href in links:
            url = response.urljoin(href.strip()).split("#", 1)[0]
            parts = urlsplit(url)
            if parts.netloc == self.host and not NOT_PAGES.search(parts.path):
                yield scrapy.Request(url, callback=self.parse)


def extract(response) -> dict:
    """Headings, items, facts and numbers of a page's content, chrome left out."""
    for node in response.css(CHROME):
        node.drop()
    content = next(
        (found[0] for found in map(response.css, CONTENT_ROOTS) if found), response.css("body")[0]
    )
    headings = [" ".join(h.css("::text").getall()).strip() for h in content.css("h1,h2,h3,h4")]
    items = [" ".join(li.css("::text").getall()).strip()
             for li in content.xpath(".//li[not(ancestor::nav) and not(ancestor::aside)]")]
    lines = [" ".join(p.xpath(".//text()").getall()).strip() for p in content.css("p")]
    bullets = [line for paragraph in lines for line in paragraph.split("\n")
               if line.strip()[:1] in ("•", "-", "–")]
    facts = dict(zip(content.css("dt::text").getall(), content.css("dd ::text").getall(),
                     strict=False))
    facts.update(
        (li.css("span::text").get(), "".join(li.xpath("text()").getall()).strip())
        for li in content.css(".kerngegevens li")
    )
    numbers = [int(number.replace(".", "")) for number in NUMBER.findall(" ".join(lines))]
    return {"headings": headings, "items": items, "bullets": bullets, "facts": facts,
            "numbers": numbers}


def main() -> None:
    parser = argparse.ArgumentParser(description="Crawl the synthetic site with Scrapy.")
    parser.add_argument("--site", required=True, help="origin with a trailing slash")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    process = CrawlerProcess(
        settings={
            "CONCURRENT_REQUESTS": args.concurrency,
            "CONCURRENT_REQUESTS_PER_DOMAIN": args.concurrency,
            "DOWNLOAD_DELAY": 0,
            "ROBOTSTXT_OBEY": True,
            "AUTOTHROTTLE_ENABLED": False,
            "COOKIES_ENABLED": False,
            "TELNETCONSOLE_ENABLED": False,
            "LOG_LEVEL": "ERROR",
            "USER_AGENT": "wmkb-bench-scrapy",
            "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
        }
    )
    crawler = process.create_crawler(SiteSpider)
    process.crawl(crawler, site=args.site)
    process.start()
    spider = crawler.spider
    stats = crawler.stats.get_stats()
    result = {
        "seconds": spider.finished - spider.started,
        "requests": stats.get("downloader/request_count", 0),
        "responses": stats.get("downloader/response_count", 0),
        "pages": spider.records,
        "status_200": stats.get("downloader/response_status_count/200", 0),
        "max_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }
    args.out.write_text(json.dumps(result))


if __name__ == "__main__":
    main()
