"""What a cron job relies on: one line per run in refresh.log, logging on stderr at the level
asked for, a progress line only on a terminal, and refusals (a bad --site, a site that does not
answer, a knowledge base another process writes) in one line with the right exit code, leaving
nothing behind."""

from __future__ import annotations

import json
import os
import pty
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, lock_held_elsewhere, make_kb, run_cli
from tests.faultsite import FaultSite, profile_html, serve_faults

WMKB = Path(sys.executable).with_name("wmkb")
LOG_LINE = re.compile(
    r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ run=(\d+) (complete|incomplete) "
    r"fetched=(\d+) not_modified=\d+ skipped=\d+ new=(\d+) changed=\d+ unchanged=\d+ "
    r"withdrawn=\d+ failed=\d+ doubts=\d+ duration_s=\d+\.\d site=(\S+)\n"
)


@pytest.fixture
def small_site():
    site = FaultSite(pages={"/org/a/": profile_html("Gemeente Aaheim")}, link_faults=False)
    with serve_faults(site):
        yield site


def _refresh(kb, site: FaultSite, *options: str):
    return run_cli([*options, "refresh", "--site", site.origin + "/", "--delay", "0"], kb)


def test_every_refresh_adds_one_line_to_refresh_log(tmp_path, small_site) -> None:
    kb = make_kb(tmp_path)
    log = tmp_path / "refresh.log"
    assert _refresh(kb, small_site).exit_code == 0
    lines = log.read_text(encoding="utf-8").splitlines(keepends=True)
    assert len(lines) == 1
    run, state, fetched, new, site = LOG_LINE.fullmatch(lines[0]).groups()
    assert (run, state, fetched, new, site) == ("1", "complete", "2", "1", small_site.origin + "/")
    assert len(small_site.requested("/robots.txt")) == 1  # asked before the run, used by it
    _refresh(kb, small_site)
    lines = log.read_text(encoding="utf-8").splitlines(keepends=True)
    assert len(lines) == 2
    assert LOG_LINE.fullmatch(lines[1]).group(1) == "2"


def test_logging_goes_to_stderr_at_the_level_asked_for(tmp_path, small_site) -> None:
    kb = make_kb(tmp_path)
    for letter in "cdefghijklm":  # one page of 13 failing keeps the run under 10% failed
        small_site.pages[f"/org/{letter}/"] = profile_html(f"Gemeente {letter.upper()}heim")
    small_site.behaviour["/org/b/"] = "503"  # retried, then failed: logged at INFO
    small_site.pages["/org/b/"] = ""
    quiet = _refresh(kb, small_site, "-q")
    assert quiet.stderr == ""
    plain = _refresh(kb, small_site)
    assert plain.stderr == ""
    verbose = _refresh(kb, small_site, "-v")
    assert f"INFO wmkb.harvester.refresh: refresh of {small_site.origin}/ started" in verbose.stderr
    assert re.search(r"INFO wmkb.harvester.refresh: refresh 3 of \S+ (in)?complete", verbose.stderr)
    assert f"INFO wmkb.harvester.fetch: {small_site.origin}/org/b/: HTTP 503; retry 1 in" in (
        verbose.stderr
    )
    assert "DEBUG" not in verbose.stderr
    very = _refresh(kb, small_site, "-vv")
    assert f"DEBUG wmkb.harvester.fetch: GET {small_site.origin}/org/a/: " in very.stderr


def _run_wmkb(args: list[str], env: dict[str, str], *, terminal: bool) -> str:
    """Run wmkb as cron or a person would; returns what it wrote on stderr."""
    if not terminal:
        done = subprocess.run(
            [WMKB, *args], env=env, capture_output=True, text=True, cwd=ROOT, timeout=120
        )
        assert done.returncode == 0, done.stderr
        return done.stderr
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [WMKB, *args], env=env, stdout=subprocess.DEVNULL, stderr=follower, cwd=ROOT
    )
    os.close(follower)
    written = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        written += chunk
    assert process.wait(timeout=120) == 0
    os.close(leader)
    return written.decode()


def test_the_progress_line_is_drawn_on_a_terminal_only(tmp_path, site) -> None:
    kb = make_kb(tmp_path)
    env = {**os.environ, **kb.env()}
    args = ["refresh", "--site", site + "/", "--delay", "0"]
    on_terminal = _run_wmkb(args, env, terminal=True)
    assert "\rfetched " in on_terminal and "failed 0" in on_terminal
    in_cron = _run_wmkb(args, env, terminal=False)
    assert "fetched" not in in_cron and "\r" not in in_cron


@pytest.mark.parametrize("site", ["ftp://x", "notaurl", "http://", "http://host:port/"])
def test_a_malformed_site_is_a_usage_error_before_anything_is_made(tmp_path, site) -> None:
    kb = make_kb(tmp_path / "home")
    result = run_cli(["refresh", "--site", site], kb)
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: not a site URL: {site!r} (")
    assert result.output.count("\n") == 1
    assert not (tmp_path / "home").exists()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_unreachable_site_exits_75_and_makes_nothing(tmp_path) -> None:
    kb = make_kb(tmp_path / "home")
    result = run_cli(["refresh", "--site", f"http://127.0.0.1:{_free_port()}/"], kb)
    assert result.exit_code == 75
    assert result.output.startswith("Error: cannot reach http://127.0.0.1:")
    assert result.output.endswith("; try again later\n") and result.output.count("\n") == 1
    assert not (tmp_path / "home").exists()


def test_an_unreachable_site_or_robots_txt_changes_nothing(new_kb, small_site) -> None:
    kb = new_kb
    assert _refresh(kb, small_site).exit_code == 0
    before = json.loads(run_cli(["stats", "--json"], kb).stdout)
    log_before = (kb.home / "refresh.log").read_text(encoding="utf-8")
    small_site.behaviour["/robots.txt"] = "503"
    result = _refresh(kb, small_site)
    assert result.exit_code == 75
    assert result.output == (
        f"Error: cannot reach {small_site.origin}/robots.txt: HTTP 503; try again later\n"
    )
    refused = run_cli(["refresh", "--site", f"http://127.0.0.1:{_free_port()}/"], kb)
    assert refused.exit_code == 75
    assert json.loads(run_cli(["stats", "--json"], kb).stdout) == before
    assert (kb.home / "refresh.log").read_text(encoding="utf-8") == log_before


def test_reindex_waits_for_nobody_while_another_process_writes(tmp_path, small_site) -> None:
    kb = make_kb(tmp_path)
    assert _refresh(kb, small_site).exit_code == 0
    index_files = {path: path.stat().st_mtime_ns for path in kb.index_dir.iterdir()}
    with lock_held_elsewhere(kb) as holder:
        result = run_cli(["reindex"], kb)
    assert result.exit_code == 75
    assert f"(pid {holder}" in result.output and result.output.count("\n") == 1
    assert {path: path.stat().st_mtime_ns for path in kb.index_dir.iterdir()} == index_files
    assert run_cli(["reindex"], kb).exit_code == 0
