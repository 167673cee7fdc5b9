"""The README cannot drift from the commands."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT
from wmkb.cli import main

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_opens_with_the_two_commands() -> None:
    first_block = README.split("```")[1]
    assert "make demo" in first_block and "make test" in first_block


@pytest.mark.parametrize("name", sorted(main.commands))
def test_every_command_is_documented_and_has_help(name: str) -> None:
    assert f"`wmkb {name}" in README, f"README.md does not document `wmkb {name}`"
    assert main.commands[name].help, f"`wmkb {name}` has no help text"
