"""What a page becomes: a profile of a recognised organisation, or some other page."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Profile:
    url: str
    slug: str
    name: str
    org_type: str
    ambassador_since: date | None
    recognised_since: date | None
    employees: int | None
    inhabitants: int | None
    website: str | None
    description: str | None
    sections: dict[str, tuple[str, ...]]
    regulations: tuple[str, ...]
    cbs_code: str | None = None  # the CBS municipality a gemeente is linked to
    province: str | None = None  # from CBS for a municipality, else as the introduction says

    kind = "profile"

    def as_json(self) -> dict:
        return {
            "kind": self.kind,
            "url": self.url,
            "slug": self.slug,
            "name": self.name,
            "org_type": self.org_type,
            "ambassador_since": _iso(self.ambassador_since),
            "recognised_since": _iso(self.recognised_since),
            "employees": self.employees,
            "inhabitants": self.inhabitants,
            "website": self.website,
            "description": self.description,
            "sections": {key: list(items) for key, items in self.sections.items()},
            "regulations": list(self.regulations),
            "cbs_code": self.cbs_code,
            "province": self.province,
        }

    def content_hash(self) -> str:
        """Decides whether a stored organisation changed: same hash, nothing to store or index."""
        canonical = json.dumps(self.as_json(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class OtherPage:
    url: str
    title: str

    kind = "other"

    def as_json(self) -> dict:
        return {"kind": self.kind, "url": self.url, "title": self.title}


Record = Profile | OtherPage


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None
