"""Is this page a profile? Decided by what the page says, never by its URL.

A profile states when the organisation was recognised (or became an ambassador) as a key fact,
and answers at least one of the profile questions. News and knowledge-base articles mention
organisations, dates and the Erkenning, and may ask the very same questions, but never state a
recognition date as a key fact of their own. A help page may show a whole profile as an
example: one shown inside a page about something else (parse.py's `embedded`) is none.
"""

from __future__ import annotations

from wmkb.harvester.parts import RawRecord

_DATE_FACTS = ("recognised_since", "ambassador_since")


def is_profile(raw: RawRecord) -> bool:
    """True when the raw record reads as an organisation's profile."""
    dated = any(field in _DATE_FACTS and value.strip() for field, value, _ in raw.facts)
    return bool(raw.name) and dated and bool(raw.sections) and not raw.embedded
