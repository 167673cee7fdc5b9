"""What wmkb's data means, for the tools a researcher opens it with: a Frictionless data package
(a Table Schema per exported table: types, keys, missing values, licence and sources) and
Datasette's metadata.json for the database file. The words are in harvester/data/tables.toml.

    package = data_package({"organisations": ("organisations.csv", "csv")})
    metadata = datasette_metadata(engine)
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

from wmkb.harvester import vocabulary
from wmkb.harvester.errors import WmkbError
from wmkb.harvester.municipalities import PROVINCES
from wmkb.harvester.record import FIELD_BY_NAME, FIELDS

if TYPE_CHECKING:
    from sqlalchemy import Engine

TABLES = ("organisations", "practices", "regulations", "coverage", "progress")  # `export --what`
FORMATS = ("csv", "json", "jsonl")
MISSING_VALUES = [""]  # an empty cell is a missing value, in every CSV wmkb writes
# The record's fields that are columns of the organisations export (harvester/record.py).
EXPORTED_FIELDS = tuple(field for field in FIELDS if field.exported and field.scalar)
# A field's kind as a Table Schema type.
_TYPES = {
    "string": "string",
    "text": "string",
    "url": "string",
    "date": "date",
    "integer": "integer",
}


def _enums() -> dict[str, tuple[str, ...]]:
    """Constraints a tool can check: the closed sets of values."""
    return {
        "org_type": vocabulary.ORG_TYPES,
        "status": ("active", "withdrawn"),
        "inhabitants_source": ("cbs", "page"),
        "province": PROVINCES,
        "section": tuple(vocabulary.sections().labels),
        "code": tuple(vocabulary.regulations().labels),
    }


@cache
def tables() -> dict:
    try:
        with resources.files(__package__).joinpath("data", "tables.toml").open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise WmkbError(f"harvester/data/tables.toml cannot be read: {error}") from error


def columns(table: str) -> list[str]:
    """An export table's columns, in order."""
    return [field["name"] for field in _fields(table)]


def column_description(name: str, table: str | None = None) -> str | None:
    """What a column means; a table's own wording first (database_columns "table.column")."""
    data = tables()
    if table and f"{table}.{name}" in data["database_columns"]:
        text = data["database_columns"][f"{table}.{name}"]
    else:
        text = data["columns"].get(name) or data["database_columns"].get(name)
    if text is None:
        label = vocabulary.regulations().labels.get(name)
        if label is None:
            return None
        counted = table and data["export"].get(table, {}).get("regulation_columns") == "integer"
        wording = data["regulation_count_column" if counted else "regulation_column"]
        return wording.format(label=label, code=name)
    return f"{text}. {data['cbs_source']}" if name in data["cbs_columns"] else text


def table_schema(table: str, *, with_organisations: bool) -> dict:
    """The Table Schema of an export table; its foreign key only when the package holds the
    organisations table it points at (else a validator could not check it)."""
    spec = tables()["export"][table]
    schema: dict = {
        "fields": _fields(table),
        "primaryKey": spec["primary_key"],
        "missingValues": MISSING_VALUES,
    }
    if "foreign_key" in spec and with_organisations:
        key = spec["foreign_key"]
        schema["foreignKeys"] = [
            {"fields": [key], "reference": {"resource": "organisations", "fields": [key]}}
        ]
    return schema


def data_package(resources_by_table: dict[str, tuple[str, str]]) -> dict:
    """The data package of the given exports: table → (file name beside it, format)."""
    data = tables()
    return {
        "profile": "data-package",
        "name": "wmkb",
        "title": data["title"],
        "description": data["description"],
        "licenses": [
            {"name": data["license"], "path": data["license_url"], "title": data["license_title"]}
        ],
        "sources": [
            {"title": data["source"], "path": data["source_url"]},
            {"title": data["cbs_source"], "path": data["cbs_url"]},
        ],
        "resources": [
            {
                "name": table,
                "path": path,
                "profile": "tabular-data-resource",
                "format": fmt,
                "mediatype": _MEDIA_TYPES[fmt],
                "encoding": "utf-8",
                "description": data["export"][table]["description"],
                "schema": table_schema(
                    table, with_organisations="organisations" in resources_by_table
                ),
            }
            for table, (path, fmt) in sorted(resources_by_table.items())
        ],
    }


_MEDIA_TYPES = {"csv": "text/csv", "json": "application/json", "jsonl": "application/jsonl"}


def datasette_metadata(engine: Engine) -> dict:
    """Datasette's metadata.json for the database: title, source, licence, and a description of
    every table, view and column it holds. WmkbError names a column nobody described."""
    from sqlalchemy import inspect  # the command line imports this module to list its choices

    data = tables()
    inspector = inspect(engine)
    described: dict = {}
    undescribed = []
    for table in sorted([*inspector.get_table_names(), *inspector.get_view_names()]):
        columns_of = {}
        for column in inspector.get_columns(table):
            text = column_description(column["name"], table)
            if text is None:
                undescribed.append(f"{table}.{column['name']}")
            columns_of[column["name"]] = text
        if table not in data["database"]:
            undescribed.append(table)
        described[table] = {"description": data["database"].get(table), "columns": columns_of}
    if undescribed:
        raise WmkbError("harvester/data/tables.toml does not describe " + ", ".join(undescribed))
    return {
        "title": data["title"],
        "description": data["description"],
        "source": data["source"],
        "source_url": data["source_url"],
        "license": data["license"],
        "license_url": data["license_url"],
        "databases": {_database_name(engine): {"tables": described}},
    }


def _database_name(engine: Engine) -> str:
    """The name Datasette gives the database: its file name without the suffix."""
    database = engine.url.database or "wmkb"
    return database.rsplit("/", 1)[-1].rsplit(".", 1)[0]


def _fields(table: str) -> list[dict]:
    spec = tables()["export"][table]
    columns = [_column(entry, table) for entry in spec["fields"]]
    if spec.get("exported_fields"):
        # A field harvester/record.py exports that the list does not place comes after it.
        listed = {name for name, _ in columns}
        columns += [
            (field.name, _TYPES[field.kind])
            for field in EXPORTED_FIELDS
            if field.name not in listed
        ]
    fields = [_field(name, kind, table) for name, kind in columns]
    # A column per regulation: whether an organisation offers it (boolean), or how many
    # organisations do (integer).
    kind = spec.get("regulation_columns")
    if kind:
        fields += [_field(code, kind, table) for code in vocabulary.regulations().labels]
    return fields


def _column(entry: str | list[str], table: str) -> tuple[str, str]:
    """A column of tables.toml's list: [name, type], or the name of a field of the record,
    whose type its declaration gives."""
    if isinstance(entry, str):
        field = FIELD_BY_NAME.get(entry)
        if field is None or not field.scalar:
            raise WmkbError(
                f"harvester/data/tables.toml [export.{table}]: {entry!r} is no field of the "
                "record (harvester/record.py); write [name, type] for a column of another kind"
            )
        if not field.exported:
            raise WmkbError(
                f"harvester/data/tables.toml [export.{table}]: {entry!r} is declared not "
                "exported (harvester/record.py)"
            )
        return entry, _TYPES[field.kind]
    name, kind = entry
    return name, kind


def _field(name: str, kind: str, table: str) -> dict:
    field: dict = {"name": name, "type": kind, "description": column_description(name, table)}
    enums = _enums()
    if name in enums:
        field["constraints"] = {"enum": list(enums[name])}
    if kind == "boolean":
        # What the CSV convention writes; JSON has its own true and false.
        field["trueValues"], field["falseValues"] = ["true"], ["false"]
    return field
