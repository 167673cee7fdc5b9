"""Build and update the index from the database; the only module that writes the index.

The index directory holds a small state file with the knowledge base version it reflects.
`update` adds what changed since then (organisations whose version is newer), so a refresh costs
index work only for what it changed; `rebuild` writes a new index beside the old one and swaps
it in, so a reader never sees a half-built index and a kill leaves the old one whole.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, selectinload
from whoosh import index as whoosh_index
from whoosh.writing import AsyncWriter

from harvester.errors import IndexError_
from harvester.models import Organisation
from harvester.store import knowledge_base_version
from index.schema import practice_schema

STATE_FILE = "wmkb-index.json"
INDEX_NAME = "practices"


def index_version(index_dir: Path) -> int | None:
    """The knowledge base version the index reflects; None when there is no index."""
    try:
        return int(json.loads((index_dir / STATE_FILE).read_text())["version"])
    except (OSError, ValueError, KeyError):
        return None


def rebuild(engine: Engine, index_dir: Path) -> int:
    """Write the whole index anew from the database; returns the number of practices."""
    staging = index_dir.with_name(index_dir.name + ".building")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    ix = whoosh_index.create_in(staging, practice_schema(), indexname=INDEX_NAME)
    count = 0
    with Session(engine) as session:
        version = knowledge_base_version(session)
        writer = ix.writer(limitmb=256)
        for organisation in _organisations(session):
            for document in documents(organisation):
                writer.add_document(**document)
                count += 1
        writer.commit()
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

    Without an index, or with one of another schema, this is a rebuild.
    """
    since = index_version(index_dir)
    if since is None or not whoosh_index.exists_in(index_dir, indexname=INDEX_NAME):
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
        changed = list(_organisations(session, newer_than=since))
        ix = whoosh_index.open_dir(index_dir, indexname=INDEX_NAME)
        writer = AsyncWriter(ix)
        for organisation in changed:
            writer.delete_by_term("slug", organisation.slug)
            for document in documents(organisation):
                writer.add_document(**document)
        writer.commit()
    _write_state(index_dir, version)
    return len(changed)


def open_index(index_dir: Path):
    """The index for reading. Raises IndexError_ with the command that makes one."""
    if not whoosh_index.exists_in(index_dir, indexname=INDEX_NAME):
        raise IndexError_(f"no index at {index_dir}; run `wmkb reindex`")
    return whoosh_index.open_dir(index_dir, indexname=INDEX_NAME)


def documents(organisation: Organisation) -> Iterator[dict]:
    """The index documents of one organisation: one per practice; none once withdrawn."""
    if organisation.status != "active":
        return
    regulations = ",".join(regulation.code for regulation in organisation.regulations)
    org_words = f"{organisation.name} {organisation.org_type}"
    for practice in organisation.practices:
        yield {
            "practice_id": f"{organisation.slug}/{practice.section}/{practice.position}",
            "slug": organisation.slug,
            "name": organisation.name,
            "url": organisation.url,
            "org_type": organisation.org_type,
            "section": practice.section,
            "position": practice.position,
            "regulations": regulations,
            "org": org_words,
            "text": practice.text,
        }


def _organisations(session: Session, newer_than: int | None = None) -> Iterator[Organisation]:
    query = select(Organisation).options(
        selectinload(Organisation.practices), selectinload(Organisation.regulations)
    )
    if newer_than is not None:
        query = query.where(Organisation.version > newer_than)
    yield from session.scalars(query.order_by(Organisation.id)).unique()


def _write_state(index_dir: Path, version: int) -> None:
    state = index_dir / STATE_FILE
    temporary = state.with_suffix(".tmp")
    temporary.write_text(json.dumps({"version": version}))
    temporary.replace(state)


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
            for organisation in _organisations(session)
            for document in documents(organisation)
        }
