"""wmkb as installed: its version said once (the package's metadata), `python -m wmkb`, the
shipped data found from any directory, what it imports declared, PostgreSQL's driver an extra.
.ci/wheel-check does the same from a wheel in a fresh virtual environment."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from tests.conftest import ROOT, make_kb, run_cli
from tests.faultsite import FaultSite, profile_html, serve_faults

VERSION = metadata.version("wmkb")
WMKB = Path(sys.executable).with_name("wmkb")


def test_the_version_comes_from_the_package_metadata(tmp_path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "wmkb", "--version"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"wmkb, version {VERSION}\n"
    site = FaultSite(pages={"/org/a/": profile_html("Gemeente Aaheim")})
    with serve_faults(site):
        args = ["refresh", "--site", site.origin + "/", "--delay", "0", "--max-pages", "1"]
        run_cli([*args, "--contact", "mailto:beheer@example.nl"], make_kb(tmp_path))
    agents = {headers.get("User-Agent") for _, _, headers in site.requests}
    assert agents == {f"wmkb/{VERSION} (+mailto:beheer@example.nl)"}


def test_demo_and_eval_find_their_data_from_any_directory(tmp_path) -> None:
    env = {**os.environ, "WMKB_HOME": str(tmp_path / "demo")}
    demo = subprocess.run(
        [WMKB, "demo", "--home", "demo"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert demo.returncode == 0, demo.stderr
    assert "Gemeente Aa en Hunze" in demo.stdout
    evaluated = subprocess.run(
        [WMKB, "eval", "--json"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert evaluated.returncode == 0, evaluated.stderr
    assert json.loads(evaluated.stdout)["dutch"]["queries"] == 28


def test_a_postgresql_url_without_its_driver_is_one_line(tmp_path) -> None:
    without_psycopg = (
        "import sys; sys.modules['psycopg'] = None; sys.modules['psycopg2'] = None; "
        "from wmkb.cli import main; main(prog_name='wmkb')"
    )
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            without_psycopg,
            "stats",
            "--db",
            "postgresql+psycopg://wmkb@127.0.0.1/wmkb",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "WMKB_HOME": str(tmp_path)},
    )
    assert done.returncode == 2
    assert done.stderr == (
        "Error: PostgreSQL needs its driver, which is not installed: pip install 'wmkb[postgres]'\n"
    )


def _third_party_imports() -> set[str]:
    names = set()
    sources = [
        ROOT / "cli.py",
        *(ROOT / "harvester").glob("*.py"),
        *(ROOT / "index").rglob("*.py"),
        *(ROOT / "web").rglob("*.py"),
    ]
    for source in sources:
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    ours = {"cli", "harvester", "index", "web", "wmkb"}
    return {name for name in names - ours if name not in sys.stdlib_module_names}


def test_everything_wmkb_imports_is_declared() -> None:
    declared = {
        re.split(r"[\[<>=~!; ]", requirement, maxsplit=1)[0].lower()
        for requirement in metadata.requires("wmkb")
        if "extra ==" not in requirement
    }
    providers = metadata.packages_distributions()
    for name in _third_party_imports():
        distributions = {d.lower() for d in providers.get(name, [])}
        assert distributions & declared, f"{name} is imported but not declared"
    assert "psycopg" not in declared  # an extra: the default install stays lean
    assert metadata.metadata("wmkb")["License-Expression"] == "MIT AND CC-BY-4.0"


def test_everything_is_installed_under_the_projects_own_name() -> None:
    with (ROOT / "pyproject.toml").open("rb") as handle:
        setuptools = tomllib.load(handle)["tool"]["setuptools"]
    assert "py-modules" not in setuptools
    assert all(name == "wmkb" or name.startswith("wmkb.") for name in setuptools["packages"])
    assert setuptools["package-dir"] == {"wmkb": "."}
