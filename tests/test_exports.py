"""Exports a researcher loads without guessing: every column, a Frictionless data package beside
each export that `frictionless validate` accepts and that tells a tool the types, one CSV
convention on the command line and the web page, a header line on an empty export; and the
database file explained to Datasette by `wmkb metadata`."""

from __future__ import annotations

import csv
import io
import json
import socket
import sqlite3
import subprocess
import sys
import time
import warnings
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from frictionless import Package

from tests.conftest import run_cli
from wmkb.harvester import vocabulary
from wmkb.harvester.describe import EXPORTED_FIELDS
from wmkb.web.app import create_app

with warnings.catch_warnings():  # starlette 1.x would rather have httpx2; httpx serves as well
    warnings.filterwarnings("ignore", "Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient

BIN = Path(sys.executable).parent


def _export(kb, tmp_path: Path, what: str, fmt: str) -> Path:
    target = tmp_path / f"{what}.{fmt}"
    result = run_cli(["export", "--what", what, "--format", fmt, "-o", str(target)], kb)
    assert result.exit_code == 0, result.output
    assert result.output.endswith(f"described in {tmp_path / 'datapackage.json'}\n")
    return target


def test_the_missing_columns_are_there(kb) -> None:
    organisations = list(csv.DictReader(io.StringIO(run_cli(["export"], kb).stdout)))
    aa = next(row for row in organisations if row["slug"] == "gemeente-aa-en-hunze")
    assert aa["description"].startswith("De gemeente Aa en Hunze is een gemeente in het noordoosten")
    assert aa["first_seen"] and aa["last_seen"] and aa["withdrawn_on"] == ""
    practices = run_cli(["export", "--what", "practices"], kb).stdout
    header = practices.splitlines()[0]
    assert header == "slug,name,org_type,province,section,position,text"
    row = next(csv.DictReader(io.StringIO(practices)))
    assert row["org_type"] and row["province"] is not None


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl"])
def test_each_export_has_a_data_package_that_validates(kb, tmp_path: Path, fmt: str) -> None:
    for what in ("organisations", "practices", "regulations", "coverage", "progress"):
        _export(kb, tmp_path, what, fmt)
    package_file = tmp_path / "datapackage.json"
    report = subprocess.run(
        [BIN / "frictionless", "validate", "--json", str(package_file)],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert report.returncode == 0, report.stdout[-3000:]
    assert json.loads(report.stdout)["valid"] is True
    package = json.loads(package_file.read_text(encoding="utf-8"))
    assert [resource["name"] for resource in package["resources"]] == ["coverage", "organisations", "practices", "progress", "regulations"]
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    practices = package["resources"][2]["schema"]
    assert practices["primaryKey"] == ["slug", "section", "position"]
    assert practices["foreignKeys"] == [{"fields": ["slug"], "reference": {"resource": "organisations", "fields": ["slug"]}}]
    assert practices["missingValues"] == [""]
    fields = {field["name"]: field for field in package["resources"][1]["schema"]["fields"]}
    assert fields["inhabitants"]["description"].endswith("Bron: CBS (Centraal Bureau voor de Statistiek), gemeenten per 1 januari 2025")
    assert "Bron: CBS" in fields["cbs_code"]["description"]
    assert "Bron: CBS" not in fields["employees"]["description"]


def test_a_tool_reads_the_types_from_the_package(kb, tmp_path: Path) -> None:
    _export(kb, tmp_path, "organisations", "csv")
    resource = Package(str(tmp_path / "datapackage.json"), basepath=str(tmp_path)).get_resource("organisations")
    rows = {row["slug"]: row for row in resource.read_rows()}
    aa = rows["gemeente-aa-en-hunze"]
    assert aa["employees"] == 306 and isinstance(aa["employees"], int)
    assert aa["recognised_since"].isoformat() == "2018-02-21"
    assert aa["thuiswerken"] is True and aa["verlof_sparen"] is False
    assert aa["withdrawn_on"] is None


def test_the_advisors_tables_read_with_their_types(kb, tmp_path: Path) -> None:
    _export(kb, tmp_path, "coverage", "csv")
    _export(kb, tmp_path, "progress", "csv")
    package = Package(str(tmp_path / "datapackage.json"), basepath=str(tmp_path))
    zeist = {row["cbs_code"]: row for row in package.get_resource("coverage").read_rows()}["GM0355"]
    assert zeist["recognised"] is False and zeist["cbs_inhabitants"] == 66671
    national = [row for row in package.get_resource("progress").read_rows() if row["area"] == "Nederland"]
    assert national[0]["year"] == 2011 and isinstance(national[0]["share"], Decimal | float)
    assert isinstance(national[0]["thuiswerken"], int)
    fields = {field["name"]: field for field in package.get_resource("progress").schema.to_dict()["fields"]}
    assert fields["year"]["description"] == "The calendar year"
    assert fields["thuiswerken"]["description"].startswith("How many of the organisations recognised that year offer")


def test_a_package_of_one_table_has_no_key_pointing_out_of_it(kb, tmp_path: Path) -> None:
    _export(kb, tmp_path, "practices", "csv")
    package = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    assert "foreignKeys" not in package["resources"][0]["schema"]


def test_one_csv_convention_on_the_command_line_and_the_web_page(kb) -> None:
    on_cli = run_cli(["export"], kb).stdout_bytes
    client = TestClient(create_app(kb.db_url, kb.index_dir))
    on_web = client.get("/vergelijk.csv?org=gemeente-aa-en-hunze&org=gemeente-wolderveen").content
    for body in (on_cli, on_web):
        assert not body.startswith(b"\xef\xbb\xbf")  # no byte-order mark
        header, rest = body.split(b"\r\n", 1)  # CRLF line ends (RFC 4180)
        assert b"\n" not in header and rest.endswith(b"\r\n")
        assert b",true," in body or b",true\r\n" in body
        assert b"True" not in body and b"False" not in body


def test_an_empty_export_still_has_its_header(new_kb) -> None:
    assert run_cli(["db", "upgrade"], new_kb).exit_code == 0
    codes = ",".join(vocabulary.regulations().labels)
    # These columns keep their names and order; a field the record declares exported later
    # (harvester/record.py) adds its column after them, before the regulations.
    kept = (
        "slug,name,org_type,province,cbs_code,status,recognised_since,ambassador_since,"
        "employees,inhabitants,inhabitants_source,website,url,description,first_seen,last_seen,"
        "withdrawn_on,page_url,captured_at,fetched_at,archive_file,archive_offset"
    )
    added = [field.name for field in EXPORTED_FIELDS if field.name not in kept.split(",")]
    organisations = run_cli(["export"], new_kb).stdout_bytes.decode()
    assert organisations == ",".join([kept, *added, codes]) + "\r\n"
    regulations = run_cli(["export", "--what", "regulations"], new_kb).stdout_bytes
    assert regulations == b"slug,name,code,label\r\n"
    assert run_cli(["export", "--format", "json"], new_kb).stdout == "[\n]\n"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_datasette_serves_the_file_with_its_metadata(refreshed, tmp_path: Path) -> None:
    kb, _ = refreshed
    if not kb.db_url.startswith("sqlite"):
        pytest.skip("Datasette opens SQLite files")
    metadata = tmp_path / "metadata.json"
    result = run_cli(["metadata", "-o", str(metadata)], kb)
    assert result.exit_code == 0, result.output
    port = _free_port()
    database = kb.db_url.removeprefix("sqlite:///")
    server = subprocess.Popen(
        [BIN / "datasette", "serve", database, "-m", str(metadata), "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                httpx.get(base + "/-/versions.json", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        served = httpx.get(base + "/-/metadata.json").json()
        assert served["title"].startswith("wmkb")
        assert served["license"] == "CC-BY-4.0"
        tables = served["databases"]["wmkb"]["tables"]
        assert "Bron: CBS" in tables["municipalities"]["description"]
        assert all(all(tables[t]["columns"].values()) for t in tables)  # every column described
        page = httpx.get(base + "/wmkb/organisations").text
        assert "One row per organisation ever found" in page
        wide = httpx.get(base + "/wmkb/organisations_regulations.json?slug=gemeente-aa-en-hunze&_shape=array").json()
        assert wide[0]["thuiswerken"] == 1 and wide[0]["verlof_sparen"] == 0
        cbs = httpx.get(base + "/wmkb/organisations_cbs.json?slug=gemeente-amersfoort&_shape=array").json()
        assert cbs[0]["cbs_code"] == "GM0307" and cbs[0]["cbs_inhabitants"] > 150000
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_metadata_names_a_column_nobody_described(refreshed, tmp_path: Path) -> None:
    kb, _ = refreshed
    if not kb.db_url.startswith("sqlite"):
        pytest.skip("copies a SQLite file")
    copy = tmp_path / "copy.sqlite"
    with sqlite3.connect(kb.db_url.removeprefix("sqlite:///")) as source, sqlite3.connect(copy) as target:
        source.backup(target)
        target.execute("ALTER TABLE practices ADD COLUMN mystery TEXT")
    result = run_cli(["metadata", "--db", f"sqlite:///{copy}"])
    assert result.exit_code == 1
    assert result.output == "Error: harvester/data/tables.toml does not describe practices.mystery\n"
