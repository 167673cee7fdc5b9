"""Searching the practices.

Every query word must match, in the practice (its words, or the parts of its compounds) or in
its organisation's own fields. Whoosh's syntax holds: "phrases", prefixes (thuis*), OR, NOT,
and field filters: type:gemeente, regulation:thuiswerken, province:Drenthe, section:dialogue,
recognised:2018..2020, employees:100..500, inhabitants:20000..40000.

Matched words are wrapped in MARK_START / MARK_END (control characters that never occur in page
text), so each front end renders them its own way: bold on a terminal, <mark> on a web page.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import highlight, sorting
from whoosh.qparser import AndGroup, FieldAliasPlugin, MultifieldParser
from whoosh.qparser.common import QueryParserError
from whoosh.query import And, NullQuery, Term

from harvester import vocabulary
from harvester.errors import QueryError
from harvester.municipalities import PROVINCES, fold
from index.build import open_index, organisations_facts, province_slug

MARK_START, MARK_END = "\x02", "\x03"
MAX_QUERY_LENGTH = 500  # characters; longer queries are refused, not truncated
FIELD_ALIASES = {
    "org_type": ["type", "soort"],
    "regulations": ["regulation", "regeling"],
    "recognised": ["erkend", "year"],
    "employees": ["medewerkers"],
    "inhabitants": ["inwoners"],
    "province": ["provincie"],
}
FACETS = ("org_type", "regulations", "province", "recognised")
_RANGE = re.compile(r"\b(\w+):(\d+)\.\.(\d+)\b")
_PROVINCE = re.compile(r"\b(province|provincie):(\"[^\"]+\"|\S+)", re.IGNORECASE)
_PLAIN_WORD = re.compile(r"(?<![\w:*])([^\W\d_]{3,})(?![\w:*])")
_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"}
_PROVINCE_NAMES = {province_slug(province): province for province in PROVINCES}
# Fields each query word is looked for in, and how much a match there weighs.
SEARCH_FIELDS = {"text": 1.0, "org": 1.0, "parts": 0.6}


@dataclass(frozen=True)
class Hit:
    name: str
    slug: str
    url: str
    org_type: str
    section: str
    text: str
    marked_text: str  # text with the matched words between MARK_START and MARK_END
    score: float

    def as_json(self) -> dict:
        return {
            "name": self.name,
            "slug": self.slug,
            "url": self.url,
            "org_type": self.org_type,
            "section": self.section,
            "text": self.text,
            "score": round(self.score, 4),
        }


@dataclass
class SearchResult:
    hits: list[Hit]
    practices: int  # how many practices match in all
    organisations: int  # how many organisations they belong to
    facets: dict[str, dict[str, int]] = field(default_factory=dict)  # organisations per value
    suggestion: str | None = None  # "did you mean", when a word is not in the index

    def by_organisation(self, per_organisation: int = 3) -> list[dict]:
        """One row per organisation, in the order of its best hit, with its best practices."""
        rows: dict[str, dict] = {}
        for hit in self.hits:
            row = rows.setdefault(
                hit.slug,
                {
                    "name": hit.name,
                    "slug": hit.slug,
                    "url": hit.url,
                    "org_type": hit.org_type,
                    "score": hit.score,
                    "practices": [],
                },
            )
            if len(row["practices"]) < per_organisation:
                row["practices"].append(hit)
        return list(rows.values())


class _MarkFormatter(highlight.Formatter):
    def format_token(self, text, token, replace=False):
        return f"{MARK_START}{highlight.get_text(text, token, replace)}{MARK_END}"


def search(
    index_dir: Path,
    query: str,
    *,
    org_type: str | None = None,
    regulation: str | None = None,
    limit: int = 10,
    offset: int = 0,
    expand: bool = True,
    facets: bool = False,
    collapse_per_organisation: int | None = None,
) -> SearchResult:
    """The best practices for `query`, `limit` of them from `offset`.

    Raises QueryError for a query that cannot be read or says nothing.
    """
    ix = open_index(index_dir)
    parsed = parse_query(ix.schema, query, expand=expand)
    filters = []
    if org_type:
        filters.append(Term("org_type", org_type))
    if regulation:
        filters.append(Term("regulations", regulation.lower()))
    with ix.searcher() as searcher:
        grouped = {"slug": sorting.FieldFacet("slug", maptype=sorting.UnorderedList)}
        results = searcher.search(
            parsed,
            limit=offset + limit,
            filter=And(filters) if filters else None,
            terms=True,
            groupedby=grouped,
            collapse="slug" if collapse_per_organisation else None,
            collapse_limit=collapse_per_organisation,
        )
        results.fragmenter = highlight.WholeFragmenter()
        results.formatter = _MarkFormatter()
        hits = [_hit(result) for result in results[offset : offset + limit]]
        matched = results.groups("slug")
        found = SearchResult(
            hits=hits,
            practices=sum(len(docs) for docs in matched.values()),
            organisations=len(matched),
        )
        if facets:
            found.facets = _facet_counts(index_dir, matched)
        found.suggestion = _suggestion(searcher, query)
    return found


def parse_query(schema, query: str, *, expand: bool = True):
    """Whoosh's query for the user's words, every word required, filters translated."""
    query = query.strip()
    if not query:
        raise QueryError("empty query; try `wmkb search thuiswerken`")
    if len(query) > MAX_QUERY_LENGTH:
        raise QueryError(f"query longer than {MAX_QUERY_LENGTH} characters")
    fields = {name: boost for name, boost in SEARCH_FIELDS.items() if expand or name != "parts"}
    parser = MultifieldParser(list(fields), schema, fieldboosts=fields, group=AndGroup)
    parser.add_plugin(FieldAliasPlugin(FIELD_ALIASES))
    rewritten = _RANGE.sub(r"\1:[\2 TO \3]", query)
    if expand:
        rewritten = _with_regulation_synonyms(rewritten)
    rewritten = _PROVINCE.sub(lambda match: f"province:{_province_term(match[2])}", rewritten)
    try:
        parsed = parser.parse(rewritten)
    except (QueryParserError, ValueError) as error:
        raise QueryError(f"cannot read the query {query!r}: {error}") from error
    if parsed is NullQuery or isinstance(parsed, type(NullQuery)):
        raise QueryError(f"the query {query!r} has no words to search for")
    return parsed


def _with_regulation_synonyms(query: str) -> str:
    """Let words that name a regulation also find the practices that name it otherwise:
    "flexibele werktijden" → ((flexibele werktijden) OR practice_regulations:flexibele_werktijden).
    Quoted phrases and field filters are left as they are."""
    pieces = re.split(r'("[^"]*"|\S+:\S+)', query)
    return "".join(
        piece if piece.startswith('"') or ":" in piece else _regulation_spans(piece)
        for piece in pieces
    )


def _regulation_spans(text: str) -> str:
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


def _province_term(value: str) -> str:
    value = value.strip('"')
    for province in PROVINCES:
        if (
            fold(province) == fold(value)
            or fold(value) in ("friesland", "fryslan")
            and province == "Fryslân"
        ):
            return province_slug(province)
    raise QueryError(f"unknown province {value!r}; one of: {', '.join(PROVINCES)}")


def _hit(result) -> Hit:
    text = result["text"]
    marked = result.highlights("text", text=text) or text
    return Hit(
        name=result["name"],
        slug=result["slug"],
        url=result["url"],
        org_type=result["org_type"],
        section=result["section"],
        text=text,
        marked_text=marked,
        score=result.score,
    )


def _facet_counts(index_dir: Path, matched: dict[str, list[int]]) -> dict[str, dict[str, int]]:
    """Per facet, how many of the matched organisations have each value."""
    facts = organisations_facts(index_dir)
    counts: dict[str, Counter[str]] = {facet: Counter() for facet in FACETS}
    for slug in matched:
        organisation = facts.get(slug)
        if organisation is None:
            continue
        for facet in FACETS:
            value = organisation.get(facet)
            for one in value if isinstance(value, list) else [value]:
                if one is not None:
                    counts[facet][_PROVINCE_NAMES.get(one, str(one))] += 1
    return {facet: dict(counter.most_common()) for facet, counter in counts.items()}


def _suggestion(searcher, query: str) -> str | None:
    """The query with each word the practices never use put right ("did you mean"), or None."""
    # Whoosh keeps the unstemmed words of the practices for this (the text field's spelling).
    reader = searcher.reader()
    corrector = searcher.corrector("text")
    changed = False

    def correct(match: re.Match) -> str:
        nonlocal changed
        word = match[1]
        if word in _OPERATORS or reader.frequency("spell_text", word.lower()) > 0:
            return word
        suggestions = corrector.suggest(word.lower(), limit=1, maxdist=2, prefix=1)
        if not suggestions or suggestions[0] == word.lower():
            return word
        changed = True
        return suggestions[0]

    corrected = _PLAIN_WORD.sub(correct, query)
    return corrected if changed else None


def render_marks(marked: str, start: str, end: str) -> str:
    """Replace the marks with the front end's own: ("\\x1b[1m", "\\x1b[0m") or ("<mark>", ...)."""
    return marked.replace(MARK_START, start).replace(MARK_END, end)
