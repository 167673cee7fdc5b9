"""Build and update the index from the database; the only module that writes the index.

The index directory holds two Whoosh indexes (practices and organisations, see schema.py), the
facts of every organisation for facet counts, and a small state file with the knowledge base
version it reflects and the fingerprint of the schemas it was built with (schema.py).
`update` adds what changed since then (organisations whose version is newer), so a refresh costs
index work only for what it changed; `rebuild` writes a new index beside the old one and swaps
it in, so a reader never sees a half-built index and a kill leaves the old one whole.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from whoosh import index as whoosh_index
from whoosh.fields import Schema
from whoosh.writing import AsyncWriter

from wmkb.harvester.lock import refresh_lock
from wmkb.harvester.lookup import every_organisation
from wmkb.harvester.models import Organisation
from wmkb.harvester.municipalities import inhabitants_of
from wmkb.harvester.normalise import regulations
from wmkb.harvester.record import FIELDS, Field
from wmkb.harvester.store import knowledge_base_version
from wmkb.index.directory import (
    FACTS_FILE,
    INDEX_NAME,
    ORGANISATIONS_INDEX,
    STATE_FILE,
    index_version,
    open_index,
    organisations_facts,
    province_slug,
)
from wmkb.index.schema import fingerprint, organisation_schema, practice_schema

WRITER_MB = 48  # per index writer: Whoosh flushes a segment to disk when its pool is this full
REBUILD_SHARE = 0.3  # when more organisations than this changed, a rebuild is quicker


def rebuild(engine: Engine, index_dir: Path) -> int:
    """Write the whole index anew from the database; returns the number of practices.

    Holds the knowledge base's lock (harvester/lock.py): one writer of the index at a time, and
    none while a refresh writes. Raises LockedError at once when another process holds it."""
    with refresh_lock(engine):
        return _rebuild(engine, index_dir)


def _rebuild(engine: Engine, index_dir: Path) -> int:
    staging = index_dir.with_name(index_dir.name + ".building")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    practice_fields, organisation_fields = _schemas()
    practices = whoosh_index.create_in(staging, practice_fields, indexname=INDEX_NAME)
    organisations = whoosh_index.create_in(
        staging, organisation_fields, indexname=ORGANISATIONS_INDEX
    )
    count = 0
    facts: dict[str, dict] = {}
    with Session(engine) as session:
        version = knowledge_base_version(session)
        # Whoosh's pools stay within these; memory must not grow with the knowledge base.
        practice_writer = practices.writer(limitmb=WRITER_MB)
        organisation_writer = organisations.writer(limitmb=WRITER_MB)
        for organisation in every_organisation(session):
            count += _add(organisation, practice_writer, organisation_writer, facts)
        practice_writer.commit()
        organisation_writer.commit()
    _write_json(staging / FACTS_FILE, facts)
    _write_state(staging, version)
    old = index_dir.with_name(index_dir.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if index_dir.exists():
        index_dir.rename(old)
    staging.rename(index_dir)
    shutil.rmtree(old, ignore_errors=True)
    return count


def update(engine: Engine, index_dir: Path) -> int:
    """Bring the index up to the database's state; returns the organisations re-indexed.

    Without an index, or with one of another schema, this is a rebuild. Holds the knowledge
    base's lock, as `rebuild` does.
    """
    with refresh_lock(engine):
        return _update(engine, index_dir)


def _update(engine: Engine, index_dir: Path) -> int:
    since = index_version(index_dir)
    if (
        since is None
        or _state(index_dir).get("schema") != fingerprint(*_schemas())
        or not all(
            whoosh_index.exists_in(index_dir, indexname=name)
            for name in (INDEX_NAME, ORGANISATIONS_INDEX)
        )
    ):
        rebuild(engine, index_dir)
        with Session(engine) as session:
            return len(list(session.scalars(select(Organisation.id))))
    with Session(engine) as session:
        version = knowledge_base_version(session)
        if version == since:
            return 0
        if version < since:  # the database is older than the index: it was replaced
            rebuild(engine, index_dir)
            return -1
        changed = session.scalar(
            select(func.count()).select_from(Organisation).where(Organisation.version > since)
        )
        total = session.scalar(select(func.count()).select_from(Organisation))
        if changed > REBUILD_SHARE * total:
            rebuild(engine, index_dir)
            return changed
        practice_writer = AsyncWriter(whoosh_index.open_dir(index_dir, indexname=INDEX_NAME))
        organisation_writer = AsyncWriter(
            whoosh_index.open_dir(index_dir, indexname=ORGANISATIONS_INDEX)
        )
        facts = organisations_facts(index_dir)
        for organisation in every_organisation(session, newer_than=since):
            practice_writer.delete_by_term("slug", organisation.slug)
            organisation_writer.delete_by_term("slug", organisation.slug)
            facts.pop(organisation.slug, None)
            _add(organisation, practice_writer, organisation_writer, facts)
        practice_writer.commit()
        organisation_writer.commit()
    _write_json(index_dir / FACTS_FILE, facts)
    _write_state(index_dir, version)
    return changed


def _add(organisation: Organisation, practice_writer, organisation_writer, facts: dict) -> int:
    """Index one organisation (nothing once withdrawn); returns its number of practices."""
    if organisation.status != "active":
        return 0
    facts[organisation.slug] = organisation_facts(organisation)
    practice_documents = list(documents(organisation))
    for document in practice_documents:
        practice_writer.add_document(**document)
    organisation_writer.add_document(
        **organisation_document(organisation, facts[organisation.slug], practice_documents)
    )
    return len(practice_documents)


def documents(organisation: Organisation) -> Iterator[dict]:
    """The index documents of one organisation: one per practice; none once withdrawn."""
    if organisation.status != "active":
        return
    facts = organisation_facts(organisation)
    carried = {
        **{field.index_as: getattr(organisation, field.name) for field in _KEPT_WITH_HITS},
        **_present(facts),
    }
    org_words = _own_words(organisation)
    for practice in organisation.practices:
        yield {
            "practice_id": f"{organisation.slug}/{practice.section}/{practice.position}",
            "slug": organisation.slug,
            **carried,
            "section": practice.section,
            "position": practice.position,
            "regulations": ",".join(facts["regulations"]),
            "practice_regulations": ",".join(regulations([practice.text])),
            "org": org_words,
            "text": practice.text,
            "parts": practice.text,
        }


def organisation_document(
    organisation: Organisation, facts: dict, practice_documents: list[dict]
) -> dict:
    """The organisation as one document: its own words and all its practices."""
    codes = sorted(
        {
            code
            for document in practice_documents
            for code in document["practice_regulations"].split(",")
            if code
        }
    )
    text = "\n".join(document["text"] for document in practice_documents)
    return {
        "slug": organisation.slug,
        **_present(facts),
        "sections": ",".join(sorted({document["section"] for document in practice_documents})),
        "regulations": ",".join(facts["regulations"]),
        "practice_regulations": ",".join(codes),
        "words": f"{_own_words(organisation)}\n{text}",
        "parts": text,
    }


def organisation_facts(organisation: Organisation) -> dict:
    """What filters, facets and similarity need of an organisation, in index form: its name,
    its regulations, and the fields harvester/record.py declares indexed as terms, numbers or
    years."""
    return {
        "name": organisation.name,
        "regulations": [regulation.code for regulation in organisation.regulations],
        **{field.index_as: _index_value(organisation, field) for field in _FACT_FIELDS},
    }


# The record's fields as the index holds them (index/schema.py makes their index fields).
_FACT_FIELDS = tuple(
    field for field in FIELDS if {"term", "number", "year"} & set(field.indexed)
)
_KEPT_WITH_HITS = tuple(field for field in FIELDS if "stored" in field.indexed)
_WORD_FIELDS = tuple(field for field in FIELDS if "words" in field.indexed)


def _index_value(organisation: Organisation, field: Field) -> object:
    if field.name == "inhabitants":  # the figure shown: CBS's for a linked municipality
        return inhabitants_of(organisation.cbs_code, organisation.inhabitants).count
    value = getattr(organisation, field.name)
    if value is None:
        return None
    if "year" in field.indexed:
        return value.year
    if "term" in field.indexed:
        return province_slug(value)  # folded as a province's name is: "Fryslân" → "fryslan"
    return value


def _present(facts: dict) -> dict:
    """The facts a document holds: a field without a value is left out, not indexed empty."""
    return {
        field.index_as: facts[field.index_as]
        for field in _FACT_FIELDS
        if facts[field.index_as] is not None
    }


def _own_words(organisation: Organisation) -> str:
    """The organisation's own words: its name, its type, its province (the "words" fields)."""
    values = (getattr(organisation, field.name) for field in _WORD_FIELDS)
    return " ".join(str(value) for value in values if value)


def _schemas() -> tuple[Schema, Schema]:
    """The practices' and the organisations' schemas, as this program makes them."""
    return practice_schema(), organisation_schema()


def _state(index_dir: Path) -> dict:
    try:
        return json.loads((index_dir / STATE_FILE).read_text())
    except (OSError, ValueError):
        return {}


def _write_state(index_dir: Path, version: int) -> None:
    # `written` tells readers that keep the index open that it changed, even when a rebuild
    # leaves the version as it was. `schema` is the fingerprint of the schemas it was built
    # with: an update finding another rebuilds.
    state = {"version": version, "written": time.time_ns(), "schema": fingerprint(*_schemas())}
    _write_json(index_dir / STATE_FILE, state)


def _write_json(path: Path, value) -> None:
    # Written beside and renamed, so a reader never sees half a file and a kill leaves the old.
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
    temporary.replace(path)


def indexed_practice_ids(index_dir: Path) -> set[str]:
    """Every practice id in the index: what a consistency check compares with the database."""
    ix = open_index(index_dir)
    with ix.searcher() as searcher:
        return {fields["practice_id"] for fields in searcher.all_stored_fields()}


def database_practice_ids(engine: Engine) -> set[str]:
    """Every practice id the index should hold: those of the active organisations."""
    with Session(engine) as session:
        return {
            document["practice_id"]
            for organisation in every_organisation(session)
            for document in documents(organisation)
        }
