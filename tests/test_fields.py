"""The record's fields are declared once (harvester/record.py): the database's model, the
words in the data files, the reader, `wmkb show`, the exports and the index follow the
declaration, and a field added in one place and not in another fails here with its name."""

from __future__ import annotations

import dataclasses
import json

import pytest
from sqlalchemy import Date, Integer, String, Text
from whoosh.fields import ID

from tests.conftest import make_kb, run_cli
from wmkb.harvester import describe, vocabulary
from wmkb.harvester.errors import WmkbError
from wmkb.harvester.models import Organisation
from wmkb.harvester.normalise import _READ_FACT, stated_facts
from wmkb.harvester.record import FIELD_BY_NAME, FIELDS, Field, declared
from wmkb.harvester.store import open_database
from wmkb.index import build
from wmkb.index.directory import STATE_FILE, open_index
from wmkb.index.schema import fingerprint, organisation_schema, practice_schema
from wmkb.web import labels

# What each kind of field is kept in, as a column of organisations.
COLUMN_TYPES = {"string": String, "url": String, "text": Text, "date": Date, "integer": Integer}
# The organisation's own state beside its record: the model's, never read from a page.
STATE_COLUMNS = {"id", "status", "withdrawn_on", "first_seen", "last_seen", "record_hash", "version"}

OPENING_HOURS = Field(
    name="opening_hours",
    kind="string",
    stored=True,
    shown=True,
    exported=True,
    indexed=("words",),
    index_as="opening_hours",
    stated=True,
    gold=True,
)


def disagreements(fields: tuple[Field, ...]) -> list[str]:
    """What the declared fields and harvester/models.py's Organisation say differently."""
    columns = Organisation.__table__.c
    found = []
    for field in fields:
        if not (field.stored and field.scalar):
            continue
        if field.name not in columns:
            found.append(
                f"{field.name}: declared stored in harvester/record.py, but Organisation "
                "(harvester/models.py) has no such column; add it there and in a migration"
            )
        elif type(columns[field.name].type) is not COLUMN_TYPES[field.kind]:
            found.append(
                f"{field.name}: declared {field.kind}, but its column is "
                f"{columns[field.name].type!r}, not {COLUMN_TYPES[field.kind].__name__}"
            )
    declared = {field.name for field in fields}
    for column in columns:
        if column.name not in declared | STATE_COLUMNS:
            found.append(f"{column.name}: a column of organisations no field declares")
    return found


def test_the_model_has_a_column_of_its_kind_for_every_stored_field() -> None:
    assert disagreements(FIELDS) == []


def test_a_field_declared_and_not_in_the_model_is_named() -> None:
    assert disagreements((*FIELDS, OPENING_HOURS)) == [
        "opening_hours: declared stored in harvester/record.py, but Organisation "
        "(harvester/models.py) has no such column; add it there and in a migration"
    ]
    as_text = dataclasses.replace(FIELD_BY_NAME["website"], kind="text")
    assert disagreements((as_text,))[0] == (
        "website: declared text, but its column is String(length=2000), not Text"
    )
    assert "slug: a column of organisations no field declares" in disagreements(FIELDS[2:])


def test_every_stated_field_has_a_reading_and_the_labels_that_state_it() -> None:
    labelled = {field for _, field in vocabulary.fact_labels()}
    for field in FIELDS:
        if field.stated:
            assert field.kind in _READ_FACT, f"{field.name}: no fact reader for {field.kind}"
            assert field.name in labelled, f"{field.name}: no label in harvester/data/facts.toml"


def test_a_stated_fact_is_read_as_its_kind() -> None:
    facts = {"opening_hours": ["", "  ma-vr   9-17 uur "], "recognised_since": ["1-2-2019"]}
    read = stated_facts(facts, (*FIELDS, OPENING_HOURS))
    assert read["opening_hours"] == "ma-vr 9-17 uur"
    assert read["recognised_since"].isoformat() == "2019-02-01"
    assert read["ambassador_since"] is None
    assert stated_facts({}, (OPENING_HOURS,)) == {"opening_hours": None}


def test_a_field_without_a_dutch_name_is_named(monkeypatch) -> None:
    monkeypatch.setattr(labels, "FIELDS", (*FIELDS, OPENING_HOURS))
    labels.labels.cache_clear()
    try:
        with pytest.raises(WmkbError, match=r"\[fields\]: no Dutch name for the record's opening_hours"):
            labels.labels()
    finally:
        labels.labels.cache_clear()


def test_an_exported_field_the_export_list_does_not_place_comes_before_the_regulations(
    monkeypatch,
) -> None:
    columns = describe.columns("organisations")
    assert {field.name for field in describe.EXPORTED_FIELDS} <= set(columns)
    monkeypatch.setattr(describe, "EXPORTED_FIELDS", (*describe.EXPORTED_FIELDS, OPENING_HOURS))
    with_hours = describe.columns("organisations")
    codes = len(vocabulary.regulations().labels)
    assert with_hours[: len(columns) - codes] == columns[: len(columns) - codes]
    assert with_hours[len(columns) - codes] == "opening_hours"


def test_show_prints_every_shown_field(kb) -> None:
    record = json.loads(run_cli(["show", "gemeente-aa-en-hunze", "--json"], kb).stdout)
    text = run_cli(["show", "gemeente-aa-en-hunze"], kb).output
    shown = [field.name for field in FIELDS if field.shown and field.name != "org_type"]
    assert [name for name in shown if record[name] is not None]
    for name in shown:
        if record[name] is not None:
            assert f"\n  {name}: {record[name]}\n" in text


def test_the_index_has_a_field_for_every_field_declared_indexed() -> None:
    practices, organisations = practice_schema(), organisation_schema()
    for field in FIELDS:
        for manner in set(field.indexed) - {"words"}:
            assert field.index_as in practices.names(), field.name
            if manner != "stored":
                assert field.index_as in organisations.names(), field.name


def test_an_index_of_another_schema_is_rebuilt_by_the_next_refresh(
    site: str, tmp_path, monkeypatch
) -> None:
    kb = make_kb(tmp_path)
    refresh = ["refresh", "--site", site + "/", "--delay", "0", "--quiet"]
    assert run_cli(refresh, kb).exit_code == 0
    state = json.loads((kb.index_dir / STATE_FILE).read_text())
    assert state["schema"] == fingerprint(practice_schema(), organisation_schema())

    def with_a_new_field():
        schema = practice_schema()
        schema.add("opening_hours", ID(stored=True))
        return schema

    monkeypatch.setattr(build, "practice_schema", with_a_new_field)
    result = run_cli(refresh, kb)
    assert result.exit_code == 0, result.output
    assert "opening_hours" in open_index(kb.index_dir).schema.names()
    state = json.loads((kb.index_dir / STATE_FILE).read_text())
    assert state["schema"] == fingerprint(with_a_new_field(), organisation_schema())


def test_an_index_without_a_fingerprint_is_rebuilt(site: str, tmp_path) -> None:
    kb = make_kb(tmp_path)
    assert run_cli(["refresh", "--site", site + "/", "--delay", "0", "--quiet"], kb).exit_code == 0
    state_file = kb.index_dir / STATE_FILE
    state = json.loads(state_file.read_text())
    state_file.write_text(json.dumps({"version": state["version"]}))  # an older wmkb's index
    engine = open_database(kb.db_url)
    assert build.update(engine, kb.index_dir) > 0  # every organisation, indexed anew
    assert json.loads(state_file.read_text())["schema"] == state["schema"]
    assert build.update(engine, kb.index_dir) == 0  # the same schema: nothing to do
    engine.dispose()


def test_a_column_the_export_lists_is_a_field_declared_exported(monkeypatch) -> None:
    hidden = dataclasses.replace(FIELD_BY_NAME["website"], exported=False)
    monkeypatch.setitem(describe.FIELD_BY_NAME, "website", hidden)
    with pytest.raises(WmkbError, match="'website' is declared not exported"):
        describe.columns("organisations")
    monkeypatch.setitem(describe.FIELD_BY_NAME, "website", None)
    with pytest.raises(WmkbError, match="'website' is no field of the record"):
        describe.columns("organisations")


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ({"kind": "number"}, "a field's kind is one of"),
        ({"kind": "string", "indexed": ("facet",)}, "indexed in the manners"),
        ({"kind": "string", "stored": False, "shown": True}, "must be stored"),
    ],
)
def test_a_declaration_that_cannot_be_kept_is_refused(how: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        declared(**how)
