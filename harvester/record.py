"""What a page becomes: a profile of a recognised organisation, or some other page.

A profile's fields are declared once, here: each attribute of `Profile` says its kind and what
wmkb does with it (stored, shown, exported, indexed, read from a key fact, compared with the
gold records), and the rest of wmkb derives from `FIELDS`: the record's JSON, the columns
store.py copies and compares, `wmkb show`'s lines, the web page's key facts, the export's
columns, the index's fields, the gold test. What is said in words lives in data files keyed by
the field's name: its Dutch label (web/data/nl.toml [fields]), its meaning
(harvester/data/tables.toml [columns]), the phrasings that state it (harvester/data/facts.toml).
The database's columns stay written out in harvester/models.py, their history in the
migrations; a test holds the model and this declaration alike.

    >>> [field.name for field in FIELDS if field.gold][:3]
    ['name', 'org_type', 'recognised_since']
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

# A field's kind: its value's type, and how it is written, stored and shown.
SCALAR_KINDS = (
    "string",  # a short text, one line
    "text",  # prose, paragraphs apart
    "url",  # an address: a link on the web page
    "date",  # an ISO date in JSON and the exports
    "integer",
)
LIST_KINDS = (
    "sections",  # section key → its items, in rows of their own (practices)
    "codes",  # sorted codes, in rows of their own (organisation_regulations)
)

# How index/schema.py indexes a field.
INDEX_MANNERS = (
    "words",  # among the organisation's own words (name, type, province): Dutch full text
    "term",  # an exact term, folded (a province slug), to filter and count by
    "number",  # a whole number, to filter by a range
    "year",  # a date's year, as a number
    "stored",  # kept with each practice, shown with a hit; not searched
)


@dataclass(frozen=True)
class Field:
    """One field of a profile as `Profile` declares it."""

    name: str
    kind: str  # one of SCALAR_KINDS or LIST_KINDS
    stored: bool  # a column of organisations (list kinds: rows of their own tables)
    shown: bool  # a line of `wmkb show` and a key fact on the web page's organisation
    exported: bool  # a column of the organisations export and its data package
    indexed: tuple[str, ...]  # INDEX_MANNERS
    index_as: str  # the index field's name
    stated: bool  # read from a key fact ("Label: value", labels in harvester/data/facts.toml)
    gold: bool  # compared with the gold records (tests/test_gold.py, benchmarks/reading.py)

    @property
    def scalar(self) -> bool:
        return self.kind in SCALAR_KINDS


def declared(
    kind: str,
    *,
    stored: bool = True,
    shown: bool = False,
    exported: bool = False,
    indexed: tuple[str, ...] = (),
    index_as: str | None = None,
    stated: bool = False,
    gold: bool = False,
    optional: bool = False,
) -> Any:
    """A `Profile` attribute and its declaration; `optional` ones default to None."""
    if kind not in SCALAR_KINDS + LIST_KINDS:
        raise ValueError(f"a field's kind is one of {SCALAR_KINDS + LIST_KINDS}, not {kind!r}")
    unknown = set(indexed) - set(INDEX_MANNERS)
    if unknown:
        raise ValueError(f"a field is indexed in the manners {INDEX_MANNERS}, not {unknown}")
    if not stored and (shown or exported or indexed):
        # show, the web page, the exports and the index read the stored organisation
        raise ValueError("a field that is shown, exported or indexed must be stored")
    how = {
        "kind": kind,
        "stored": stored,
        "shown": shown,
        "exported": exported,
        "indexed": indexed,
        "index_as": index_as,
        "stated": stated,
        "gold": gold,
    }
    if optional:
        return dataclasses.field(default=None, metadata=how)
    return dataclasses.field(metadata=how)


@dataclass(frozen=True, kw_only=True)
class Profile:
    # An attribute no code names, read and written through FIELDS alone, is marked noqa with
    # vulture's code V107 (unused variable): the dead-code lint cannot see it used.

    # Its name for people and URLs, fixed when the organisation is first stored.
    slug: str = declared("string", exported=True)
    name: str = declared("string", exported=True, indexed=("words", "stored"), gold=True)
    org_type: str = declared(
        "string", shown=True, exported=True, indexed=("words", "term"), gold=True
    )
    # From CBS for a municipality, else as the introduction says.
    province: str | None = declared(
        "string", shown=True, exported=True, indexed=("words", "term"), optional=True
    )
    # The CBS municipality a gemeente is linked to.
    cbs_code: str | None = declared("string", exported=True, optional=True)
    recognised_since: date | None = declared(
        "date",
        shown=True,
        exported=True,
        indexed=("year",),
        index_as="recognised",
        stated=True,
        gold=True,
    )
    ambassador_since: date | None = declared(  # noqa: V107
        "date", shown=True, exported=True, stated=True, gold=True
    )
    employees: int | None = declared(
        "integer", shown=True, exported=True, indexed=("number",), gold=True
    )
    # As the page states them; CBS's figure wins wherever they are shown (inhabitants_of).
    inhabitants: int | None = declared(
        "integer", shown=True, exported=True, indexed=("number",), gold=True
    )
    website: str | None = declared("url", shown=True, exported=True, gold=True)
    # The page's canonical URL: the organisation's key in the database.
    url: str = declared("url", shown=True, exported=True, indexed=("stored",))
    description: str | None = declared("text", exported=True, gold=True)
    # The practices export; each regulation a column of the organisations export.
    sections: dict[str, tuple[str, ...]] = declared("sections", exported=True, gold=True)
    regulations: tuple[str, ...] = declared("codes", exported=True, gold=True)

    kind = "profile"

    def as_json(self) -> dict:
        return {"kind": self.kind, **{field.name: _json(self, field) for field in FIELDS}}

    def content_hash(self) -> str:
        """Decides whether a stored organisation changed: same hash, nothing to store or index."""
        canonical = json.dumps(self.as_json(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()


def _declaration(attribute: dataclasses.Field) -> Field:
    how = dict(attribute.metadata)
    how["index_as"] = how["index_as"] or attribute.name
    return Field(name=attribute.name, **how)


FIELDS: tuple[Field, ...] = tuple(map(_declaration, dataclasses.fields(Profile)))
FIELD_BY_NAME = {field.name: field for field in FIELDS}


@dataclass(frozen=True)
class OtherPage:
    url: str
    title: str

    kind = "other"

    def as_json(self) -> dict:
        return {"kind": self.kind, "url": self.url, "title": self.title}


Record = Profile | OtherPage


def json_value(value: object, kind: str) -> object:
    """A field's value as JSON and the exports write it: dates as ISO text, lists as lists."""
    if value is None:
        return None
    if kind == "date":
        return value.isoformat()
    if kind == "sections":
        return {key: list(items) for key, items in value.items()}
    if kind == "codes":
        return list(value)
    return value


def _json(profile: Profile, field: Field) -> object:
    return json_value(getattr(profile, field.name), field.kind)
