"""The search reference: SQLite FTS5 over the same practices, with the same queries, top 10 by
bm25 with the matched words marked by highlight(), as wmkb's search marks them.

One row per practice of an active organisation, with its organisation's words (name and type)
in a second indexed column, as wmkb's index has them. FTS5 has no Dutch stemmer: it tokenizes
with unicode61 and folds accents, and takes the queries as they are (phrases in quotes, zorg*
prefixes, words ANDed).

    count = build(Path("kb.sqlite"), Path("fts.sqlite"))
    hits = search(Path("fts.sqlite"), '"kortdurend zorgverlof"')
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

MARK_START, MARK_END = "\x02", "\x03"  # as index.query marks matched words


def build(knowledge_base: Path, target: Path) -> int:
    """Write the FTS5 table at `target` from the knowledge base; returns the practices."""
    target.unlink(missing_ok=True)
    connection = sqlite3.connect(target)
    try:
        connection.execute(
            "CREATE VIRTUAL TABLE practices USING fts5(text, org, name UNINDEXED, "
            "slug UNINDEXED, url UNINDEXED, org_type UNINDEXED, section UNINDEXED, "
            "tokenize = 'unicode61 remove_diacritics 2')"
        )
        connection.execute("ATTACH DATABASE ? AS kb", (f"file:{knowledge_base}?mode=ro",))
        connection.execute(
            "INSERT INTO practices (text, org, name, slug, url, org_type, section) "
            "SELECT p.text, o.name || ' ' || o.org_type, o.name, o.slug, o.url, o.org_type, "
            "p.section FROM kb.practices AS p JOIN kb.organisations AS o "
            "ON o.id = p.organisation_id WHERE o.status = 'active' "
            "ORDER BY o.id, p.section_order, p.position"
        )
        count = connection.execute("SELECT count(*) FROM practices").fetchone()[0]
        connection.commit()
        connection.execute("DETACH DATABASE kb")
        connection.execute("INSERT INTO practices (practices) VALUES ('optimize')")
        connection.commit()
    finally:
        connection.close()
    return count


def search(index: Path, query: str, limit: int = 10) -> list[tuple]:
    """(name, slug, url, org_type, section, text, marked text, score) of the best `limit`."""
    connection = sqlite3.connect(f"file:{index}?mode=ro", uri=True)
    try:
        return connection.execute(
            "SELECT name, slug, url, org_type, section, text, "
            "highlight(practices, 0, ?, ?), bm25(practices) FROM practices "
            "WHERE practices MATCH ? ORDER BY rank LIMIT ?",
            (MARK_START, MARK_END, query, limit),
        ).fetchall()
    finally:
        connection.close()
