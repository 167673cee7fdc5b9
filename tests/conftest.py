"""Shared fixtures: the fixture site served over real HTTP on loopback, and a knowledge base
refreshed from it into a temporary home."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from harvester.sitehost import serve_folder

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


def make_kb(home: Path) -> KnowledgeBase:
    return KnowledgeBase(home, f"sqlite:///{home / 'wmkb.sqlite'}", home / "index")


@pytest.fixture(scope="session")
def refreshed(site: str, tmp_path_factory) -> tuple[KnowledgeBase, dict]:
    """A knowledge base refreshed once from the fixture site, and the refresh's JSON summary.
    Tests that only read it share it; tests that change it make their own."""
    kb = make_kb(tmp_path_factory.mktemp("kb"))
    result = run_cli(["refresh", "--site", site + "/", "--delay", "0", "--json"], kb)
    assert result.exit_code == 0, result.output
    return kb, json.loads(result.stdout)


@pytest.fixture
def kb(refreshed) -> KnowledgeBase:
    return refreshed[0]
