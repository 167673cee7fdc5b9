"""`wmkb demo --home DIR` renews only a folder it made; anything else is refused, untouched."""

from __future__ import annotations

import pytest

from tests.conftest import run_cli
from wmkb.harvester.demo import MARK, prepare_home
from wmkb.harvester.errors import UsageError


def test_demo_refuses_a_folder_holding_a_users_file(tmp_path) -> None:
    home = tmp_path / "notes"
    home.mkdir()
    (home / "thesis.txt").write_text("three years of work", encoding="utf-8")
    result = run_cli(["demo", "--home", str(home)])
    assert result.exit_code == 2
    assert result.output == (
        f"Error: {home} holds files that `wmkb demo` did not make; it is left as it is. "
        "Choose another --home, or empty it\n"
    )
    assert [entry.name for entry in home.iterdir()] == ["thesis.txt"]
    assert (home / "thesis.txt").read_text(encoding="utf-8") == "three years of work"


def test_demo_refuses_a_file_and_a_real_knowledge_base(tmp_path) -> None:
    afile = tmp_path / "afile"
    afile.write_text("x", encoding="utf-8")
    assert run_cli(["demo", "--home", str(afile)]).exit_code == 2
    assert afile.read_text(encoding="utf-8") == "x"
    real = tmp_path / "kb"
    (real / "index").mkdir(parents=True)
    (real / "wmkb.sqlite").write_bytes(b"SQLite format 3\x00")
    with pytest.raises(UsageError):
        prepare_home(real)  # the demo's own file names, but not the demo's mark
    assert (real / "wmkb.sqlite").read_bytes() == b"SQLite format 3\x00"


def test_a_demo_folder_is_renewed_until_someone_puts_a_file_in_it(tmp_path) -> None:
    home = tmp_path / "demo"
    prepare_home(home)  # made
    assert [entry.name for entry in home.iterdir()] == [MARK]
    (home / "wmkb.sqlite").write_bytes(b"old")
    (home / "index").mkdir()
    (home / "index" / "segment").write_bytes(b"old")
    prepare_home(home)  # renewed
    assert [entry.name for entry in home.iterdir()] == [MARK]
    (home / "wmkb.sqlite").write_bytes(b"old")
    (home / "mine.csv").write_text("kept", encoding="utf-8")
    with pytest.raises(UsageError):
        prepare_home(home)
    assert sorted(entry.name for entry in home.iterdir()) == [MARK, "mine.csv", "wmkb.sqlite"]


def test_the_demo_runs_twice_in_its_own_folder(tmp_path) -> None:
    home = tmp_path / "demo"
    for _ in range(2):
        result = run_cli(["demo", "--home", str(home)])
        assert result.exit_code == 0, result.output
        assert "Gemeente Aa en Hunze" in result.output
    assert (home / MARK).exists()
