"""The command line as people use it: exact output, exit codes, one-line errors."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

from tests.conftest import FIXTURE_SITE, run_cli
from wmkb.harvester.normalise import regulations

WMKB = str(Path(sys.executable).with_name("wmkb"))

AA_EN_HUNZE = FIXTURE_SITE / "erkende-organisaties" / "gemeente-aa-en-hunze" / "index.html"


def test_parse_prints_the_record() -> None:
    result = run_cli(
        [
            "parse",
            str(AA_EN_HUNZE),
            "--url",
            "https://www.werkenmantelzorg.nl/erkende-organisaties/gemeente-aa-en-hunze/",
        ]
    )
    assert result.exit_code == 0
    record = json.loads(result.stdout)
    gold = json.loads(AA_EN_HUNZE.with_name("index.gold.json").read_text())
    assert {key: record[key] for key in gold} == gold
    assert (
        record["url"]
        == "https://www.werkenmantelzorg.nl/erkende-organisaties/gemeente-aa-en-hunze/"
    )


def test_thuiswerken_gemeente_finds_municipalities_that_work_from_home(kb) -> None:
    result = run_cli(["search", "thuiswerken gemeente", "--json", "--limit", "50"], kb)
    assert result.exit_code == 0
    hits = json.loads(result.stdout)
    assert "Gemeente Aa en Hunze" in {hit["name"] for hit in hits}
    for hit in hits:
        assert hit["org_type"] == "gemeente"
        # the practice says it, in these words or in another phrasing of the regulation
        assert "thuis" in hit["text"].lower() or "thuiswerken" in regulations([hit["text"]])
        assert set(hit) == {"name", "slug", "url", "org_type", "section", "text", "score", "across_practices"}
        assert hit["across_practices"] is False  # the municipality's name is in every practice


def test_search_marks_the_matched_words_on_a_terminal_only(kb) -> None:
    # A pipe gets the text as it is; a terminal gets the matched words in bold.
    piped = subprocess.run(
        [WMKB, "search", "thuiswerken", "--type", "gemeente", "--limit", "3"],
        env={**os.environ, **kb.env()}, capture_output=True, text=True, check=True,
    ).stdout
    assert "\n  Thuiswerken\n" in piped and "**" not in piped and "\x1b" not in piped
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [WMKB, "search", "thuiswerken", "--type", "gemeente", "--limit", "3"],
        env={**os.environ, **kb.env()}, stdout=follower, stderr=subprocess.DEVNULL,
    )
    os.close(follower)
    shown = b""
    while chunk := _read_pty(leader):
        shown += chunk
    os.close(leader)
    assert process.wait() == 0
    assert "\x1b[1mThuiswerken\x1b[0m" in shown.decode()


def _read_pty(descriptor: int) -> bytes:
    try:
        return os.read(descriptor, 65536)
    except OSError:  # the other end closed: Linux says EIO
        return b""


def test_search_filters_by_type_and_regulation(kb) -> None:
    hits = json.loads(
        run_cli(["search", "mantelzorg", "--type", "zorg", "--json", "--limit", "100"], kb).output
    )
    assert hits and {hit["org_type"] for hit in hits} == {"zorg"}
    hits = json.loads(
        run_cli(
            ["search", "mantelzorg", "--regulation", "verlof_sparen", "--json", "--limit", "100"],
            kb,
        ).output
    )
    slugs = {hit["slug"] for hit in hits}
    for slug in slugs:
        shown = json.loads(run_cli(["show", slug, "--json"], kb).stdout)
        assert "verlof_sparen" in shown["regulations"]


def test_phrase_query(kb) -> None:
    hits = json.loads(
        run_cli(["search", '"kortdurend zorgverlof"', "--json", "--limit", "100"], kb).output
    )
    assert hits
    assert all("kortdurend zorgverlof" in hit["text"].lower() for hit in hits)


def test_show_matches_a_name_in_any_case(kb) -> None:
    result = run_cli(["show", "gemeente aa en hunze", "--json"], kb)
    assert result.exit_code == 0
    shown = json.loads(result.stdout)
    assert shown["slug"] == "gemeente-aa-en-hunze"
    assert shown["status"] == "active"
    assert shown["first_seen"] and shown["last_seen"]
    assert isinstance(shown["history"], list)
    text = run_cli(["show", "gemeente-aa-en-hunze"], kb).output
    assert text.startswith("Gemeente Aa en Hunze (gemeente, active)\n")


def test_stats(kb) -> None:
    numbers = json.loads(run_cli(["stats", "--json"], kb).stdout)
    assert numbers["organisations"] == numbers["active"] == 30
    assert numbers["withdrawn"] == 0
    assert numbers["measures"] > 300
    assert numbers["regulations"] > 50
    assert numbers["last_refresh"]["status"] == "completed"


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl"])
def test_export_tidy_tables(kb, fmt) -> None:
    organisations = run_cli(["export", "--format", fmt], kb).output
    practices = run_cli(["export", "--format", fmt, "--what", "practices"], kb).output
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(organisations)))
        practice_rows = list(csv.DictReader(io.StringIO(practices)))
    elif fmt == "json":
        rows, practice_rows = json.loads(organisations), json.loads(practices)
    else:
        rows = [json.loads(line) for line in organisations.splitlines()]
        practice_rows = [json.loads(line) for line in practices.splitlines()]
    slugs = [row["slug"] for row in rows]
    assert slugs == sorted(slugs)  # the same records export alike, whatever the crawl's order
    aa = next(row for row in rows if row["slug"] == "gemeente-aa-en-hunze")
    assert str(aa["thuiswerken"]).lower() == "true" and str(aa["verlof_sparen"]).lower() == "false"
    assert str(aa["employees"]) == "306"
    assert (
        len([row for row in practice_rows if row["slug"] == "gemeente-aa-en-hunze"])
        == 4 + 6 + 7 + 5
    )


def test_export_to_a_file(kb, tmp_path) -> None:
    target = tmp_path / "orgs.csv"
    result = run_cli(["export", "-o", str(target)], kb)
    assert result.exit_code == 0
    assert target.read_text(encoding="utf-8").startswith("slug,name,org_type,")


def test_reindex_rebuilds_from_the_database(kb) -> None:
    before = json.loads(
        run_cli(["search", "mantelzorgmakelaar", "--json", "--limit", "100"], kb).output
    )
    result = run_cli(["reindex"], kb)
    assert result.exit_code == 0 and result.output.endswith("practices indexed\n")
    after = json.loads(
        run_cli(["search", "mantelzorgmakelaar", "--json", "--limit", "100"], kb).output
    )
    assert after == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["show", "Gemeente Nergenshuizen"], "no organisation named 'Gemeente Nergenshuizen'"),
        (["search", "   "], "empty query"),
        (["search", "x" * 600], "query longer than 500 characters"),
    ],
)
def test_bad_input_gets_one_line_and_a_non_zero_exit(kb, args, message) -> None:
    result = run_cli(args, kb)
    assert result.exit_code != 0
    assert message in result.output
    assert result.output.count("\n") == 1
    assert "Traceback" not in result.output


def test_missing_database_and_index(new_kb, backend) -> None:
    kb = new_kb  # a SQLite file that does not exist, or an empty PostgreSQL database
    for args, message in (
        (["stats"], "no knowledge base at"),
        (["show", "x"], "no knowledge base at"),
        (["search", "thuiswerken"], "run `wmkb reindex`"),
    ):
        result = run_cli(args, kb)
        assert result.exit_code == 1, args
        assert message in result.output
        assert result.output.count("\n") == 1
    if backend == "sqlite":
        assert not (kb.home / "wmkb.sqlite").exists()
    else:
        engine = create_engine(kb.db_url)
        assert inspect(engine).get_table_names() == []
        engine.dispose()


def test_bad_database_url_and_unreadable_file(tmp_path) -> None:
    result = run_cli(["stats", "--db", "nonsense://"])
    assert result.exit_code == 2
    assert "database URL" in result.output
    result = run_cli(["parse", str(tmp_path / "missing.html")])
    assert result.exit_code == 2
    assert "does not exist" in result.output


def _modules_imported_by(args: list[str], kb) -> set[str]:
    """The top-level packages a real `wmkb ARGS` process has imported when it ends."""
    report = (
        "import atexit, sys\n"
        "atexit.register(lambda: print(' '.join(sorted({m.split('.')[0] for m in sys.modules})),"
        " file=sys.stderr))\n"
        f"sys.argv = ['wmkb', *{args!r}]\n"
        "from wmkb import cli\n"
        "cli.main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", report], env={**os.environ, **kb.env()}, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return set(done.stderr.split())


HEAVY = {"sqlalchemy", "alembic", "whoosh", "starlette", "jinja2", "uvicorn", "httpx", "selectolax", "psycopg"}


def test_version_imports_nothing_heavy(kb) -> None:
    assert not _modules_imported_by(["--version"], kb) & HEAVY


def test_search_imports_the_index_alone(kb) -> None:
    assert _modules_imported_by(["search", "thuiswerken gemeente"], kb) & HEAVY == {"whoosh"}
