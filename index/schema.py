"""The Whoosh schema: one document per good practice (a section item), carrying its
organisation's own fields, so that a hit shows the practice itself and a query can ask for
words in the practice or in the organisation ("thuiswerken gemeente")."""

from __future__ import annotations

from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

from index.analysis import dutch_analyzer


def practice_schema() -> Schema:
    analyzer = dutch_analyzer()
    return Schema(
        practice_id=ID(unique=True, stored=True),  # "<slug>/<section>/<position>"
        slug=ID(stored=True),
        name=STORED,
        url=STORED,
        org_type=ID(stored=True),
        section=ID(stored=True),
        position=STORED,
        regulations=KEYWORD(stored=True, commas=True, lowercase=True),
        # The organisation's own words: its name and its type, searchable beside the practice.
        org=TEXT(analyzer=analyzer),
        text=TEXT(analyzer=analyzer, stored=True),
    )
