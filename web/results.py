"""One page of search results from the search page's state: the hits or the organisations, the
facet counts as links that filter, "did you mean", and the numbers paging needs.

    page = search_page(Path(".demo/index"), SearchState(q="thuiswerken", soort="gemeente"))
    page.organisations, page.has_more, [facet.label for facet in page.facets]
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from wmkb.index.query import Hit, SearchResult, search
from wmkb.web import labels
from wmkb.web.params import FACET_PARAMETERS, MAX_CSV_ROWS, SearchState


@dataclass(frozen=True)
class FacetValue:
    label: str
    count: int  # organisations among the results that have this value
    url: str  # the search with this value as a filter (or, when it is the filter, without it)
    chosen: bool


@dataclass(frozen=True)
class Facet:
    label: str
    values: list[FacetValue]


@dataclass
class SearchPage:
    state: SearchState
    found: SearchResult
    hits: list[Hit] = field(default_factory=list)  # the practices view
    rows: list[dict] = field(default_factory=list)  # the one-row-per-organisation view
    # The practices view: after the hits, organisations whose words are in different practices.
    across: list[dict] = field(default_factory=list)
    organisations: int = 0  # organisations that match, in all
    pages: int | None = None  # known when paging by organisation; practices page by "more"
    has_more: bool = False  # a next page
    suggestion: str | None = None
    facets: list[Facet] = field(default_factory=list)

    @property
    def first(self) -> int:
        """The number of the page's first row."""
        return (self.state.pagina - 1) * self.state.per + 1


def search_page(index_dir: Path, state: SearchState) -> SearchPage:
    """Raises QueryError for a query the index cannot read, SearchIndexError without an index."""
    offset = (state.pagina - 1) * state.per
    found = _search(index_dir, state, limit=state.per, offset=offset)
    page = SearchPage(state, found, organisations=found.organisations)
    if state.by_organisation:
        page.rows = found.by_organisation()
        page.pages = math.ceil(found.organisations / state.per)
        page.has_more = state.pagina < page.pages
    else:
        page.hits = found.hits
        page.across = found.across
        page.has_more = found.has_more
    page.suggestion = _suggestion(index_dir, state, found)
    page.facets = _facets(state, found.facets)
    return page


def csv_rows(index_dir: Path, state: SearchState) -> Iterator[dict]:
    """The search's results from the first, up to MAX_CSV_ROWS, as the CSV download's rows."""
    found = _search(index_dir, state, limit=MAX_CSV_ROWS)
    if not state.by_organisation:
        yield from (hit.as_json() for hit in found.hits)
        yield from (hit.as_json() for row in found.across for hit in row["practices"])
        return
    for row in found.by_organisation():
        yield {
            "name": row["name"],
            "slug": row["slug"],
            "org_type": row["org_type"],
            "url": row["url"],
            "score": round(row["score"], 4),
            "across_practices": row["across_practices"],
            "practices": " | ".join(
                f"{labels.section(hit.section)}: {hit.text}" for hit in row["practices"]
            ),
        }


CSV_COLUMNS = {
    "praktijken": [
        *("name", "slug", "org_type", "section", "text", "score", "across_practices", "url")
    ],
    "organisaties": ["name", "slug", "org_type", "score", "across_practices", "practices", "url"],
}


def _search(index_dir: Path, state: SearchState, *, limit: int, offset: int = 0) -> SearchResult:
    return search(
        index_dir,
        state.search_query(),
        org_type=state.soort,
        regulation=state.regeling,
        limit=limit,
        offset=offset,
        facets=True,
        by_organisation=state.by_organisation,
    )


def _suggestion(index_dir: Path, state: SearchState, found: SearchResult) -> str | None:
    """ "Did you mean" for the words the person typed. The index corrects the whole query it
    was given, filters included (it might "correct" Brabant in province:Noord-Brabant), so a
    search with filters in its query asks again with the words alone; corrections are made
    word by word, so without any in the whole query there are none in the words."""
    if found.suggestion is None or state.search_query() == state.q:
        return found.suggestion
    return search(index_dir, state.q, limit=1).suggestion


def _facets(state: SearchState, counts: dict[str, dict[str, int]]) -> list[Facet]:
    facets = []
    for facet, parameter in FACET_PARAMETERS.items():
        values = counts.get(facet, {})
        if facet == "recognised":  # years read best in order
            values = dict(sorted(values.items(), reverse=True))
        chosen = state.filters.get(parameter)
        items = []
        for value, count in values.items():
            is_chosen = str(chosen) == value
            items.append(
                FacetValue(
                    label=_facet_label(facet, value),
                    count=count,
                    url=state.url(**{parameter: None if is_chosen else value, "pagina": 1}),
                    chosen=is_chosen,
                )
            )
        if items:
            facets.append(Facet(labels.labels().facets[facet], items))
    return facets


def _facet_label(facet: str, value: str) -> str:
    if facet == "org_type":
        return labels.org_type(value)
    if facet == "regulations":
        return labels.regulation(value)
    return value
