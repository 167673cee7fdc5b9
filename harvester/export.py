"""Tidy tables for analysis: organisations (one row each, one column per regulation), practices
(one row per item), regulations (one row per regulation offered), coverage (one row per
municipality of CBS) and progress (one row per year and area). Rows stream from the database;
nothing is held whole.

One CSV convention for every CSV wmkb writes, on the command line and on the web page: UTF-8
without a byte-order mark, commas, a header line even when no row follows, CRLF line ends
(RFC 4180), an empty cell for a missing value, true and false for a yes or no, ISO 8601 dates.

A file written with `export_to` gets a Frictionless data package beside it (datapackage.json,
see harvester/describe.py), holding every export in that folder.

    export_to(engine, "organisations", Path("out/organisations.csv"), "csv")
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import TextIO

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from wmkb.harvester import coverage, describe, vocabulary
from wmkb.harvester.describe import EXPORTED_FIELDS
from wmkb.harvester.errors import UsageError
from wmkb.harvester.lookup import every_organisation
from wmkb.harvester.models import Organisation
from wmkb.harvester.municipalities import inhabitants_of, municipalities
from wmkb.harvester.provenance import FIELDS as PROVENANCE_FIELDS
from wmkb.harvester.provenance import provenance
from wmkb.harvester.record import json_value

FORMATS, TABLES = describe.FORMATS, describe.TABLES
PACKAGE = "datapackage.json"


def organisation_rows(engine: Engine) -> Iterator[dict]:
    codes = list(vocabulary.regulations().labels)
    with Session(engine) as session:  # one snapshot: records and their pages agree
        for organisation in every_organisation(session):
            yield _organisation_row(organisation, codes, provenance(session, organisation.url))


def _organisation_row(organisation: Organisation, codes: list[str], source: dict | None) -> dict:
    offered = {regulation.code for regulation in organisation.regulations}
    inhabitants = inhabitants_of(organisation.cbs_code, organisation.inhabitants)
    return {
        **{
            field.name: json_value(getattr(organisation, field.name), field.kind)
            for field in EXPORTED_FIELDS
        },
        "inhabitants": inhabitants.count,
        "inhabitants_source": inhabitants.source,
        "status": organisation.status,
        "first_seen": _moment(organisation.first_seen),
        "last_seen": _moment(organisation.last_seen),
        "withdrawn_on": _iso(organisation.withdrawn_on),
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
                "org_type": organisation.org_type,
                "province": organisation.province,
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


def write(rows: Iterable[dict], output: TextIO, fmt: str, columns: list[str]) -> int:
    """Write rows as CSV, a JSON array or JSON lines; returns the row count."""
    count = 0
    if fmt == "csv":
        return write_csv(rows, output, columns)
    if fmt == "jsonl":
        for row in rows:
            output.write(json.dumps(_only(row, columns), ensure_ascii=False) + "\n")
            count += 1
    else:
        output.write("[")
        for row in rows:
            output.write(
                ("," if count else "") + "\n" + json.dumps(_only(row, columns), ensure_ascii=False)
            )
            count += 1
        output.write("\n]\n")
    return count


def write_csv(rows: Iterable[dict], output: TextIO, columns: list[str]) -> int:
    """Rows as CSV by wmkb's convention (see the module's docstring); returns the row count."""
    writer = csv.writer(output)
    writer.writerow(columns)  # also when no row follows: a tool still learns the columns
    count = 0
    for row in rows:
        writer.writerow([_cell(row.get(column)) for column in columns])
        count += 1
    return count


def export_to(engine: Engine, table: str, path: Path, fmt: str) -> int:
    """Write one table to `path` and describe it in the data package beside it (adding to the
    package the exports already in that folder); returns the row count."""
    try:
        with path.open("w", encoding="utf-8", newline="") as handle:
            count = write(ROWS[table](engine), handle, fmt, describe.columns(table))
        package_path = path.parent / PACKAGE
        exports = _exports_in(package_path)
        exports[table] = (path.name, fmt)
        package_path.write_text(
            json.dumps(describe.data_package(exports), ensure_ascii=False, indent=2) + "\n",
            encoding="utf-8",
        )
    except OSError as error:
        raise UsageError(f"cannot write {error.filename or path}: {error.strerror}") from error
    return count


def _exports_in(package_path: Path) -> dict[str, tuple[str, str]]:
    """The exports a data package already describes whose files are still there."""
    try:
        package = json.loads(package_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {
        resource["name"]: (resource["path"], resource["format"])
        for resource in package.get("resources", [])
        if resource.get("name") in TABLES
        and (package_path.parent / str(resource.get("path"))).is_file()
    }


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _only(row: dict, columns: list[str]) -> dict:
    return {column: row.get(column) for column in columns}


def _organisations(engine: Engine) -> Iterator[Organisation]:
    with Session(engine) as session:
        yield from every_organisation(session)


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _moment(value) -> str | None:
    # To the second: what a reader compares, and what a Table Schema's datetime reads.
    return value.isoformat(timespec="seconds") if value else None
