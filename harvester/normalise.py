"""Raw record (text as found) → clean record: dates, numbers, organisation type, regulation codes.

Every decision here is a pure function of text and the vocabularies in harvester/data/, so each
is tested on its own:

    >>> parse_date("21 februari 2018"), parse_date("21-02-2018")
    (datetime.date(2018, 2, 21), datetime.date(2018, 2, 21))
    >>> headcount("Bij de gemeente werken 306 medewerkers en 40 vrijwilligers.")
    306
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import date
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from wmkb.harvester import settings, vocabulary
from wmkb.harvester.municipalities import match_municipality, province_in
from wmkb.harvester.parts import RawRecord
from wmkb.harvester.record import FIELDS, Field, OtherPage, Profile

_ISO_DATE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})\b")
_WORD_DATE = re.compile(r"\b(\d{1,2})\s+([a-zA-Z]+)\.?,?\s+(\d{4})\b")
_MONTH_YEAR = re.compile(r"\b([a-zA-Z]+)\.?\s+(\d{4})\b")

# 145.000 · 145 000 · 1,1 miljoen · 306; never the middle of a longer number or a date. The
# test of what comes before stands after the first digit ("not after a digit, a point, …"):
# opening with a digit, the pattern lets re scan for digits instead of trying every position.
_NUMBER = re.compile(
    r"(\d(?<![\d.,/-]\d)(?:\d{0,2}(?:[.\u00a0\u202f ]\d{3})+|\d*))(?:,(\d+))?"
    r"(?:\s*(miljoen|mln\.?|duizend))?(?![\d/-]|[.,]\d)"
)
_NON_DIGIT = re.compile(r"\D")
_WORD = re.compile(r"[^\s()]+")
_MULTIPLIERS = {"miljoen": 1_000_000, "mln": 1_000_000, "mln.": 1_000_000, "duizend": 1_000}
# Where one statement ends and another begins, for negation and headcount context: a mark and
# a space, a comma before "maar" and the like, or a line break. The mark comes first and the
# lookbehinds tell which it was: opening with a set of characters, the pattern lets re scan for
# them instead of trying every position.
_CLAUSE = re.compile(
    r"[.;!?:,\n](?:(?<=[.;!?:])\s|(?<=,)\s*(?:maar|echter|behalve|wel)\b|(?<=\n))"
)


def normalise(raw: RawRecord, *, url: str) -> Profile:
    """A clean profile from a raw record that classify.py judged to be a profile."""
    facts = _facts_by_field(raw)
    name = raw.name or raw.title
    description = "\n\n".join(raw.description) or None
    sections = {key: tuple(items) for key, items in raw.sections.items()}
    kind = org_type(name, facts.get("sector", []), raw.description)
    municipality = match_municipality(name) if kind == "gemeente" else None
    return Profile(
        **stated_facts(facts, FIELDS),
        url=url,
        slug=slug_for(url, name),
        name=name,
        org_type=kind,
        employees=_employees(facts.get("employees", []), raw.description),
        inhabitants=_inhabitants(facts.get("inhabitants", []), raw.description),
        website=_website(facts.get("website", []), raw),
        description=description,
        sections=sections,
        regulations=regulations(item for items in sections.values() for item in items),
        cbs_code=municipality.cbs_code if municipality else None,
        province=municipality.province if municipality else _province(facts, raw.description),
    )


def _province(facts: dict[str, list[str]], description: list[str]) -> str | None:
    for text in [*facts.get("province", []), *description]:
        found = province_in(text)
        if found:
            return found
    return None


def stated_facts(facts: dict[str, list[str]], fields: Iterable[Field]) -> dict[str, object]:
    """The fields declared `stated`, each read from the first key fact with its label that
    reads as its kind (a date, a line of text); None when none does.

        >>> stated_facts({"recognised_since": ["21-02-2018"]}, FIELDS)["recognised_since"]
        datetime.date(2018, 2, 21)
    """
    return {
        field.name: _READ_FACT[field.kind](facts.get(field.name, []))
        for field in fields
        if field.stated
    }


def _first_text(values: list[str]) -> str | None:
    for value in values:
        text = " ".join(value.split())
        if text:
            return text
    return None


def other_page(raw: RawRecord, *, url: str) -> OtherPage:
    return OtherPage(url=url, title=raw.title or raw.name or "")


def _facts_by_field(raw: RawRecord) -> dict[str, list[str]]:
    facts: dict[str, list[str]] = {}
    for field_name, value, links in raw.facts:
        facts.setdefault(field_name, []).append(value)
        if field_name == "website":
            facts["website"].extend(href for href, _ in links)
    return facts


# Dates ---------------------------------------------------------------------------------------


def parse_date(text: str) -> date | None:
    """The first date in the text, in any of the ways Dutch pages write one; None if none."""
    months = vocabulary.months()
    candidates: list[tuple[int, date]] = []
    for match in _ISO_DATE.finditer(text):
        candidates.extend(_dated(match.start(), match[1], match[2], match[3]))
    for match in _NUMERIC_DATE.finditer(text):
        candidates.extend(_dated(match.start(), match[3], match[2], match[1]))
    for match in _WORD_DATE.finditer(text):
        month = months.get(match[2].lower())
        if month:
            candidates.extend(_dated(match.start(), match[3], str(month), match[1]))
    if not candidates:  # "februari 2018": the first of the month is the best we know
        for match in _MONTH_YEAR.finditer(text):
            month = months.get(match[1].lower())
            if month:
                candidates.extend(_dated(match.start(), match[2], str(month), "1"))
    return min(candidates)[1] if candidates else None


def _dated(position: int, year: str, month: str, day: str) -> list[tuple[int, date]]:
    try:
        return [(position, date(int(year), int(month), int(day)))]
    except ValueError:
        return []


def _first_date(values: list[str]) -> date | None:
    for value in values:
        found = parse_date(value)
        if found:
            return found
    return None


_READ_FACT = {"date": _first_date, "string": _first_text}


# Numbers -------------------------------------------------------------------------------------


def numbers(text: str) -> Iterator[tuple[int, int, int]]:
    """(value, start, end) for each number written the Dutch way: "145.000", "1,1 miljoen"."""
    for match in _NUMBER.finditer(text):
        whole = int(_NON_DIGIT.sub("", match[1]))
        fraction = match[2]
        multiplier = _MULTIPLIERS.get((match[3] or "").lower(), 1)
        if fraction and multiplier == 1:
            value = whole  # "2,5 fte": a decimal, not a count; keep the whole part
        else:
            value = int(round(float(f"{whole}.{fraction or 0}") * multiplier))
        yield value, match.start(), match.end()


def _words_after(text: str, end: int, count: int) -> list[tuple[str, int]]:
    """The next `count` words after position `end`, lower case, with where each ends."""
    words = []
    for match in _WORD.finditer(text, end):
        word = match.group().lower().strip('.,;:!?"“”')
        words.append((word, match.end()))
        if len(words) == count:
            break
    return words


def headcount(text: str) -> int | None:
    """The organisation's own headcount stated in a piece of prose, or None."""
    rules = vocabulary.headcount()
    for value, start, end in numbers(text):
        if "€" in text[max(0, start - 2) : start] or text[end : end + 2].strip()[:1] == "%":
            continue  # money and shares are never a headcount
        for word, word_end in _words_after(text, end, rules.window):
            if word in rules.not_nouns:
                break
            if word in rules.nouns or (word in rules.people and _at_work(text, start, rules)):
                after = text[word_end:]
                if not any(pattern.search(after) for pattern in rules.not_after):
                    return value
                break
    return None


def _at_work(text: str, position: int, rules: vocabulary.Headcount) -> bool:
    clause = _clause_around(text, position)
    return any(cue.search(clause) for cue in rules.people_cues)


def _clause_around(text: str, position: int) -> str:
    starts = [match.end() for match in _CLAUSE.finditer(text[:position])]
    start = starts[-1] if starts else 0
    following = _CLAUSE.search(text, position)
    return text[start : following.start() if following else len(text)]


def _employees(fact_values: list[str], description: list[str]) -> int | None:
    for value in fact_values:
        for number, _, end in numbers(value):
            if not value[end:].strip().lower().startswith("fte"):
                return number
    for paragraph in description:
        found = headcount(paragraph)
        if found is not None:
            return found
    return None


def inhabitants(text: str) -> int | None:
    """A number of inhabitants stated in the text ("ruim 145.000 inwoners"), or None."""
    nouns = vocabulary.headcount().inhabitant_nouns
    lowered = text.lower()
    if not any(noun in lowered for noun in nouns):
        return None  # most paragraphs: no need to read their numbers
    for value, _, end in numbers(text):
        if any(word in nouns for word, _ in _words_after(text, end, 2)):
            return value
    return None


def _inhabitants(fact_values: list[str], description: list[str]) -> int | None:
    for value in fact_values:  # "Inwoners: 25.300": the label says what the number is
        for number, _, _ in numbers(value):
            return number
    for paragraph in description:
        found = inhabitants(paragraph)
        if found is not None:
            return found
    return None


# Type, website, regulations ------------------------------------------------------------------


def org_type(name: str, sector_facts: list[str], description: list[str]) -> str:
    """The organisation's type from its name, else its "Sector" fact, else its introduction."""
    rules = vocabulary.org_types()
    for texts, patterns in (
        ([name], rules.name_patterns),
        (sector_facts, rules.name_patterns),
        (sector_facts, rules.text_patterns),
        (description[:1], rules.text_patterns),
    ):
        for kind in rules.order:
            if any(patterns[kind].search(text) for text in texts):
                return kind
    return "overig"


def normalise_website(address: str) -> str | None:
    """scheme://host/path without a trailing slash; a bare "www.x.nl" becomes http://www.x.nl."""
    address = address.strip().rstrip(".,;")
    if not address:
        return None
    if "://" not in address:
        address = "http://" + address
    parts = urlsplit(address)
    hostname = parts.hostname  # each reading of it parses the address's netloc again
    if not hostname or "." not in hostname:
        return None
    port = parts.port
    host = hostname + (f":{port}" if port else "")
    query = parts.query and urlencode(
        [
            (key, value)
            for key, value in parse_qsl(parts.query, keep_blank_values=True)
            if not key.lower().startswith(settings.TRACKING_PARAMETERS)
        ]
    )
    return urlunsplit((parts.scheme.lower(), host, parts.path.rstrip("/"), query, ""))


def _website(fact_values: list[str], raw: RawRecord) -> str | None:
    # A link's href beats its text: the text may be shortened ("Bezoek onze website").
    links = [value for value in fact_values if "://" in value]
    for candidate in [*links, *fact_values, *raw.websites]:
        found = normalise_website(candidate)
        if found:
            return found
    return None


def regulations(items: Iterator[str] | list[str]) -> tuple[str, ...]:
    """The sorted regulation codes the items say the organisation offers."""
    vocabulary_ = vocabulary.regulations()
    found: set[str] = set()
    for item in items:
        lowered = item.lower()
        candidates = vocabulary_.candidates(lowered)
        if candidates is None or not candidates.any_code.search(lowered):
            continue
        for clause in _CLAUSE.split(lowered + " "):
            if not candidates.any_code.search(clause):
                continue
            named = {
                code
                for code, pattern in candidates.by_code
                if code not in found and pattern.search(clause)
            }
            if named and not _negated(clause, vocabulary_):
                found |= named
    return tuple(sorted(found))


def _negated(clause: str, rules: vocabulary.Regulations) -> bool:
    if not vocabulary.holds_any(clause, rules.negation_words):
        return False  # most clauses: a substring test each rather than a scan
    if rules.negation.search(clause) is None:
        return False  # no need to take the exceptions out first
    return rules.negation.search(rules.not_negation.sub(" ", clause)) is not None


_PAGE_EXTENSION = re.compile(r"\.(?:html?|php|aspx?)$")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)+")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slug_for(url: str, name: str) -> str:
    """The site's own slug when the URL ends in one ("…/gemeente-aa-en-hunze/",
    "…/roc-westermark.html"), else one made from the name."""
    last = page_name(url)
    if _SLUG.fullmatch(last):
        return last
    return slugify(name)


def page_name(url: str) -> str:
    """The URL's last path segment, lower-case, without a page extension: the same for
    "…/organisatie/roc-westermark.html" and "…/organisaties/roc-westermark/"."""
    last = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]
    return _PAGE_EXTENSION.sub("", last.lower())


def slugify(name: str) -> str:
    """ "Zuivelcoöperatie De Klaver" → "zuivelcooperatie-de-klaver"."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return _NOT_SLUG.sub("-", ascii_name.lower()).strip("-") or "organisatie"
