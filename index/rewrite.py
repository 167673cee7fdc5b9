"""Reading a query: the user's words in the index's terms, and "did you mean".

A `name:value` filter is put in the index's field and value: each field by its English or its
Dutch name (type or soort, province or provincie …), a number or a range a..b, a province by
any of its names. A filter on a field that does not exist, a value outside a closed set, a
reversed range or an unbalanced quote is a QueryError that says what to write instead (the valid
fields, the valid values, the range the right way round): a query that silently finds nothing
would mislead. With `expand`, words that name a regulation also look for
the practices that name it otherwise, and a rare compound also for its parts.

    >>> rewrite_query("soort:gemeente provincie:friesland")
    'org_type:gemeente province:fryslan'
"""

from __future__ import annotations

import re
from collections.abc import Callable

from whoosh.fields import Schema
from whoosh.qparser import AndGroup, FieldAliasPlugin, MultifieldParser
from whoosh.qparser.common import QueryParserError
from whoosh.query import NullQuery, Query
from whoosh.searching import Searcher

from wmkb.harvester import vocabulary
from wmkb.harvester.errors import QueryError
from wmkb.harvester.municipalities import PROVINCES, province_named
from wmkb.index.analysis import dutch_analyzer
from wmkb.index.compounds import query_parts
from wmkb.index.directory import province_slug

MAX_QUERY_LENGTH = 500  # characters; longer queries are refused, not truncated
# What a query may filter on: the field in the index → the names a query uses for it, in
# English and in Dutch. Every other `name:` in a query is refused.
FILTERS = {
    "org_type": ("type", "soort"),
    "regulations": ("regulation", "regeling"),
    "province": ("province", "provincie"),
    "section": ("section", "onderdeel"),
    "recognised": ("recognised", "erkend"),
    "employees": ("employees", "medewerkers"),
    "inhabitants": ("inhabitants", "inwoners"),
}
NUMERIC_FILTERS = ("recognised", "employees", "inhabitants")  # a number or a range a..b
RARE_SHARE = 0.05  # a compound fewer organisations than this share use is also sought by its parts
_FIELD_OF = {name: field for field, names in FILTERS.items() for name in (field, *names)}
# A quoted phrase (passed over) or a `name:value` filter; the value may be a quoted phrase.
_FILTER = re.compile(r'"[^"]*"|(?<![\w:])([^\W\d_]\w*):("[^"]*"|[^\s()"]*)')
_NUMBER_OR_RANGE = re.compile(r"(\d{1,9})(?:\.\.(\d{1,9}))?")
_PLAIN_WORD = re.compile(r"(?<![\w:*])([^\W\d_]{3,})(?![\w:*])")
_COMPOUND = re.compile(r"(?<![\w:*\-])([^\W\d_]{7,})(?![\w:*])")
_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"}

IsRare = Callable[[str], bool]


def rewrite_query(query: str, *, expand: bool = True, rare: IsRare = lambda word: True) -> str:
    """The user's query in the index's terms: ranges, provinces, and (with expand) the
    regulation phrasings and the parts of compounds that `rare(word)` says are rare.

    Raises QueryError for an empty, overlong or unreadable query, or a filter it cannot take.
    """
    query = query.strip()
    if not query:
        raise QueryError("empty query; try `wmkb search thuiswerken`", kind="empty")
    if len(query) > MAX_QUERY_LENGTH:
        raise QueryError(
            f"query longer than {MAX_QUERY_LENGTH} characters",
            kind="too_long",
            limit=str(MAX_QUERY_LENGTH),
        )
    if query.count('"') % 2:
        raise QueryError(
            f'unbalanced quote in {query!r}: close the phrase with a second " or leave it out',
            kind="unbalanced_quote",
        )
    rewritten = _FILTER.sub(_filter, query)
    if expand:
        rewritten = _outside_quotes_and_filters(rewritten, _regulation_spans)
        rewritten = _outside_quotes_and_filters(rewritten, lambda text: _compound_parts(text, rare))
    return rewritten


def parse(
    schema: Schema,
    fields: tuple[str, ...],
    rewritten: str,
    query: str,
    aliases: dict[str, list[str]] | None = None,
) -> Query:
    """The rewritten query as a Whoosh query over `fields`, every word required. `query` is
    the user's, for the message of the QueryError raised when it cannot be read or has no
    words; `aliases` are other names of a field in this index."""
    parser = MultifieldParser(list(fields), schema, group=AndGroup)
    if aliases:
        parser.add_plugin(FieldAliasPlugin(aliases))
    try:
        parsed = parser.parse(rewritten)
    except (QueryParserError, ValueError) as error:
        raise QueryError(f"cannot read the query {query!r}: {error}") from error
    if parsed is NullQuery or isinstance(parsed, type(NullQuery)):
        raise QueryError(f"the query {query!r} has no words to search for", kind="no_words")
    return parsed


def unquoted(query: str) -> str:
    """The query with each phrase as its words in a group: "verlof kopen" → (verlof kopen)."""
    # Among organisations a phrase is ranked by its words (cheaper, and every organisation
    # with the phrase has them); the phrase itself is checked on the practices.
    return re.sub(r'"([^"]*)"', r"(\1)", query)


def rare_in(searcher: Searcher) -> IsRare:
    """Whether a word is rare among the organisations: used by fewer than RARE_SHARE of them.
    `searcher` is on the organisations index."""
    reader = searcher.reader()
    limit = RARE_SHARE * max(searcher.doc_count(), 1)
    analyzer = dutch_analyzer()

    def rare(word: str) -> bool:
        stems = [token.text for token in analyzer(word)]
        return all(reader.doc_frequency("words", stem) < limit for stem in stems)

    return rare


def choices(field_name: str) -> tuple[str, ...]:
    """The values a closed field takes: org_type, regulations or section."""
    if field_name == "org_type":
        return vocabulary.ORG_TYPES
    if field_name == "regulations":
        return tuple(vocabulary.regulations().labels)
    return tuple(vocabulary.sections().labels)


def bad_value(name: str, value: str, valid: tuple[str, ...]) -> QueryError:
    """The error for a filter `name` given a value it does not take, naming those it does."""
    shown = f"{value!r} is not" if value else "needs"
    return QueryError(
        f"{name}: {shown} a value it takes; use one of: {', '.join(valid)}",
        kind="bad_value",
        field=name,
        value=value,
        choices=", ".join(valid),
    )


def suggestion(searcher: Searcher, query: str) -> str | None:
    """The query with each word no organisation uses put right ("did you mean"), or None.
    `searcher` is on the organisations index."""
    # Whoosh keeps the words as written beside the stems for this (the field's spelling).
    reader = searcher.reader()
    corrector = searcher.corrector("words")
    changed = False

    def correct(match: re.Match[str]) -> str:
        nonlocal changed
        word = match[1]
        if word in _OPERATORS or reader.frequency("spell_words", word.lower()) > 0:
            return word
        suggestions = corrector.suggest(word.lower(), limit=1, maxdist=2, prefix=1)
        if not suggestions or suggestions[0] == word.lower():
            return word
        changed = True
        return suggestions[0]

    corrected = _PLAIN_WORD.sub(correct, query)
    return corrected if changed else None


def _filter(match: re.Match[str]) -> str:
    """One `name:value` of a query in the index's terms, or QueryError naming what is valid."""
    name, value = match[1], match[2]
    if name is None:  # a quoted phrase
        return match[0]
    field_name = _FIELD_OF.get(name.lower())
    if field_name is None:
        names = ", ".join(names[0] for names in FILTERS.values())
        raise QueryError(
            f"unknown field {name!r} in the query; use one of: {names}",
            kind="unknown_field",
            field=name,
        )
    if field_name in NUMERIC_FILTERS:
        return f"{field_name}:{_number_or_range(name, value)}"
    if field_name == "province":
        return f"province:{_province_term(name, value)}"
    valid = choices(field_name)
    if value.lower() not in valid:
        raise bad_value(name, value, valid)
    return f"{field_name}:{value.lower()}"


def _number_or_range(name: str, value: str) -> str:
    found = _NUMBER_OR_RANGE.fullmatch(value)
    if not found:
        raise QueryError(
            f"{name}: {value!r} is not a number or a range such as {name}:100..500",
            kind="not_a_number",
            field=name,
            value=value,
        )
    low, high = found[1], found[2] or found[1]
    if int(low) > int(high):
        raise QueryError(
            f"{name}: the range {low}..{high} runs backwards; write {name}:{high}..{low}",
            kind="reversed_range",
            field=name,
            low=low,
            high=high,
        )
    return f"[{int(low)} TO {int(high)}]"


def _province_term(name: str, value: str) -> str:
    province = province_named(value.strip('"'))
    if province:
        return province_slug(province) or ""
    raise bad_value(name, value.strip('"'), PROVINCES)


def _outside_quotes_and_filters(query: str, rewrite: Callable[[str], str]) -> str:
    pieces = re.split(r'("[^"]*"|\S+:\S+)', query)
    return "".join(
        piece if piece.startswith('"') or ":" in piece else rewrite(piece) for piece in pieces
    )


def _compound_parts(text: str, rare: IsRare) -> str:
    """ "thuiswerkmogelijkheden" → (thuiswerkmogelijkheden OR parts:(thuis werk)). A compound
    many organisations use as it is ("mantelzorg") is left whole: its parts add only cost."""

    def expand(match: re.Match[str]) -> str:
        word = match[1]
        if word in _OPERATORS or not rare(word):
            return word
        parts = query_parts(word.lower())
        if not parts:
            return word
        return f"({word} OR parts:({' '.join(parts)}))"

    return _COMPOUND.sub(expand, text)


def _regulation_spans(text: str) -> str:
    """Words that name a regulation also find the practices that name it otherwise:
    "verlof kopen" → ((verlof kopen) OR practice_regulations:verlof_kopen)."""
    spans: dict[tuple[int, int], set[str]] = {}
    for code, patterns in vocabulary.regulations().patterns.items():
        for pattern in patterns:
            for match in pattern.finditer(text):
                start, end = match.start(), _word_end(text, match.end())
                spans.setdefault((start, end), set()).add(code)
    taken: list[tuple[int, int, set[str]]] = []
    for (start, end), codes in sorted(spans.items(), key=lambda item: item[0][0] - item[0][1]):
        if all(end <= other_start or start >= other_end for other_start, other_end, _ in taken):
            taken.append((start, end, codes))
    for start, end, codes in sorted(taken, key=lambda span: span[0], reverse=True):
        alternatives = " OR ".join(f"practice_regulations:{code}" for code in sorted(codes))
        text = f"{text[:start]}(({text[start:end]}) OR {alternatives}){text[end:]}"
    return text


def _word_end(text: str, position: int) -> int:
    # A pattern may stop inside a word ("thuiswerk" in "thuiswerkmogelijkheden").
    while position < len(text) and (text[position].isalnum() or text[position] in "-'’"):
        position += 1
    return position
