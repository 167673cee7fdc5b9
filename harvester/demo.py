"""The demo's knowledge base: a folder `wmkb demo` makes, marks as its own, and renews.

A folder is renewed only when the demo made it: it holds the mark and nothing but what the
demo writes. Anything else (a user's folder, a real knowledge base, a file put in a demo
folder) is refused and left as it is.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from wmkb.harvester.errors import UsageError

MARK = ".wmkb-demo"  # written first into every folder the demo makes
# What the demo writes into its folder: the mark, the SQLite file with its WAL, shared memory
# and lock, the index with the folders a rebuild passes through, and the refresh's archive.
MADE_BY_DEMO = frozenset(
    {
        MARK,
        "wmkb.sqlite",
        "wmkb.sqlite-wal",
        "wmkb.sqlite-shm",
        "wmkb.sqlite.lock",
        "index",
        "index.building",
        "index.old",
        "archive",
    }
)


def prepare_home(home: Path) -> None:
    """An empty demo folder at `home`: made if missing, renewed if the demo made it.

    Raises UsageError, touching nothing, for a folder the demo did not make."""
    if home.exists() and not home.is_dir():
        raise UsageError(f"{home} is a file, not a folder; choose another --home")
    if home.exists():
        entries = {entry.name for entry in home.iterdir()}
        if entries and (MARK not in entries or not entries <= MADE_BY_DEMO):
            raise UsageError(
                f"{home} holds files that `wmkb demo` did not make; it is left as it is. "
                "Choose another --home, or empty it"
            )
        for name in entries:
            path = home / name
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
    home.mkdir(parents=True, exist_ok=True)
    (home / MARK).write_text("made by `wmkb demo`, which renews this folder\n", encoding="utf-8")
