"""Facets: per type, regulation, province and recognition year, how many of the organisations
that match have that value. They count organisations, never practices: each organisation
found counts once for every value it has, read from the facts the index keeps of it
(directory.py).

    counts, matching = facet_counts(index_dir, searcher, query, allow=None)
    counts["province"]  # {"Drenthe": 3}
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from whoosh.query import Query
from whoosh.searching import Searcher

from wmkb.harvester.municipalities import PROVINCES
from wmkb.index.directory import organisations_facts, province_slug
from wmkb.index.ranking import slugs_by_docnum

FACETS = ("org_type", "regulations", "province", "recognised")
_PROVINCE_NAMES = {province_slug(province): province for province in PROVINCES}


def facet_counts(
    index_dir: Path, searcher: Searcher, query: Query, allow: Query | None
) -> tuple[dict[str, dict[str, int]], int]:
    """Per facet, how many of the organisations matching `query` and allowed by `allow` have
    each value, the most common first; and how many match. `searcher` is on the organisations
    index."""
    facts = organisations_facts(index_dir)
    slugs = slugs_by_docnum(searcher)
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
