"""Shared fixtures: the fixture site served over real HTTP on loopback, and knowledge bases on
both backends: a SQLite file in a temporary home, and a database of its own on a PostgreSQL
cluster that the test session starts (tests/pgcluster.py) and removes.

The database tests take `backend` (directly or through `kb` or `new_kb`) and so run on both.
Without PostgreSQL's binaries the PostgreSQL half is skipped, unless WMKB_TEST_POSTGRES=required
(as .ci/run sets): then it fails.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.pgcluster import Cluster, find_binaries, running_cluster
from wmkb.cli import main
from wmkb.harvester.sitehost import serve_folder

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_SITE = ROOT / "fixtures" / "site"


def gold_files() -> list[Path]:
    return sorted(FIXTURE_SITE.rglob("*.gold.json"))


def gold_profiles() -> dict[str, dict]:
    """Gold record of every fixture profile, by the page's path on the site."""
    profiles = {}
    for gold in gold_files():
        record = json.loads(gold.read_text(encoding="utf-8"))
        if record["kind"] == "profile":
            profiles[str(gold.relative_to(FIXTURE_SITE))] = record
    return profiles


@pytest.fixture(scope="session", autouse=True)
def _no_real_home(tmp_path_factory) -> Iterator[None]:
    """WMKB_HOME in a temporary place for the whole run: a refresh called as a library, which
    archives its pages under $WMKB_HOME, never writes into the home of whoever runs the tests."""
    previous = os.environ.get("WMKB_HOME")
    os.environ["WMKB_HOME"] = str(tmp_path_factory.mktemp("home"))
    yield
    if previous is None:
        os.environ.pop("WMKB_HOME", None)
    else:
        os.environ["WMKB_HOME"] = previous


@pytest.fixture(scope="session")
def site() -> Iterator[str]:
    """The fixture site's origin, e.g. http://127.0.0.1:41234."""
    with serve_folder(FIXTURE_SITE) as origin:
        yield origin


@dataclass
class KnowledgeBase:
    home: Path
    db_url: str
    index_dir: Path

    def env(self) -> dict[str, str]:
        return {
            "WMKB_HOME": str(self.home),
            "WMKB_DB": self.db_url,
            "WMKB_INDEX": str(self.index_dir),
        }


def run_cli(args: list[str], kb: KnowledgeBase | None = None, **kwargs):
    runner = CliRunner()
    return runner.invoke(main, args, env=kb.env() if kb else None, catch_exceptions=False, **kwargs)


def make_kb(home: Path, cluster: Cluster | None = None) -> KnowledgeBase:
    """A knowledge base in `home`: a SQLite file there, or a new database on `cluster`."""
    if cluster is None:
        return KnowledgeBase(home, f"sqlite:///{home / 'wmkb.sqlite'}", home / "index")
    return KnowledgeBase(home, cluster.url(cluster.create_database()), home / "index")


@pytest.fixture(scope="session")
def postgres() -> Iterator[Cluster]:
    """A PostgreSQL cluster of the session's own, on a Unix socket in a temporary directory."""
    binaries = find_binaries()
    if binaries is None:
        reason = "PostgreSQL's initdb and pg_ctl are not installed (apt-get install postgresql)"
        if os.environ.get("WMKB_TEST_POSTGRES") == "required":
            pytest.fail(f"{reason}, and WMKB_TEST_POSTGRES=required")
        pytest.skip(reason)
    with running_cluster(binaries) as cluster:
        yield cluster


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request) -> str:
    if request.param == "postgresql":
        request.getfixturevalue("postgres")
    return request.param


def _cluster(backend: str, request) -> Cluster | None:
    return request.getfixturevalue("postgres") if backend == "postgresql" else None


@pytest.fixture
def new_kb(backend: str, tmp_path: Path, request) -> KnowledgeBase:
    """An empty knowledge base of the test's own on the backend under test."""
    return make_kb(tmp_path, _cluster(backend, request))


@pytest.fixture(scope="session")
def refreshed(site: str, backend: str, tmp_path_factory, request) -> tuple[KnowledgeBase, dict]:
    """A knowledge base refreshed once from the fixture site, and the refresh's JSON summary.
    Tests that only read it share it; tests that change it make their own. Its pages are read
    and stored in the refresh's second process; the other tests' refreshes read them in their
    own (the fixture site is smaller than the default threshold)."""
    kb = make_kb(tmp_path_factory.mktemp(f"kb-{backend}"), _cluster(backend, request))
    args = ["refresh", "--site", site + "/", "--delay", "0", "--read-process-after", "0"]
    result = run_cli([*args, "--json"], kb)
    assert result.exit_code == 0, result.output
    return kb, json.loads(result.stdout)


@pytest.fixture
def kb(refreshed) -> KnowledgeBase:
    return refreshed[0]


_HOLD_LOCK = """
import sys
from sqlalchemy import create_engine
from wmkb.harvester.lock import refresh_lock
with refresh_lock(create_engine(sys.argv[1])):
    print("held", flush=True)
    sys.stdin.read()
"""


@contextmanager
def lock_held_elsewhere(kb: KnowledgeBase) -> Iterator[int]:
    """The knowledge base's lock held by another process, as a running refresh holds it;
    yields that process's pid."""
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD_LOCK, kb.db_url],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, **kb.env()},
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        yield holder.pid
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
