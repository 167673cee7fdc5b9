"""The site's past from web archives: captures in WARC files (`wmkb import-warc`, and through it
`wmkb backfill --wayback`) stored as refreshes dated by their capture time, oldest first.

A capture is kept when it is a response of the site's host (any scheme or port: archives hold
http:// and https:// captures of one site alike) with a page (200) or a withdrawal (404, 410);
a revisit stands for the response with its payload digest. Where it goes depends on what is
stored of its organisation:

- nothing: the organisation appears, first seen at the capture's date;
- older than the capture: stored as a refresh would store it, its changes dated by the capture;
- newer than the capture, which is older than the organisation's first sight: merged into the
  history before it, in date order (the appearance moves back to the oldest capture, and what
  changed between captures, and up to the first sight, is recorded at those dates); the record
  itself is never overwritten by an older capture;
- a capture within the span already observed adds nothing: the knowledge base saw the
  organisation then.

Every capture brought in is listed in imported_captures (by URL, date and payload digest), so
that importing it again changes nothing, and copied into the archive, so that `wmkb reparse`
and provenance find it like a page a refresh downloaded. Changes carry source "archive".
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import Engine, bindparam, insert, select, update
from sqlalchemy.orm import Session, selectinload

from wmkb.harvester.archive import ArchiveWriter, BadRecord, Capture, captures, captures_at
from wmkb.harvester.archive import warc_date as _warc_date
from wmkb.harvester.discover import canonical_url
from wmkb.harvester.errors import ArchiveError
from wmkb.harvester.fetch import is_html
from wmkb.harvester.lock import refresh_lock
from wmkb.harvester.models import Change, ImportedCapture, Organisation, Page, RefreshRun
from wmkb.harvester.pipeline import read_for_crawl
from wmkb.harvester.reader import on_site_identity
from wmkb.harvester.record import Profile
from wmkb.harvester.store import (
    COPIED_FIELDS,
    _list_change,
    _next_version,
    _text,
    save_profile,
    touch,
    withdraw,
    writing,
)
from wmkb.harvester.store import now as _now
from wmkb.index.build import update as update_index

GONE_STATUSES = frozenset({404, 410})
_GONE = "gone"  # a capture that says the page is gone, in a history being merged
COUNTS = (
    "captures",
    "other_hosts",
    "not_pages",
    "already_imported",
    "new",
    "changed",
    "unchanged",
    "withdrawn",
    "earlier",
    "within_known_history",
    "not_profiles",
    "failed",
)


@dataclass(frozen=True)
class Found:
    """A capture of the site in a WARC file, without its bytes (they are read when stored)."""

    url: str  # its URL on the site: canonical, under the site's scheme and host
    date: datetime
    status: int
    digest: str
    file: str  # where its bytes are (a revisit's: its original's)
    offset: int

    @property
    def key(self) -> str:
        return hashlib.sha256(
            f"{self.url}\n{_warc_date(self.date)}\n{self.digest}".encode()
        ).hexdigest()


@dataclass
class ImportSummary:
    files: int = 0
    captures: int = 0  # of the site, in the files
    other_hosts: int = 0
    not_pages: int = 0  # of the site, but neither a page nor a withdrawal (redirects, 5xx, …)
    already_imported: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    earlier: int = 0  # captures older than what was stored, merged into the history before it
    within_known_history: int = 0
    not_profiles: int = 0
    failed: int = 0
    bad_records: list[str] = field(default_factory=list)  # "FILE at offset N: reason"
    failures: list[tuple[str, str]] = field(default_factory=list)
    runs: list[int] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "files": self.files,
            **{key: getattr(self, key) for key in COUNTS},
            "bad_records": self.bad_records,
            "failures": [{"url": url, "reason": reason} for url, reason in self.failures],
            "runs": self.runs,
        }


def import_warcs(
    engine: Engine, paths: Iterable[Path], *, site: str, archive_dir: Path, index_dir: Path
) -> ImportSummary:
    """Bring in the captures of `site` held in these WARC files, under the knowledge base's
    lock, and bring the search index at `index_dir` up to date with them. Raises ArchiveError
    for a file that cannot be opened; a record that cannot be read is listed in the summary's
    bad_records and passed over.

        summary = import_warcs(engine, [Path("site-2016.warc.gz")], site=SITE_URL,
                               archive_dir=settings.archive_dir(), index_dir=index)
    """
    site = canonical_url(site)
    with refresh_lock(engine):
        summary = ImportSummary()
        found = _scan(paths, site, summary)
        _Importer(engine, site, archive_dir, summary).run(found)
        update_index(engine, index_dir)
        return summary


def _scan(paths: Iterable[Path], site: str, summary: ImportSummary) -> list[Found]:
    """Every capture of the site in the files, oldest first; revisits stand for their original."""
    kept: list[tuple[Capture, str]] = []
    originals: dict[str, Capture] = {}  # payload digest → a response that holds it
    for path in paths:
        summary.files += 1
        for item in captures(path.resolve()):
            if isinstance(item, BadRecord):
                summary.bad_records.append(str(item))
                continue
            url = on_site(item.url, site)
            if url is None:
                summary.other_hosts += 1
                continue
            summary.captures += 1
            # Its bytes are read again when it is stored: a large WARC file is not held whole.
            digest = item.digest or "sha256:" + hashlib.sha256(item.body).hexdigest()
            item = dataclasses.replace(item, body=b"", digest=digest)
            if item.kind == "response":
                originals.setdefault(digest, item)
            kept.append((item, url))
    found = []
    for capture, url in kept:
        source = capture if capture.kind == "response" else originals.get(capture.digest or "")
        status = capture.status or (source.status if source is not None else None)
        page = status == 200 and source is not None and is_html(source.content_type)
        if not page and status not in GONE_STATUSES:
            summary.not_pages += 1
            continue
        place = source or capture
        found.append(Found(url, capture.date, status, capture.digest, place.file, place.offset))
    unique = {item.key: item for item in found}
    return sorted(unique.values(), key=lambda item: (item.date, item.url))


def on_site(url: str, site: str) -> str | None:
    """`url` as the site's own URL when it is on the site's host (whatever its scheme or port:
    an archive holds a site's http:// and https:// captures alike), else None."""
    parts, home = urlsplit(canonical_url(url)), urlsplit(site)
    if parts.scheme not in ("http", "https") or parts.hostname != home.hostname:
        return None
    return urlunsplit((home.scheme, home.netloc, parts.path, parts.query, ""))


@dataclass
class _Earlier:
    """Captures older than an organisation's first sight, to be merged before it."""

    first_seen: datetime
    steps: list[tuple[datetime, dict | str]] = field(default_factory=list)  # date, record or _GONE


class _Importer:
    def __init__(self, engine: Engine, site: str, archive_dir: Path, summary: ImportSummary):
        self.engine = engine
        self.site = site
        self.summary = summary
        self.archive_dir = archive_dir
        self.archive: ArchiveWriter | None = None
        self.runs: dict[str, RefreshRun] = {}  # capture day → its run
        self.earlier: dict[str, _Earlier] = {}  # organisation URL → captures to merge
        self.organisation_at: dict[str, str] = {}  # page URL → organisation URL, as read

    def run(self, found: list[Found]) -> None:
        with Session(self.engine) as session:
            try:
                for item in found:
                    self._one(session, item)
                for organisation_url, earlier in self.earlier.items():
                    self._merge_earlier(session, organisation_url, earlier)
            finally:
                if self.archive is not None:
                    self.archive.close()
                self._finish_runs(session)

    def _one(self, session: Session, item: Found) -> None:
        with session.begin():
            seen = session.get(ImportedCapture, item.key) is not None
        if seen:
            self.summary.already_imported += 1
            return
        try:
            capture = next(captures_at(Path("/"), [(item.file, item.offset)]))
        except ArchiveError as error:
            self._failed(item.url, str(error))
            return
        if item.status in GONE_STATUSES:
            self._gone(session, item, capture)
        else:
            try:
                self._page(session, item, capture)
            except Exception as error:  # noqa: BLE001 - one capture nobody foresaw fails alone
                session.rollback()
                self._failed(item.url, f"{type(error).__name__}: {error}")
                return
        with writing(session):
            session.add(
                ImportedCapture(
                    key=item.key, url=item.url, captured_at=item.date, imported_at=_now()
                )
            )

    def _page(self, session: Session, item: Found, capture: Capture) -> None:
        # A past capture's doubts are no to-do: the live site is what a refresh doubts.
        record, links, _ = read_for_crawl(capture.body, item.url, capture.content_type, self.site)
        if not isinstance(record, Profile):
            self.summary.not_profiles += 1
            return
        profile = on_site_identity(record, item.url, self.site)
        self.organisation_at[item.url] = profile.url
        stored = self._stored(session, profile.url)
        if stored is not None and item.date <= _latest(stored):
            if self._older(item, profile.url, stored, _snapshot_of_profile(profile)):
                self._keep(capture, item)
            return
        run_id = self._run(session, item.date)
        outcome = save_profile(session, profile, run_id=run_id, now=item.date, source="archive")
        setattr(self.summary, outcome, getattr(self.summary, outcome) + 1)
        if outcome == "unchanged":
            # Seen again with the bytes already kept, as a refresh that gets them again.
            touch(session, [profile.url], now=item.date)
            if self._seen_again(session, item):
                return
        place = self._keep(capture, item)
        self._page_row(session, item, capture, "profile", profile.url, links, place)

    def _seen_again(self, session: Session, item: Found) -> bool:
        """Mark the URL's page fetched at the capture's date, when it already points at the
        archived bytes of the same record; False when there is no such page."""
        with writing(session):
            updated = session.execute(
                update(Page.__table__)
                .where(
                    Page.__table__.c.url == item.url,
                    Page.__table__.c.archive_file.is_not(None),
                    Page.__table__.c.kind == "profile",
                    Page.__table__.c.fetched_at < item.date,
                )
                .values(fetched_at=item.date)
            )
        return updated.rowcount == 1

    def _gone(self, session: Session, item: Found, capture: Capture) -> None:
        organisation_url = self.organisation_at.get(item.url)
        if organisation_url is None:
            with session.begin():
                organisation_url = session.scalar(_ORGANISATION_AT, {"url": item.url})
        stored = self._stored(session, organisation_url) if organisation_url else None
        if stored is None:
            self.summary.not_profiles += 1
            return
        if item.date <= _latest(stored):
            if self._older(item, organisation_url, stored, _GONE):
                self._keep(capture, item)
            return
        run_id = self._run(session, item.date)
        withdrawn = withdraw(
            session, [organisation_url], run_id=run_id, now=item.date, source="archive"
        )
        self.summary.withdrawn += len(withdrawn)
        self._keep(capture, item)
        # The row goes on pointing at the page's last content, as a refresh's does.
        self._page_row(session, item, capture, "gone", organisation_url, [], None)

    def _older(self, item: Found, organisation_url: str, stored, snapshot: dict | str) -> bool:
        """A capture no newer than what is stored: True when it is older than the first sight
        (kept, to be merged), False when the knowledge base already saw that moment."""
        if item.date >= stored.first_seen:
            self.summary.within_known_history += 1
            return False
        earlier = self.earlier.setdefault(organisation_url, _Earlier(stored.first_seen))
        earlier.steps.append((item.date, snapshot))
        self.summary.earlier += 1
        return True

    def _merge_earlier(self, session: Session, organisation_url: str, earlier: _Earlier) -> None:
        """Write the captures older than the organisation's first sight into its history."""
        steps = list(earlier.steps)
        while steps and steps[0][1] == _GONE:
            steps.pop(0)  # a page gone before anything was known of it says nothing
        if not steps:
            return
        runs = {date: self._run(session, date) for date, _ in steps}
        with writing(session):
            organisation = session.scalar(
                select(Organisation)
                .where(Organisation.url == organisation_url)
                .options(
                    selectinload(Organisation.practices),
                    selectinload(Organisation.regulations),
                    selectinload(Organisation.changes),
                )
            )
            at_first_sight = _snapshot_at(organisation, earlier.first_seen)
            first_date, previous = steps[0]
            appearance = next(
                (
                    change
                    for change in organisation.changes
                    if change.field == "status" and change.old_value is None
                ),
                None,
            )
            if appearance is None:  # stored before appearances were recorded
                appearance = Change(field="status", old_value=None, new_value="active")
                organisation.changes.append(appearance)
            first_sight_run = self._first_sight_run(organisation, earlier.first_seen)
            appearance.changed_at, appearance.run_id = first_date, runs[first_date]
            appearance.source = "archive"
            active = True
            for date, snapshot in [*steps[1:], (earlier.first_seen, at_first_sight)]:
                run_id = runs.get(date, first_sight_run)
                changes: list[tuple[str, str | None, str | None]] = []
                if snapshot == _GONE:
                    if active:
                        changes.append(("status", "active", "withdrawn"))
                        active = False
                else:
                    if not active:
                        changes.append(("status", "withdrawn", "active"))
                        active = True
                    changes.extend(_difference(previous, snapshot))
                    previous = snapshot
                for name, old, new in changes:
                    session.add(
                        Change(
                            organisation_id=organisation.id,
                            run_id=run_id,
                            changed_at=date,
                            field=name,
                            old_value=old,
                            new_value=new,
                            source="archive",
                        )
                    )
            organisation.first_seen = first_date
            organisation.version = _next_version(session)

    @staticmethod
    def _first_sight_run(organisation: Organisation, first_seen: datetime) -> int | None:
        # What changed up to the first sight is recorded with the run that first saw it.
        return next(
            (change.run_id for change in organisation.changes if change.changed_at == first_seen),
            None,
        )

    def _stored(self, session: Session, organisation_url: str):
        with session.begin():
            return session.execute(_STORED, {"url": organisation_url}).one_or_none()

    def _run(self, session: Session, date: datetime) -> int:
        """The import's run for the capture's day: a refresh dated by its captures."""
        day = date.date().isoformat()
        run = self.runs.get(day)
        if run is None:
            with writing(session):
                run = RefreshRun(
                    site=self.site, started_at=date, finished_at=date, status="imported"
                )
                session.add(run)
                session.flush()
                session.expunge(run)
            self.runs[day] = run
            self.summary.runs.append(run.id)
        run.started_at = min(run.started_at, date)
        run.finished_at = max(run.finished_at, date)
        return run.id

    def _finish_runs(self, session: Session) -> None:
        if not self.runs:
            return
        with writing(session):
            for run in self.runs.values():
                session.execute(
                    update(RefreshRun)
                    .where(RefreshRun.id == run.id)
                    .values(
                        started_at=run.started_at,
                        finished_at=run.finished_at,
                        counts=json.dumps({"imported": True}),
                    )
                )

    def _keep(self, capture: Capture, item: Found) -> object:
        if self.archive is None:
            first_run = self.summary.runs[0] if self.summary.runs else 0
            self.archive = ArchiveWriter(
                self.archive_dir, run_id=first_run, site=self.site, label="import"
            )
        return self.archive.capture(capture, url=item.url)

    def _page_row(
        self,
        session: Session,
        item: Found,
        capture: Capture,
        kind: str,
        organisation_url: str | None,
        links: list[str],
        place,
    ) -> None:
        """The pages row of the URL, when this capture is newer than what it holds."""
        values = {
            "final_url": item.url,
            "status": item.status,
            "etag": None,  # validators of another version would make a refresh miss a change
            "last_modified": None,
            "content_hash": hashlib.sha256(capture.body).hexdigest() if capture.body else None,
            "fetched_at": item.date,
            "kind": kind,
            "organisation_url": organisation_url,
            "links": json.dumps(links),
        }
        if place is not None:
            values.update(
                archive_file=place.file, archive_offset=place.offset, archived_at=place.date
            )
        with writing(session):
            stored = session.execute(_PAGE_DATES, {"url": item.url}).one_or_none()
            if stored is None:
                session.execute(insert(Page.__table__), {"url": item.url, **values})
            elif (stored.fetched_at or datetime.min) < item.date:
                session.execute(
                    update(Page.__table__).where(Page.__table__.c.url == item.url).values(values)
                )

    def _failed(self, url: str, reason: str) -> None:
        self.summary.failed += 1
        self.summary.failures.append((url, reason))


def _latest(stored) -> datetime:
    """The newest moment the knowledge base knows the organisation's state at."""
    if stored.status == "withdrawn" and stored.withdrawn_on is not None:
        return max(stored.last_seen, datetime.combine(stored.withdrawn_on, datetime.min.time()))
    return stored.last_seen


def _snapshot_of_profile(profile: Profile) -> dict:
    snapshot: dict = {name: _text(getattr(profile, name)) for name in COPIED_FIELDS}
    for section, items in profile.sections.items():
        snapshot[f"sections.{section}"] = list(items)
    snapshot["regulations"] = list(profile.regulations)
    return snapshot


def _snapshot_at(organisation: Organisation, moment: datetime) -> dict:
    """The organisation's record as it stood at `moment`: today's, with every later change
    undone, newest first."""
    snapshot: dict = {name: _text(getattr(organisation, name)) for name in COPIED_FIELDS}
    for practice in organisation.practices:
        snapshot.setdefault(f"sections.{practice.section}", []).append(practice.text)
    snapshot["regulations"] = [regulation.code for regulation in organisation.regulations]
    for change in sorted(organisation.changes, key=lambda c: (c.changed_at, c.id), reverse=True):
        if change.changed_at <= moment or change.field == "status":
            continue
        if change.field in COPIED_FIELDS:
            snapshot[change.field] = change.old_value
            continue
        removed, added = json.loads(change.old_value), json.loads(change.new_value)
        current = snapshot.get(change.field, [])
        snapshot[change.field] = [item for item in current if item not in added] + removed
    return snapshot


def _difference(old: dict, new: dict) -> list[tuple[str, str | None, str | None]]:
    changes = [
        (name, old.get(name), new.get(name))
        for name in COPIED_FIELDS
        if old.get(name) != new.get(name)
    ]
    # In the order a refresh records them (store._differences): sections, then regulations.
    sections = sorted(name for name in set(old) | set(new) if name.startswith("sections."))
    for name in [*sections, "regulations"]:
        changes.extend(_list_change(name, list(old.get(name, [])), list(new.get(name, []))))
    return changes


_STORED = select(
    Organisation.first_seen, Organisation.last_seen, Organisation.status, Organisation.withdrawn_on
).where(Organisation.url == bindparam("url"))
_ORGANISATION_AT = select(Page.organisation_url).where(Page.url == bindparam("url"))
_PAGE_DATES = select(Page.fetched_at).where(Page.url == bindparam("url"))
