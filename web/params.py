"""Reading a page's URL parameters: every value checked against its caps and its vocabulary, so
a bad one becomes a 400 page that says which parameter and what it may be, never a 500.

The search page's whole state is in its URL (the query, the filters, the view, the page), so a
search can be bookmarked and shared:

    >>> state = search_state({"q": "thuiswerken", "soort": "gemeente", "pagina": "2"})
    >>> state.url(pagina=1)
    '/zoeken?q=thuiswerken&soort=gemeente'
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from wmkb.harvester import vocabulary
from wmkb.harvester.errors import UsageError
from wmkb.harvester.lookup import MAX_COMPARED
from wmkb.harvester.municipalities import PROVINCES

MAX_QUERY_CHARS = 200  # a search box needs no more; the index itself refuses past 500
PAGE_SIZES = (10, 20, 50)  # results per page a URL may ask for
MAX_PAGE = 100  # page 101 of one search is a crawler, not a reader
MAX_CSV_ROWS = 1_000  # search results in one CSV download
MAX_CHANGES = 500  # changes on one page; the CSV holds up to MAX_CSV_CHANGES
MAX_CSV_CHANGES = 20_000
CHANGES_DEFAULT_DAYS = 31  # the changes page without a date shows about the last month
MAX_COMPARABLE = 20  # comparable organisations on one page
MAX_SLUG_CHARS = 200  # as long as the column
VIEWS = ("praktijken", "organisaties")
YEARS = (1990, 2100)  # a recognition year outside these is a typing error


class ParameterError(UsageError):
    """A URL parameter that is missing, malformed or out of range; the message is Dutch."""


@dataclass(frozen=True)
class SearchState:
    q: str = ""
    soort: str | None = None  # organisation type
    provincie: str | None = None
    regeling: str | None = None  # regulation code
    erkend: int | None = None  # year of recognition
    weergave: str = VIEWS[0]
    pagina: int = 1
    per: int = PAGE_SIZES[0]

    @property
    def by_organisation(self) -> bool:
        return self.weergave == "organisaties"

    @property
    def filters(self) -> dict[str, str | int]:
        """The facet filters that are set, by parameter name."""
        return {
            name: getattr(self, name)
            for name in ("soort", "provincie", "regeling", "erkend")
            if getattr(self, name) is not None
        }

    def search_query(self) -> str:
        """The query for index.query.search: the words, and the filters that search() takes
        only as query syntax (type and regulation go as its keyword arguments)."""
        extra = []
        if self.provincie:
            extra.append(f"province:{self.provincie}")
        if self.erkend:
            extra.append(f"recognised:{self.erkend}..{self.erkend}")
        # Brackets, so that "a OR b" stays one clause beside the filters.
        return f"({self.q}) {' '.join(extra)}" if extra else self.q

    def replace(self, **changes) -> SearchState:
        return dataclasses.replace(self, **changes)

    def url(self, path: str = "/zoeken", **changes) -> str:
        """This state's URL (with `changes`), defaults left out so that links stay short."""
        state = self.replace(**changes)
        pairs = [
            (field.name, getattr(state, field.name))
            for field in dataclasses.fields(state)
            if getattr(state, field.name) not in (None, "", field.default)
        ]
        return f"{path}?{urlencode(pairs)}" if pairs else path


def municipality_query(params: Mapping[str, str]) -> str:
    """The municipality search box's text, capped like a search query."""
    q = " ".join(params.get("q", "").split())
    if len(q) > MAX_QUERY_CHARS:
        raise ParameterError(f"De naam is {len(q)} tekens lang; het maximum is {MAX_QUERY_CHARS}.")
    return q


def search_state(params: Mapping[str, str]) -> SearchState:
    """The search page's state from its URL parameters; ParameterError for a bad one."""
    q = " ".join(params.get("q", "").split())
    if len(q) > MAX_QUERY_CHARS:
        raise ParameterError(
            f"De zoekvraag is {len(q)} tekens lang; het maximum is {MAX_QUERY_CHARS}."
        )
    return SearchState(
        q=q,
        soort=_choice(params, "soort", vocabulary.ORG_TYPES),
        provincie=_choice(params, "provincie", PROVINCES),
        regeling=_choice(params, "regeling", tuple(vocabulary.regulations().labels)),
        erkend=_integer(params, "erkend", *YEARS),
        weergave=_choice(params, "weergave", VIEWS) or VIEWS[0],
        pagina=_integer(params, "pagina", 1, MAX_PAGE) or 1,
        per=_integer(params, "per", PAGE_SIZES[0], PAGE_SIZES[-1], allowed=PAGE_SIZES)
        or PAGE_SIZES[0],
    )


FACET_PARAMETERS = {  # index facet → the search page's parameter that filters on it
    "org_type": "soort",
    "province": "provincie",
    "regulations": "regeling",
    "recognised": "erkend",
}


def compared(values: list[str]) -> list[str]:
    """The organisations to compare (names or slugs): 0 (the empty form), or 2 to 5."""
    names = list(dict.fromkeys(value.strip() for value in values if value.strip()))
    if len(names) == 1 or len(names) > MAX_COMPARED:
        raise ParameterError(
            f"Vergelijken gaat met 2 tot {MAX_COMPARED} organisaties; u koos er {len(names)}."
        )
    for name in names:
        _check_length("org", name)
    return names


def since(params: Mapping[str, str], *, today: date) -> date:
    """The changes page's `sinds` (YYYY-MM-DD); about a month back without one."""
    value = params.get("sinds", "").strip()
    if not value:
        return today - timedelta(days=CHANGES_DEFAULT_DAYS)
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ParameterError(f"‘sinds’ moet een datum zijn als 2025-01-31, niet ‘{value}’.")
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise ParameterError(f"‘{value}’ is geen bestaande datum.") from error


def count(params: Mapping[str, str], name: str, default: int, maximum: int) -> int:
    found = _integer(params, name, 1, maximum)
    return default if found is None else found


def slug(value: str) -> str:
    _check_length("organisatie", value)
    return value


def place(value: str, kind: str) -> str:
    """A municipality's or province's name from a path (`kind`: "gemeente", "provincie")."""
    _check_length(kind, value)
    return value


def _choice(params: Mapping[str, str], name: str, allowed: tuple[str, ...]) -> str | None:
    value = params.get(name, "").strip()
    if not value:
        return None
    if value not in allowed:
        raise ParameterError(f"‘{name}’ kan niet ‘{value[:40]}’ zijn; wel: {', '.join(allowed)}.")
    return value


def _integer(
    params: Mapping[str, str],
    name: str,
    low: int,
    high: int,
    *,
    allowed: tuple[int, ...] | None = None,
) -> int | None:
    value = params.get(name, "").strip()
    if not value:
        return None
    if not value.isascii() or not value.isdigit() or len(value) > 6:
        raise ParameterError(f"‘{name}’ moet een getal zijn, niet ‘{value[:40]}’.")
    number = int(value)
    if allowed is not None and number not in allowed:
        raise ParameterError(f"‘{name}’ kan {', '.join(map(str, allowed))} zijn, niet {number}.")
    if not low <= number <= high:
        raise ParameterError(f"‘{name}’ moet tussen {low} en {high} liggen, niet {number}.")
    return number


def _check_length(name: str, value: str) -> None:
    if len(value) > MAX_SLUG_CHARS:
        raise ParameterError(f"‘{name}’ is langer dan {MAX_SLUG_CHARS} tekens.")
