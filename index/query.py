"""Searching the practices.

Every query word must match, in the practice (its words, the parts of its compounds, or a
regulation it names in other words) or in its organisation's own fields. Whoosh's syntax
holds: "phrases", prefixes (thuis*), OR, NOT, and field filters: type:gemeente,
regulation:thuiswerken, province:Drenthe, section:dialogue, recognised:2018..2020,
employees:100..500, inhabitants:20000..40000 (each also by its Dutch name: soort, regeling,
provincie, onderdeel, erkend, medewerkers, inwoners). A filter on a field that does not exist, a
value outside a closed set, a reversed range or an unbalanced quote is a QueryError that names
the valid choices: a query that silently finds nothing would mislead.

An organisation matches when its practices and its own fields hold every word. Where one
practice holds them all, the practices are shown; where the words are spread over several
practices, the organisation is shown with the practice that holds each word.

A search runs in two steps: organisations are ranked in the organisations index (one posting per
organisation and word, so a common word costs as many postings as there are organisations, not
twenty times that), then the practices that match are looked up in the practices index within
the best organisations only. Facets count organisations.

Matched words are wrapped in MARK_START / MARK_END (control characters that never occur in page
text), so each front end renders them its own way: bold on a terminal, <mark> on a web page.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import highlight
from whoosh.idsets import BitSet
from whoosh.qparser import AndGroup, FieldAliasPlugin, MultifieldParser
from whoosh.qparser.common import QueryParserError
from whoosh.query import (
    And,
    ConstantScoreQuery,
    Not,
    NullQuery,
    Or,
    Prefix,
    Query,
    Term,
    Wildcard,
)
from whoosh.searching import Hit as WhooshHit

from wmkb.harvester import vocabulary
from wmkb.harvester.errors import QueryError
from wmkb.harvester.municipalities import PROVINCES, province_named
from wmkb.index.analysis import dutch_analyzer
from wmkb.index.compounds import query_parts
from wmkb.index.directory import (
    INDEX_NAME,
    ORGANISATIONS_INDEX,
    open_index,
    organisations_facts,
    province_slug,
    state_stamp,
)

MARK_START, MARK_END = "\x02", "\x03"
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
_FIELD_OF = {name: field for field, names in FILTERS.items() for name in (field, *names)}
# The organisations index keeps an organisation's sections in one field.
_ORGANISATION_ALIASES = {"sections": ["section"]}
FACETS = ("org_type", "regulations", "province", "recognised")
# A quoted phrase (passed over) or a `name:value` filter; the value may be a quoted phrase.
_FILTER = re.compile(r'"[^"]*"|(?<![\w:])([^\W\d_]\w*):("[^"]*"|[^\s()"]*)')
_NUMBER_OR_RANGE = re.compile(r"(\d{1,9})(?:\.\.(\d{1,9}))?")
_PLAIN_WORD = re.compile(r"(?<![\w:*])([^\W\d_]{3,})(?![\w:*])")
_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"}
_PROVINCE_NAMES = {province_slug(province): province for province in PROVINCES}
# Where each query word is looked for: in the practices index, the practice and its
# organisation's words; in the organisations index, one field holds both.
PRACTICE_FIELDS = ("text", "org")
ORGANISATION_FIELDS = ("words",)
PRACTICES_PER_ORGANISATION = 3  # at most, in a row per organisation
SUGGEST_BELOW = 3  # "did you mean" is worked out when fewer organisations match
PHRASE_SPARE = 5  # organisations taken per one shown when the query has a phrase
COMMON_SHARE = 0.5  # a word used by at least this share of organisations is matched, not scored
RARE_SHARE = (
    0.05  # a compound used by fewer organisations than this is also looked for by its parts
)
_COMPOUND = re.compile(r"(?<![\w:*\-])([^\W\d_]{7,})(?![\w:*])")


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
    # True when no one practice of the organisation holds every word: this one holds some.
    across: bool = False

    def as_json(self) -> dict:
        return {
            "name": self.name,
            "slug": self.slug,
            "url": self.url,
            "org_type": self.org_type,
            "section": self.section,
            "text": self.text,
            "score": round(self.score, 4),
            "across_practices": self.across,
        }


@dataclass
class SearchResult:
    hits: list[Hit]  # the practices shown: the best of the matching ones
    organisations: int  # how many organisations match in all
    rows: list[dict] = field(default_factory=list)  # one per organisation, with its practices
    # Practices view: the organisations after the hits whose words are spread over practices,
    # each a row with the practice that holds each word.
    across: list[dict] = field(default_factory=list)
    facets: dict[str, dict[str, int]] = field(default_factory=dict)  # organisations per value
    suggestion: str | None = None  # "did you mean", when a word is not in the index
    has_more: bool = False  # more organisations match than this page shows

    @property
    def practices(self) -> int:
        return len(self.hits)

    def by_organisation(self) -> list[dict]:
        """One row per organisation, best first, with its best practices."""
        return self.rows


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
    by_organisation: bool = False,
) -> SearchResult:
    """The best practices for `query`: `limit` of them from `offset`, or with by_organisation,
    `limit` organisations from `offset`, each with its best practices.

    Raises QueryError for a query that cannot be read or says nothing.
    """
    rewrite_query(query, expand=False)  # refuses an empty or overlong query before any I/O
    organisations_ix, organisations = _index_and_searcher(index_dir, ORGANISATIONS_INDEX)
    practices_ix, practices = _index_and_searcher(index_dir, INDEX_NAME)
    rewritten = rewrite_query(query, expand=expand, rare=_rare_in(organisations))
    practice_query = _parse(practices_ix.schema, PRACTICE_FIELDS, rewritten, query)
    filters = []
    in_section = _in_section(practices, practice_query)
    if in_section is not None:
        filters.append(in_section)
    if org_type:
        if org_type not in vocabulary.ORG_TYPES:
            raise _bad_value("type", org_type, vocabulary.ORG_TYPES)
        filters.append(Term("org_type", org_type))
    if regulation:
        if regulation.lower() not in _choices("regulations"):
            raise _bad_value("regulation", regulation, _choices("regulations"))
        filters.append(Term("regulations", regulation.lower()))
    allow = And(filters) if filters else None

    def organisations_query(text: str):
        parsed = _parse(
            organisations_ix.schema, ORGANISATION_FIELDS, text, query, aliases=_ORGANISATION_ALIASES
        )
        return _as_candidates(parsed, organisations)

    # Organisations are ranked by a phrase's words (cheaper); they are counted by the phrase
    # itself, in the document of all their practices, so that the count is what is shown.
    organisation_query = organisations_query(_unquoted(rewritten))
    phrase = '"' in query
    counting_query = organisations_query(rewritten) if phrase and facets else organisation_query
    # Practices are shown for organisations ranked first; for a list of practices, a few more
    # organisations than practices asked for, so the best practices are among them. A phrase
    # is looked for among organisations as its words, so some of them lack the phrase itself:
    # more of them are taken, and those are left out.
    need = offset + limit
    wanted = need if by_organisation else need + 10
    slug_of = _slugs(organisations)

    scored, matched_only = _scored_and_filter(organisation_query)
    candidate_filter = _candidate_filter(organisations, matched_only, allow)

    def candidates(count: int):
        ranked = organisations.search(scored, limit=count + 1, filter=candidate_filter)
        best = sorted(ranked.top_n[:count], key=lambda item: (-item[0], slug_of[item[1]]))
        return ranked, [slug_of[docnum] for _, docnum in best]

    ranked, slugs = candidates(wanted)
    matched = _Matches(practices, practice_query, slugs)
    found_enough = len(matched.by_slug) if by_organisation else matched.count
    if phrase and found_enough < need and len(ranked.top_n) > wanted:
        wanted *= PHRASE_SPARE
        ranked, slugs = candidates(wanted)
        matched = _Matches(practices, practice_query, slugs)
    found = SearchResult(
        hits=[], organisations=ranked.estimated_length(), has_more=len(ranked.top_n) > wanted
    )
    if by_organisation:
        shown = slugs if phrase else slugs[offset : offset + limit]
        missing = [slug for slug in shown if not matched.of(slug)]
        matched.add_across(_across_practices(practices, practice_query, missing))
        rows = [slug for slug in shown if matched.of(slug)]
        page = rows[offset : offset + limit] if phrase else rows
        found.rows = [matched.row(slug) for slug in page]
        found.hits = [hit for row in found.rows for hit in row["practices"]]
    else:
        found.hits = matched.best(offset, limit)
        found.has_more = found.has_more or matched.count > offset + limit
        room = offset + limit - matched.count
        if room > 0:
            # The practices end on this page: the organisations whose words are spread over
            # their practices follow, so that every organisation found is shown.
            missing = [slug for slug in slugs if not matched.of(slug)]
            across = _Matches.empty()
            across.add_across(_across_practices(practices, practice_query, missing))
            spread = [slug for slug in missing if across.of(slug)]
            start = max(0, offset - matched.count)
            found.across = [across.row(slug) for slug in spread[start : start + min(room, limit)]]
            found.has_more = found.has_more or len(spread) > start + min(room, limit)
    if facets:
        found.facets, found.organisations = _facet_counts(
            index_dir, organisations, counting_query, allow
        )
    if found.organisations < SUGGEST_BELOW:
        found.suggestion = _suggestion(organisations, query)
    return found


_open = threading.local()  # indexes and searchers stay open between searches, per thread


def _index_and_searcher(index_dir: Path, name: str):
    """The index and an open searcher on it, opened again when the index has changed: the
    state file changes with every update and every rebuild (which may reuse generation 0)."""
    cache = _open.__dict__.setdefault("open", {})
    stamp = state_stamp(index_dir)
    key = (str(index_dir), name)
    entry = cache.get(key)
    if entry is None or entry[0] != stamp:
        ix = open_index(index_dir, name)
        entry = (stamp, ix, ix.searcher())
        cache[key] = entry
    return entry[1], entry[2]


def _slugs(searcher):
    """docnum → slug, from the column Whoosh keeps for it (no stored fields read)."""
    reader = searcher.reader()
    if reader.doc_count_all() == 0:
        return {}
    return reader.column_reader("slug")


class _Matches:
    """The practices matching a query within some organisations: scored, grouped by
    organisation, and turned into hits (stored fields, highlights) only when shown."""

    def __init__(self, searcher, query, slugs: list[str]) -> None:
        self.by_slug: dict[str, list[tuple[float, int, object]]] = {}
        self.across: set[str] = set()  # organisations whose words are spread over practices
        self.count = 0
        if not slugs:
            return
        within = Or([Term("slug", slug) for slug in slugs])
        results = searcher.search(And([within, query]), limit=None, terms=True)
        results.fragmenter = highlight.WholeFragmenter()
        results.formatter = _MarkFormatter()
        slug_of = _slugs(searcher)
        for score, docnum in results.top_n:
            self.by_slug.setdefault(slug_of[docnum], []).append((score, docnum, results))
            self.count += 1

    @classmethod
    def empty(cls) -> _Matches:
        return cls(None, None, [])

    def of(self, slug: str) -> list:
        return self.by_slug.get(slug, [])

    def add_across(self, across: dict[str, list[tuple[float, int, object]]]) -> None:
        """Add organisations matched across practices (see _across_practices)."""
        for slug, matches in across.items():
            self.by_slug.setdefault(slug, matches)
            self.across.add(slug)

    def best(self, offset: int, limit: int) -> list[Hit]:
        def order(entry: tuple[str, tuple]) -> tuple:
            # Equal scores by slug, then in the page's order: not in the order a crawl
            # stored them.
            slug, (score, docnum, _) = entry
            return -score, slug, docnum

        ranked = sorted(
            ((slug, match) for slug, matches in self.by_slug.items() for match in matches),
            key=order,
        )
        return [_materialise(*match) for _, match in ranked[offset : offset + limit]]

    def row(self, slug: str) -> dict:
        across = slug in self.across
        # Across practices every word's practice is shown, however many words there are.
        matches = self.of(slug) if across else self.of(slug)[:PRACTICES_PER_ORGANISATION]
        hits = [_materialise(*match, across=across) for match in matches]
        first = hits[0]
        return {
            "name": first.name,
            "slug": slug,
            "url": first.url,
            "org_type": first.org_type,
            "score": max(hit.score for hit in hits),
            "across_practices": across,
            "practices": hits,
        }


def _materialise(score: float, docnum: int, results, *, across: bool = False) -> Hit:
    return _hit(WhooshHit(results, docnum, score=score), across=across)


_WORD_FIELDS = frozenset(PRACTICE_FIELDS) | {"parts", "practice_regulations"}


def _word_clauses(query) -> tuple[list, list]:
    """The clauses of a practices query's AND that look for words, and the others (filters on
    the organisation or the section, and NOTs)."""
    clauses = query.subqueries if isinstance(query, And) else [query]
    words = [
        clause
        for clause in clauses
        if not isinstance(clause, Not)
        and any(leaf.field() in _WORD_FIELDS for leaf in clause.leaves())
    ]
    return words, [clause for clause in clauses if not any(clause is word for word in words)]


def _in_section(practices, query) -> Query | None:
    """With a section filter, the organisations that have, for every word, a practice in that
    section holding it, as a filter on the organisations index (which knows only whether an
    organisation has the section at all); None without one. Without it, the search would
    count organisations that nothing shown could explain."""
    if not any(leaf.field() == "section" for leaf in query.leaves()):
        return None
    words, rest = _word_clauses(query)
    slug_of = _slugs(practices)
    held: set[str] | None = None
    for word in words or [query]:
        scope = _all_of([word, *rest]) if words else query
        slugs = {slug_of[docnum] for docnum in practices.docs_for_query(scope)}
        held = slugs if held is None else held & slugs
    # A slug no organisation has matches none, where an empty OR would match every one.
    return Or([Term("slug", slug) for slug in sorted(held)]) if held else Term("slug", "")


def _across_practices(searcher, query, slugs: list[str]) -> dict[str, list]:
    """For organisations where no one practice holds every word: the best practice for each
    word (each clause of the query's AND), best first. An organisation where some word is in
    none of its practices (a phrase split by its organisation's index) is left out.

    Filters and NOT clauses apply to every practice shown and need no practice of their own.
    """
    if not slugs:
        return {}
    words, rest = _word_clauses(query)
    if not words:
        return {}
    matches = _Matches(searcher, _all_of([_any_of(words), *rest]), slugs)
    within = Or([Term("slug", slug) for slug in slugs])
    holders = [set(searcher.docs_for_query(And([within, word]))) for word in words]
    found = {}
    for slug in slugs:
        chosen: list = []
        for docs in holders:
            best = next((match for match in matches.of(slug) if match[1] in docs), None)
            if best is None:
                chosen = []
                break
            if best not in chosen:
                chosen.append(best)
        if chosen:
            found[slug] = sorted(chosen, key=lambda match: (-match[0], match[1]))
    return found


def rewrite_query(query: str, *, expand: bool = True, rare=lambda word: True) -> str:
    """The user's query in the index's terms: ranges, provinces, and (with expand) the
    regulation phrasings and the parts of compounds that `rare(word)` says are rare."""
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


def _filter(match: re.Match) -> str:
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
    choices = _choices(field_name)
    if value.lower() not in choices:
        raise _bad_value(name, value, choices)
    return f"{field_name}:{value.lower()}"


def _choices(field_name: str) -> tuple[str, ...]:
    if field_name == "org_type":
        return vocabulary.ORG_TYPES
    if field_name == "regulations":
        return tuple(vocabulary.regulations().labels)
    return tuple(vocabulary.sections().labels)


def _bad_value(name: str, value: str, choices: tuple[str, ...]) -> QueryError:
    shown = f"{value!r} is not" if value else "needs"
    return QueryError(
        f"{name}: {shown} a value it takes; use one of: {', '.join(choices)}",
        kind="bad_value",
        field=name,
        value=value,
        choices=", ".join(choices),
    )


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


def _parse(
    schema,
    fields: tuple[str, ...],
    rewritten: str,
    query: str,
    group=AndGroup,
    aliases: dict[str, list[str]] | None = None,
):
    parser = MultifieldParser(list(fields), schema, group=group)
    if aliases:
        parser.add_plugin(FieldAliasPlugin(aliases))
    try:
        parsed = parser.parse(rewritten)
    except (QueryParserError, ValueError) as error:
        raise QueryError(f"cannot read the query {query!r}: {error}") from error
    if parsed is NullQuery or isinstance(parsed, type(NullQuery)):
        raise QueryError(f"the query {query!r} has no words to search for", kind="no_words")
    return parsed


def _rare_in(searcher):
    """Whether a word is rare among the organisations: used by fewer than RARE_SHARE of them."""
    reader = searcher.reader()
    limit = RARE_SHARE * max(searcher.doc_count(), 1)
    analyzer = dutch_analyzer()

    def rare(word: str) -> bool:
        stems = [token.text for token in analyzer(word)]
        return all(reader.doc_frequency("words", stem) < limit for stem in stems)

    return rare


def _unquoted(query: str) -> str:
    # Among organisations a phrase is ranked by its words (cheaper, and every organisation
    # with the phrase has them); the phrase itself is checked on the practices.
    return re.sub(r'"([^"]*)"', r"(\1)", query)


def _as_candidates(query, searcher):
    """The organisations query, scored where scores tell organisations apart.

    Prefixes and wildcards score every term they expand to, and a word used by most
    organisations ("mantelzorg", "werk") adds next to nothing to a BM25 score: both only have
    to say which organisations match, so they get a constant score, which costs far less.
    """
    reader = searcher.reader()
    common = COMMON_SHARE * max(searcher.doc_count(), 1)
    everyone = reader.doc_count_all()

    def used_by_all(node) -> bool:
        term = node.child if isinstance(node, ConstantScoreQuery) else node
        return (
            isinstance(term, Term) and reader.doc_frequency(term.fieldname, term.text) >= everyone
        )

    def constant(node):
        if isinstance(node, (Prefix, Wildcard)):
            return ConstantScoreQuery(node)
        if (
            isinstance(node, Term)
            and node.fieldname in ("words", "parts", "practice_regulations")
            and reader.doc_frequency(node.fieldname, node.text) >= common
        ):
            return ConstantScoreQuery(node)
        if isinstance(node, And) and any(used_by_all(sub) for sub in node.subqueries):
            # A word every organisation uses ("mantelzorg") tells none apart, and ANDing it
            # walks every organisation: among them it is left out (practices still need it).
            kept = [sub for sub in node.subqueries if not used_by_all(sub)]
            node = _all_of(kept or node.subqueries[:1])
        if (
            isinstance(node, And)
            and node.subqueries
            and all(isinstance(sub, ConstantScoreQuery) for sub in node.subqueries)
        ):
            return ConstantScoreQuery(And([sub.child for sub in node.subqueries]))
        return node

    return query.accept(constant)


def _scored_and_filter(query):
    """An AND of scored and constant-scored parts, as the scored part and a filter of the rest.

    Every match gets the same constant, so ranking on the rest gives the same order; and
    Whoosh intersects with a filter by set membership, not by walking the postings of a word
    most organisations use.
    """
    if not isinstance(query, And):
        return query, None
    constant = [sub.child for sub in query.subqueries if isinstance(sub, ConstantScoreQuery)]
    scored = [sub for sub in query.subqueries if not isinstance(sub, ConstantScoreQuery)]
    if not constant or not scored:
        return query, None
    return _all_of(scored), _all_of(constant)


def _all_of(queries: list[Query]) -> Query:
    """An AND of the queries; the query itself when there is one."""
    return And(queries) if len(queries) > 1 else queries[0]


def _any_of(queries: list[Query]) -> Query:
    """An OR of the queries; the query itself when there is one."""
    return Or(queries) if len(queries) > 1 else queries[0]


_word_docs = threading.local()  # a word → the organisations using it, for one searcher


def _candidate_filter(searcher, matched_only, allow):
    """The organisations the scored part may rank: those with the matched-only words (and
    allowed by the filters). Turning a word most organisations use into a set walks all its
    postings, so the set is kept for as long as the searcher is: a bit per organisation."""
    if matched_only is None:
        return allow
    if getattr(_word_docs, "searcher", None) is not searcher:
        _word_docs.searcher, _word_docs.sets = searcher, {}
    words = matched_only.subqueries if isinstance(matched_only, And) else [matched_only]
    docs = None
    for word in words:
        key = repr(word)
        if key not in _word_docs.sets:
            _word_docs.sets[key] = BitSet(searcher.docs_for_query(word))
        found = _word_docs.sets[key]
        docs = found if docs is None else docs.intersection(found)
    if allow is not None:
        docs = docs.intersection(BitSet(searcher.docs_for_query(allow)))
    return docs


def _outside_quotes_and_filters(query: str, rewrite) -> str:
    pieces = re.split(r'("[^"]*"|\S+:\S+)', query)
    return "".join(
        piece if piece.startswith('"') or ":" in piece else rewrite(piece) for piece in pieces
    )


def _compound_parts(text: str, rare) -> str:
    """ "thuiswerkmogelijkheden" → (thuiswerkmogelijkheden OR parts:(thuis werk)). A compound
    many organisations use as it is ("mantelzorg") is left whole: its parts add only cost."""

    def expand(match: re.Match) -> str:
        word = match[1]
        if word in _OPERATORS or not rare(word):
            return word
        parts = query_parts(word.lower())
        if not parts:
            return word
        return f"({word} OR parts:({' '.join(parts)}))"

    return _COMPOUND.sub(expand, text)


def _province_term(name: str, value: str) -> str:
    province = province_named(value.strip('"'))
    if province:
        return province_slug(province)
    raise _bad_value(name, value.strip('"'), PROVINCES)


def _hit(result, *, across: bool = False) -> Hit:
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
        across=across,
    )


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


def _facet_counts(index_dir: Path, searcher, query, allow) -> tuple[dict[str, dict[str, int]], int]:
    """Per facet, how many of the matching organisations have each value; and how many match."""
    facts = organisations_facts(index_dir)
    slugs = _slugs(searcher)
    counts: dict[str, Counter[str]] = {facet: Counter() for facet in FACETS}
    allowed = set(searcher.docs_for_query(allow)) if allow is not None else None
    matching = 0
    for docnum in searcher.docs_for_query(query):
        if allowed is not None and docnum not in allowed:
            continue
        matching += 1
        organisation = facts.get(slugs[docnum])
        if organisation is None:
            continue
        for facet in FACETS:
            value = organisation.get(facet)
            for one in value if isinstance(value, list) else [value]:
                if one is not None:
                    counts[facet][_PROVINCE_NAMES.get(one, str(one))] += 1
    return {facet: dict(counter.most_common()) for facet, counter in counts.items()}, matching


def _suggestion(searcher, query: str) -> str | None:
    """The query with each word no organisation uses put right ("did you mean"), or None."""
    # Whoosh keeps the words as written beside the stems for this (the field's spelling).
    reader = searcher.reader()
    corrector = searcher.corrector("words")
    changed = False

    def correct(match: re.Match) -> str:
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


def render_marks(marked: str, start: str, end: str) -> str:
    """Replace the marks with the front end's own: ("\\x1b[1m", "\\x1b[0m") or ("<mark>", ...)."""
    return marked.replace(MARK_START, start).replace(MARK_END, end)
