"""Tidy tables for analysis: organisations (one row each, one column per regulation),
practices (one row per item), regulations (one row per regulation offered), coverage (one row
per municipality of CBS) and progress (one row per year and area). Rows stream from the
database; nothing is held whole."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import date
from typing import TextIO

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from harvester import coverage, vocabulary
from harvester.lookup import every_organisation
from harvester.models import Organisation
from harvester.municipalities import cbs_figures, municipalities

FORMATS = ("csv", "json", "jsonl")
TABLES = ("organisations", "practices", "regulations", "coverage", "progress")


def organisation_rows(engine: Engine) -> Iterator[dict]:
    codes = list(vocabulary.regulations().labels)
    for organisation in _organisations(engine):
        offered = {regulation.code for regulation in organisation.regulations}
        municipality = cbs_figures(organisation.cbs_code)
        yield {
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


def coverage_rows(engine: Engine) -> Iterator[dict]:
    """Every municipality of CBS, in CBS code order, recognised now or not."""
    found = coverage.coverage(coverage.recognitions(engine))
    recognised = {m.cbs_code: r for entry in found.provinces for m, r in entry.recognised}
    for municipality in sorted(municipalities(), key=lambda m: m.cbs_code):
        recognition = recognised.get(municipality.cbs_code)
        # Named as the CBS columns are elsewhere: the name is CBS's, not an organisation's.
        yield {
            "cbs_code": municipality.cbs_code,
            "municipality": municipality.name,
            "province": municipality.province,
            "cbs_inhabitants": municipality.inhabitants,
            "cbs_year": municipality.year,
            "recognised": recognition is not None,
            "slug": recognition.slug if recognition else None,
            "recognised_since": _iso(recognition.recognised_since) if recognition else None,
        }


def progress_rows(engine: Engine) -> Iterator[dict]:
    """One row per year and area (the country, then each province): the yearly series."""
    series = coverage.progress(coverage.recognitions(engine), today=date.today())
    for year in series.years:
        for area, tally in year.areas.items():
            row = tally.as_json()
            offered = row.pop("regulations")  # a column per code, as in the organisations
            yield {"year": year.year, "area": area, **row, **offered}


ROWS = {
    "organisations": organisation_rows,
    "practices": practice_rows,
    "regulations": regulation_rows,
    "coverage": coverage_rows,
    "progress": progress_rows,
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
