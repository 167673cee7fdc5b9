"""Is an organisation found at a new URL one we already know? Sites move: http to https, a new
domain, a new CMS that turns "/organisatie/x.html" into "/organisaties/x/". A move is not one
organisation leaving and another arriving.

An organisation is recognised by what identifies it rather than by where its page is: the same
name (as a slug: case, accents and punctuation aside), and then its CBS municipality and its
website's host, where both records have them, must agree; where neither can be compared, the
page's last path segment must. The same name alone is not enough: two organisations may share
one.

    >>> old = Identity.of(name="Gemeente Aa en Hunze", cbs_code="GM1680",
    ...                   website="http://www.aaenhunze.nl",
    ...                   url="https://example.nl/organisatie/gemeente-aa-en-hunze.html")
    >>> new = Identity.of(name="Gemeente Aa en Hunze", cbs_code="GM1680",
    ...                   website="https://aaenhunze.nl/",
    ...                   url="https://example.nl/organisaties/gemeente-aa-en-hunze/")
    >>> same_organisation(old, new)
    True
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlsplit

from wmkb.harvester.normalise import page_name, slugify

Key = TypeVar("Key", bound=Hashable)


@dataclass(frozen=True)
class Identity:
    name: str  # the name as a slug: "Zuivelcoöperatie De Klaver" → "zuivelcooperatie-de-klaver"
    cbs_code: str | None  # a municipality's CBS code
    website_host: str | None  # the organisation's own site, without "www."
    page_name: str | None  # the profile URL's last path segment, without an extension

    @classmethod
    def of(cls, *, name: str, cbs_code: str | None, website: str | None, url: str) -> Identity:
        return cls(
            name=slugify(name),
            cbs_code=cbs_code or None,
            website_host=_host(website),
            page_name=page_name(url) or None,
        )


def same_organisation(earlier: Identity, found: Identity) -> bool:
    """Whether `found` (at a new URL) is the organisation `earlier` (at its old one)."""
    if earlier.name != found.name:
        return False
    strong = [
        mine == theirs
        for mine, theirs in (
            (earlier.cbs_code, found.cbs_code),
            (earlier.website_host, found.website_host),
        )
        if mine is not None and theirs is not None
    ]
    if strong:
        return all(strong)  # one that disagrees outweighs the name
    # A new CMS may rename every path, so the page name decides only when nothing else can.
    return earlier.page_name is not None and earlier.page_name == found.page_name


@dataclass(frozen=True)
class Moves:
    pairs: list[tuple[Key, Key]]  # (earlier, found): the same organisation at its new URL
    ambiguous: int  # found organisations that match more than one earlier one, or share one


def match_moves(
    gone: Sequence[tuple[Key, Identity]], arrived: Sequence[tuple[Key, Identity]]
) -> Moves:
    """Pair organisations no longer seen at their URL with organisations seen for the first
    time. Only one-to-one matches are pairs: when two candidates fit, guessing could merge two
    organisations' histories, so neither is paired and the case is counted instead."""
    matches = {
        found_key: [key for key, earlier in gone if same_organisation(earlier, found)]
        for found_key, found in arrived
    }
    claims: dict[Key, int] = {}
    for candidates in matches.values():
        for earlier_key in candidates:
            claims[earlier_key] = claims.get(earlier_key, 0) + 1
    pairs, ambiguous = [], 0
    for found_key, candidates in matches.items():
        if len(candidates) == 1 and claims[candidates[0]] == 1:
            pairs.append((candidates[0], found_key))
        elif candidates:
            ambiguous += 1
    return Moves(pairs, ambiguous)


def _host(website: str | None) -> str | None:
    if not website:
        return None
    host = (urlsplit(website if "//" in website else f"//{website}").hostname or "").lower()
    return host.removeprefix("www.") or None
