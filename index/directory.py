"""The index directory as its readers see it: the two Whoosh indexes (practices and
organisations, see schema.py), the facts of every organisation for facets, and the state file
with the knowledge base version the index reflects. index/build.py writes them all; this module
only names and reads them, so a search need not import the database to open the index.

    ix = open_index(Path(".demo/index"), ORGANISATIONS_INDEX)
"""

from __future__ import annotations

import json
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import Index

from wmkb.harvester.errors import SearchIndexError
from wmkb.harvester.municipalities import fold

STATE_FILE = "wmkb-index.json"
FACTS_FILE = "organisations.json"  # slug → facts of every indexed organisation, for facets
INDEX_NAME = "practices"
ORGANISATIONS_INDEX = "organisations"


def index_version(index_dir: Path) -> int | None:
    """The knowledge base version the index reflects; None when there is no index."""
    try:
        return int(json.loads((index_dir / STATE_FILE).read_text())["version"])
    except (OSError, ValueError, KeyError):
        return None


def open_index(index_dir: Path, name: str = INDEX_NAME) -> Index:
    """One of the two indexes, for reading. Raises SearchIndexError, naming the command that
    makes one, when there is none."""
    if not whoosh_index.exists_in(index_dir, indexname=name):
        raise SearchIndexError(f"no index at {index_dir}; run `wmkb reindex`")
    return whoosh_index.open_dir(index_dir, indexname=name)


def province_slug(province: str | None) -> str | None:
    return fold(province).replace(" ", "-") if province else None


def organisations_facts(index_dir: Path) -> dict[str, dict]:
    """slug → facts (type, province, regulations, year, sizes) of every indexed organisation."""
    try:
        return json.loads((index_dir / FACTS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def state_stamp(index_dir: Path) -> str | None:
    """Changes whenever the index is written: for readers that keep the index open."""
    try:
        return (index_dir / STATE_FILE).read_text()
    except OSError:
        return None
