"""Fetch decisions as pure functions: no network."""

from __future__ import annotations

import dataclasses
import random
from datetime import UTC, datetime, timedelta

from wmkb.harvester.crawl import Fetch, Skip
from wmkb.harvester.fetch import is_html, retry_delay
from wmkb.harvester.pages import StoredPage
from wmkb.harvester.revisit import decide
from wmkb.harvester.settings import RETRY_AFTER_MAX_S


def test_backoff_doubles_with_jitter() -> None:
    rng = random.Random(7)
    delays = [retry_delay(attempt, backoff_s=1.0, rng=rng) for attempt in (1, 2, 3)]
    assert 0.5 <= delays[0] <= 1.0
    assert 1.0 <= delays[1] <= 2.0
    assert 2.0 <= delays[2] <= 4.0


def test_retry_after_is_honoured_and_capped() -> None:
    assert retry_delay(1, backoff_s=1.0, retry_after="7") == 7.0
    assert retry_delay(1, backoff_s=1.0, retry_after="86400") == RETRY_AFTER_MAX_S
    assert 0.5 <= retry_delay(1, backoff_s=1.0, retry_after="soon") <= 1.0


def test_only_html_is_read() -> None:
    assert is_html("text/html; charset=utf-8")
    assert is_html("application/xhtml+xml")
    assert is_html(None)
    assert not is_html("application/pdf")


# Whether a page fetched before is fetched again, and how (harvester/revisit.py).
FETCHED_AT = datetime(2026, 3, 1, 12, 0)  # naive UTC, as the pages table keeps it


def _stored(**changes) -> StoredPage:
    page = StoredPage(
        status=200,
        fetched_at=FETCHED_AT,
        etag='"v1"',
        last_modified="Sun, 01 Mar 2026 11:00:00 GMT",
        content_hash="ab" * 32,
        kind="profile",
        organisation_url="https://example.nl/org/a/",
        links_json='["https://example.nl/", "https://example.nl/org/b/"]',
        place=None,
        doubts_json=None,
    )
    return dataclasses.replace(page, **changes)


def test_a_page_never_fetched_is_fetched_whole() -> None:
    assert decide(None, datetime(2020, 1, 1, tzinfo=UTC), full=False) == Fetch()


def test_a_page_the_sitemap_dates_before_our_fetch_is_not_fetched() -> None:
    for lastmod in (FETCHED_AT - timedelta(days=3), FETCHED_AT):
        decision = decide(_stored(), lastmod.replace(tzinfo=UTC), full=False)
        assert decision == Skip(links=["https://example.nl/", "https://example.nl/org/b/"])


def test_a_page_changed_since_or_undated_is_fetched_with_its_validators() -> None:
    conditional = Fetch(etag='"v1"', last_modified="Sun, 01 Mar 2026 11:00:00 GMT")
    later = (FETCHED_AT + timedelta(seconds=1)).replace(tzinfo=UTC)
    assert decide(_stored(), later, full=False) == conditional
    assert decide(_stored(), None, full=False) == conditional


def test_a_full_refresh_or_a_page_that_failed_last_time_is_fetched_whole() -> None:
    long_ago = datetime(2020, 1, 1, tzinfo=UTC)
    assert decide(_stored(), long_ago, full=True) == Fetch()
    assert decide(_stored(status=404, kind="gone"), long_ago, full=False) == Fetch()
    assert decide(_stored(fetched_at=None), long_ago, full=False) == Fetch()


def test_a_skipped_page_without_stored_links_leads_nowhere() -> None:
    long_ago = datetime(2020, 1, 1, tzinfo=UTC)
    assert decide(_stored(links_json=None), long_ago, full=False) == Skip(links=[])
