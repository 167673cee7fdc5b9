"""One refresh, measured in a process of its own: its wall time, what it did, and its peak
memory (the parent also reads the child's ru_maxrss from wait4). Writes one JSON object.

    python -m benchmarks.refresh_child --site http://127.0.0.1:PORT/ --db /tmp/kb.sqlite \
        --concurrency 16 --out /tmp/refresh.json
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from wmkb.harvester.fetch import FetchSettings
from wmkb.harvester.refresh import RefreshOptions, default_user_agent, refresh
from wmkb.harvester.store import open_database

NO_PAGE_LIMIT = 10_000_000  # the benchmark measures whole sites, up to 100,000 organisations


def archive_of(db: Path) -> Path:
    """Where a benchmark's refresh into `db` archives its pages: beside it, never in a home."""
    return db.with_name(db.stem + "-archive")


def vm_hwm_kb() -> int | None:
    """This process's peak resident set (VmHWM), in KiB; None where /proc has no status."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description="Run one measured refresh.")
    parser.add_argument("--site", required=True)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--full", action="store_true", help="re-fetch and re-read every page")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    engine = open_database(f"sqlite:///{args.db}", create=True)
    options = RefreshOptions(
        site=args.site,
        fetch=FetchSettings(
            user_agent=default_user_agent(), concurrency=args.concurrency, delay_s=0.0
        ),
        max_pages=NO_PAGE_LIMIT,
        full=args.full,
        archive_dir=archive_of(args.db),
    )
    started = time.perf_counter()
    summary = refresh(engine, options)
    seconds = time.perf_counter() - started
    result = {
        "seconds": seconds,
        "requests": summary.counts.get("requests", 0),
        "fetched": summary.fetched,
        "not_modified": summary.not_modified,
        "skipped": summary.skipped,
        "new": summary.new,
        "changed": summary.changed,
        "unchanged": summary.unchanged,
        "failed": summary.failed,
        "failures": summary.failures[:5],  # what went wrong, when something did
        "complete": summary.complete,
        "vm_hwm_kb": vm_hwm_kb(),
    }
    args.out.write_text(json.dumps(result))


if __name__ == "__main__":
    main()
