"""The Dutch the page speaks: labels for codes, dates and numbers written the Dutch way, and the
library's English reasons put into Dutch. The words live in web/data/nl.toml.

    >>> number(25935)
    '25.935'
    >>> day("2018-02-21")
    '21 februari 2018'
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from importlib import resources

from wmkb.harvester import doubts, vocabulary
from wmkb.harvester.errors import QueryError, WmkbError
from wmkb.harvester.record import FIELDS
from wmkb.index.rewrite import FILTERS
from wmkb.index.similar import Reason


@dataclass(frozen=True)
class Labels:
    months: tuple[str, ...]
    org_types: dict[str, str]
    facets: dict[str, str]
    fields: dict[str, str]  # the record's fields and an organisation's state, by name
    status: dict[str, str]
    reasons: dict[str, str]  # kind of reason → Dutch template
    doubts: doubts.Wording  # kind of doubt → Dutch template; key fact → its Dutch name
    municipality: dict[str, str]  # the advisors' pages (web/advisors.py)
    coverage: dict[str, str]
    search: dict[str, str]
    query_errors: dict[str, str]  # kind of QueryError → Dutch template
    not_found: dict[str, str]
    comparable: dict[str, str]
    overview: dict[str, str]
    change_columns: dict[str, str]
    sections: dict[str, str]  # from harvester/data: the parser's own words
    regulations: dict[str, str]


@cache
def labels() -> Labels:
    try:
        with resources.files(__package__).joinpath("data", "nl.toml").open("rb") as handle:
            data = tomllib.load(handle)
        reasons = dict(data["reasons"])
        doubt_wording = doubts.wording(data["doubts"], "web/data/nl.toml [doubts]")
    except (OSError, tomllib.TOMLDecodeError, KeyError) as error:
        raise WmkbError(f"web/data/nl.toml cannot be read: {error}") from error
    missing = set(vocabulary.ORG_TYPES) - set(data["org_types"])
    if len(data["months"]) != 12 or missing:
        raise WmkbError(f"web/data/nl.toml: needs twelve months and every type (missing {missing})")
    unnamed = [field.name for field in FIELDS if field.name not in data["fields"]]
    if unnamed:
        raise WmkbError(
            f"web/data/nl.toml [fields]: no Dutch name for the record's {', '.join(unnamed)} "
            "(harvester/record.py)"
        )
    return Labels(
        months=tuple(data["months"]),
        org_types=dict(data["org_types"]),
        facets=dict(data["facets"]),
        fields=dict(data["fields"]),
        status=dict(data["status"]),
        reasons=reasons,
        doubts=doubt_wording,
        municipality=dict(data["municipality"]),
        coverage=dict(data["coverage"]),
        search=dict(data["search"]),
        query_errors=dict(data["query_errors"]),
        not_found=dict(data["not_found"]),
        comparable=dict(data["comparable"]),
        overview=dict(data["overview"]),
        change_columns=dict(data["change_columns"]),
        sections=vocabulary.sections().labels,
        regulations=vocabulary.regulations().labels,
    )


def org_type(code: str | None) -> str:
    return labels().org_types.get(code, code) if code else "–"


def section(key: str) -> str:
    return labels().sections.get(key, key)


def regulation(code: str) -> str:
    return labels().regulations.get(code, code)


def reason(found: Reason) -> str:
    """One of index/similar.py's reasons in Dutch ("ook in Drenthe")."""
    values = dict(found.values)
    if "org_type" in values:
        values["org_type"] = labels().org_types.get(values["org_type"], values["org_type"])
    return labels().reasons[found.kind].format(**values)


def doubt(kind: str, values: dict[str, str]) -> str:
    """One of harvester/doubts.py's doubts in Dutch ("Profiel zonder erkenningsdatum")."""
    return doubts.Doubt(kind, values).text(labels().doubts)


def query_error(error: QueryError) -> str:
    """What is wrong with a query, in Dutch, with the filters' Dutch names."""
    values = dict(error.values)
    kind = error.kind
    if kind == "bad_value" and not values.get("value"):
        kind = "missing_value"
    values["fields"] = ", ".join(names[1] for names in FILTERS.values())
    return labels().query_errors[kind].format(**values)


def change_field(field: str) -> str:
    if field.startswith("sections."):
        return section(field.removeprefix("sections."))
    return labels().fields.get(field, field)


def number(value: int | float | None) -> str:
    """Thousands with a dot, as Dutch writes them."""
    if value is None:
        return "–"
    return f"{value:,}".replace(",", ".")


def percent(share: float) -> str:
    """A share as Dutch writes a percentage: 0.0088 → "0,9%"."""
    return f"{share * 100:.1f}%".replace(".", ",")


def day(value: str | date | None) -> str:
    """An ISO date (or the date of an ISO timestamp) as "21 februari 2018"."""
    if not value:
        return "–"
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    return f"{value.day} {labels().months[value.month - 1]} {value.year}"


def moment(value: str | None) -> str:
    """An ISO timestamp as "22 november 2026, 20:11" (UTC, as stored)."""
    if not value:
        return "–"
    try:
        when = datetime.fromisoformat(value.removesuffix("Z"))
    except ValueError:
        return value
    return f"{day(when.date())}, {when:%H:%M}"
