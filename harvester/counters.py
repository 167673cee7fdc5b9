"""Every count a refresh keeps, declared once: its name as stored and shown, and what it counts.

Each stage counts what it did (the fetcher its requests and retries, the crawl what robots.txt
and the site's boundary kept it from, the refresh its pages and organisations, the archive its
records) through `Count`, so that a misspelt counter is an AttributeError where it is written,
not a new key nobody reads. A run's counters are stored on its row of refresh_runs and shown by
the refresh's summary and `wmkb stats`.

A counter declared `by` something (failed by reason, gone by status, archive records by type)
is kept in total and per value: "failed" 3, "failed/timeout" 2, "failed/http_500" 1.

    >>> counters = Counters()
    >>> counters.add(Count.RETRIED)
    >>> counters.add(Count.FAILED, reason="timeout")
    >>> counters.as_json()
    {'retried': 1, 'failed': 1, 'failed/timeout': 1}
"""

from __future__ import annotations

from collections import Counter
from enum import Enum, unique


@unique
class Count(Enum):
    """A counter: its meaning, and what it is kept by, if anything. Its key is its name in
    lower case; the order here is the order counters are shown in."""

    REQUESTS = ("HTTP requests sent, retries and redirects included",)
    FETCHED = ("pages that answered 200 with HTML",)
    NOT_MODIFIED = ("pages that answered 304 Not Modified to a conditional request",)
    SKIPPED = ("pages not read: unchanged since the sitemap's lastmod, or not HTML",)
    SKIPPED_BY_LASTMOD = ("pages not fetched: the sitemap dates them before our last fetch",)
    NOT_HTML = ("pages that answered with another content type than HTML",)
    ROBOTS_DISALLOWED = ("URLs robots.txt keeps us from",)
    OFFSITE_OR_NOT_A_PAGE = ("links not followed: to another site, or to a file",)
    OFFSITE_REDIRECT = ("URLs that redirect to another site",)
    RETRIED = ("requests tried again after a timeout, a broken connection or a 429/5xx",)
    FAILED = ("URLs that could not be fetched or read, by reason", "reason")
    GONE = ("pages that answered 404 or 410, by status", "status")
    NEW = ("organisations stored for the first time",)
    CHANGED = ("organisations whose record changed, or that moved",)
    UNCHANGED = ("organisations seen as they were",)
    WITHDRAWN = ("organisations marked withdrawn by this run",)
    MOVED = ("organisations found at a new URL and merged into the one known",)
    MOVE_AMBIGUOUS = ("organisations at a new URL that could be more than one known one",)
    WITHDRAWAL_REFUSED = ("organisations not seen but kept: too many to withdraw at once",)
    DOUBTS = ("pages the run could not read as they look",)
    READ_IN_SECOND_PROCESS = ("pages read and stored by the refresh's second process",)
    SECOND_PROCESS_DIED = ("times the second process ended while it was reading",)
    SECOND_PROCESS_DID_NOT_START = ("times the second process could not be started",)
    ARCHIVE = ("WARC records written, by type", "type")

    def __init__(self, meaning: str, by: str | None = None) -> None:
        self.meaning = meaning
        self.by = by  # what the counter is kept by; None: a total alone

    @property
    def key(self) -> str:
        return self.name.lower()


class Counters:
    """The counts of one refresh (or one stage of it), by declared name."""

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()

    def add(self, count: Count, number: int = 1, *, reason: str | None = None) -> None:
        """Add `number` to `count`; `reason` is the value a counter declared `by` one is kept
        by (a failure's kind, a status, a record type). Raises TypeError for a counter that is
        not a `Count`, ValueError for a reason given to the wrong counter or left out."""
        if not isinstance(count, Count):
            raise TypeError(f"{count!r} is not a counter declared in harvester/counters.py")
        if (count.by is None) != (reason is None):
            wanted = f"by {count.by}" if count.by else "without a reason"
            raise ValueError(f"{count.key} is counted {wanted}, not with {reason!r}")
        self._counts[count.key] += number
        if reason is not None:
            self._counts[f"{count.key}/{reason}"] += number

    def __getitem__(self, count: Count) -> int:
        return self._counts[count.key]

    def update(self, other: Counters) -> None:
        self._counts.update(other._counts)

    def as_json(self) -> dict[str, int]:
        """Every counter that is not zero, in the declaration's order, each kept `by` something
        followed by its values in alphabetical order."""
        shown = {}
        for count in Count:
            if self._counts[count.key]:
                shown[count.key] = self._counts[count.key]
                prefix = f"{count.key}/"
                for key in sorted(key for key in self._counts if key.startswith(prefix)):
                    shown[key] = self._counts[key]
        return shown
