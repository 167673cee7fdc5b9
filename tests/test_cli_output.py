"""The main commands' output, exactly, as a person reads it on the fixture site's knowledge base.
Times, the loopback site's address and the refresh's duration vary from run to run: they are
replaced by <time>, <site> and <s> before comparing. The expected texts are in
tests/expected_output/; when a command's output changes on purpose, its file changes with it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import run_cli

EXPECTED = Path(__file__).with_name("expected_output")
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
_SITE = re.compile(r"http://127\.0\.0\.1:\d+")
_DURATION = re.compile(r"complete in \d+\.\d s")

COMMANDS = {
    "show": ["show", "gemeente-amersfoort"],
    "stats": ["stats"],
    "search": ["search", "thuiswerken gemeente", "--limit", "3"],
    "compare": ["compare", "Gemeente Aa en Hunze", "Gemeente Amersfoort"],
    "doubts": ["doubts"],
}


def _as_compared(output: str) -> str:
    output = _SITE.sub("<site>", _TIME.sub("<time>", output))
    return _DURATION.sub("complete in <s> s", output)


@pytest.mark.parametrize("name", COMMANDS)
def test_the_output_of(name, kb) -> None:
    result = run_cli(COMMANDS[name], kb)
    assert result.exit_code == 0, result.output
    assert _as_compared(result.output) == (EXPECTED / f"{name}.txt").read_text(encoding="utf-8")


def test_the_refresh_summary(site, new_kb) -> None:
    result = run_cli(["refresh", "--site", site + "/", "--delay", "0"], new_kb)
    assert result.exit_code == 0, result.output
    expected = (EXPECTED / "refresh.txt").read_text(encoding="utf-8")
    assert _as_compared(result.output) == expected


def test_one_organisation_matches(kb) -> None:
    result = run_cli(["search", "Wolderpost", "--limit", "1"], kb)
    assert result.output.startswith("1 organisation matches\n\n"), result.output


def test_no_changes_since_a_later_date(kb) -> None:
    result = run_cli(["changes", "--since", "2100-01-01"], kb)
    assert (result.exit_code, result.output) == (0, "no changes since 2100-01-01\n")
