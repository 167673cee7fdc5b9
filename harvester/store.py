"""The database: opening it, and writing what a refresh learnt, one organisation per transaction.

SQLite (the default) or PostgreSQL. Opening for a refresh brings the schema to this program's
revision (harvester/migrate.py); opening for reading writes nothing and refuses a database at
another revision. Every transaction sees the database at one moment (SQLite's WAL snapshot,
PostgreSQL's repeatable read), so a reader never sees half of what a refresh writes.

Every write that changes an organisation raises the knowledge base's version and stamps the row
with it; the index records the version it reflects and updates only the rows that are newer.
Nothing is ever deleted: an organisation that disappears from the site is marked withdrawn.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import astuple, fields
from datetime import UTC, date, datetime

from sqlalchemy import Engine, bindparam, create_engine, event, insert, select, update
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session, selectinload

from wmkb.harvester import migrate, settings
from wmkb.harvester.errors import StoreError, UsageError
from wmkb.harvester.identity import Identity, Moves, match_moves
from wmkb.harvester.lock import refresh_lock, sqlite_file
from wmkb.harvester.models import (
    Change,
    KnowledgeBaseState,
    Municipality,
    Organisation,
    OrganisationRegulation,
    Practice,
)
from wmkb.harvester.municipalities import CbsMunicipality, municipalities
from wmkb.harvester.record import FIELDS, Profile

SQLITE_BUSY_TIMEOUT_MS = 30_000  # a reader waits this long for a writer's transaction
# The record's columns a write copies and compares (harvester/record.py declares them). Not the
# URL, the row's key (a move is a change of its own), nor the slug, fixed at the first write.
COPIED_FIELDS = tuple(
    field.name
    for field in FIELDS
    if field.stored and field.scalar and field.name not in ("url", "slug")
)


def open_database(url: str, *, create: bool = False) -> Engine:
    """An engine on the knowledge base at `url`.

    With create=True (a refresh) the database is made if it is empty and upgraded to this
    program's schema revision if it is older. Without it (the read commands) nothing is
    written: a database at another revision is refused, with what to do.

    Raises UsageError for a malformed URL; StoreError for a database that is missing (and not
    to be created), cannot be reached, or is at another revision.

        engine = open_database("postgresql+psycopg://wmkb@db.example.nl/wmkb")
    """
    engine = _engine(url, create=create)
    try:
        with _database_errors(engine, "open"):
            if create:
                _upgrade(engine)
                load_municipalities(engine)
            else:
                _require_head(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine


def upgrade_database(url: str) -> migrate.Upgrade:
    """Bring the knowledge base at `url` to this program's schema revision (an empty one gets
    the whole schema); says from which revision to which.

        >>> done = upgrade_database("sqlite://")  # in memory: an empty knowledge base
        >>> done.before is None and done.after == migrate.head()
        True
    """
    engine = _engine(url, create=True)
    try:
        with _database_errors(engine, "upgrade"):
            done = _upgrade(engine)
            load_municipalities(engine)
    finally:
        engine.dispose()
    return done


def where(url: str | URL) -> str:
    """The knowledge base for people: a SQLite file's path, else the URL without password."""
    url = make_url(url)
    if sqlite_file(url) is not None:
        return url.database
    return url.render_as_string(hide_password=True)


def _engine(url: str, *, create: bool) -> Engine:
    try:
        parsed = make_url(url)
        parsed.port  # noqa: B018 - a port that is not a number fails here, not at connect
    except (ArgumentError, ValueError) as error:
        raise UsageError(
            f"not a database URL: {url!r} "
            "(e.g. sqlite:///kb.sqlite or postgresql+psycopg://user@host/dbname)"
        ) from error
    path = sqlite_file(parsed)
    if path is not None:
        if not path.exists() and not create:
            raise StoreError(f"no knowledge base at {path}; run `wmkb refresh` first")
        path.parent.mkdir(parents=True, exist_ok=True)
    options: dict = {}
    if parsed.get_backend_name() == "postgresql":
        # One snapshot per transaction, as SQLite gives: a reader never mixes two refreshes.
        options["isolation_level"] = "REPEATABLE READ"
        if "connect_timeout" not in parsed.query:
            options["connect_args"] = {"connect_timeout": settings.DB_CONNECT_TIMEOUT_S}
    try:
        engine = create_engine(parsed, **options)
    except ImportError as error:
        if parsed.get_backend_name() != "postgresql":
            shown = parsed.render_as_string(hide_password=True)
            raise UsageError(f"cannot use database URL {shown!r}: {error}") from error
        raise UsageError(
            "PostgreSQL needs its driver, which is not installed: pip install 'wmkb[postgres]'"
        ) from error
    except (ArgumentError, TypeError) as error:
        shown = parsed.render_as_string(hide_password=True)
        raise UsageError(f"cannot use database URL {shown!r}: {error}") from error
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def _upgrade(engine: Engine) -> migrate.Upgrade:
    with engine.connect() as connection:
        before = migrate.revision_of(connection)
    if before is not None and not migrate.is_ours(before):
        raise _newer(engine, before)
    if before == migrate.head():
        return migrate.Upgrade(before, before)
    with refresh_lock(engine):  # not under a running refresh, and one upgrade at a time
        return migrate.upgrade(engine)


def _require_head(engine: Engine) -> None:
    with engine.connect() as connection:
        revision = migrate.revision_of(connection)
    if revision is None:
        raise StoreError(f"no knowledge base at {where(engine.url)}; run `wmkb refresh` first")
    if revision == migrate.head():
        return
    if not migrate.is_ours(revision):
        raise _newer(engine, revision)
    raise StoreError(
        f"the knowledge base at {where(engine.url)} has schema revision {revision}, older than "
        f"this wmkb's {migrate.head()}; run `wmkb db upgrade`"
    )


def _newer(engine: Engine, revision: str) -> StoreError:
    return StoreError(
        f"the knowledge base at {where(engine.url)} has schema revision {revision}, newer than "
        f"this wmkb knows (it knows up to {migrate.head()}); install a newer wmkb"
    )


@contextmanager
def _database_errors(engine: Engine, doing: str) -> Iterator[None]:
    try:
        yield
    except DBAPIError as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        raise StoreError(
            f"cannot {doing} the knowledge base at {where(engine.url)}: {reason}"
        ) from error


def load_municipalities(engine: Engine) -> None:
    """Bring the municipalities table to the shipped CBS figures (harvester/data/gemeenten.csv):
    every row that differs from the file, such as new figures for the same municipality, is
    written. A municipality the file no longer lists is kept: organisations may still name it.
    Comparing 342 rows costs less than a millisecond, so it is done at every opening for a
    refresh."""
    shipped = {row.cbs_code: astuple(row) for row in municipalities()}
    with Session(engine) as session, session.begin():
        stored = {tuple(row)[0]: tuple(row) for row in session.execute(_MUNICIPALITY_ROWS)}
    stale = [row for code, row in shipped.items() if stored.get(code) != row]
    if not stale:
        return
    with Session(engine) as session, writing(session):
        for row in stale:
            session.merge(Municipality(**dict(zip(_CBS_FIELDS, row, strict=True))))


_CBS_FIELDS = tuple(field.name for field in fields(CbsMunicipality))  # cbs_code first
_MUNICIPALITY_ROWS = select(*(getattr(Municipality, name) for name in _CBS_FIELDS))


def _sqlite_connect(connection, _record) -> None:
    # The driver's own transaction handling begins no transaction for a SELECT, so two reads of
    # one organisation could straddle a refresh's commit; wmkb emits BEGIN itself instead.
    connection.isolation_level = None
    cursor = connection.cursor()
    # WAL lets readers (search, show, the web page) go on while a refresh writes.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection) -> None:
    immediate = connection.get_execution_options().get(_WRITES)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


_WRITES = "wmkb_writes"  # an execution option: this transaction is going to write


@contextmanager
def writing(session: Session) -> Iterator[Session]:
    """`session.begin()` for a transaction that writes. On SQLite it takes the write lock at
    its start: a transaction that read first and wrote later would fail at its first write
    ("database is locked") if another process, such as the refresh's second one, had written
    in between. PostgreSQL needs nothing of the kind."""
    with session.begin():
        session.connection(execution_options={_WRITES: True})
        yield session


def now() -> datetime:
    """The time as the knowledge base keeps it: naive UTC, for SQLite keeps no time zones and
    PostgreSQL's columns are "without time zone"."""
    return datetime.now(UTC).replace(tzinfo=None)


def knowledge_base_version(session: Session) -> int:
    return session.scalar(select(KnowledgeBaseState.version).where(KnowledgeBaseState.id == 1)) or 0


def _next_version(session: Session) -> int:
    # One statement, and a row lock on PostgreSQL: versions are handed out in commit order.
    version = session.execute(_BUMP_VERSION).scalar_one_or_none()
    if version is None:
        session.add(KnowledgeBaseState(id=1, version=1))
        session.flush()
        version = 1
    return version


def save_profile(
    session: Session,
    profile: Profile,
    *,
    run_id: int | None,
    now: datetime,
    source: str = "site",
) -> str:
    """Store one profile in its own transaction; "new", "changed" or "unchanged".

    `source` marks the changes: "site" (a refresh), "reader" (the archive read again: the site
    was not visited, so last_seen stays), "archive" (an imported capture taken at `now`)."""
    with writing(session):
        content_hash = profile.content_hash()
        stored = session.execute(_STORED_STATE, {"url": profile.url}).one_or_none()
        if stored is None:
            _insert(session, profile, content_hash, run_id=run_id, now=now, source=source)
            return "new"
        if stored.record_hash == content_hash and stored.status == "active":
            return "unchanged"  # last_seen is set for all seen organisations at the run's end
        organisation = session.scalar(
            select(Organisation)
            .where(Organisation.url == profile.url)
            .options(selectinload(Organisation.practices), selectinload(Organisation.regulations))
        )
        if source != "reader":
            organisation.last_seen = now
        changes = []
        if organisation.status != "active":
            changes.append(("status", organisation.status, "active"))
            organisation.status, organisation.withdrawn_on = "active", None
        if organisation.record_hash != content_hash:
            changes.extend(_differences(organisation, profile))
            # Old items go before new ones arrive: (organisation, section, position) is unique.
            organisation.practices.clear()
            organisation.regulations.clear()
            session.flush()
            _apply(organisation, profile)
            organisation.record_hash = content_hash
        if changes:
            organisation.version = _next_version(session)
            _record(session, organisation, run_id, now, changes, source=source)
        return "changed" if changes else "unchanged"


def _insert(
    session: Session,
    profile: Profile,
    content_hash: str,
    *,
    run_id: int | None,
    now: datetime,
    source: str,
) -> None:
    # A new organisation is most of a first refresh: plain INSERTs, the items as one
    # executemany, rather than the unit of work's bookkeeping for thirty objects.
    row = {name: getattr(profile, name) for name in COPIED_FIELDS}
    row.update(
        url=profile.url,
        slug=_free_slug(session, profile.slug),
        first_seen=now,
        last_seen=now,
        status="active",
        withdrawn_on=None,
        record_hash=content_hash,
        version=_next_version(session),
    )
    # Statements on the tables themselves, their parameters apart: compiled once, cached.
    organisation_id = session.execute(_INSERT_ORGANISATION, row).scalar_one()
    practices = [
        {
            "organisation_id": organisation_id,
            "section": section,
            "section_order": order,
            "position": position,
            "text": text,
        }
        for order, (section, items) in enumerate(profile.sections.items())
        for position, text in enumerate(items)
    ]
    if practices:
        session.execute(insert(Practice.__table__), practices)
    if profile.regulations:
        session.execute(
            insert(OrganisationRegulation.__table__),
            [{"organisation_id": organisation_id, "code": code} for code in profile.regulations],
        )
    session.execute(
        insert(Change.__table__),
        {
            "organisation_id": organisation_id,
            "run_id": run_id,
            "changed_at": now,
            "field": "status",
            "old_value": None,
            "new_value": "active",
            "source": source,
        },
    )


# Statements a refresh runs once per page, built once: building one costs more than running it.
_INSERT_ORGANISATION = insert(Organisation.__table__).returning(Organisation.__table__.c.id)
_BUMP_VERSION = (
    update(KnowledgeBaseState.__table__)
    .where(KnowledgeBaseState.__table__.c.id == 1)
    .values(version=KnowledgeBaseState.__table__.c.version + 1)
    .returning(KnowledgeBaseState.__table__.c.version)
)
_STORED_STATE = select(Organisation.record_hash, Organisation.status).where(
    Organisation.url == bindparam("url")
)
_SLUG_TAKEN = select(Organisation.id).where(Organisation.slug == bindparam("slug"))
_SLUGS_LIKE = select(Organisation.slug).where(Organisation.slug.like(bindparam("pattern")))


def touch(session: Session, urls: Iterable[str], *, now: datetime) -> None:
    """Mark organisations as seen by this refresh without reading their pages again (304)."""
    urls = list(urls)
    if not urls:
        return
    with writing(session):
        session.execute(
            update(Organisation).where(Organisation.url.in_(urls)).values(last_seen=now)
        )


def withdraw(
    session: Session,
    urls: Iterable[str],
    *,
    run_id: int | None,
    now: datetime,
    source: str = "site",
) -> list[str]:
    """Mark the active organisations at these URLs withdrawn; returns their slugs."""
    withdrawn = []
    for url in urls:
        with writing(session):
            organisation = session.scalar(select(Organisation).where(Organisation.url == url))
            if organisation is None or organisation.status == "withdrawn":
                continue
            organisation.status, organisation.withdrawn_on = "withdrawn", now.date()
            organisation.version = _next_version(session)
            changes = [("status", "active", "withdrawn")]
            _record(session, organisation, run_id, now, changes, source=source)
            withdrawn.append(organisation.slug)
    return withdrawn


def follow_moves(
    session: Session, arrived: Iterable[str], seen: set[str], *, run_id: int | None, now: datetime
) -> Moves:
    """Organisations a refresh stored as new (at `arrived` URLs) that are ones it knew at a URL
    it did not see (harvester/identity.py) are merged into them: the earlier one takes the new
    URL and record, and keeps its slug, history and first_seen, with the move recorded as a
    change of `url`. The new row, made by this run, goes. Returns what was paired."""
    arrived = set(arrived)
    if not arrived:
        return Moves([], 0)
    with writing(session):  # one transaction: the moves a run found are stored together
        identities = {
            row.url: Identity.of(
                name=row.name, cbs_code=row.cbs_code, website=row.website, url=row.url
            )
            for row in session.execute(_IDENTITIES)
            if row.url in arrived or row.url not in seen
        }
        moves = match_moves(
            [(url, who) for url, who in identities.items() if url not in arrived],
            [(url, who) for url, who in identities.items() if url in arrived],
        )
        for earlier_url, found_url in moves.pairs:
            _merge(session, earlier_url, found_url, run_id=run_id, now=now)
    return moves


_IDENTITIES = select(
    Organisation.url, Organisation.name, Organisation.cbs_code, Organisation.website
)


def _merge(
    session: Session, earlier_url: str, found_url: str, *, run_id: int | None, now: datetime
) -> None:
    with_items = (selectinload(Organisation.practices), selectinload(Organisation.regulations))
    earlier = session.scalar(
        select(Organisation).where(Organisation.url == earlier_url).options(*with_items)
    )
    found = session.scalar(
        select(Organisation).where(Organisation.url == found_url).options(*with_items)
    )
    profile = _as_profile(found)
    changes = [("url", earlier_url, found_url)]
    if earlier.status != "active":
        changes.append(("status", earlier.status, "active"))
        earlier.status, earlier.withdrawn_on = "active", None
    changes.extend(_differences(earlier, profile))
    record_hash = found.record_hash
    # The URL is unique: the row this run made goes before the earlier one takes its URL.
    session.delete(found)
    earlier.practices.clear()
    earlier.regulations.clear()
    session.flush()
    earlier.url = found_url
    _apply(earlier, profile)
    earlier.record_hash = record_hash
    earlier.last_seen = now
    earlier.version = _next_version(session)
    _record(session, earlier, run_id, now, changes)


def _as_profile(organisation: Organisation) -> Profile:
    sections: dict[str, list[str]] = {}
    for practice in organisation.practices:
        sections.setdefault(practice.section, []).append(practice.text)
    return Profile(
        url=organisation.url,
        slug=organisation.slug,
        **{name: getattr(organisation, name) for name in COPIED_FIELDS},
        sections={section: tuple(items) for section, items in sections.items()},
        regulations=tuple(regulation.code for regulation in organisation.regulations),
    )


def active_urls(session: Session) -> set[str]:
    return set(session.scalars(select(Organisation.url).where(Organisation.status == "active")))


def _free_slug(session: Session, slug: str) -> str:
    if session.scalar(_SLUG_TAKEN, {"slug": slug}) is None:
        return slug  # the usual case, answered by the unique index alone
    taken = set(session.scalars(_SLUGS_LIKE, {"pattern": f"{slug}%"}))
    candidate, number = slug, 2
    while candidate in taken:
        candidate, number = f"{slug}-{number}", number + 1
    return candidate


def _apply(organisation: Organisation, profile: Profile) -> None:
    for name in COPIED_FIELDS:
        setattr(organisation, name, getattr(profile, name))
    organisation.practices = [
        Practice(section=section, section_order=order, position=position, text=text)
        for order, (section, items) in enumerate(profile.sections.items())
        for position, text in enumerate(items)
    ]
    organisation.regulations = [OrganisationRegulation(code=code) for code in profile.regulations]


def _differences(
    organisation: Organisation, profile: Profile
) -> list[tuple[str, str | None, str | None]]:
    changes = []
    for name in COPIED_FIELDS:
        old, new = getattr(organisation, name), getattr(profile, name)
        if old != new:
            changes.append((name, _text(old), _text(new)))
    stored: dict[str, list[str]] = {}
    for practice in organisation.practices:
        stored.setdefault(practice.section, []).append(practice.text)
    for section in sorted(set(stored) | set(profile.sections)):
        old_items, new_items = stored.get(section, []), list(profile.sections.get(section, ()))
        changes.extend(_list_change(f"sections.{section}", old_items, new_items))
    old_codes = [regulation.code for regulation in organisation.regulations]
    changes.extend(_list_change("regulations", old_codes, list(profile.regulations)))
    return changes


def _list_change(
    field: str, old: list[str], new: list[str]
) -> list[tuple[str, str | None, str | None]]:
    removed = [item for item in old if item not in new]
    added = [item for item in new if item not in old]
    if not removed and not added:
        return []
    return [(field, json.dumps(removed, ensure_ascii=False), json.dumps(added, ensure_ascii=False))]


def _text(value: object) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


def _record(
    session: Session,
    organisation: Organisation,
    run_id: int | None,
    now: datetime,
    changes: list[tuple[str, str | None, str | None]],
    *,
    source: str = "site",
) -> None:
    for field, old, new in changes:
        session.add(
            Change(
                organisation_id=organisation.id,
                run_id=run_id,
                changed_at=now,
                field=field,
                old_value=old,
                new_value=new,
                source=source,
            )
        )


def database_error(error: SQLAlchemyError) -> StoreError:
    """A one-line StoreError for an unexpected database failure."""
    reason = str(getattr(error, "orig", None) or error).splitlines()[0]
    return StoreError(f"database error: {reason}")
