"""The knowledge the parser and normaliser use, loaded once from harvester/data/.

Each loader validates its file and compiles what it holds, so a broken data file fails at the
first use with the file's name in the message rather than deep inside a parse.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from harvester.errors import WmkbError

SECTION_KEYS = ("awareness", "dialogue", "custom_solutions", "implementation", "ambassadorship")
ORG_TYPES = ("gemeente", "provincie", "overheid", "zorg", "onderwijs", "bedrijf", "overig")


def _load(name: str) -> dict:
    try:
        with resources.files("harvester.data").joinpath(name).open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise WmkbError(f"harvester/data/{name} cannot be read: {error}") from error


def _compile(name: str, patterns: list[str]) -> tuple[re.Pattern[str], ...]:
    try:
        return tuple(re.compile(pattern, re.IGNORECASE) for pattern in patterns)
    except re.error as error:
        raise WmkbError(f"harvester/data/{name}: bad pattern: {error}") from error


@dataclass(frozen=True)
class Sections:
    threshold: int
    cues: dict[str, dict[str, int]]
    labels: dict[str, str]

    def key_for(self, question: str) -> str | None:
        """The section a question (or heading, or lead-in line) asks about, or None."""
        text = question.lower()
        best, best_score = None, 0
        for key, cues in self.cues.items():
            score = sum(weight for cue, weight in cues.items() if cue in text)
            if score > best_score:
                best, best_score = key, score
        return best if best_score >= self.threshold else None


@cache
def sections() -> Sections:
    data = _load("sections.toml")
    unknown = set(data["sections"]) - set(SECTION_KEYS)
    if unknown:
        raise WmkbError(f"harvester/data/sections.toml: unknown sections {sorted(unknown)}")
    return Sections(
        threshold=int(data["threshold"]),
        cues={key: dict(value["cues"]) for key, value in data["sections"].items()},
        labels={key: value["label"] for key, value in data["sections"].items()},
    )


@dataclass(frozen=True, eq=False)
class Regulations:
    patterns: dict[str, tuple[re.Pattern[str], ...]]
    anchors: tuple[str, ...]
    labels: dict[str, str]
    negations: tuple[re.Pattern[str], ...]
    not_negations: tuple[re.Pattern[str], ...]

    @property
    def by_code(self) -> dict[str, re.Pattern[str]]:
        """Each code's patterns as one alternation, for lower-cased text: one scan per code and
        clause, and no case folding in the scan."""
        return _by_code(self)

    @property
    def any_code(self) -> re.Pattern[str]:
        """Every code's patterns as one alternation, for lower-cased text: one scan tells
        whether a clause names a regulation at all, and most clauses name none."""
        return _any_code(self)

    def may_name_any(self, lowered: str) -> bool:
        """False when the lower-cased text has none of the anchor words every pattern needs:
        cheaper than any scan, and true of most practices."""
        return _any_anchor(self).search(lowered) is not None


@cache
def _by_code(rules: Regulations) -> dict[str, re.Pattern[str]]:
    return {
        code: re.compile("|".join(f"(?:{p.pattern})" for p in patterns))
        for code, patterns in rules.patterns.items()
    }


@cache
def _any_anchor(rules: Regulations) -> re.Pattern[str]:
    return re.compile("|".join(map(re.escape, rules.anchors)))


@cache
def _any_code(rules: Regulations) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p.pattern})" for p in _by_code(rules).values()))


# A letter outside an escape (\b, \S): the patterns run on lower-cased text, so a capital in
# one could never match.
_ESCAPE = re.compile(r"\\.")


@cache
def regulations() -> Regulations:
    data = _load("regulations.toml")
    rules = Regulations(
        patterns={
            code: _compile("regulations.toml", spec["patterns"])
            for code, spec in data["codes"].items()
        },
        anchors=tuple(data["anchors"]),
        labels={code: spec["label"] for code, spec in data["codes"].items()},
        negations=_compile("regulations.toml", data["negations"]),
        not_negations=_compile("regulations.toml", data["not_negations"]),
    )
    for patterns in rules.patterns.values():
        for pattern in patterns:
            if not any(anchor in pattern.pattern.lower() for anchor in rules.anchors):
                raise WmkbError(
                    f"harvester/data/regulations.toml: {pattern.pattern!r} has none of the anchors"
                )
            if any(letter.isupper() for letter in _ESCAPE.sub("", pattern.pattern)):
                raise WmkbError(
                    f"harvester/data/regulations.toml: {pattern.pattern!r} must be lower case"
                )
    return rules


@cache
def months() -> dict[str, int]:
    data = _load("months.toml")
    if sorted(set(data.values())) != list(range(1, 13)):
        raise WmkbError("harvester/data/months.toml must name all twelve months")
    return {name.lower(): int(number) for name, number in data.items()}


@cache
def fact_labels() -> tuple[tuple[str, str], ...]:
    """(label, field) pairs, longest label first so that "erkend sinds" beats "erkend"."""
    data = _load("facts.toml")["labels"]
    pairs = [(label.lower(), field) for field, labels in data.items() for label in labels]
    return tuple(sorted(pairs, key=lambda pair: -len(pair[0])))


@cache
def fact_label_first_words() -> frozenset[str]:
    return frozenset(label.split()[0] for label, _ in fact_labels())


@dataclass(frozen=True)
class Headcount:
    window: int
    nouns: frozenset[str]
    people: frozenset[str]
    people_cues: tuple[re.Pattern[str], ...]
    not_nouns: frozenset[str]
    not_after: tuple[re.Pattern[str], ...]
    inhabitant_nouns: frozenset[str]


@cache
def headcount() -> Headcount:
    data = _load("headcount.toml")
    return Headcount(
        window=int(data["window"]),
        nouns=frozenset(data["nouns"]),
        people=frozenset(data["people"]),
        people_cues=_compile("headcount.toml", data["people_cues"]),
        not_nouns=frozenset(data["not_nouns"]),
        not_after=_compile("headcount.toml", data["not_after"]),
        inhabitant_nouns=frozenset(data["inhabitants"]["nouns"]),
    )


@dataclass(frozen=True)
class OrgTypes:
    order: tuple[str, ...]
    name_patterns: dict[str, tuple[re.Pattern[str], ...]]
    text_patterns: dict[str, tuple[re.Pattern[str], ...]]


@cache
def org_types() -> OrgTypes:
    data = _load("org_types.toml")
    order = tuple(data["order"])
    if set(order) != set(ORG_TYPES):
        raise WmkbError("harvester/data/org_types.toml: `order` must list every type once")
    return OrgTypes(
        order=order,
        name_patterns={t: _compile("org_types.toml", data["types"][t]["name"]) for t in order},
        text_patterns={t: _compile("org_types.toml", data["types"][t]["text"]) for t in order},
    )


@dataclass(frozen=True)
class PageRules:
    content_roots: tuple[str, ...]
    chrome: str  # every selector of page.toml's list, as one selector group: one query
    name_selectors: tuple[str, ...]
    title_suffixes: tuple[re.Pattern[str], ...]
    boilerplate: re.Pattern[str]  # every line of page.toml's list, as one alternation
    not_websites: tuple[str, ...]
    website_link_texts: tuple[re.Pattern[str], ...]


@cache
def page_rules() -> PageRules:
    data = _load("page.toml")
    return PageRules(
        content_roots=tuple(data["content_roots"]),
        chrome=", ".join(data["chrome"]),
        name_selectors=tuple(data["name_selectors"]),
        title_suffixes=_compile("page.toml", data["title_suffixes"]),
        boilerplate=_compile("page.toml", ["|".join(f"(?:{b})" for b in data["boilerplate"])])[0],
        not_websites=tuple(data["not_websites"]),
        website_link_texts=_compile("page.toml", data["website_link_texts"]),
    )
