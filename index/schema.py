"""The Whoosh schemas, two indexes in one directory.

`practices`: one document per good practice (a section item), carrying its organisation's own
fields, so that a hit shows the practice itself and a query can ask for words in the practice
or in the organisation ("thuiswerken gemeente").

`organisations`: one document per organisation, all its practices and its own words in one
field. A query first ranks organisations here (twenty times fewer postings to score than over
practices: Whoosh scores every matching posting in Python, so the number of postings is the
cost), then finds the practices within the best organisations in `practices`.
"""

from __future__ import annotations

from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from wmkb.index.analysis import compound_analyzer, dutch_analyzer


def practice_schema() -> Schema:
    analyzer = dutch_analyzer()
    return Schema(
        practice_id=ID(unique=True, stored=True),  # "<slug>/<section>/<position>"
        slug=ID(stored=True, sortable=True),
        name=STORED,
        url=STORED,
        org_type=ID(stored=True, sortable=True),
        province=ID(stored=True, sortable=True),  # a province slug: "noord-holland", "fryslan"
        section=ID(stored=True),
        position=STORED,
        regulations=KEYWORD(stored=True, commas=True, lowercase=True),  # the organisation's
        # The regulations this practice itself names, in any of the Dutch phrasings the
        # vocabulary knows: "hybride werken" is found by "thuiswerken".
        practice_regulations=KEYWORD(commas=True, lowercase=True),
        recognised=NUMERIC(int, stored=True, sortable=True),  # the year
        employees=NUMERIC(int, stored=True),
        inhabitants=NUMERIC(int, stored=True),
        # The organisation's own words: its name and its type, searchable beside the practice.
        org=TEXT(analyzer=analyzer),
        text=TEXT(analyzer=analyzer, stored=True),
        parts=TEXT(analyzer=compound_analyzer(), multitoken_query="and", phrase=False),
    )


def organisation_schema() -> Schema:
    return Schema(
        slug=ID(unique=True, stored=True, sortable=True),
        org_type=ID(stored=True),
        province=ID(stored=True),
        sections=KEYWORD(commas=True),
        regulations=KEYWORD(stored=True, commas=True, lowercase=True),
        practice_regulations=KEYWORD(commas=True, lowercase=True),
        recognised=NUMERIC(int, stored=True),
        employees=NUMERIC(int, stored=True),
        inhabitants=NUMERIC(int, stored=True),
        # Its name, type and province and every practice, in one field: one posting list per
        # query word. `spelling` keeps the words as written, for "did you mean".
        words=TEXT(analyzer=dutch_analyzer(), spelling=True),
        parts=TEXT(analyzer=compound_analyzer(), multitoken_query="and", phrase=False),
    )
