"""How many of the Dutch municipalities are recognised, per province and over the years, against
the foundation's target (60% of all municipalities).

The database says which organisations are recognised, since when and until when (withdrawn_on);
the CBS figures (harvester/data/gemeenten.csv) say which municipalities there are. `recognitions`
reads the one, and the pure functions `coverage` and `progress` put them together:

    >>> nothing_yet = coverage([])  # no organisation recognised
    >>> nothing_yet.national["municipalities"], nothing_yet.national["recognised"]
    (342, 0)

A municipality counts as recognised when an active organisation is linked to its CBS code; a
withdrawn one drops out of the current count, but stays in the year it was recognised.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, selectinload

from wmkb.harvester import settings, vocabulary
from wmkb.harvester.errors import UsageError
from wmkb.harvester.models import Organisation
from wmkb.harvester.municipalities import (
    PROVINCES,
    CbsMunicipality,
    cbs_figures,
    closest_provinces,
    municipalities,
    province_named,
)

TARGET_SHARE = settings.COVERAGE_TARGET
NATIONAL = "Nederland"  # the name of the whole country's row in the yearly series


@dataclass(frozen=True)
class Recognition:
    """What the database says of one organisation's recognition."""

    name: str
    slug: str
    org_type: str
    cbs_code: str | None
    province: str | None
    recognised_since: date | None
    active: bool
    withdrawn_on: date | None
    regulations: frozenset[str] = frozenset()


def recognitions(engine: Engine) -> list[Recognition]:
    """Every organisation's recognition, active or withdrawn, in slug order."""
    with Session(engine) as session:
        rows = session.scalars(
            select(Organisation)
            .options(selectinload(Organisation.regulations))
            .order_by(Organisation.slug)
        ).all()
        return [
            Recognition(
                name=row.name,
                slug=row.slug,
                org_type=row.org_type,
                cbs_code=row.cbs_code,
                province=row.province,
                recognised_since=row.recognised_since,
                active=row.status == "active",
                withdrawn_on=row.withdrawn_on,
                regulations=frozenset(regulation.code for regulation in row.regulations),
            )
            for row in rows
        ]


def province(name: str) -> str:
    """CBS's name of the province a name means ("friesland" → "Fryslân"); UsageError else."""
    found = province_named(name)
    if found is not None:
        return found
    near = closest_provinces(name)
    hint = f"did you mean: {', '.join(near)}?" if near else f"the provinces: {', '.join(PROVINCES)}"
    raise UsageError(f"no province named {name.strip()!r}; {hint}")


def target_share(value: float) -> float:
    if not 0 < value <= 1:
        raise UsageError(f"a target is a share between 0 and 1 (0.6 for 60%), not {value}")
    return value


@dataclass
class ProvinceCoverage:
    name: str
    municipalities: int
    recognised: list[tuple[CbsMunicipality, Recognition]]  # by date of recognition
    not_recognised: list[CbsMunicipality]  # the most inhabitants first
    other_organisations: dict[str, int]  # recognised, by type, whose province is known

    @property
    def share(self) -> float:
        return len(self.recognised) / self.municipalities

    def as_json(self) -> dict:
        return {
            "name": self.name,
            "recognised": len(self.recognised),
            "municipalities": self.municipalities,
            "share": round(self.share, 4),
            "recognised_names": [municipality.name for municipality, _ in self.recognised],
            "recognitions": [
                {
                    "name": municipality.name,
                    "cbs_code": municipality.cbs_code,
                    "slug": recognition.slug,
                    "recognised_since": _iso(recognition.recognised_since),
                }
                for municipality, recognition in self.recognised
            ],
            "not_recognised": [
                {"name": m.name, "cbs_code": m.cbs_code, "inhabitants": m.inhabitants}
                for m in self.not_recognised
            ],
            "other_organisations": self.other_organisations,
        }


@dataclass
class Coverage:
    target: float
    recognised: int
    municipalities: int
    provinces: list[ProvinceCoverage]

    @property
    def national(self) -> dict:
        share = self.recognised / self.municipalities
        # The recognitions still needed: 60% of 342 is 205.2, so 206 municipalities.
        goal = math.ceil(round(self.target * self.municipalities, 6))
        return {
            "recognised": self.recognised,
            "municipalities": self.municipalities,
            "share": round(share, 4),
            "target": self.target,
            "needed": max(0, goal - self.recognised),
        }

    def as_json(self) -> dict:
        return {
            "national": self.national,
            "provinces": [item.as_json() for item in self.provinces],
        }


def coverage(
    found: list[Recognition], *, target: float = TARGET_SHARE, only: str | None = None
) -> Coverage:
    """Recognised municipalities against all of them, nationally and per province (or in the
    province `only` alone; the national figures stay national)."""
    current = _recognised_municipalities(found, lambda r: r.active)
    by_province: dict[str, ProvinceCoverage] = {
        name: ProvinceCoverage(name, 0, [], [], {}) for name in PROVINCES
    }
    for municipality in municipalities():
        entry = by_province[municipality.province]
        entry.municipalities += 1
        if municipality.cbs_code in current:
            entry.recognised.append((municipality, current[municipality.cbs_code]))
        else:
            entry.not_recognised.append(municipality)
    others = Counter(
        (r.province, r.org_type)
        for r in found
        if r.active and r.province in by_province and cbs_figures(r.cbs_code) is None
    )
    for (name, org_type), count in sorted(others.items()):
        by_province[name].other_organisations[org_type] = count
    for entry in by_province.values():
        entry.recognised.sort(key=lambda pair: (pair[1].recognised_since or date.max, pair[0].name))
        entry.not_recognised.sort(key=lambda m: (-m.inhabitants, m.name))
    return Coverage(
        target=target,
        recognised=len(current),
        municipalities=len(municipalities()),
        provinces=[by_province[only]] if only else list(by_province.values()),
    )


def _recognised_municipalities(
    found: list[Recognition], counts: Callable[[Recognition], bool]
) -> dict[str, Recognition]:
    """The municipalities (by CBS code) with a recognition that `counts`, each with its
    earliest such recognition."""
    linked: dict[str, Recognition] = {}
    for recognition in sorted(found, key=lambda r: (r.recognised_since or date.max, r.slug)):
        if recognition.cbs_code and counts(recognition):
            linked.setdefault(recognition.cbs_code, recognition)
    return linked


@dataclass(frozen=True)
class Tally:
    """One year in one area (the country or a province)."""

    recognitions: int  # organisations of every type recognised this year, withdrawn or not
    municipalities_recognised: int  # of them, municipalities linked to CBS
    municipalities_withdrawn: int
    cumulative: int  # municipalities recognised at the year's end
    municipalities: int  # all municipalities in the area (CBS)
    regulations: dict[str, int]  # code → how many of this year's recognitions offer it

    @property
    def share(self) -> float:
        return self.cumulative / self.municipalities

    def as_json(self) -> dict:
        return {
            "recognitions": self.recognitions,
            "municipalities_recognised": self.municipalities_recognised,
            "municipalities_withdrawn": self.municipalities_withdrawn,
            "cumulative": self.cumulative,
            "municipalities": self.municipalities,
            "share": round(self.share, 4),
            "regulations": self.regulations,
        }


@dataclass
class Year:
    year: int
    areas: dict[str, Tally]  # NATIONAL, then each province

    @property
    def national(self) -> Tally:
        return self.areas[NATIONAL]

    def as_json(self) -> dict:
        return {
            "year": self.year,
            **self.national.as_json(),
            "provinces": {name: self.areas[name].as_json() for name in PROVINCES},
        }


@dataclass
class Progress:
    target: float
    municipalities: int
    years: list[Year]
    undated: int  # recognised organisations whose page gives no date of recognition

    def as_json(self) -> dict:
        return {
            "target": self.target,
            "municipalities": self.municipalities,
            "undated": self.undated,
            "years": [year.as_json() for year in self.years],
        }


def progress(found: list[Recognition], *, today: date, target: float = TARGET_SHARE) -> Progress:
    """Recognitions per year from the first to `today`'s, and the municipalities recognised at
    each year's end, nationally and per province."""
    dated = [r for r in found if r.recognised_since is not None]
    first = min((r.recognised_since.year for r in dated), default=today.year)
    totals = Counter(m.province for m in municipalities())
    totals[NATIONAL] = len(municipalities())
    years = []
    for year in range(first, today.year + 1):
        end = date(year, 12, 31)
        in_year = [r for r in dated if r.recognised_since.year == year]
        withdrawn = [r for r in found if r.withdrawn_on and r.withdrawn_on.year == year]
        standing = [r for r in dated if _standing(r, end)]
        areas = {
            area: _tally(area, in_year, withdrawn, standing, totals[area])
            for area in (NATIONAL, *PROVINCES)
        }
        years.append(Year(year, areas))
    return Progress(target, len(municipalities()), years, undated=len(found) - len(dated))


def _tally(
    area: str,
    in_year: list[Recognition],
    withdrawn: list[Recognition],
    standing: list[Recognition],
    total: int,
) -> Tally:
    def here(group: list[Recognition]) -> list[Recognition]:
        return group if area == NATIONAL else [r for r in group if r.province == area]

    recognised = here(in_year)
    offered = Counter(code for r in recognised for code in r.regulations)
    return Tally(
        recognitions=len(recognised),
        municipalities_recognised=len(_recognised_municipalities(recognised, lambda r: True)),
        municipalities_withdrawn=len(_recognised_municipalities(here(withdrawn), lambda r: True)),
        cumulative=len(_recognised_municipalities(here(standing), lambda r: True)),
        municipalities=total,
        regulations={code: offered[code] for code in vocabulary.regulations().labels},
    )


def _standing(recognition: Recognition, end: date) -> bool:
    """Recognised on `end`: recognised by then, and not withdrawn by then."""
    assert recognition.recognised_since is not None
    if recognition.recognised_since > end:
        return False
    if recognition.withdrawn_on is not None:
        return recognition.withdrawn_on > end
    return recognition.active


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None
