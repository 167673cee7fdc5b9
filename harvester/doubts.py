"""What a refresh could not read: the keeper's to-do list, never an error.

A doubt is a page and a reason. Two kinds:
- a page that looks like a profile but was not read as one: an overview lists it among the
  organisations (`listed_doubts`, over the whole crawl), or it states a recognition date like a
  profile, or answers the profile's questions, without being read as one (`page_doubts`);
- a profile that lacks what every profile has (a recognition date) or states something the
  reader could not turn into a field (a key fact or a headcount sentence with no number read).

A reason is data: a `Doubt` names its kind and the values that fill the kind's template, in
English here (harvester/data/doubts.toml, for `wmkb doubts` and the stored reason) and in Dutch
on the web page (web/data/nl.toml). The stored reason is the English sentence; `from_text`
reads a doubt back from it, so the database needs no column for the kind.

Each is a pure function of what was read, so each is tested without a crawl:

    >>> found = listed_doubts({"/o/": ("other", ["/o/a/", "/o/b/", "/o/c/", "/o/d/"]),
    ...                        "/o/a/": ("profile", []), "/o/b/": ("profile", []),
    ...                        "/o/c/": ("profile", []), "/o/d/": ("other", [])})
    >>> found
    {'/o/d/': Doubt(kind='listed_as_organisation', values={'overview': '/o/'})}
    >>> found["/o/d/"].text()
    'an overview lists it with the organisations (/o/), but it was not read as a profile'
    >>> from_text(found["/o/d/"].text()) == found["/o/d/"]
    True
"""

from __future__ import annotations

import json
import re
import string
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from urllib.parse import urlsplit

from wmkb.harvester import vocabulary
from wmkb.harvester.errors import WmkbError
from wmkb.harvester.normalise import headcount, numbers, parse_date
from wmkb.harvester.parts import RawRecord
from wmkb.harvester.record import Profile, Record

# An overview lists at least this many profiles, and a page it lists beside them sits in the
# folder of at least this many of them ("/erkende-organisaties/x/" beside "…/y/" and "…/z/").
OVERVIEW_PROFILES = 3
SAME_FOLDER_PROFILES = 2

# Every kind of doubt, with the values its template takes; each front end words every one.
KINDS: dict[str, tuple[str, ...]] = {
    "listed_as_organisation": ("overview",),
    "recognition_date_without_questions": ("date",),
    "no_organisation_name": (),
    "no_recognition_date": (),
    "date_not_read": ("fact", "value"),
    "number_not_read": ("fact", "value"),
    "headcount_not_read": ("sentence",),
    "other": ("reason",),  # a stored reason no template reads
}
# The key facts a doubt may name ({fact}): dates and numbers, by the record's field.
DATE_FACTS = ("recognised_since", "ambassador_since")
NUMBER_FACTS = ("employees", "inhabitants")
BRIEF_CHARS = 120  # a headcount sentence is quoted up to this many characters


@dataclass(frozen=True)
class Doubt:
    """What one page's read could not make of it: `kind` names a template in
    harvester/data/doubts.toml (and in each front end's language), `values` fill it."""

    kind: str
    values: dict[str, str]

    def text(self, wording: Wording | None = None) -> str:
        """The reason in words, English unless another language's `wording` is given."""
        wording = wording or english()
        values = dict(self.values)
        if "fact" in values:
            values["fact"] = wording.facts.get(values["fact"], values["fact"])
        return wording.reasons[self.kind].format(**values)

    def as_json(self) -> dict:
        return {"kind": self.kind, "values": self.values}


@dataclass(frozen=True)
class Wording:
    """One language's words for the doubts: a template per kind, a name per key fact."""

    reasons: dict[str, str]
    facts: dict[str, str]


def wording(data: Mapping, source: str) -> Wording:
    """The wording in `data` (a TOML table with [reasons] and [facts]), checked against KINDS:
    every kind worded, with exactly its values. Raises WmkbError naming `source`."""
    try:
        reasons, facts = dict(data["reasons"]), dict(data["facts"])
    except (KeyError, TypeError) as error:
        message = f"{source}: needs [reasons] and [facts] for the doubts ({error})"
        raise WmkbError(message) from error
    if set(reasons) != set(KINDS) or set(facts) != set(DATE_FACTS + NUMBER_FACTS):
        raise WmkbError(
            f"{source}: the doubts' kinds are {sorted(KINDS)} and their facts "
            f"{sorted(DATE_FACTS + NUMBER_FACTS)}; found {sorted(reasons)} and {sorted(facts)}"
        )
    for kind, template in reasons.items():
        if _fields(template) != KINDS[kind]:
            raise WmkbError(f"{source}: the doubt {kind!r} takes {KINDS[kind]}, not {template!r}")
    return Wording(reasons, facts)


@cache
def english() -> Wording:
    # The shipped file, never one from WMKB_DATA: stored reasons are read back by these templates.
    path = "harvester/data/doubts.toml"
    try:
        with resources.files(__package__).joinpath("data", "doubts.toml").open("rb") as handle:
            return wording(tomllib.load(handle), path)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise WmkbError(f"{path} cannot be read: {error}") from error


def _fields(template: str) -> tuple[str, ...]:
    return tuple(name for _, name, _, _ in string.Formatter().parse(template) if name is not None)


@cache
def _readers() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Each kind's English template as a pattern that reads its values back; "other" last, as it
    reads anything."""
    words = english()
    facts = "|".join(map(re.escape, sorted(words.facts.values(), key=len, reverse=True)))
    found = []
    for kind, template in sorted(words.reasons.items(), key=lambda item: item[0] == "other"):
        pattern = ""
        for literal, name, _, _ in string.Formatter().parse(template):
            pattern += re.escape(literal)
            if name is not None:
                pattern += f"(?P<{name}>{facts})" if name == "fact" else f"(?P<{name}>.*)"
        found.append((kind, re.compile(pattern, re.DOTALL)))
    return tuple(found)


def from_text(reason: str) -> Doubt:
    """The doubt a stored English reason states; kind "other" for one no template reads.

    >>> from_text("its headcount 'enkele honderden' could not be read as a number")
    Doubt(kind='number_not_read', values={'fact': 'employees', 'value': 'enkele honderden'})
    """
    facts = {name: field for field, name in english().facts.items()}
    for kind, pattern in _readers():
        match = pattern.fullmatch(reason)
        if match:
            values = match.groupdict()
            if "fact" in values:
                values["fact"] = facts[values["fact"]]
            return Doubt(kind, values)
    raise AssertionError("the template of kind 'other' reads any reason")  # pragma: no cover


def to_json(doubts: Sequence[Doubt]) -> str | None:
    """A page's doubts as stored in `pages.doubts`; None for none."""
    return json.dumps([doubt.as_json() for doubt in doubts]) if doubts else None


def from_json(stored: str | None) -> list[Doubt]:
    """A page's doubts from `pages.doubts`; a plain string (as wmkb stored them before there
    were kinds) is read back by its wording."""
    found: Iterable = json.loads(stored or "[]")
    return [
        from_text(item) if isinstance(item, str) else Doubt(item["kind"], dict(item["values"]))
        for item in found
    ]


def page_doubts(raw: RawRecord, record: Record) -> list[Doubt]:
    """What one page's read could not make of it, for whoever keeps the knowledge base; [] for
    a page read as what it is."""
    if isinstance(record, Profile):
        return _profile_doubts(raw, record)
    dated = [value for field, value, _ in raw.facts if field in DATE_FACTS and parse_date(value)]
    if dated and not raw.sections:
        return [Doubt("recognition_date_without_questions", {"date": dated[0]})]
    if dated and raw.sections and not raw.name:
        return [Doubt("no_organisation_name", {})]
    return []


def _profile_doubts(raw: RawRecord, profile: Profile) -> list[Doubt]:
    found = []
    if profile.recognised_since is None:
        found.append(Doubt("no_recognition_date", {}))
    for field, value, _ in raw.facts:
        if field in DATE_FACTS and getattr(profile, field) is None and not parse_date(value):
            found.append(Doubt("date_not_read", {"fact": field, "value": value}))
        elif field in NUMBER_FACTS and getattr(profile, field) is None and not any(
            numbers(value)
        ):
            found.append(Doubt("number_not_read", {"fact": field, "value": value}))
    if profile.employees is None:
        sentence = next((text for text in raw.description if _unread_headcount(text)), None)
        if sentence is not None:
            found.append(Doubt("headcount_not_read", {"sentence": _brief(sentence)}))
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


def _brief(text: str, limit: int = BRIEF_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def listed_doubts(pages: Mapping[str, tuple[str, Sequence[str]]]) -> dict[str, Doubt]:
    """Pages that an overview lists with the organisations but that were not read as profiles.

    `pages`: every page the crawl saw, URL → (kind, links). An overview is a page that links at
    least OVERVIEW_PROFILES profiles; a page it links that sits in the same folder as
    SAME_FOLDER_PROFILES of them is listed as an organisation too.
    """
    found: dict[str, Doubt] = {}
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
                found.setdefault(link, Doubt("listed_as_organisation", {"overview": overview}))
    return found


def _folder(url: str) -> str:
    """"/erkende-organisaties/x/" → "/erkende-organisaties/"; "/a/b.html" → "/a/"."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    return parts.netloc + path[: path.rfind("/") + 1]
