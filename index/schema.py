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

import hashlib
import json

from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, FieldType, Schema

from wmkb.harvester.record import FIELDS
from wmkb.index.analysis import compound_analyzer, dutch_analyzer


def practice_schema() -> Schema:
    analyzer = dutch_analyzer()
    return Schema(
        practice_id=ID(unique=True, stored=True),  # "<slug>/<section>/<position>"
        slug=ID(stored=True, sortable=True),
        **declared_fields(in_practices=True),
        section=ID(stored=True),
        position=STORED,
        regulations=KEYWORD(stored=True, commas=True, lowercase=True),  # the organisation's
        # The regulations this practice itself names, in any of the Dutch phrasings the
        # vocabulary knows: "hybride werken" is found by "thuiswerken".
        practice_regulations=KEYWORD(commas=True, lowercase=True),
        # The organisation's own words (the fields indexed as "words": its name, type and
        # province), searchable beside the practice.
        org=TEXT(analyzer=analyzer),
        text=TEXT(analyzer=analyzer, stored=True),
        parts=TEXT(analyzer=compound_analyzer(), multitoken_query="and", phrase=False),
    )


def organisation_schema() -> Schema:
    return Schema(
        slug=ID(unique=True, stored=True, sortable=True),
        **declared_fields(in_practices=False),
        sections=KEYWORD(commas=True),
        regulations=KEYWORD(stored=True, commas=True, lowercase=True),
        practice_regulations=KEYWORD(commas=True, lowercase=True),
        # Its own words (the fields indexed as "words") and every practice, in one field: one
        # posting list per query word. `spelling` keeps the words as written, for "did you mean".
        words=TEXT(analyzer=dutch_analyzer(), spelling=True),
        parts=TEXT(analyzer=compound_analyzer(), multitoken_query="and", phrase=False),
    )


def declared_fields(*, in_practices: bool) -> dict[str, FieldType]:
    """The index fields of the record's fields, as harvester/record.py declares them indexed.
    A practice carries its organisation's terms and numbers, and what a hit shows; the
    organisation's document only what ranks and filters organisations. In the practices the
    terms and the years are sortable: results are grouped and faceted by them."""
    fields: dict[str, FieldType] = {}
    for field in FIELDS:
        for manner in field.indexed:
            if manner == "term":
                fields[field.index_as] = ID(stored=True, sortable=in_practices)
            elif manner == "number":
                fields[field.index_as] = NUMERIC(int, stored=True)
            elif manner == "year":
                fields[field.index_as] = NUMERIC(int, stored=True, sortable=in_practices)
            elif manner == "stored" and in_practices:
                fields[field.index_as] = STORED()
    return fields


def fingerprint(*schemas: Schema) -> str:
    """What tells one schema from another: each field's name, type, options and analysis
    steps. The index's state file records it, so that an index of another schema is rebuilt
    rather than updated (Whoosh refuses a document with a field its index lacks)."""
    described = [
        [(name, _described(field)) for name, field in sorted(schema.items())] for schema in schemas
    ]
    return hashlib.sha256(json.dumps(described).encode()).hexdigest()[:16]


def _described(field: FieldType) -> list:
    analyzer = getattr(field, "analyzer", None)
    steps = getattr(analyzer, "items", [analyzer] if analyzer is not None else [])
    column = getattr(field, "column_type", None)
    return [
        type(field).__name__,
        bool(field.stored),
        bool(getattr(field, "unique", False)),
        bool(getattr(field, "scorable", False)),
        type(column).__name__ if column is not None else None,
        type(getattr(field, "format", None)).__name__,
        bool(getattr(field, "spelling", False)),
        str(getattr(field, "multitoken_query", "")),
        [type(step).__name__ for step in steps],
    ]
