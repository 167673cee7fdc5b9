"""Reading the knowledge base: one organisation with its history, the counts, and every
organisation a batch at a time for the index and the exports."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import Engine, func, or_, select
from sqlalchemy.orm import Session, selectinload

from wmkb.harvester import vocabulary
from wmkb.harvester.doubts import from_text
from wmkb.harvester.errors import NotFoundError, UsageError
from wmkb.harvester.models import (
    Change,
    Doubt,
    Organisation,
    OrganisationRegulation,
    Practice,
    RefreshRun,
)
from wmkb.harvester.municipalities import inhabitants_of
from wmkb.harvester.normalise import slugify
from wmkb.harvester.provenance import provenance, utc_text
from wmkb.harvester.record import FIELDS, json_value

_READ_BATCH = 500  # organisations read from the database at a time
SUGGESTIONS = 5  # names offered when no organisation has the name asked for


def find_organisation(session: Session, name_or_slug: str) -> Organisation:
    """The organisation with this slug or name (any case); UsageError naming near misses."""
    wanted = name_or_slug.strip()
    query = select(Organisation).options(
        selectinload(Organisation.practices),
        selectinload(Organisation.regulations),
        selectinload(Organisation.changes),
    )
    found = session.scalar(
        query.where(
            or_(
                Organisation.slug == wanted.lower(),
                Organisation.slug == slugify(wanted),
                func.lower(Organisation.name) == wanted.lower(),
            )
        )
    )
    if found is not None:
        return found
    near = session.scalars(
        select(Organisation.name)
        .where(func.lower(Organisation.name).contains(wanted.lower()))
        .order_by(Organisation.name)
        .limit(SUGGESTIONS)
    ).all()
    if not near:  # a typing error: the names that read most alike
        names = {name.lower(): name for name in session.scalars(select(Organisation.name))}
        alike = difflib.get_close_matches(wanted.lower(), names, n=SUGGESTIONS, cutoff=0.75)
        near = [names[name] for name in alike]
    raise NotFoundError(wanted, list(near))


def organisation_json(organisation: Organisation) -> dict:
    sections: dict[str, list[str]] = {}
    for practice in organisation.practices:
        sections.setdefault(practice.section, []).append(practice.text)
    return {
        "kind": "profile",
        **{
            field.name: json_value(getattr(organisation, field.name), field.kind)
            for field in FIELDS
            if field.stored and field.scalar
        },
        "status": organisation.status,
        "withdrawn_on": _iso(organisation.withdrawn_on),
        "sections": sections,
        "regulations": [regulation.code for regulation in organisation.regulations],
        "first_seen": _iso(organisation.first_seen),
        "last_seen": _iso(organisation.last_seen),
        "history": [
            {
                "changed_at": _iso(change.changed_at),
                "run_id": change.run_id,
                "source": change.source,
                "field": change.field,
                "old": _list_or_text(change.field, change.old_value),
                "new": _list_or_text(change.field, change.new_value),
            }
            for change in organisation.changes
        ],
    }


def show(engine: Engine, name_or_slug: str) -> dict:
    """One organisation's record and history, and the provenance of its record."""
    with Session(engine) as session:
        organisation = find_organisation(session, name_or_slug)
        return {
            **organisation_json(organisation),
            "provenance": provenance(session, organisation.url),
        }


COMPARE_FACTS = (
    "org_type",
    "province",
    "cbs_code",
    "inhabitants",
    "employees",
    "recognised_since",
    "ambassador_since",
    "status",
    "website",
)
MAX_COMPARED = 5


def compare(engine: Engine, names: list[str]) -> dict:
    """Organisations side by side: key facts, each regulation offered or not, items per section."""
    if not 2 <= len(names) <= MAX_COMPARED:
        raise UsageError(f"compare takes 2 to {MAX_COMPARED} organisations, not {len(names)}")
    with Session(engine) as session:
        records = [organisation_json(find_organisation(session, name)) for name in names]
    for record in records:
        record["inhabitants"] = inhabitants_of(record["cbs_code"], record["inhabitants"]).count
    codes = list(vocabulary.regulations().labels)
    return {
        "organisations": [{"name": r["name"], "slug": r["slug"]} for r in records],
        "facts": {fact: [r[fact] for r in records] for fact in COMPARE_FACTS},
        "regulations": {code: [code in r["regulations"] for r in records] for code in codes},
        "sections": {
            section: [len(r["sections"].get(section, [])) for r in records]
            for section in vocabulary.SECTION_KEYS
        },
    }


def stats(engine: Engine) -> dict:
    with Session(engine) as session:
        count = session.scalar(select(func.count()).select_from(Organisation))
        active = session.scalar(
            select(func.count()).select_from(Organisation).where(Organisation.status == "active")
        )
        by_type = dict(
            session.execute(
                select(Organisation.org_type, func.count()).group_by(Organisation.org_type)
            ).all()
        )
        # Imported captures are runs of their own, dated in the past: not the last refresh.
        last_run = session.scalar(
            select(RefreshRun)
            .where(RefreshRun.status != "imported")
            .order_by(RefreshRun.id.desc())
            .limit(1)
        )
        doubted_run = _last_finished_run(session)
        unmatched = session.scalars(
            select(Organisation.name)
            .where(Organisation.org_type == "gemeente", Organisation.cbs_code.is_(None))
            .order_by(Organisation.name)
        ).all()
        return {
            "organisations": count,
            "active": active,
            "withdrawn": count - active,
            "measures": session.scalar(select(func.count()).select_from(Practice)),
            "regulations": session.scalar(select(func.count()).select_from(OrganisationRegulation)),
            "by_type": dict(sorted(by_type.items())),
            "municipalities_unmatched": len(unmatched),
            "municipalities_unmatched_names": list(unmatched),
            "last_refresh": _run_json(last_run) if last_run else None,
            "doubts": session.scalar(
                select(func.count()).select_from(Doubt).where(Doubt.run_id == doubted_run)
            ),
        }


def doubts(engine: Engine) -> list[dict]:
    """The doubts of the last refresh that finished, by URL: pages it could not read as they
    look, each with its reason in English, and its kind and values read back from it (for a
    front end that words them in its own language). [] before the first refresh."""
    with Session(engine) as session:
        run_id = _last_finished_run(session)
        found = session.scalars(
            select(Doubt).where(Doubt.run_id == run_id).order_by(Doubt.url, Doubt.id)
        )
        return [_doubt_json(d.url, d.reason, d.run_id) for d in found]


def _doubt_json(url: str, reason: str, run_id: int) -> dict:
    doubt = from_text(reason)
    return {
        "url": url,
        "reason": reason,
        "kind": doubt.kind,
        "values": doubt.values,
        "run_id": run_id,
    }


def _last_finished_run(session: Session) -> int | None:
    # A running refresh has recorded no doubts yet: the last finished one's are the list.
    # Imported captures are runs of their own, dated in the past, that read no site.
    return session.scalar(
        select(RefreshRun.id)
        .where(RefreshRun.finished_at.is_not(None), RefreshRun.status != "imported")
        .order_by(RefreshRun.id.desc())
        .limit(1)
    )


def changes(engine: Engine, since: datetime | None = None, limit: int | None = None) -> list[dict]:
    """What refreshes changed, newest first, across all organisations."""
    query = (
        select(Change, Organisation.name, Organisation.slug)
        .join(Organisation, Change.organisation_id == Organisation.id)
        .order_by(Change.changed_at.desc(), Change.id.desc())
    )
    if since is not None:
        query = query.where(Change.changed_at >= since)
    if limit is not None:
        query = query.limit(limit)
    with Session(engine) as session:
        return [
            {
                "changed_at": _iso(change.changed_at),
                "name": name,
                "slug": slug,
                "run_id": change.run_id,
                "source": change.source,
                "field": change.field,
                "old": _list_or_text(change.field, change.old_value),
                "new": _list_or_text(change.field, change.new_value),
            }
            for change, name, slug in session.execute(query)
        ]


def _run_json(run: RefreshRun) -> dict:
    return {
        "run_id": run.id,
        "site": run.site,
        "started_at": _iso(run.started_at),
        "finished_at": _iso(run.finished_at),
        "status": run.status,
        "counts": json.loads(run.counts) if run.counts else {},
        "counters": run.counters or {},
    }


def _list_or_text(field: str, value: str | None):
    if value is not None and (field.startswith("sections.") or field == "regulations"):
        return json.loads(value)
    return value


def _iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return utc_text(value)
    return value.isoformat()


def every_organisation(session: Session, newer_than: int | None = None) -> Iterator[Organisation]:
    """Every organisation (with newer_than, those changed since that version) with its
    practices and regulations, read a batch at a time and let go of after, so that memory stays
    flat however many there are.

    In slug order, not in the order a crawl happened to store them: two knowledge bases of the
    same records export alike, and index alike (Whoosh ranks equal scores by document number).
    """
    last_slug = ""
    while True:
        query = (
            select(Organisation)
            .where(Organisation.slug > last_slug)
            .options(selectinload(Organisation.practices), selectinload(Organisation.regulations))
            .order_by(Organisation.slug)
            .limit(_READ_BATCH)
        )
        if newer_than is not None:
            query = query.where(Organisation.version > newer_than)
        batch = session.scalars(query).all()
        if not batch:
            return
        yield from batch
        last_slug = batch[-1].slug
        session.expunge_all()
