"""Reading and storing in the refresh's second process: the knowledge base is the same as when
the refresh reads in its own, and a second process that dies loses nothing."""

from __future__ import annotations

import asyncio
import json
import os
import signal

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import FIXTURE_SITE, make_kb, run_cli
from wmkb.harvester.models import Organisation, OrganisationRegulation, Practice, RefreshRun
from wmkb.harvester.reader import PageReader, ReadError
from wmkb.harvester.store import now, open_database

HTML = "text/html; charset=utf-8"


def _path(url: str) -> str:
    return "/" + url.split("/", 3)[-1]  # each server has its own port; the paths are the site's


def _contents(db_url: str) -> dict:
    """What a knowledge base says, without row ids, times and versions."""
    engine = open_database(db_url)
    with Session(engine) as session:
        organisations = {
            _path(org.url): (
                org.name,
                org.slug,
                org.org_type,
                org.employees,
                org.recognised_since,
                org.website,
                org.description,
                org.status,
            )
            for org in session.scalars(select(Organisation))
        }
        practices = sorted(
            (_path(url), section, position, text)
            for url, section, position, text in session.execute(
                select(Organisation.url, Practice.section, Practice.position, Practice.text).join(
                    Practice
                )
            )
        )
        regulations = sorted(
            (_path(url), code)
            for url, code in session.execute(
                select(Organisation.url, OrganisationRegulation.code).join(OrganisationRegulation)
            )
        )
    engine.dispose()
    return {"organisations": organisations, "practices": practices, "regulations": regulations}


def test_the_second_process_stores_what_the_refresh_itself_would(site, new_kb, tmp_path) -> None:
    args = ["refresh", "--site", site + "/", "--delay", "0", "--json"]
    reference = make_kb(tmp_path / "reference")
    assert run_cli([*args, "--read-process-after", "1000"], reference).exit_code == 0
    result = run_cli([*args, "--read-process-after", "0"], new_kb)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["counts"]["read_in_second_process"] == summary["fetched"] == 47
    assert summary["failed"] == 0 and summary["complete"]
    stored = _contents(new_kb.db_url)
    assert len(stored["organisations"]) == 30
    assert stored == _contents(reference.db_url)


def _page(name: str) -> tuple[bytes, str, str]:
    body = (FIXTURE_SITE / "erkende-organisaties" / name / "index.html").read_bytes()
    return body, f"http://127.0.0.1:9/erkende-organisaties/{name}/", HTML


async def _read_kill_read(engine) -> tuple[list[str], PageReader]:
    reader = PageReader(engine, site="http://127.0.0.1:9/", run_id=1, process_after=0)
    outcomes = [(await reader.read(*_page("gemeente-aa-en-hunze"))).outcome]
    child = reader._child.process
    os.kill(child.pid, signal.SIGSTOP)  # the next page waits in the pipe, unread
    in_flight = asyncio.ensure_future(reader.read(*_page("gemeente-hunsmeer")))
    await asyncio.sleep(0.2)
    os.kill(child.pid, signal.SIGKILL)
    try:
        outcomes.append((await in_flight).outcome)
    except ReadError as error:
        outcomes.append(str(error))
    outcomes.append((await reader.read(*_page("gemeente-hunsmeer"))).outcome)
    await reader.close()
    return outcomes, reader


def test_a_second_process_that_dies_fails_its_page_and_the_rest_are_read_here(new_kb) -> None:
    engine = open_database(new_kb.db_url, create=True)
    with Session(engine) as session, session.begin():
        session.add(
            RefreshRun(id=1, site="http://127.0.0.1:9/", started_at=now(), status="running")
        )
    outcomes, reader = asyncio.run(_read_kill_read(engine))
    assert outcomes == ["new", "the reading process ended (exit status -9)", "new"]
    assert reader.child_died and reader.read_there == 2 and reader.read_here == 1
    with Session(engine) as session:
        names = set(session.scalars(select(Organisation.name)))
    engine.dispose()
    assert names == {"Gemeente Aa en Hunze", "Gemeente Hunsmeer"}
