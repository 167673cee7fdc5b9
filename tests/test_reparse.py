"""`wmkb reparse`: after an edit to the reader's data files, the archived pages are read again,
with the site out of reach, and records, index and queries agree again."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from tests.conftest import FIXTURE_SITE, ROOT, lock_held_elsewhere, run_cli
from wmkb.harvester.sitehost import serve_folder
from wmkb.harvester.store import knowledge_base_version, open_database
from wmkb.index.directory import index_version

SHIPPED_DATA = ROOT / "harvester" / "data"
NEW_PHRASING = "privébalans"  # Gemeente Amersfoort's awareness item says "werk-/privébalans"


class _Counting(BaseHTTPRequestHandler):
    requests: list[str]

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        self.requests.append(self.path)
        self.send_response(503)
        self.end_headers()

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        pass


def _wmkb(kb, *args: str, data: Path | None = None) -> subprocess.CompletedProcess:
    """The command in a process of its own, as a user runs it: data files are read once per
    process."""
    env = {**os.environ, **kb.env()}
    env.pop("WMKB_DATA", None)
    if data is not None:
        env["WMKB_DATA"] = str(data)
    return subprocess.run(
        [sys.executable, "-c", "from wmkb.cli import main; main()", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )


def _edited_data(tmp_path: Path) -> Path:
    """A copy of harvester/data in which "werk-/privébalans" names flexible working hours."""
    data = tmp_path / "data"
    shutil.copytree(SHIPPED_DATA, data)
    rules = data / "regulations.toml"
    text = rules.read_text(encoding="utf-8")
    text = text.replace("anchors = [\n", f'anchors = [\n    "{NEW_PHRASING}",\n', 1)
    section = '[codes.flexibele_werktijden]\nlabel = "Flexibele werktijden"\npatterns = [\n'
    assert section in text
    text = text.replace(section, section + f"    '\\bwerk-/{NEW_PHRASING}',\n", 1)
    rules.write_text(text, encoding="utf-8")
    return data


def _found(kb, data: Path | None) -> list[str]:
    result = _wmkb(
        kb, "search", NEW_PHRASING, "--regulation", "flexibele_werktijden", "--json", data=data
    )
    assert result.returncode == 0, result.stderr
    return sorted({hit["slug"] for hit in json.loads(result.stdout)})


def test_an_edited_phrasing_changes_records_history_and_search_without_the_site(
    tmp_path, new_kb
) -> None:
    kb = new_kb
    with serve_folder(FIXTURE_SITE) as origin:
        result = run_cli(["refresh", "--site", origin + "/", "--delay", "0"], kb)
        assert result.exit_code == 0, result.output
    before = json.loads(run_cli(["show", "Gemeente Amersfoort", "--json"], kb).stdout)
    assert "flexibele_werktijden" not in before["regulations"]
    found_before = _found(kb, None)
    assert before["slug"] not in found_before

    # The site's address now answers, and counts, whatever asks it.
    requests: list[str] = []
    port = urlsplit(origin).port
    server = ThreadingHTTPServer(
        ("127.0.0.1", port), type("Counting", (_Counting,), {"requests": requests})
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        data = _edited_data(tmp_path)
        reparsed = _wmkb(kb, "reparse", "--json", data=data)
        assert reparsed.returncode == 0, reparsed.stderr
        summary = json.loads(reparsed.stdout)
        found = _found(kb, data)
    finally:
        server.shutdown()
        server.server_close()

    assert requests == []
    assert summary["changed"] >= 1 and summary["failed"] == 0 and summary["new"] == 0
    after = json.loads(run_cli(["show", "Gemeente Amersfoort", "--json"], kb).stdout)
    assert "flexibele_werktijden" in after["regulations"]
    change = after["history"][-1]
    assert (change["field"], change["source"], change["new"]) == (
        "regulations",
        "reader",
        ["flexibele_werktijden"],
    )
    assert after["last_seen"] == before["last_seen"]  # the site was not visited
    assert after["slug"] in found
    shown = run_cli(["show", "Gemeente Amersfoort"], kb).stdout
    assert shown.rstrip().endswith("→ flexibele_werktijden (reader)")

    again = _wmkb(kb, "reparse", "--json", data=data)
    assert json.loads(again.stdout)["changed"] == 0  # read again, nothing new to say


def test_a_record_missing_from_the_archive_fails_alone(site, new_kb) -> None:
    kb = new_kb
    assert run_cli(["refresh", "--site", site + "/", "--delay", "0"], kb).exit_code == 0
    archive = kb.home / "archive"
    (path,) = archive.glob("*.warc.gz")
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])  # the archive cut in half
    result = run_cli(["reparse", "--json"], kb)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["failed"] >= 1 and summary["pages"] >= 1
    assert all(path.name in failure["reason"] for failure in summary["failures"])
    assert summary["changed"] == summary["new"] == 0
    assert json.loads(run_cli(["stats", "--json"], kb).stdout)["organisations"] > 0


def test_a_reparse_waits_for_no_refresh(site, new_kb) -> None:
    kb = new_kb
    assert run_cli(["refresh", "--site", site + "/", "--delay", "0"], kb).exit_code == 0
    with lock_held_elsewhere(kb):
        result = run_cli(["reparse"], kb)
    assert result.exit_code == 75
    assert result.stderr.count("\n") == 1 and result.stdout == ""


def test_wmkb_data_replaces_only_the_files_it_holds(tmp_path, monkeypatch) -> None:
    from wmkb.harvester.vocabulary import data_file

    (tmp_path / "regulations.toml").write_text("# edited\n", encoding="utf-8")
    monkeypatch.setenv("WMKB_DATA", str(tmp_path))
    assert data_file("regulations.toml").read_text(encoding="utf-8") == "# edited\n"
    shipped = (SHIPPED_DATA / "gemeenten.csv").read_text(encoding="utf-8")
    assert data_file("gemeenten.csv").read_text(encoding="utf-8") == shipped


_REPARSE_SCRIPT = """
import sys
from pathlib import Path
from wmkb.harvester import settings
from wmkb.harvester.reparse import reparse
from wmkb.harvester.store import open_database
summary = reparse(open_database(sys.argv[1]), settings.archive_dir(), index_dir=Path(sys.argv[2]))
print(summary.changed)
"""


def test_a_script_that_reparses_leaves_the_index_up_to_date(tmp_path, new_kb) -> None:
    kb = new_kb
    with serve_folder(FIXTURE_SITE) as origin:
        assert run_cli(["refresh", "--site", origin + "/", "--delay", "0"], kb).exit_code == 0
    env = {**os.environ, **kb.env(), "WMKB_DATA": str(_edited_data(tmp_path))}
    script = [sys.executable, "-c", _REPARSE_SCRIPT, kb.db_url, str(kb.index_dir)]
    result = subprocess.run(script, capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) >= 1
    with Session(open_database(kb.db_url)) as session:
        assert index_version(kb.index_dir) == knowledge_base_version(session)
