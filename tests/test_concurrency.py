"""Search, show and export go on while a refresh writes, on both backends: a reader looping over
them never fails and never sees half an organisation.

The site's profiles have 2 + 2 practices and 100 employees; then they all change to 5 + 2
practices and 200 employees. Whatever moment a reader looks at, an organisation has one of the
two complete states: never some of its practices, never the old count with the new employees.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import ROOT, run_cli
from tests.faultsite import profile_html
from wmkb.harvester.models import Organisation
from wmkb.harvester.record import Profile
from wmkb.harvester.sitehost import serve_folder
from wmkb.harvester.store import open_database, save_profile

ORGANISATIONS = 24  # A to X
FIRST = (100, ("Workshop voor leidinggevenden", "Mantelzorgcafé"))
SECOND = (
    200,
    (
        "Workshop voor leidinggevenden",
        "Mantelzorgcafé",
        "Intranetpagina over mantelzorg",
        "Lunchlezing over werk en zorg",
        "Mantelzorgmakelaar voor iedereen",
    ),
)
TAILORED = 2  # every profile's second section: thuiswerken, kortdurend zorgverlof


def _write_site(folder: Path, state: tuple[int, tuple[str, ...]]) -> None:
    employees, awareness = state
    links = []
    for number in range(ORGANISATIONS):
        page = folder / "org" / f"zorggroep-{number}" / "index.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        name = f"Zorggroep Proef {chr(ord('A') + number)}"  # a digit would read as a headcount
        page.write_text(
            profile_html(name, employees=employees, awareness=awareness), encoding="utf-8"
        )
        links.append(f'<li><a href="/org/zorggroep-{number}/">{number}</a></li>')
    (folder / "index.html").write_text(
        f"<html><body><main><h1>Start</h1><ul>{''.join(links)}</ul></main></body></html>",
        encoding="utf-8",
    )
    (folder / "robots.txt").write_text("User-agent: *\nAllow: /\n", encoding="utf-8")


def _complete(state: tuple[int, tuple[str, ...]]) -> tuple[int, int]:
    employees, awareness = state
    return employees, len(awareness) + TAILORED


class Reader:
    """Loops over export, show and search, checking every answer; counts what it saw."""

    def __init__(self, kb, states: set[tuple[int, int]]) -> None:
        self.kb = kb
        self.states = states
        self.counts = {state[1] for state in states}
        self.slugs: list[str] = []
        self.reads = 0
        self.partial_sets = 0  # exports that showed some organisations but not all
        self.mixed = 0  # exports that showed both states at once: read mid-refresh

    def read_once(self, what: str) -> None:
        self.reads += 1
        if what == "export":
            result = run_cli(["export", "--what", "practices", "--format", "json"], self.kb)
            assert result.exit_code == 0, result.output
            per_slug: dict[str, int] = {}
            for row in json.loads(result.stdout):
                per_slug[row["slug"]] = per_slug.get(row["slug"], 0) + 1
            assert set(per_slug.values()) <= self.counts, per_slug
            self.slugs = sorted(per_slug)
            self.partial_sets += 0 < len(per_slug) < ORGANISATIONS
            self.mixed += len(set(per_slug.values())) > 1
        elif what == "show" and self.slugs:
            slug = self.slugs[self.reads % len(self.slugs)]
            result = run_cli(["show", slug, "--json"], self.kb)
            assert result.exit_code == 0, result.output
            shown = json.loads(result.stdout)
            practices = sum(len(items) for items in shown["sections"].values())
            assert (shown["employees"], practices) in self.states, (slug, shown)
        elif what == "search":
            result = run_cli(["search", "mantelzorgcafé", "--json", "--limit", "50"], self.kb)
            assert result.exit_code == 0, result.output
            json.loads(result.stdout)


def _refresh_while_reading(kb, origin: str, reader: Reader) -> None:
    command = [sys.executable, "-m", "wmkb", "refresh", "--site", origin + "/", "--delay", "0.08",
               "--concurrency", "1", "--quiet"]
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **kb.env()},
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for what in itertools.cycle(("export", "show", "search")):
        if process.poll() is not None:
            break
        reader.read_once(what)
    _, errors = process.communicate(timeout=60)
    assert process.returncode == 0, errors
    for what in ("export", "show", "search"):  # and once more when it has finished
        reader.read_once(what)


def test_readers_never_see_half_an_organisation(new_kb, tmp_path) -> None:
    kb = new_kb
    folder = tmp_path / "site"
    _write_site(folder, FIRST)
    assert run_cli(["db", "upgrade"], kb).exit_code == 0
    assert run_cli(["reindex"], kb).exit_code == 0  # an empty index: search works from the start
    with serve_folder(folder) as origin:
        first = Reader(kb, {_complete(FIRST)})
        _refresh_while_reading(kb, origin, first)
        assert first.slugs and len(first.slugs) == ORGANISATIONS
        assert first.partial_sets >= 1, "the reader never looked while the refresh wrote"

        _write_site(folder, SECOND)
        second = Reader(kb, {_complete(FIRST), _complete(SECOND)})
        _refresh_while_reading(kb, origin, second)
        assert second.mixed >= 1, "the reader never looked while the refresh wrote"
    shown = json.loads(run_cli(["show", "Zorggroep Proef A", "--json"], kb).stdout)
    assert shown["employees"] == 200


def _profile(employees: int, items: tuple[str, ...]) -> Profile:
    return Profile(
        url="https://example.nl/org/proef/",
        slug="proef",
        name="Zorggroep Proef",
        org_type="zorg",
        ambassador_since=None,
        recognised_since=None,
        employees=employees,
        inhabitants=None,
        website=None,
        description=None,
        sections={"awareness": items},
        regulations=(),
    )


def test_a_read_sees_one_state_of_the_database(new_kb) -> None:
    """What the loop above can only catch by luck: a reader's queries (an organisation, then
    its practices) all see the database as it was when the first one ran."""
    writer = open_database(new_kb.db_url, create=True)
    reader = open_database(new_kb.db_url)
    with Session(writer) as session:
        save_profile(session, _profile(100, ("a", "b")), run_id=None, now=datetime.now())
    with Session(reader) as reading:
        organisation = reading.scalar(select(Organisation))
        with Session(writer) as session:
            outcome = save_profile(
                session, _profile(200, ("a", "b", "c", "d", "e")), run_id=None, now=datetime.now()
            )
        assert outcome == "changed"
        assert (organisation.employees, len(organisation.practices)) == (100, 2)
    with Session(reader) as reading:
        organisation = reading.scalar(select(Organisation))
        assert (organisation.employees, len(organisation.practices)) == (200, 5)
    writer.dispose()
    reader.dispose()
