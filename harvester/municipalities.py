"""CBS figures for the Dutch municipalities, and linking an organisation's name to them.

Names on the site differ from CBS's list ('gemeente Súdwest-Fryslân', "'s-Hertogenbosch",
'Den Bosch'); both sides are folded (case, accents, punctuation, a leading "gemeente") and the
aliases in data/municipalities.toml fill the rest. Bron: CBS (CC BY 4.0).

    >>> match_municipality("Gemeente Den Bosch").cbs_code
    'GM0796'
"""

from __future__ import annotations

import csv
import difflib
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache

from wmkb.harvester.errors import WmkbError
from wmkb.harvester.vocabulary import data_file

PROVINCES = (
    "Groningen",
    "Fryslân",
    "Drenthe",
    "Overijssel",
    "Flevoland",
    "Gelderland",
    "Utrecht",
    "Noord-Holland",
    "Zuid-Holland",
    "Zeeland",
    "Noord-Brabant",
    "Limburg",
)


@dataclass(frozen=True)
class CbsMunicipality:
    """One municipality's CBS figures as the shipped gemeenten.csv gives them; the database's
    copy of them is a row of models.Municipality."""

    cbs_code: str
    name: str
    province: str
    inhabitants: int
    year: int


_LEADING_GEMEENTE = re.compile(r"^\s*(?:de\s+)?gemeente\s+")
_NOT_ALPHANUMERIC = re.compile(r"[^a-z0-9]+")


def fold(name: str) -> str:
    """Case, accents, punctuation and a leading "gemeente" folded away."""
    text = _LEADING_GEMEENTE.sub("", _unaccented(name).lower())
    return _NOT_ALPHANUMERIC.sub(" ", text).strip()


def _unaccented(text: str) -> str:
    if text.isascii():
        return text
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


@cache
def municipalities() -> tuple[CbsMunicipality, ...]:
    try:
        with data_file("gemeenten.csv").open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as error:
        raise WmkbError(f"harvester/data/gemeenten.csv cannot be read: {error}") from error
    return tuple(
        CbsMunicipality(
            row["cbs_code"], row["name"], row["province"], int(row["inhabitants"]), int(row["year"])
        )
        for row in rows
    )


@cache
def _names() -> tuple[dict[str, CbsMunicipality], dict[str, str]]:
    by_name = {fold(m.name): m for m in municipalities()}
    with data_file("municipalities.toml").open("rb") as handle:
        data = tomllib.load(handle)
    for alias, name in data["aliases"].items():
        target = by_name.get(fold(name))
        if target is None:
            raise WmkbError(
                f"harvester/data/municipalities.toml: {name!r} is not a CBS municipality"
            )
        by_name.setdefault(fold(alias), target)
    provinces = {fold(p): p for p in PROVINCES}
    provinces.update({fold(alias): name for alias, name in data["provinces"].items()})
    return by_name, provinces


def match_municipality(name: str) -> CbsMunicipality | None:
    """The CBS municipality an organisation's name names, or None."""
    by_name, _ = _names()
    key = fold(name)
    if key in by_name:
        return by_name[key]
    without_suffix = re.sub(r"\s+\(?[a-z]{1,2}\)?$", "", key)  # "hengelo o", "bergen nh"
    return by_name.get(without_suffix)


def find_municipalities(text: str, *, limit: int = 20) -> list[CbsMunicipality]:
    """The municipalities a search box's text may mean: the one it names first ("Den Bosch"),
    then those whose name contains it ("berg" → Berg en Dal, Bergeijk …), else near spellings."""
    key = fold(text)
    if not key:
        return []
    by_name, _ = _names()
    named = match_municipality(text)
    containing = sorted(
        {m for folded, m in by_name.items() if key in folded}, key=lambda m: fold(m.name)
    )
    found = list(dict.fromkeys([*([named] if named else []), *containing]))
    if not found:
        found = [_by_cbs_name()[name] for name in closest_municipalities(text, limit=limit)]
    return found[:limit]


@cache
def _by_cbs_name() -> dict[str, CbsMunicipality]:
    return {municipality.name: municipality for municipality in municipalities()}


def closest_municipalities(name: str, *, limit: int = 3) -> list[str]:
    """CBS's names of the municipalities a misspelt name may mean ("Zeisst" → ["Zeist"])."""
    by_name, _ = _names()
    near = difflib.get_close_matches(fold(name), list(by_name), n=limit * 2, cutoff=0.75)
    return list(dict.fromkeys(by_name[key].name for key in near))[:limit]


def closest_provinces(name: str, *, limit: int = 3) -> list[str]:
    """CBS's names of the provinces a misspelt name may mean ("Frieslandd" → ["Fryslân"])."""
    _, provinces = _names()
    near = difflib.get_close_matches(fold(name), list(provinces), n=limit * 2, cutoff=0.75)
    return list(dict.fromkeys(provinces[key] for key in near))[:limit]


def cbs_figures(cbs_code: str | None) -> CbsMunicipality | None:
    return _by_code().get(cbs_code) if cbs_code else None


@dataclass(frozen=True)
class Inhabitants:
    count: int | None
    source: str | None  # "cbs", "page", or None when neither gives a figure
    municipality: CbsMunicipality | None  # CBS's figures, when the organisation is linked to them


def inhabitants_of(cbs_code: str | None, stated: int | None) -> Inhabitants:
    """An organisation's inhabitants wherever wmkb shows, exports, compares or indexes them:
    CBS's figure when it is linked to a municipality, else the figure its profile states.

        >>> inhabitants_of("GM0796", 150_000).source, inhabitants_of(None, 25_300).count
        ('cbs', 25300)
    """
    municipality = cbs_figures(cbs_code)
    if municipality is not None:
        return Inhabitants(municipality.inhabitants, "cbs", municipality)
    return Inhabitants(stated, "page" if stated else None, None)


@cache
def _by_code() -> dict[str, CbsMunicipality]:
    return {municipality.cbs_code: municipality for municipality in municipalities()}


def province_named(name: str) -> str | None:
    """CBS's name of the province a name means ("Friesland" → "Fryslân"), or None."""
    _, provinces = _names()
    return provinces.get(fold(name))


def province_in(text: str) -> str | None:
    """The first Dutch province a text names ("in het noordoosten van Drenthe"), or None."""
    found = _province_names().search(_unaccented(text).lower())
    return province_named(found[0]) if found else None


@cache
def _province_names() -> re.Pattern[str]:
    """Each province's folded name and alias as whole words with anything but letters and
    digits between them, as one alternation. It runs on the text as fold() has it before the
    punctuation goes, and finds what a search of the folded text for each name would: one scan
    of a paragraph instead of a fold, which rewrites every space of it, and a search per name.
    Ordered by CBS's name: of two names that start at one place, the first in that order wins."""
    _, provinces = _names()
    names = sorted(provinces, key=lambda key: (provinces[key], key))
    alternation = "|".join(r"[^a-z0-9]+".join(map(re.escape, key.split())) for key in names)
    return re.compile(rf"(?<![a-z0-9])(?:{alternation})(?![a-z0-9])")
