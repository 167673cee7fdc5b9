"""Searching the practices: every query word must match, in the practice or in its
organisation's own fields; hits come with the matched words marked.

Marked words are wrapped in MARK_START / MARK_END (control characters that never occur in page
text), so each front end renders them its own way: bold on a terminal, <mark> on a web page.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from whoosh import highlight
from whoosh.qparser import AndGroup, MultifieldParser
from whoosh.qparser.common import QueryParserError
from whoosh.query import And, Term

from harvester.errors import QueryError
from index.build import open_index

MARK_START, MARK_END = "\x02", "\x03"
MAX_QUERY_LENGTH = 500  # characters; longer queries are refused, not truncated


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
) -> list[Hit]:
    """The best `limit` practices for `query`. Raises QueryError for a query that says nothing."""
    query = query.strip()
    if not query:
        raise QueryError("empty query; try `wmkb search thuiswerken`")
    if len(query) > MAX_QUERY_LENGTH:
        raise QueryError(f"query longer than {MAX_QUERY_LENGTH} characters")
    ix = open_index(index_dir)
    parser = MultifieldParser(["text", "org"], ix.schema, group=AndGroup)
    try:
        parsed = parser.parse(query)
    except QueryParserError as error:
        raise QueryError(f"cannot read the query {query!r}: {error}") from error
    filters = []
    if org_type:
        filters.append(Term("org_type", org_type))
    if regulation:
        filters.append(Term("regulations", regulation.lower()))
    with ix.searcher() as searcher:
        results = searcher.search(
            parsed, limit=limit, filter=And(filters) if filters else None, terms=True
        )
        results.fragmenter = highlight.WholeFragmenter()
        results.formatter = _MarkFormatter()
        return [_hit(result) for result in results]


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


def render_marks(marked: str, start: str, end: str) -> str:
    """Replace the marks with the front end's own: ("\\x1b[1m", "\\x1b[0m") or ("<mark>", ...)."""
    return marked.replace(MARK_START, start).replace(MARK_END, end)
