"""The Dutch analyzers.

`dutch_analyzer`: words, lower case, Dutch stop words dropped, accents folded, Snowball's Dutch
stemmer, so that "medewerkers" finds "medewerker" and "privé" finds "prive".

`compound_analyzer` (the `parts` field): the same, with each compound also standing for its
parts. At index time a word yields itself and its parts; at query time a compound yields only
its specific parts, which must all match, so a query word finds the practices that say it in
other words. Every token is stemmed, a part as well as the whole.

    >>> [token.text for token in dutch_analyzer()("De medewerkers werken thuis")]
    ['medewerker', 'werk', 'thuis']
    >>> [token.text for token in compound_analyzer()("thuiswerken")]
    ['thuiswerk', 'thuis', 'werk']
    >>> [token.text for token in compound_analyzer()("thuiswerkmogelijkheden", mode="query")]
    ['thuis', 'werk']
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache

from whoosh.analysis import (
    Analyzer,
    CharsetFilter,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
    Token,
)
from whoosh.lang import stopwords_for_language
from whoosh.support.charset import accent_map

from wmkb.index.compounds import query_parts, split

LANGUAGE = "nl"


class DecompoundFilter(Filter):
    """Adds a compound's parts beside it (index) or puts its specific parts in its place (query)."""

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        for token in tokens:
            if token.mode == "query":
                parts = query_parts(token.text)
                if not parts:
                    yield token
                    continue
                for part in parts:
                    part_token = token.copy()
                    part_token.text = part
                    yield part_token
            else:
                parts = split(token.text)
                yield token
                for part in parts:
                    part_token = token.copy()
                    part_token.text = part
                    yield part_token


def _stop_words() -> StopFilter:
    return StopFilter(stoplist=stopwords_for_language(LANGUAGE), minsize=2)


@cache
def dutch_analyzer() -> Analyzer:
    return (
        RegexTokenizer()
        | LowercaseFilter()
        | _stop_words()
        | CharsetFilter(accent_map)
        | StemFilter(lang=LANGUAGE, cachesize=50_000)
    )


@cache
def content_words() -> Analyzer:
    """Words as written (lower case, no stop words, not stemmed): themes a person can read."""
    return RegexTokenizer() | LowercaseFilter() | _stop_words()


@cache
def compound_analyzer() -> Analyzer:
    return (
        RegexTokenizer()
        | LowercaseFilter()
        | _stop_words()
        | DecompoundFilter()
        | _stop_words()  # "aanpassen" → aan, passen: a part may be a stop word
        | CharsetFilter(accent_map)
        | StemFilter(lang=LANGUAGE, cachesize=50_000)
    )
