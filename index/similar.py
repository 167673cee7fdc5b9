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

from harvester.lookup import find_organisation
from harvester.models import Organisation
from harvester.municipalities import cbs_figures
from index.analysis import content_words
from index.compounds import zipf

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
    with resources.files("index.data").joinpath("themes.toml").open("rb") as handle:
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
    with resources.files("index.data").joinpath("reasons.toml").open("rb") as handle:
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
    common = _common_words([target, *others])
    weight = _rarity([target, *others])
    target = _without(target, common)
    ranked = [_compare(target, _without(other, common), weight) for other in others]
    ranked.sort(key=lambda item: (item.org_type != target.org_type, -item.score, item.name))
    return target.name, ranked[:limit]


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
    municipality = cbs_figures(organisation.cbs_code)
    return _Profile(
        slug=organisation.slug,
        name=organisation.name,
        org_type=organisation.org_type,
        province=organisation.province,
        inhabitants=municipality.inhabitants if municipality else organisation.inhabitants,
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


def _weighted_jaccard(mine: frozenset[str], theirs: frozenset[str], weight: dict[str, float]):
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
