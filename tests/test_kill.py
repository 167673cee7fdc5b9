"""A refresh killed with SIGKILL at any moment: the next one completes, and the database and
the index agree."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import create_engine, func, inspect, select

from tests.conftest import FIXTURE_SITE, ROOT
from wmkb.harvester.models import RefreshRun
from wmkb.harvester.sitehost import serve_folder
from wmkb.harvester.store import open_database
from wmkb.index.build import database_practice_ids, indexed_practice_ids


def _refresh_command(origin: str, read_process_after: int | None = None) -> list[str]:
    second_process = (
        [] if read_process_after is None else ["--read-process-after", str(read_process_after)]
    )
    return [
        sys.executable,
        "-m",
        "wmkb",
        "refresh",
        "--site",
        origin + "/",
        "--delay",
        "0",
        "--concurrency",
        "1",
        "--quiet",
        *second_process,
    ]


def _completed_runs(db_url: str) -> int:
    """Refresh runs that finished, in a knowledge base the killed refresh may not have made yet."""
    if db_url.startswith("sqlite:///") and not os.path.exists(db_url.removeprefix("sqlite:///")):
        return 0
    engine = create_engine(db_url)
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table("refresh_runs"):
                return 0
            return connection.scalar(
                select(func.count()).select_from(RefreshRun).where(RefreshRun.status == "completed")
            )
    finally:
        engine.dispose()


# The last two read and store in the refresh's second process, which outlives its parent by
# as long as it takes to notice the pipe closed.
@pytest.mark.parametrize(
    ("kill_after_s", "read_process_after"),
    [(0.4, None), (1.0, None), (1.8, None), (2.6, None), (1.2, 0), (2.2, 0)],
)
def test_killed_refresh_then_a_complete_one(
    new_kb, kill_after_s: float, read_process_after: int | None
) -> None:
    kb = new_kb
    env = {**os.environ, **kb.env()}
    with serve_folder(FIXTURE_SITE, latency_s=0.04) as origin:
        process = subprocess.Popen(
            _refresh_command(origin, read_process_after),
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(kill_after_s)
        assert process.poll() is None, "the refresh ended before the kill: nothing was interrupted"
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert _completed_runs(kb.db_url) == 0, "the killed refresh had already completed"
        finished = subprocess.run(
            _refresh_command(origin), cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )
    assert finished.returncode == 0, finished.stderr
    engine = open_database(kb.db_url)
    in_database = database_practice_ids(engine)
    assert len(in_database) > 300
    assert indexed_practice_ids(kb.index_dir) == in_database
