"""The knowledge base's tables (SQLAlchemy 2). The database is the source of truth: the search
index is built from these tables and can always be rebuilt from them.

    municipalities ──< organisations            CBS figures; a gemeente links to its row
    organisations ──< practices                 one row per item of a profile's sections
                  ──< organisation_regulations  one row per regulation code it offers
                  ──< changes                   what a refresh changed, field by field
    pages                                       every URL fetched (robots.txt and sitemaps too),
                                                with its validators and the archive record
                                                holding its bytes
    refresh_runs ──< fetch_failures             one row per run, its counts, counters and failures
                 ──< doubts                     pages the run could not read as they look
    imported_captures                           web-archive captures already brought in
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Kinds of the pages rows that are no page: robots.txt and the sitemaps, kept so that a
# refresh archives them by the pages' rule; never read as pages.
SITE_FILE_KINDS = ("robots", "sitemap")


class Base(DeclarativeBase):
    pass


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    url: Mapped[str] = mapped_column(String(2000), unique=True)
    name: Mapped[str] = mapped_column(String(500))
    org_type: Mapped[str] = mapped_column(String(20), index=True)
    # Marked noqa with vulture's V107: a column only harvester/record.py's FIELDS name.
    ambassador_since: Mapped[date | None] = mapped_column(Date)  # noqa: V107
    recognised_since: Mapped[date | None] = mapped_column(Date)
    employees: Mapped[int | None] = mapped_column(Integer)
    inhabitants: Mapped[int | None] = mapped_column(Integer)
    website: Mapped[str | None] = mapped_column(String(2000))
    description: Mapped[str | None] = mapped_column(Text)
    cbs_code: Mapped[str | None] = mapped_column(ForeignKey("municipalities.cbs_code"), index=True)
    province: Mapped[str | None] = mapped_column(String(40), index=True)
    status: Mapped[str] = mapped_column(String(20), default="active", index=True)
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    first_seen: Mapped[datetime] = mapped_column(DateTime)
    last_seen: Mapped[datetime] = mapped_column(DateTime)
    record_hash: Mapped[str] = mapped_column(String(64))
    # The knowledge base's version when this row last changed: the index updates the rows
    # newer than the version it reflects.
    version: Mapped[int] = mapped_column(Integer, default=0, index=True)

    practices: Mapped[list[Practice]] = relationship(
        back_populates="organisation",
        order_by="(Practice.section_order, Practice.position)",
        cascade="all, delete-orphan",
    )
    regulations: Mapped[list[OrganisationRegulation]] = relationship(
        back_populates="organisation",
        order_by="OrganisationRegulation.code",
        cascade="all, delete-orphan",
    )
    # In date order: captures imported from web archives are older than what a refresh saw.
    changes: Mapped[list[Change]] = relationship(
        back_populates="organisation",
        order_by="(Change.changed_at, Change.id)",
        cascade="all, delete-orphan",
    )


class Municipality(Base):
    """CBS figures for a Dutch municipality (Bron: CBS, CC BY 4.0), loaded from the copy of
    gemeenten.csv shipped in harvester/data."""

    __tablename__ = "municipalities"

    cbs_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    province: Mapped[str] = mapped_column(String(40))
    inhabitants: Mapped[int] = mapped_column(Integer)
    year: Mapped[int] = mapped_column(Integer)


class Practice(Base):
    """One good practice: an item of one section of a profile."""

    __tablename__ = "practices"
    __table_args__ = (UniqueConstraint("organisation_id", "section", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    section: Mapped[str] = mapped_column(String(40))
    section_order: Mapped[int] = mapped_column(Integer)  # the section's place on the page
    position: Mapped[int] = mapped_column(Integer)  # the item's place in its section
    text: Mapped[str] = mapped_column(Text)

    organisation: Mapped[Organisation] = relationship(back_populates="practices")


class OrganisationRegulation(Base):
    __tablename__ = "organisation_regulations"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    code: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)

    organisation: Mapped[Organisation] = relationship(back_populates="regulations")


class Change(Base):
    """One field of one organisation changed by one refresh; for lists, what was added or
    removed (old_value holds what was removed, new_value what was added)."""

    __tablename__ = "changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("refresh_runs.id"))
    changed_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    field: Mapped[str] = mapped_column(String(60))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    # What made the change: "site" (a refresh), "reader" (a reparse of the archive after the
    # reader or its data improved), "archive" (captures imported from WARC files or Wayback).
    source: Mapped[str] = mapped_column(String(20), default="site", server_default="site")

    organisation: Mapped[Organisation] = relationship(back_populates="changes")


class Page(Base):
    """A URL as last fetched: validators for conditional requests, the content hash, and its
    links, so that a page answered with 304 still leads the crawl on."""

    __tablename__ = "pages"

    url: Mapped[str] = mapped_column(String(2000), primary_key=True)
    final_url: Mapped[str | None] = mapped_column(String(2000))
    status: Mapped[int | None] = mapped_column(Integer)
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    content_hash: Mapped[str | None] = mapped_column(String(64))
    fetched_at: Mapped[datetime | None] = mapped_column(DateTime)
    # profile, other, skipped, gone; robots or sitemap (SITE_FILE_KINDS) for what is no page
    kind: Mapped[str | None] = mapped_column(String(20))
    organisation_url: Mapped[str | None] = mapped_column(String(2000), index=True)
    links: Mapped[str | None] = mapped_column(Text)  # JSON list of the page's crawlable links
    # The archive's response record holding the page's current bytes: file, offset, WARC-Date.
    archive_file: Mapped[str | None] = mapped_column(String(300))
    archive_offset: Mapped[int | None] = mapped_column(BigInteger)
    archived_at: Mapped[datetime | None] = mapped_column(DateTime)
    # JSON list of what its last read could not make of it: a page skipped as unchanged is
    # doubted again by every run, without being read again.
    doubts: Mapped[str | None] = mapped_column(Text)


class RefreshRun(Base):
    __tablename__ = "refresh_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    site: Mapped[str] = mapped_column(String(2000))
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(20))  # running, completed, incomplete
    counts: Mapped[str | None] = mapped_column(Text)  # JSON: fetched, not_modified, ...
    # Every counter of harvester/counters.py that is not zero, by name: {"requests": 52, ...}
    counters: Mapped[dict[str, int] | None] = mapped_column(JSON)

    failures: Mapped[list[FetchFailure]] = relationship(
        back_populates="run", order_by="FetchFailure.id", cascade="all, delete-orphan"
    )
    doubts: Mapped[list[Doubt]] = relationship(
        back_populates="run", order_by="Doubt.id", cascade="all, delete-orphan"
    )


class FetchFailure(Base):
    __tablename__ = "fetch_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("refresh_runs.id"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    reason: Mapped[str] = mapped_column(Text)

    run: Mapped[RefreshRun] = relationship(back_populates="failures")


class ImportedCapture(Base):
    """A capture already brought in from a WARC file or the Wayback Machine: importing it again
    changes nothing. `key` is the SHA-256 of its URL, WARC-Date and payload digest."""

    __tablename__ = "imported_captures"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    captured_at: Mapped[datetime] = mapped_column(DateTime)
    imported_at: Mapped[datetime] = mapped_column(DateTime)


class Doubt(Base):
    """A page one refresh could not read as it looks: a profile it did not read as one, or a
    profile that lacks what every profile has. Not an error: the keeper's to-do list."""

    __tablename__ = "doubts"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("refresh_runs.id"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    reason: Mapped[str] = mapped_column(Text)

    run: Mapped[RefreshRun] = relationship(back_populates="doubts")


class KnowledgeBaseState(Base):
    """One row: a number that grows with every committed change to organisations, so that the
    index can record which state of the database it reflects."""

    __tablename__ = "kb_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
