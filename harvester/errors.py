"""The exceptions wmkb raises, one family so that the CLI can catch them all.

    WmkbError
    ├── UsageError       a bad argument or setting
    │   └── NotFoundError    no organisation by that name or slug (with the names most like it)
    ├── FetchError       a page could not be fetched (carries the URL and the reason)
    ├── UnreachableError the site or its robots.txt does not answer: try again later
    ├── ParseError       a page could not be read (carries the URL and the reason)
    ├── StoreError       the database is missing, unreadable or of another schema
    ├── ArchiveError     a WARC file or record that cannot be read (carries the place)
    ├── SearchIndexError there is no search index where one is looked for
    ├── QueryError       a search query that cannot be parsed
    └── LockedError      another refresh holds the knowledge base

Every message says what happened and, where there is one, what to do next.
"""

from __future__ import annotations


class WmkbError(Exception):
    """Base class: anything wmkb raises on purpose."""

    exit_code = 1


class UsageError(WmkbError):
    exit_code = 2


class NotFoundError(UsageError):
    """No organisation by the name or slug `wanted`; `suggestions` are the names most like it,
    for "did you mean" in any front end's language."""

    def __init__(self, wanted: str, suggestions: list[str]) -> None:
        hint = (
            f"; did you mean: {', '.join(suggestions)}?"
            if suggestions
            else "; `wmkb search` finds organisations"
        )
        super().__init__(f"no organisation named {wanted!r}{hint}")
        self.wanted = wanted
        self.suggestions = suggestions


class FetchError(WmkbError):
    """`kind` names the failure for the run's counts (timeout, http_503, too_large, …);
    `retryable` says whether trying again may help; `retry_after` is the server's word on when."""

    def __init__(
        self,
        url: str,
        reason: str,
        *,
        kind: str = "other",
        retryable: bool = False,
        retry_after: str | None = None,
    ) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason
        self.kind = kind
        self.retryable = retryable
        self.retry_after = retry_after


class UnreachableError(WmkbError):
    exit_code = 75  # EX_TEMPFAIL: cron may try again later


class ParseError(WmkbError):
    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


class StoreError(WmkbError):
    pass


class ArchiveError(WmkbError):
    """`file` and `offset` say where the record that could not be read begins."""

    def __init__(self, file: str, offset: int, reason: str) -> None:
        super().__init__(f"{file} at offset {offset}: {reason}")
        self.file = file
        self.offset = offset
        self.reason = reason


class SearchIndexError(WmkbError):
    """No search index where one is looked for; the message names the place and `wmkb reindex`."""


class QueryError(WmkbError):
    """The message is English, for the command line; `kind` and `values` say the same in a form
    a front end words in its own language (the web page's Dutch is in web/data/nl.toml).

    kinds: empty, too_long, unreadable, no_words, unbalanced_quote, unknown_field (field,
    choices), bad_value (field, value, choices), not_a_number (field, value), reversed_range
    (field, low, high).
    """

    exit_code = 2

    def __init__(self, message: str, *, kind: str = "unreadable", **values: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.values = values


class LockedError(WmkbError):
    exit_code = 75  # EX_TEMPFAIL: cron may try again later
