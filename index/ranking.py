"""Ranking: how a document is scored, which organisations come first, and the score each is
shown with.

Both indexes are scored with BM25F (WEIGHTING). A search ranks organisations in the
organisations index, where one field holds an organisation's name, type, province and every
practice (schema.py); the score an organisation is shown with is the score it was ranked by
(`RankedOrganisations.scores`), never one from the practices index, so a list of organisations
reads best first by the scores it shows. Practices are ranked and shown by their score in the
practices index.

    ranking = OrganisationRanking(searcher, constant_scored(query, searcher))
    best = ranking.top(10)
    best.slugs[0], best.scores[best.slugs[0]]
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass

from whoosh import scoring
from whoosh.idsets import BitSet, DocIdSet
from whoosh.query import And, ConstantScoreQuery, Or, Prefix, Query, Term, Wildcard
from whoosh.searching import Searcher

# BM25F at the values of the BM25 literature, which are Whoosh's defaults too. The judged queries
# (tests/judged_queries.toml) hardly depend on them: over B 0 to 1 and K1 0.5 to 2, and with a
# B of its own for `words` (0.5 or 1), recall@10 stays 0.9029 and nDCG@10 0.9295 to 0.9297, so
# nothing argues for other values. A change here is a change of ranking: judge it by `wmkb eval`.
# B: how far a long field is discounted. An organisation's `words` field holds all its
# practices, from a few to dozens: without the discount, saying much would count as saying it
# often.
BM25_B = 0.75
# K1: how fast repeating a word stops adding to the score; a practice or an organisation that
# says "thuiswerken" five times is not five times as much about it.
BM25_K1 = 1.2
# One B for every field (BM25F takes a `<field>_B` for one of its own): one for `words`, the
# field organisations are ranked by, did not raise the judged queries' figures (above).
WEIGHTING = scoring.BM25F(B=BM25_B, K1=BM25_K1)
COMMON_SHARE = 0.5  # a word used by at least this share of organisations is matched, not scored


@dataclass(frozen=True)
class RankedOrganisations:
    slugs: list[str]  # the best organisations, best first; equal scores by slug
    # slug → the score it was ranked by: the one to show
    scores: dict[str, float]
    matching: int  # how many organisations match in all (Whoosh's estimate)
    more: bool  # more organisations match than were asked for


class OrganisationRanking:
    """The organisations that match `query` and are allowed by `allow`, ranked by their BM25F
    score. `searcher` is on the organisations index; `query` is as `constant_scored` gives it:
    in an AND, its constant-scored parts become a filter, so only the words that tell
    organisations apart are scored.
    """

    def __init__(self, searcher: Searcher, query: Query, allow: Query | None = None) -> None:
        self._searcher = searcher
        self._scored, matched_only = _scored_and_filter(query)
        self._filter = _candidate_filter(searcher, matched_only, allow)
        self._slug_of = slugs_by_docnum(searcher)

    def top(self, count: int) -> RankedOrganisations:
        """The `count` best organisations, best first, with their scores."""
        ranked = self._searcher.search(self._scored, limit=count + 1, filter=self._filter)
        best = sorted(ranked.top_n[:count], key=lambda item: (-item[0], self._slug_of[item[1]]))
        return RankedOrganisations(
            slugs=[self._slug_of[docnum] for _, docnum in best],
            scores={self._slug_of[docnum]: score for score, docnum in best},
            matching=ranked.estimated_length(),
            more=len(ranked.top_n) > count,
        )


def slugs_by_docnum(searcher: Searcher) -> Mapping[int, str]:
    """docnum → slug, from the column Whoosh keeps for it (no stored fields read)."""
    reader = searcher.reader()
    if reader.doc_count_all() == 0:
        return {}
    return reader.column_reader("slug")


def constant_scored(query: Query, searcher: Searcher) -> Query:
    """The organisations query, scored where scores tell organisations apart.

    Prefixes and wildcards score every term they expand to, and a word used by most
    organisations ("mantelzorg", "werk") adds next to nothing to a BM25 score: both only have
    to say which organisations match, so they get a constant score, which costs far less.
    """
    reader = searcher.reader()
    common = COMMON_SHARE * max(searcher.doc_count(), 1)
    everyone = reader.doc_count_all()

    def used_by_all(node: Query) -> bool:
        term = node.child if isinstance(node, ConstantScoreQuery) else node
        return (
            isinstance(term, Term) and reader.doc_frequency(term.fieldname, term.text) >= everyone
        )

    def constant(node: Query) -> Query:
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
            node = all_of(kept or node.subqueries[:1])
        if (
            isinstance(node, And)
            and node.subqueries
            and all(isinstance(sub, ConstantScoreQuery) for sub in node.subqueries)
        ):
            return ConstantScoreQuery(And([sub.child for sub in node.subqueries]))
        return node

    return query.accept(constant)


def all_of(queries: list[Query]) -> Query:
    """An AND of the queries; the query itself when there is one."""
    return And(queries) if len(queries) > 1 else queries[0]


def any_of(queries: list[Query]) -> Query:
    """An OR of the queries; the query itself when there is one."""
    return Or(queries) if len(queries) > 1 else queries[0]


def _scored_and_filter(query: Query) -> tuple[Query, Query | None]:
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
    return all_of(scored), all_of(constant)


_word_docs = threading.local()  # a word → the organisations using it, for one searcher


def _candidate_filter(
    searcher: Searcher, matched_only: Query | None, allow: Query | None
) -> Query | DocIdSet | None:
    """The organisations the scored part may rank: those with the matched-only words (and
    allowed by the filters). Turning a word most organisations use into a set walks all its
    postings, so the set is kept for as long as the searcher is: a bit per organisation."""
    if matched_only is None:
        return allow
    if getattr(_word_docs, "searcher", None) is not searcher:
        _word_docs.searcher, _word_docs.sets = searcher, {}
    words = matched_only.subqueries if isinstance(matched_only, And) else [matched_only]
    docs: DocIdSet | None = None
    for word in words:
        key = repr(word)
        if key not in _word_docs.sets:
            _word_docs.sets[key] = BitSet(searcher.docs_for_query(word))
        found = _word_docs.sets[key]
        docs = found if docs is None else docs.intersection(found)
    if docs is not None and allow is not None:
        docs = docs.intersection(BitSet(searcher.docs_for_query(allow)))
    return docs
