"""How many of the Dutch municipalities are recognised, per province and over the years, against
the foundation's target (60% of all municipalities).

The database says which organisations are recognised, since when and until when (withdrawn_on);
the CBS figures (harvester/data/gemeenten.csv) say which municipalities there are. `recognitions`
reads the one, and the pure functions `coverage` and `progress` put them together:

    >>> coverage(recognitions(engine)).national["municipalities"]
    342

A municipality counts as recognised when an active organisation is linked to its CBS code; a
withdrawn one drops out of the current count, but stays in the year it was recognised.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, selectinload

from harvester import vocabulary
from harvester.errors import UsageError
from harvester.models import Organisation
from harvester.municipalities import (
    PROVINCES,
    Municipality,
    cbs_figures,
    closest_provinces,
    municipalities,
    province_named,
)

TARGET_SHARE = 0.6  # "We streven ernaar dat 60% van de gemeenten eind 2020 zover is"
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
    recognised: list[tuple[Municipality, Recognition]]  # by date of recognition
    not_recognised: list[Municipality]  # the most inhabitants first
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


def _recognised_municipalities(found: list[Recognition], counts) -> dict[str, Recognition]:
    """The municipalities (by CBS code) with a recognition that `counts`, each with its
    earliest such recognition."""
    linked: dict[str, Recognition] = {}
    for recognition in sorted(found, key=lambda r: (r.recognised_since or date.max, r.slug)):
        if recognition.cbs_code and counts(recognition):
            linked.setdefault(recognition.cbs_code, recognition)
    return linked


@dataclass
class Year:
    """One year: the recognitions in it, and the municipalities recognised at its end."""

    year: int
    recognitions: int  # organisations of every type recognised this year, withdrawn or not
    municipalities_recognised: int  # of them, municipalities linked to CBS
    municipalities_withdrawn: int
    cumulative: dict[str, int]  # NATIONAL and each province → recognised at the year's end
    regulations: dict[str, int]  # code → how many of this year's recognitions offer it
    totals: dict[str, int] = field(repr=False, default_factory=dict)

    def share(self, area: str = NATIONAL) -> float:
        return self.cumulative[area] / self.totals[area]

    def as_json(self) -> dict:
        return {
            "year": self.year,
            "recognitions": self.recognitions,
            "municipalities_recognised": self.municipalities_recognised,
            "municipalities_withdrawn": self.municipalities_withdrawn,
            "cumulative": self.cumulative[NATIONAL],
            "share": round(self.share(), 4),
            "provinces": {
                name: {"cumulative": self.cumulative[name], "share": round(self.share(name), 4)}
                for name in PROVINCES
            },
            "regulations": self.regulations,
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
    """Recognitions per year from the first to `today`'s, and the share of municipalities
    recognised at each year's end, nationally and per province."""
    dated = [r for r in found if r.recognised_since is not None]
    totals = Counter(m.province for m in municipalities())
    totals[NATIONAL] = len(municipalities())
    first = min((r.recognised_since.year for r in dated), default=today.year)
    codes = list(vocabulary.regulations().labels)
    years = []
    for year in range(first, today.year + 1):
        end = date(year, 12, 31)
        in_year = [r for r in dated if r.recognised_since.year == year]
        standing = _recognised_municipalities(dated, lambda r, end=end: _standing(r, end))
        cumulative = Counter(cbs_figures(code).province for code in standing)
        cumulative[NATIONAL] = len(standing)
        offered = Counter(code for r in in_year for code in r.regulations)
        years.append(
            Year(
                year=year,
                recognitions=len(in_year),
                municipalities_recognised=len(_recognised_municipalities(in_year, lambda r: True)),
                municipalities_withdrawn=len(
                    _recognised_municipalities(
                        found,
                        lambda r, year=year: bool(r.withdrawn_on and r.withdrawn_on.year == year),
                    )
                ),
                cumulative={area: cumulative[area] for area in (NATIONAL, *PROVINCES)},
                regulations={code: offered[code] for code in codes},
                totals=dict(totals),
            )
        )
    return Progress(target, len(municipalities()), years, undated=len(found) - len(dated))


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
