"""Comparable organisations, and what they do that the given one does not.

Closeness is a weighted sum of plain measures, each between 0 and 1, so that every result can
say what made it close:
- size: inhabitants (CBS figures for a linked municipality, else what the page says) and
  employees, compared on a log scale (twice the size is as far as half the size);
- the same province;
- the overlap of regulations, and of the themes of the practices: their distinctive words, each
  weighed by how rare it is across all practices (a word in every tenth practice weighs less
  than one in a single practice), never a stop word, a number or an everyday Dutch word
  (index/data/themes.toml).
Organisations of the same type always come first. For municipalities size weighs most; for
others, what they offer.

Any Dutch municipality, recognised or not, is compared with the recognised municipalities
(`advise`): by its CBS figures if it is not recognised, by its whole profile if it is; what at
least two of its nearest have is its starter package.

    >>> from wmkb.harvester.store import open_database
    >>> engine = open_database("sqlite://", create=True)  # an empty knowledge base
    >>> zeist = advised_municipality(engine, "Gemeente Zeist")
    >>> zeist.name, advise(engine, zeist).recognised
    ('Zeist', False)
"""

from __future__ import annotations

import math
import re
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, selectinload

from wmkb.harvester import vocabulary
from wmkb.harvester.errors import UsageError
from wmkb.harvester.lookup import find_organisation
from wmkb.harvester.models import Organisation
from wmkb.harvester.municipalities import (
    CbsMunicipality,
    cbs_figures,
    closest_municipalities,
    inhabitants_of,
    match_municipality,
)
from wmkb.harvester.normalise import regulations as regulations_named
from wmkb.index.analysis import content_words
from wmkb.index.compounds import zipf

WEIGHTS = {
    "gemeente": {
        "inhabitants": 0.35,
        "employees": 0.15,
        "province": 0.15,
        "regulations": 0.2,
        "themes": 0.15,
    },
    "other": {
        "inhabitants": 0.0,
        "employees": 0.35,
        "province": 0.1,
        "regulations": 0.3,
        "themes": 0.25,
    },
}
SIZE_SCALE = 2.0  # closeness = exp(-SIZE_SCALE × |log10 a − log10 b|): ×2 → 0.55, ×10 → 0.14
THEME_SHARE_COMMON = 0.5  # a word in more than half of all organisations' practices is no theme
NEW_PRACTICE_OVERLAP = 0.3  # a practice sharing less of its words with yours is one you lack
MAX_THEY_HAVE_PRACTICES = 5
STARTER_PRACTICE_OVERLAP = 0.25  # practices sharing this much of their words are the same idea
STARTER_MIN_COUNT = 2  # the starter package holds what at least two of the nearest have
MAX_STARTER_PRACTICES = 5


@dataclass(frozen=True)
class Reason:
    """What made an organisation close, as data: `kind` names a template in
    index/data/reasons.toml (and in each front end's language), `values` fill it."""

    kind: str
    values: dict[str, str]

    def text(self, templates: dict[str, str] | None = None) -> str:
        return (templates or english_reasons())[self.kind].format(**self.values)


@dataclass(frozen=True)
class _ThemeRules:
    everyday_zipf: float
    number: re.Pattern[str]


@cache
def _theme_rules() -> _ThemeRules:
    with resources.files(__package__).joinpath("data", "themes.toml").open("rb") as handle:
        data = tomllib.load(handle)
    parts = "|".join(sorted(map(re.escape, set(data["number_words"])), key=len, reverse=True))
    # "vijfentwintig", "tweehonderd", "derde", "achtste": numbers built of number words.
    number = re.compile(rf"(?:(?:{parts})(?:en|ën)?)+(?:de|ste)?")
    return _ThemeRules(everyday_zipf=float(data["everyday_zipf"]), number=number)


def is_theme(word: str) -> bool:
    """Whether a content word may be a theme: long enough, letters only, no number, and not an
    everyday Dutch word."""
    rules = _theme_rules()
    return (
        len(word) > 3
        and word.isalpha()
        and not rules.number.fullmatch(word)
        and zipf(word) < rules.everyday_zipf
    )


@cache
def english_reasons() -> dict[str, str]:
    with resources.files(__package__).joinpath("data", "reasons.toml").open("rb") as handle:
        return tomllib.load(handle)


@dataclass
class Comparable:
    name: str
    slug: str
    org_type: str
    score: float
    reasons: list[Reason] = field(default_factory=list)
    they_have: dict[str, list[str]] = field(default_factory=dict)  # regulations, practices

    def as_json(self) -> dict:
        return {
            "name": self.name,
            "slug": self.slug,
            "org_type": self.org_type,
            "score": round(self.score, 4),
            "reasons": [reason.text() for reason in self.reasons],
            "they_have": self.they_have,
        }


@dataclass(frozen=True)
class _Profile:
    slug: str
    name: str
    org_type: str
    province: str | None
    inhabitants: int | None
    employees: int | None
    regulations: frozenset[str]
    themes: frozenset[str]
    practices: tuple[tuple[str, frozenset[str]], ...]  # (text, its content words)


def similar(engine: Engine, name_or_slug: str, *, limit: int = 10) -> tuple[str, list[Comparable]]:
    """The given organisation's name and the `limit` organisations most comparable to it."""
    with Session(engine) as session:
        target_row = find_organisation(session, name_or_slug)
        rows = session.scalars(
            select(Organisation)
            .where(Organisation.status == "active", Organisation.id != target_row.id)
            .options(selectinload(Organisation.practices), selectinload(Organisation.regulations))
        ).all()
        target = _profile(target_row)
        others = [_profile(row) for row in rows]
    _, ranked = _ranked(target, others)
    return target.name, [comparable for comparable, _ in ranked[:limit]]


def _ranked(
    target: _Profile, others: list[_Profile]
) -> tuple[_Profile, list[tuple[Comparable, _Profile]]]:
    """Every other organisation compared with the target, the closest first, each with its
    profile; the target and the profiles without the words (nearly) everyone uses."""
    common = _common_words([target, *others])
    weight = _rarity([target, *others])
    target = _without(target, common)
    ranked = [
        (_compare(target, other, weight), other)
        for other in (_without(o, common) for o in others)
    ]
    ranked.sort(key=lambda pair: _rank_key(target, pair[0]))
    return target, ranked


def _rank_key(target: _Profile, item: Comparable) -> tuple[bool, float, str]:
    return item.org_type != target.org_type, -item.score, item.name


@dataclass(frozen=True)
class Example:
    """One practice of one organisation."""

    name: str
    slug: str
    text: str

    def as_json(self) -> dict:
        return {"name": self.name, "slug": self.slug, "text": self.text}


@dataclass(frozen=True)
class StarterItem:
    """A regulation or practice that several comparable municipalities have: `count` of them,
    `has` whether the municipality advised has it already."""

    kind: str  # "regulation" or "practice"
    count: int
    has: bool
    examples: tuple[Example, ...]
    code: str | None = None  # a regulation's code
    text: str | None = None  # a practice's text

    def as_json(self) -> dict:
        if self.kind == "regulation":
            assert self.code is not None
            named = {"code": self.code, "label": vocabulary.regulations().labels[self.code]}
        else:
            named = {"text": self.text}
        return {
            "kind": self.kind,
            **named,
            "count": self.count,
            "has": self.has,
            "examples": [example.as_json() for example in self.examples],
        }


@dataclass
class Advice:
    """A municipality, the recognised municipalities most comparable to it, and its starter
    package. `slug` is the organisation linked to it, if it is or was recognised."""

    municipality: CbsMunicipality
    recognised: bool
    slug: str | None
    similar: list[Comparable]
    starter_package: list[StarterItem]

    def as_json(self) -> dict:
        return {
            "municipality": {
                "name": self.municipality.name,
                "cbs_code": self.municipality.cbs_code,
                "province": self.municipality.province,
                "inhabitants": self.municipality.inhabitants,
                "recognised": self.recognised,
                "slug": self.slug,
            },
            "similar": [item.as_json() for item in self.similar],
            "starter_package": [item.as_json() for item in self.starter_package],
        }


def advised_municipality(engine: Engine, name_or_slug: str) -> CbsMunicipality | None:
    """The CBS municipality a name means, directly ("Zeist", "Den Bosch") or through the
    organisation it names (a recognised municipality's slug); None for any other organisation.
    UsageError, with the municipalities it may mean, when it names nothing at all."""
    found = match_municipality(name_or_slug)
    if found is not None:
        return found
    with Session(engine) as session:
        try:
            organisation = find_organisation(session, name_or_slug)
        except UsageError as error:
            near = closest_municipalities(name_or_slug)
            if not near:
                raise
            raise UsageError(
                f"no municipality or organisation named {name_or_slug.strip()!r}; "
                f"did you mean: {', '.join(near)}?"
            ) from error
        return cbs_figures(organisation.cbs_code)


def advise(engine: Engine, municipality: CbsMunicipality, *, limit: int = 5) -> Advice:
    """The `limit` recognised municipalities most comparable to `municipality` (recognised or
    not), and what most of them have: its starter package.

    A municipality that is recognised is compared by its whole profile; any other by its CBS
    figures (inhabitants and province) alone, since nothing else is known of it.
    """
    with Session(engine) as session:
        rows = session.scalars(
            select(Organisation)
            .where(Organisation.status == "active", Organisation.org_type == "gemeente")
            .options(selectinload(Organisation.practices), selectinload(Organisation.regulations))
        ).all()
        own = next((row for row in rows if row.cbs_code == municipality.cbs_code), None)
        linked = own or session.scalar(
            select(Organisation).where(Organisation.cbs_code == municipality.cbs_code)
        )
        profiles = [_profile(row) for row in rows if row is not own]
        target = _profile(own) if own else _cbs_profile(municipality)
        slug = linked.slug if linked else None
    target, ranked = _ranked(target, profiles)
    nearest = ranked[:limit]
    return Advice(
        municipality=municipality,
        recognised=own is not None,
        slug=slug,
        similar=[comparable for comparable, _ in nearest],
        starter_package=_starter_package(target, [profile for _, profile in nearest]),
    )


def _cbs_profile(municipality: CbsMunicipality) -> _Profile:
    return _Profile(
        slug="",
        name=municipality.name,
        org_type="gemeente",
        province=municipality.province,
        inhabitants=municipality.inhabitants,
        employees=None,
        regulations=frozenset(),
        themes=frozenset(),
        practices=(),
    )


def _starter_package(target: _Profile, nearest: list[_Profile]) -> list[StarterItem]:
    """The regulations and the practices (each its own idea) that at least two of the nearest
    municipalities have, the most common first, each counted and with one example."""
    offered = Counter(code for profile in nearest for code in profile.regulations)
    labels = vocabulary.regulations().labels
    items = [
        StarterItem(
            kind="regulation",
            code=code,
            count=count,
            has=code in target.regulations,
            examples=(_regulation_example(code, nearest),),
        )
        for code, count in sorted(offered.items(), key=lambda pair: (-pair[1], labels[pair[0]]))
        if count >= STARTER_MIN_COUNT
    ]
    return items + _common_practices(target, nearest)


def _regulation_example(code: str, nearest: list[_Profile]) -> Example:
    # A regulation is read from the practices themselves (harvester/normalise.py), so some
    # practice of every municipality that offers it names it.
    return next(
        Example(profile.name, profile.slug, text)
        for profile in nearest
        if code in profile.regulations
        for text, _ in profile.practices
        if code in regulations_named([text])
    )


def _common_practices(target: _Profile, nearest: list[_Profile]) -> list[StarterItem]:
    # A practice that names a regulation ("Kort- en langdurend zorgverlof") is in the package
    # as that regulation already.
    candidates = [
        (profile, text, words)
        for profile in nearest
        for text, words in profile.practices
        if words and not regulations_named([text])
    ]
    chosen: list[StarterItem] = []
    taken: list[frozenset[str]] = []
    counted = [
        (len({other.slug for other, _, theirs in candidates if _alike(words, theirs)}), n)
        for n, (_, _, words) in enumerate(candidates)
    ]
    # Most shared first; among equals the nearest municipality's practice, in page order.
    for count, n in sorted(counted, key=lambda pair: (-pair[0], pair[1])):
        profile, text, words = candidates[n]
        if count < STARTER_MIN_COUNT or len(chosen) == MAX_STARTER_PRACTICES:
            break
        if any(_alike(words, other) for other in taken):
            continue  # the same idea as one chosen already
        taken.append(words)
        chosen.append(
            StarterItem(
                kind="practice",
                text=text,
                count=count,
                has=any(_alike(words, mine) for _, mine in target.practices),
                examples=(Example(profile.name, profile.slug, text),),
            )
        )
    return chosen


def _alike(mine: frozenset[str], theirs: frozenset[str]) -> bool:
    return bool(mine and theirs) and _jaccard(mine, theirs) >= STARTER_PRACTICE_OVERLAP


def _profile(organisation: Organisation) -> _Profile:
    analyzer = content_words()
    practices = tuple(
        (
            practice.text,
            frozenset(
                token.text for token in analyzer(practice.text) if is_theme(token.text)
            ),
        )
        for practice in organisation.practices
    )
    return _Profile(
        slug=organisation.slug,
        name=organisation.name,
        org_type=organisation.org_type,
        province=organisation.province,
        inhabitants=inhabitants_of(organisation.cbs_code, organisation.inhabitants).count,
        employees=organisation.employees,
        regulations=frozenset(regulation.code for regulation in organisation.regulations),
        themes=frozenset().union(*(words for _, words in practices)),
        practices=practices,
    )


def _common_words(profiles: list[_Profile]) -> frozenset[str]:
    # "mantelzorg", "medewerker": words nearly everyone uses say nothing about closeness.
    counts = Counter(word for profile in profiles for word in profile.themes)
    limit = max(2, THEME_SHARE_COMMON * len(profiles))
    return frozenset(word for word, count in counts.items() if count > limit)


def _rarity(profiles: list[_Profile]) -> dict[str, float]:
    """Each word's weight: its inverse document frequency over all practices, log(N / df)."""
    counts = Counter(word for p in profiles for _, words in p.practices for word in words)
    total = sum(len(p.practices) for p in profiles) or 1
    return {word: math.log(total / count) for word, count in counts.items()}


def _without(profile: _Profile, common: frozenset[str]) -> _Profile:
    return _Profile(
        **{
            **profile.__dict__,
            "themes": profile.themes - common,
            "practices": tuple((text, words - common) for text, words in profile.practices),
        }
    )


def _compare(target: _Profile, other: _Profile, weight: dict[str, float]) -> Comparable:
    weights = WEIGHTS["gemeente" if target.org_type == "gemeente" else "other"]
    parts: dict[str, float] = {
        "inhabitants": _size_closeness(target.inhabitants, other.inhabitants),
        "employees": _size_closeness(target.employees, other.employees),
        "province": 1.0 if target.province and target.province == other.province else 0.0,
        "regulations": _jaccard(target.regulations, other.regulations),
        "themes": _weighted_jaccard(target.themes, other.themes, weight),
    }
    score = sum(weights[key] * value for key, value in parts.items())
    return Comparable(
        name=other.name,
        slug=other.slug,
        org_type=other.org_type,
        score=score,
        reasons=_reasons(target, other, parts, weight),
        they_have=_they_have(target, other),
    )


def _size_closeness(mine: int | None, theirs: int | None) -> float:
    if not mine or not theirs:
        return 0.0
    return math.exp(-SIZE_SCALE * abs(math.log10(mine) - math.log10(theirs)))


def _jaccard(mine: frozenset[str], theirs: frozenset[str]) -> float:
    union = mine | theirs
    return len(mine & theirs) / len(union) if union else 0.0


def _weighted_jaccard(
    mine: frozenset[str], theirs: frozenset[str], weight: dict[str, float]
) -> float:
    union = sum(weight.get(word, 0.0) for word in mine | theirs)
    return sum(weight.get(word, 0.0) for word in mine & theirs) / union if union else 0.0


def _reasons(
    target: _Profile, other: _Profile, parts: dict[str, float], weight: dict[str, float]
) -> list[Reason]:
    reasons = []
    if other.org_type == target.org_type:
        reasons.append(Reason("same_type", {"org_type": other.org_type}))
    if parts["inhabitants"] >= 0.5:
        sizes = {
            "theirs": _n(other.inhabitants),
            "yours": _n(target.inhabitants),
            "name": target.name,
        }
        reasons.append(Reason("similar_size", sizes))
    if parts["employees"] >= 0.5:
        sizes = {"theirs": _n(other.employees), "yours": _n(target.employees), "name": target.name}
        reasons.append(Reason("similar_workforce", sizes))
    if parts["province"]:
        reasons.append(Reason("same_province", {"province": other.province or ""}))
    shared = target.regulations & other.regulations
    if shared:
        counts = {
            "shared": str(len(shared)),
            "yours": str(len(target.regulations)),
            "name": target.name,
        }
        reasons.append(Reason("shared_regulations", counts))
    # The rarest shared words first: what the two have in common that few others have.
    themes = sorted(target.themes & other.themes, key=lambda word: (-weight.get(word, 0), word))
    if themes:
        reasons.append(Reason("shared_themes", {"themes": ", ".join(themes[:6])}))
    return reasons


def _they_have(target: _Profile, other: _Profile) -> dict[str, list[str]]:
    practices = [
        text
        for text, words in other.practices
        if words and len(words & target.themes) / len(words) < NEW_PRACTICE_OVERLAP
    ]
    return {
        "regulations": sorted(other.regulations - target.regulations),
        "practices": practices[:MAX_THEY_HAVE_PRACTICES],
    }


def _n(value: int | None) -> str:
    return f"{value:,}".replace(",", ".") if value else "unknown"
