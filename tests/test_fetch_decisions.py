"""Fetch decisions as pure functions: no network."""

from __future__ import annotations

import random

from wmkb.harvester.fetch import is_html, retry_delay
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
