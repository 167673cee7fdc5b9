"""Searching the practices: the entry point, and the practices found within the organisations
ranked first.

Every query word must match, in the practice (its words, the parts of its compounds, or a
regulation it names in other words) or in its organisation's own fields. Whoosh's syntax
holds: "phrases", prefixes (thuis*), OR, NOT, and field filters: type:gemeente,
regulation:thuiswerken, province:Drenthe, section:dialogue, recognised:2018..2020,
employees:100..500, inhabitants:20000..40000 (each also by its Dutch name: soort, regeling,
provincie, onderdeel, erkend, medewerkers, inwoners). rewrite.py reads the query, and refuses
what it cannot mean with what to write instead.

An organisation matches when its practices and its own fields hold every word. Where one
practice holds them all, the practices are shown; where the words are spread over several
practices, the organisation is shown with the practice that holds each word.

A search runs in two steps: organisations are ranked in the organisations index (ranking.py:
one posting per organisation and word, so a common word costs as many postings as there are
organisations, not twenty times that), then the practices that match are looked up in the
practices index within the best organisations only. Facets count organisations (facets.py).

Matched words are wrapped in MARK_START / MARK_END (control characters that never occur in page
text), so each front end renders them its own way: bold on a terminal, <mark> on a web page.

    found = search(Path(".demo/index"), "thuiswerken gemeente", by_organisation=True)
    [(row["slug"], row["score"]) for row in found.by_organisation()]
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whoosh import highlight
from whoosh.analysis import Token
from whoosh.index import Index
from whoosh.query import And, Not, Or, Query, Term
from whoosh.searching import Hit as WhooshHit
from whoosh.searching import Results, Searcher

from wmkb.index.directory import INDEX_NAME, ORGANISATIONS_INDEX, open_index, state_stamp
from wmkb.index.facets import facet_counts
from wmkb.index.ranking import (
    WEIGHTING,
    OrganisationRanking,
    RankedOrganisations,
    all_of,
    any_of,
    constant_scored,
    slugs_by_docnum,
)
from wmkb.index.rewrite import (
    bad_value,
    choices,
    parse,
    rare_in,
    rewrite_query,
    suggestion,
    unquoted,
)

MARK_START, MARK_END = "\x02", "\x03"
# Where each query word is looked for: in the practices index, the practice and its
# organisation's words; in the organisations index, one field holds both.
PRACTICE_FIELDS = ("text", "org")
ORGANISATION_FIELDS = ("words",)
# The organisations index keeps an organisation's sections in one field.
_ORGANISATION_ALIASES = {"sections": ["section"]}
_WORD_FIELDS = frozenset(PRACTICE_FIELDS) | {"parts", "practice_regulations"}
PRACTICES_PER_ORGANISATION = 3  # at most, in a row per organisation
SUGGEST_BELOW = 3  # "did you mean" is worked out when fewer organisations match
PHRASE_SPARE = 5  # organisations taken per one shown when the query has a phrase

# A practice that matched: its score in the practices index, its docnum, and the results it
# came from (for its stored fields and highlights, read only when it is shown).
Match = tuple[float, int, Results]


@dataclass(frozen=True)
class Hit:
    name: str
    slug: str
    url: str
    org_type: str
    section: str
    text: str
    marked_text: str  # text with the matched words between MARK_START and MARK_END
    score: float  # the practice's score in the practices index, by which practices are ranked
    # True when no one practice of the organisation holds every word: this one holds some.
    across: bool = False

    def as_json(self) -> dict[str, Any]:
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
    # How many organisations match in all: counted with facets; without, Whoosh's estimate,
    # for a phrase of the organisations that hold its words.
    organisations: int
    # One per organisation, best first, with its practices; "score" is the organisation's own,
    # the one it was ranked by (ranking.py), so the rows read best first by their scores.
    rows: list[dict[str, Any]] = field(default_factory=list)
    # Practices view: the organisations after the hits whose words are spread over practices,
    # each a row with the practice that holds each word.
    across: list[dict[str, Any]] = field(default_factory=list)
    facets: dict[str, dict[str, int]] = field(default_factory=dict)  # organisations per value
    suggestion: str | None = None  # "did you mean", when a word is not in the index
    has_more: bool = False  # there is more than this page shows: a next page

    @property
    def practices(self) -> int:
        return len(self.hits)

    def by_organisation(self) -> list[dict[str, Any]]:
        """One row per organisation, best first, with its best practices."""
        return self.rows


class _MarkFormatter(highlight.Formatter):
    def format_token(self, text: str, token: Token, replace: bool = False) -> str:
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
    """The best practices for `query`: `limit` of them from `offset`, followed, where the
    practices run out on this page, by the organisations whose words are spread over their
    practices; or, with by_organisation, `limit` organisations from `offset`, each with its
    best practices. `org_type` and `regulation` filter as type: and regulation: do.

    Raises QueryError for a query that cannot be read or says nothing, or a type or regulation
    that does not exist; SearchIndexError when there is no index in `index_dir`.
    """
    rewrite_query(query, expand=False)  # refuses an empty or overlong query before any I/O
    organisations_ix, organisations = _index_and_searcher(index_dir, ORGANISATIONS_INDEX)
    practices_ix, practices = _index_and_searcher(index_dir, INDEX_NAME)
    rewritten = rewrite_query(query, expand=expand, rare=rare_in(organisations))
    practice_query = parse(practices_ix.schema, PRACTICE_FIELDS, rewritten, query)
    allow = _allowed(practices, practice_query, org_type, regulation)

    def organisations_query(text: str) -> Query:
        parsed = parse(
            organisations_ix.schema, ORGANISATION_FIELDS, text, query, aliases=_ORGANISATION_ALIASES
        )
        return constant_scored(parsed, organisations)

    # Organisations are ranked by a phrase's words (cheaper); they are counted by the phrase
    # itself, in the document of all their practices, so that the count is what is shown.
    organisation_query = organisations_query(unquoted(rewritten))
    phrase = '"' in query
    counting_query = organisations_query(rewritten) if phrase and facets else organisation_query
    # Practices are shown for organisations ranked first; for a list of practices, a few more
    # organisations than practices asked for, so the best practices are among them. A phrase
    # is looked for among organisations as its words, so some of them lack the phrase itself:
    # more of them are taken, and those are left out.
    need = offset + limit
    wanted = need if by_organisation else need + 10
    ranking = OrganisationRanking(organisations, organisation_query, allow)
    ranked = ranking.top(wanted)
    matched = _Matches(practices, practice_query, ranked.slugs)
    found_enough = len(matched.by_slug) if by_organisation else matched.count
    if phrase and found_enough < need and ranked.more:
        ranked = ranking.top(wanted * PHRASE_SPARE)
        matched = _Matches(practices, practice_query, ranked.slugs)
    found = SearchResult(hits=[], organisations=ranked.matching, has_more=ranked.more)
    page = _Page(practices, practice_query, matched, ranked, offset, limit)
    if by_organisation:
        found.rows = page.organisations(phrase=phrase)
        found.hits = [hit for row in found.rows for hit in row["practices"]]
    else:
        found.hits = matched.best(offset, limit)
        found.across, more_across = page.across_after_practices()
        found.has_more = found.has_more or matched.count > offset + limit or more_across
    if facets:
        found.facets, found.organisations = facet_counts(
            index_dir, organisations, counting_query, allow
        )
    if found.organisations < SUGGEST_BELOW:
        found.suggestion = suggestion(organisations, query)
    return found


@dataclass(frozen=True)
class _Page:
    """One page of rows of organisations, from the practices matched within the organisations
    ranked first; each row carries the score its organisation was ranked by."""

    practices: Searcher
    query: Query  # the practices query
    matched: _Matches
    ranked: RankedOrganisations
    offset: int
    limit: int

    def organisations(self, *, phrase: bool) -> list[dict[str, Any]]:
        """The page's organisations, each with its best practices, or with the practice that
        holds each word where no one practice holds them all. With a phrase, the ranked
        organisations that lack it are left out before the page is cut."""
        ranked, matched = self.ranked, self.matched
        end = self.offset + self.limit
        shown = ranked.slugs if phrase else ranked.slugs[self.offset : end]
        missing = [slug for slug in shown if not matched.of(slug)]
        matched.add_across(_across_practices(self.practices, self.query, missing))
        rows = [slug for slug in shown if matched.of(slug)]
        page = rows[self.offset : end] if phrase else rows
        return [matched.row(slug, ranked.scores[slug]) for slug in page]

    def across_after_practices(self) -> tuple[list[dict[str, Any]], bool]:
        """Where the practices end on this page, the organisations whose words are spread over
        their practices, so that every organisation found is shown; and whether more follow."""
        matched = self.matched
        room = self.offset + self.limit - matched.count
        if room <= 0:
            return [], False
        missing = [slug for slug in self.ranked.slugs if not matched.of(slug)]
        across = _Matches.empty()
        across.add_across(_across_practices(self.practices, self.query, missing))
        spread = [slug for slug in missing if across.of(slug)]
        start = max(0, self.offset - matched.count)
        end = start + min(room, self.limit)
        rows = [across.row(slug, self.ranked.scores[slug]) for slug in spread[start:end]]
        return rows, len(spread) > end


def render_marks(marked: str, start: str, end: str) -> str:
    """Replace the marks with the front end's own: ("\\x1b[1m", "\\x1b[0m") or ("<mark>", ...)."""
    return marked.replace(MARK_START, start).replace(MARK_END, end)


def _allowed(
    practices: Searcher, practice_query: Query, org_type: str | None, regulation: str | None
) -> Query | None:
    """The filter on the organisations index: a section filter's organisations (see
    _in_section), and the type and regulation given apart from the query."""
    filters = []
    in_section = _in_section(practices, practice_query)
    if in_section is not None:
        filters.append(in_section)
    if org_type:
        if org_type not in choices("org_type"):
            raise bad_value("type", org_type, choices("org_type"))
        filters.append(Term("org_type", org_type))
    if regulation:
        if regulation.lower() not in choices("regulations"):
            raise bad_value("regulation", regulation, choices("regulations"))
        filters.append(Term("regulations", regulation.lower()))
    return And(filters) if filters else None


_open = threading.local()  # indexes and searchers stay open between searches, per thread


def _index_and_searcher(index_dir: Path, name: str) -> tuple[Index, Searcher]:
    """The index and an open searcher on it, opened again when the index has changed: the
    state file changes with every update and every rebuild (which may reuse generation 0)."""
    cache = _open.__dict__.setdefault("open", {})
    stamp = state_stamp(index_dir)
    key = (str(index_dir), name)
    entry = cache.get(key)
    if entry is None or entry[0] != stamp:
        ix = open_index(index_dir, name)
        entry = (stamp, ix, ix.searcher(weighting=WEIGHTING))
        cache[key] = entry
    return entry[1], entry[2]


class _Matches:
    """The practices matching a query within some organisations: scored, grouped by
    organisation, and turned into hits (stored fields, highlights) only when shown."""

    def __init__(self, searcher: Searcher | None, query: Query | None, slugs: list[str]) -> None:
        self.by_slug: dict[str, list[Match]] = {}
        self.across: set[str] = set()  # organisations whose words are spread over practices
        self.count = 0
        if searcher is None or query is None or not slugs:
            return
        within = Or([Term("slug", slug) for slug in slugs])
        results = searcher.search(And([within, query]), limit=None, terms=True)
        results.fragmenter = highlight.WholeFragmenter()
        results.formatter = _MarkFormatter()
        slug_of = slugs_by_docnum(searcher)
        for score, docnum in results.top_n:
            self.by_slug.setdefault(slug_of[docnum], []).append((score, docnum, results))
            self.count += 1

    @classmethod
    def empty(cls) -> _Matches:
        return cls(None, None, [])

    def of(self, slug: str) -> list[Match]:
        return self.by_slug.get(slug, [])

    def add_across(self, across: dict[str, list[Match]]) -> None:
        """Add organisations matched across practices (see _across_practices)."""
        for slug, matches in across.items():
            self.by_slug.setdefault(slug, matches)
            self.across.add(slug)

    def best(self, offset: int, limit: int) -> list[Hit]:
        def order(entry: tuple[str, Match]) -> tuple[float, str, int]:
            # Equal scores by slug, then in the page's order: not in the order a crawl
            # stored them.
            slug, (score, docnum, _) = entry
            return -score, slug, docnum

        ranked = sorted(
            ((slug, match) for slug, matches in self.by_slug.items() for match in matches),
            key=order,
        )
        return [_materialise(match) for _, match in ranked[offset : offset + limit]]

    def row(self, slug: str, score: float) -> dict[str, Any]:
        """The organisation's row: `score` is the one it was ranked by among organisations."""
        across = slug in self.across
        # Across practices every word's practice is shown, however many words there are.
        matches = self.of(slug) if across else self.of(slug)[:PRACTICES_PER_ORGANISATION]
        hits = [_materialise(match, across=across) for match in matches]
        first = hits[0]
        return {
            "name": first.name,
            "slug": slug,
            "url": first.url,
            "org_type": first.org_type,
            "score": score,
            "across_practices": across,
            "practices": hits,
        }


def _materialise(match: Match, *, across: bool = False) -> Hit:
    score, docnum, results = match
    result = WhooshHit(results, docnum, score=score)
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


def _word_clauses(query: Query) -> tuple[list[Query], list[Query]]:
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


def _in_section(practices: Searcher, query: Query) -> Query | None:
    """With a section filter, the organisations that have, for every word, a practice in that
    section holding it, as a filter on the organisations index (which knows only whether an
    organisation has the section at all); None without one. Without it, the search would
    count organisations that nothing shown could explain."""
    if not any(leaf.field() == "section" for leaf in query.leaves()):
        return None
    words, rest = _word_clauses(query)
    slug_of = slugs_by_docnum(practices)
    held: set[str] | None = None
    for word in words or [query]:
        scope = all_of([word, *rest]) if words else query
        slugs = {slug_of[docnum] for docnum in practices.docs_for_query(scope)}
        held = slugs if held is None else held & slugs
    # A slug no organisation has matches none, where an empty OR would match every one.
    return Or([Term("slug", slug) for slug in sorted(held)]) if held else Term("slug", "")


def _across_practices(searcher: Searcher, query: Query, slugs: list[str]) -> dict[str, list[Match]]:
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
    matches = _Matches(searcher, all_of([any_of(words), *rest]), slugs)
    within = Or([Term("slug", slug) for slug in slugs])
    holders = [set(searcher.docs_for_query(And([within, word]))) for word in words]
    found = {}
    for slug in slugs:
        chosen: list[Match] = []
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
