"""The Dutch analyzer: words, lower case, accents folded, Dutch stop words dropped, Snowball's
Dutch stemmer, so that "medewerkers" finds "medewerker" and "privé" finds "prive".

    >>> [token.text for token in dutch_analyzer()("De medewerkers werken thuis")]
    ['medewerker', 'werk', 'thuis']
"""

from __future__ import annotations

from functools import cache

from whoosh.analysis import (
    Analyzer,
    CharsetFilter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.lang import stopwords_for_language
from whoosh.support.charset import accent_map

LANGUAGE = "nl"


@cache
def dutch_analyzer() -> Analyzer:
    return (
        RegexTokenizer()
        | LowercaseFilter()
        | StopFilter(stoplist=stopwords_for_language(LANGUAGE), minsize=2)
        | CharsetFilter(accent_map)
        | StemFilter(lang=LANGUAGE, cachesize=50_000)
    )
