"""What a refresh could not read: the keeper's to-do list, never an error.

A doubt is a page and a reason. Two kinds:
- a page that looks like a profile but was not read as one: an overview lists it among the
  organisations (`listed_doubts`, over the whole crawl), or it states a recognition date like a
  profile, or answers the profile's questions, without being read as one (`page_doubts`);
- a profile that lacks what every profile has (a recognition date) or states something the
  reader could not turn into a field (a key fact or a headcount sentence with no number read).

Each is a pure function of what was read, so each is tested without a crawl:

    >>> listed_doubts({"/o/": ("other", ["/o/a/", "/o/b/", "/o/c/", "/o/d/"]),
    ...                "/o/a/": ("profile", []), "/o/b/": ("profile", []),
    ...                "/o/c/": ("profile", []), "/o/d/": ("other", [])})
    {'/o/d/': 'an overview lists it with the organisations (/o/), but it was not read as a profile'}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from urllib.parse import urlsplit

from wmkb.harvester import vocabulary
from wmkb.harvester.normalise import headcount, numbers, parse_date
from wmkb.harvester.parts import RawRecord
from wmkb.harvester.record import Profile, Record

# An overview lists at least this many profiles, and a page it lists beside them sits in the
# folder of at least this many of them ("/erkende-organisaties/x/" beside "…/y/" and "…/z/").
OVERVIEW_PROFILES = 3
SAME_FOLDER_PROFILES = 2

_DATE_FACTS = {"recognised_since": "recognition date", "ambassador_since": "ambassador date"}
_NUMBER_FACTS = {"employees": "headcount", "inhabitants": "number of inhabitants"}


def page_doubts(raw: RawRecord, record: Record) -> list[str]:
    """What one page's read could not make of it, in words for whoever keeps the knowledge
    base; [] for a page read as what it is."""
    if isinstance(record, Profile):
        return _profile_doubts(raw, record)
    dated = [value for field, value, _ in raw.facts if field in _DATE_FACTS and parse_date(value)]
    if dated and not raw.sections:
        return [
            f"states a recognition date ({dated[0]}) like a profile, but none of the profile's "
            "questions was read, so it was not read as one"
        ]
    if dated and raw.sections and not raw.name:
        return ["reads like a profile, but names no organisation, so it was not read as one"]
    return []


def _profile_doubts(raw: RawRecord, profile: Profile) -> list[str]:
    found = []
    if profile.recognised_since is None:
        found.append("profile without a recognition date")
    for field, value, _ in raw.facts:
        if field in _DATE_FACTS and getattr(profile, field) is None and not parse_date(value):
            found.append(f"its {_DATE_FACTS[field]} {value!r} could not be read as a date")
        elif field in _NUMBER_FACTS and getattr(profile, field) is None and not any(
            numbers(value)
        ):
            found.append(f"its {_NUMBER_FACTS[field]} {value!r} could not be read as a number")
    if profile.employees is None:
        sentence = next((text for text in raw.description if _unread_headcount(text)), None)
        if sentence is not None:
            found.append(f"states a headcount that could not be read: {_brief(sentence)!r}")
    return found


def _unread_headcount(text: str) -> bool:
    """True when the text states the organisation's headcount in a way `headcount` cannot read
    ("er werken ruim driehonderd medewerkers")."""
    if headcount(text) is not None:
        return False
    rules = vocabulary.headcount()
    words = text.lower().replace(",", " ").split()
    for position, word in enumerate(words):
        if word.strip(".;:!?") not in rules.nouns:
            continue
        before = words[max(0, position - rules.window) : position]
        after = " " + " ".join(words[position + 1 :])
        quantity = any(rules.quantity_word.search(w) or w[:1].isdigit() for w in before)
        carers = any(pattern.search(after) for pattern in rules.not_after)
        excluded = any(w in rules.not_nouns for w in before)
        if quantity and not carers and not excluded:
            return True
    return False


def _brief(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def listed_doubts(pages: Mapping[str, tuple[str, Sequence[str]]]) -> dict[str, str]:
    """Pages that an overview lists with the organisations but that were not read as profiles.

    `pages`: every page the crawl saw, URL → (kind, links). An overview is a page that links at
    least OVERVIEW_PROFILES profiles; a page it links that sits in the same folder as
    SAME_FOLDER_PROFILES of them is listed as an organisation too.
    """
    found: dict[str, str] = {}
    for overview, (_, links) in pages.items():
        profiles = [link for link in links if pages.get(link, ("",))[0] == "profile"]
        if len(profiles) < OVERVIEW_PROFILES:
            continue
        folders: dict[str, int] = {}
        for link in profiles:
            folders[_folder(link)] = folders.get(_folder(link), 0) + 1
        for link in links:
            kind = pages.get(link, ("",))[0]
            if kind == "other" and folders.get(_folder(link), 0) >= SAME_FOLDER_PROFILES:
                found.setdefault(
                    link,
                    f"an overview lists it with the organisations ({overview}), "
                    "but it was not read as a profile",
                )
    return found


def _folder(url: str) -> str:
    """"/erkende-organisaties/x/" → "/erkende-organisaties/"; "/a/b.html" → "/a/"."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    return parts.netloc + path[: path.rfind("/") + 1]
