"""Tidy tables for analysis: organisations (one row each, one column per regulation) and
practices (one row per item). Rows stream from the database; nothing is held whole."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import TextIO

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from harvester import vocabulary
from harvester.lookup import every_organisation
from harvester.models import Organisation
from harvester.municipalities import cbs_figures
from harvester.provenance import FIELDS as PROVENANCE_FIELDS
from harvester.provenance import provenance

FORMATS = ("csv", "json", "jsonl")
TABLES = ("organisations", "practices", "regulations")


def organisation_rows(engine: Engine) -> Iterator[dict]:
    codes = list(vocabulary.regulations().labels)
    with Session(engine) as session:  # one snapshot: records and their pages agree
        for organisation in every_organisation(session):
            yield _organisation_row(organisation, codes, provenance(session, organisation.url))


def _organisation_row(organisation: Organisation, codes: list[str], source: dict | None) -> dict:
    offered = {regulation.code for regulation in organisation.regulations}
    municipality = cbs_figures(organisation.cbs_code)
    return {
        "slug": organisation.slug,
        "name": organisation.name,
        "org_type": organisation.org_type,
        "province": organisation.province,
        "cbs_code": organisation.cbs_code,
        "status": organisation.status,
        "recognised_since": _iso(organisation.recognised_since),
        "ambassador_since": _iso(organisation.ambassador_since),
        "employees": organisation.employees,
        # CBS's figure for a linked municipality, else what the profile says.
        "inhabitants": municipality.inhabitants if municipality else organisation.inhabitants,
        "inhabitants_source": "cbs"
        if municipality
        else ("page" if organisation.inhabitants else None),
        "website": organisation.website,
        "url": organisation.url,
        **{code: code in offered for code in codes},
        # The page the record was read from, when, and the archive record holding it.
        **{name: (source or {}).get(name) for name in PROVENANCE_FIELDS},
    }


def practice_rows(engine: Engine) -> Iterator[dict]:
    for organisation in _organisations(engine):
        for practice in organisation.practices:
            yield {
                "slug": organisation.slug,
                "name": organisation.name,
                "section": practice.section,
                "position": practice.position,
                "text": practice.text,
            }


def regulation_rows(engine: Engine) -> Iterator[dict]:
    """Long form: one row per regulation an organisation offers."""
    labels = vocabulary.regulations().labels
    for organisation in _organisations(engine):
        for regulation in organisation.regulations:
            yield {
                "slug": organisation.slug,
                "name": organisation.name,
                "code": regulation.code,
                "label": labels.get(regulation.code, regulation.code),
            }


ROWS = {
    "organisations": organisation_rows,
    "practices": practice_rows,
    "regulations": regulation_rows,
}


def write(rows: Iterator[dict], output: TextIO, fmt: str) -> int:
    """Write rows as CSV (with a header), a JSON array or JSON lines; returns the row count."""
    count = 0
    if fmt == "csv":
        writer = None
        for row in rows:
            if writer is None:
                writer = csv.DictWriter(output, fieldnames=list(row))
                writer.writeheader()
            writer.writerow(row)
            count += 1
    elif fmt == "jsonl":
        for row in rows:
            output.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    else:
        output.write("[")
        for row in rows:
            output.write(("," if count else "") + "\n" + json.dumps(row, ensure_ascii=False))
            count += 1
        output.write("\n]\n")
    return count


def _organisations(engine: Engine) -> Iterator[Organisation]:
    with Session(engine) as session:
        yield from every_organisation(session)


def _iso(value) -> str | None:
    return value.isoformat() if value else None
