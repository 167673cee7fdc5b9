"""The knowledge the parser and normaliser use, loaded once from harvester/data/.

Each loader validates its file and compiles what it holds, so a broken data file fails at the
first use with the file's name in the message rather than deep inside a parse.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from wmkb.harvester.errors import WmkbError

SECTION_KEYS = ("awareness", "dialogue", "custom_solutions", "implementation", "ambassadorship")
ORG_TYPES = ("gemeente", "provincie", "overheid", "zorg", "onderwijs", "bedrijf", "overig")


def data_file(name: str) -> Traversable:
    """A data file: from $WMKB_DATA when that directory holds one of this name, else the one
    shipped in harvester/data. Read once per process, at its first use: a command started
    after an edit reads the edited file.

        WMKB_DATA=~/wmkb-data wmkb reparse   # ~/wmkb-data/regulations.toml replaces the shipped
    """
    override = os.environ.get("WMKB_DATA")
    if override and (Path(override) / name).is_file():
        return Path(override) / name
    return resources.files(__package__).joinpath("data", name)


def _load(name: str) -> dict:
    source = data_file(name)
    try:
        with source.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise WmkbError(f"{_shown(source)} cannot be read: {error}") from error


def _shown(source: Traversable) -> str:
    return str(source) if isinstance(source, Path) else f"harvester/data/{source.name}"


def _compile(
    name: str, patterns: list[str], flags: int = re.IGNORECASE
) -> tuple[re.Pattern[str], ...]:
    try:
        return tuple(re.compile(pattern, flags) for pattern in patterns)
    except re.error as error:
        raise WmkbError(f"harvester/data/{name}: bad pattern: {error}") from error


# A letter outside an escape (\b, \S).
_ESCAPE = re.compile(r"\\.")


def _either(sources: Iterable[str]) -> str:
    """Patterns as one alternation that matches where any of them does; for none, one that
    never matches (an empty pattern would match everywhere)."""
    return "|".join(f"(?:{source})" for source in sources) or "(?!)"


def _lower_case(name: str, patterns: Iterable[re.Pattern[str]]) -> None:
    """Patterns that run on lower-cased text (no case folding in the scan) must be written in
    lower case: a capital in one could never match."""
    for pattern in patterns:
        if any(letter.isupper() for letter in _ESCAPE.sub("", pattern.pattern)):
            raise WmkbError(f"harvester/data/{name}: {pattern.pattern!r} must be lower case")


@dataclass(frozen=True, eq=False)
class Sections:
    threshold: int
    cues: dict[str, dict[str, int]]
    labels: dict[str, str]

    def key_for(self, question: str) -> str | None:
        """The section a question (or heading, or lead-in line) asks about, or None."""
        text = question.lower()
        scores: dict[str, int] = {}
        every_cue = _every_cue(self)
        for cue in filter(text.__contains__, every_cue):
            for key, weight in every_cue[cue]:
                scores[key] = scores.get(key, 0) + weight
        best, best_score = None, 0
        for key in self.cues:  # a tie goes to the section listed first
            if scores.get(key, 0) > best_score:
                best, best_score = key, scores[key]
        return best if best_score >= self.threshold else None


@cache
def _every_cue(sections: Sections) -> dict[str, list[tuple[str, int]]]:
    """Each cue once, with the sections it counts for and its weight in each."""
    every_cue: dict[str, list[tuple[str, int]]] = {}
    for key, cues in sections.cues.items():
        for cue, weight in cues.items():
            every_cue.setdefault(cue, []).append((key, weight))
    return every_cue


@lru_cache(maxsize=8192)
def section_for(text: str) -> str | None:
    """sections().key_for, remembered: the same questions stand on page after page."""
    return sections().key_for(text)


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


@dataclass(frozen=True)
class Candidates:
    """The codes a text may name, found by its anchor words, with their patterns."""

    by_code: tuple[tuple[str, re.Pattern[str]], ...]  # each code's patterns as one alternation
    any_code: re.Pattern[str]  # all of them as one: most clauses name none of these codes


@dataclass(frozen=True, eq=False)
class Regulations:
    """The regulation vocabulary. Every pattern runs on lower-cased text: no case folding in
    the scans, and one alternation where a list would be scanned pattern by pattern."""

    patterns: dict[str, tuple[re.Pattern[str], ...]]
    anchors: tuple[str, ...]
    labels: dict[str, str]
    negations: tuple[re.Pattern[str], ...]
    not_negations: tuple[re.Pattern[str], ...]
    negation_words: tuple[str, ...]  # one of them in every negation: most clauses hold none

    def candidates(self, lowered: str) -> Candidates | None:
        """The codes whose anchor words the lower-cased text has; None when it has none of
        the anchors, true of most practices and cheaper to tell than any scan."""
        # A substring test per anchor costs fewer instructions than one regular expression
        # over them all: most letters start an anchor, so such a scan stops at most of them.
        present = [anchor for anchor in self.anchors if anchor in lowered]
        return _candidates(self, tuple(present)) if present else None

    # A property on the rules rather than a cache keyed by the patterns: a compiled pattern
    # hashes its whole program every time it is hashed.
    @cached_property
    def negation(self) -> re.Pattern[str]:
        return _alternation(self.negations)

    @cached_property
    def not_negation(self) -> re.Pattern[str]:
        return _alternation(self.not_negations)


@cache
def _alternation(patterns: tuple[re.Pattern[str], ...]) -> re.Pattern[str]:
    return re.compile(_either(p.pattern for p in patterns))


@lru_cache(maxsize=1024)
def _candidates(rules: Regulations, anchors: tuple[str, ...]) -> Candidates | None:
    by_code = tuple(
        (code, _alternation(patterns))
        for code, patterns in rules.patterns.items()
        if any(anchor in pattern.pattern for pattern in patterns for anchor in anchors)
    )
    if not by_code:
        return None
    return Candidates(by_code, re.compile(_either(p.pattern for _, p in by_code)))


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
        negation_words=tuple(data["negation_words"]),
    )
    for patterns in rules.patterns.values():
        for pattern in patterns:
            if not any(anchor in pattern.pattern for anchor in rules.anchors):
                raise WmkbError(
                    f"harvester/data/regulations.toml: {pattern.pattern!r} has none of the anchors"
                )
    every_pattern = [*rules.negations, *rules.not_negations]
    every_pattern += [pattern for patterns in rules.patterns.values() for pattern in patterns]
    _lower_case("regulations.toml", every_pattern)
    for pattern in rules.negations:
        if not any(word in pattern.pattern for word in rules.negation_words):
            raise WmkbError(
                f"harvester/data/regulations.toml: {pattern.pattern!r} has none of the "
                "negation_words"
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


@lru_cache(maxsize=1024)
def field_labelled(label: str) -> str | None:
    """The field a key fact's label (lower case) names: the first label of fact_labels() it
    starts with, or None. Remembered: a site words its labels alike on every page."""
    for known_label, field in fact_labels():
        if label.startswith(known_label):
            return field
    return None


@cache
def date_fact_labels() -> tuple[str, ...]:
    """The labels of the recognition and ambassador dates, longest first: a profile's own
    signals (harvester/region.py)."""
    dated = ("recognised_since", "ambassador_since")
    return tuple(label for label, field in fact_labels() if field in dated)


@dataclass(frozen=True)
class FactSentences:
    longest: int  # characters: a longer line states more than one key fact
    patterns: tuple[tuple[str, re.Pattern[str]], ...]  # (field, pattern with group "value")
    any_pattern: re.Pattern[str]  # all of them as one: most lines state none


@cache
def fact_sentences() -> FactSentences:
    data = _load("facts.toml")
    patterns = tuple(
        (field, pattern)
        for field, sources in data["sentences"]["patterns"].items()
        for pattern in _compile("facts.toml", sources, flags=0)
    )
    for _, pattern in patterns:
        if "value" not in pattern.groupindex:
            raise WmkbError(f"harvester/data/facts.toml: {pattern.pattern!r} has no (?P<value>…)")
    any_pattern = re.compile(
        _either(pattern.pattern.replace("(?P<value>", "(?:") for _, pattern in patterns)
    )
    return FactSentences(int(data["sentences"]["longest"]), patterns, any_pattern)


def fact_sentence(lowered: str, text: str) -> tuple[str, str] | None:
    """(field, value) when the lower-cased line states a key fact as a sentence."""
    rules = fact_sentences()
    if len(lowered) > rules.longest or not holds_any(lowered, date_fact_words()):
        return None
    if rules.any_pattern.search(lowered) is None:
        return None
    for field_name, pattern in rules.patterns:
        found = pattern.search(lowered)
        if found:
            return field_name, text[found.start("value") : found.end("value")]
    return None


def holds_any(text: str, words: tuple[str, ...]) -> bool:
    """True when the text holds one of the words. A plain loop: on the ninety texts of a page,
    any(map(text.__contains__, words)) costs twice its instructions, a bound method and an
    iterator for each text."""
    for word in words:  # noqa: SIM110 - any() over a generator is what this avoids
        if word in text:
            return True
    return False


@cache
def date_fact_words() -> tuple[str, ...]:
    """A word every recognition or ambassador label and sentence holds (facts.toml's
    date_words): a text without one states neither, and is passed over at once."""
    data = _load("facts.toml")
    words = [word.lower() for word in data["date_words"]]
    sources = [*date_fact_labels(), *(p.pattern for _, p in fact_sentences().patterns)]
    for source in sources:
        if not any(word in source for word in words):
            raise WmkbError(f"harvester/data/facts.toml: {source!r} has none of the date_words")
    return tuple(words)


@cache
def website_labels() -> tuple[str, ...]:
    return tuple(label for label, field in fact_labels() if field == "website")


@cache
def fact_label_set() -> frozenset[str]:
    return frozenset(label for label, _ in fact_labels())


@cache
def fact_label_prefixes() -> tuple[str, ...]:
    return tuple(label for label, _ in fact_labels())


@cache
def fact_label_openings() -> tuple[int, frozenset[str]]:
    """(n, the first n letters of every label), n the length of the shortest: a line whose
    first n letters are none of these starts with no label, told with one set lookup."""
    length = min(len(label) for label, _ in fact_labels())
    return length, frozenset(label[:length] for label, _ in fact_labels())


@dataclass(frozen=True)
class Headcount:
    window: int
    nouns: frozenset[str]
    people: frozenset[str]
    people_cues: tuple[re.Pattern[str], ...]
    not_nouns: frozenset[str]
    not_after: tuple[re.Pattern[str], ...]
    inhabitant_nouns: frozenset[str]
    quantity_word: re.Pattern[str]  # a number written in words


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
        quantity_word=_compile("headcount.toml", [data["quantity_word"]])[0],
    )


@dataclass(frozen=True)
class OrgTypes:
    order: tuple[str, ...]
    name_patterns: dict[str, re.Pattern[str]]  # each type's patterns as one alternation
    text_patterns: dict[str, re.Pattern[str]]


def _one_of(name: str, patterns: list[str]) -> re.Pattern[str]:
    """Patterns as one case-insensitive alternation, to be searched for whether any matches.
    Those that open with \\b come first as a group of their own: re then tests the \\b once at
    each position for all of them, where one alternative without it among them makes it try
    every alternative at every position, several times slower on a name."""
    with_boundary = [pattern for pattern in patterns if pattern.startswith("\\b")]
    others = [pattern for pattern in patterns if not pattern.startswith("\\b")]
    grouped = [_either(with_boundary)] if with_boundary else []
    return _compile(name, [_either(grouped + others)])[0]


@cache
def org_types() -> OrgTypes:
    data = _load("org_types.toml")
    order = tuple(data["order"])
    if set(order) != set(ORG_TYPES):
        raise WmkbError("harvester/data/org_types.toml: `order` must list every type once")
    types = data["types"]
    return OrgTypes(
        order=order,
        name_patterns={t: _one_of("org_types.toml", types[t]["name"]) for t in order},
        text_patterns={t: _one_of("org_types.toml", types[t]["text"]) for t in order},
    )


@dataclass(frozen=True)
class PageRules:
    content_roots: tuple[str, ...]
    not_content: tuple[str, ...]  # page.toml's not_content: tag names
    chrome: str  # page.toml's chrome as one selector group: one query
    outside_chrome: str  # after a selector, keeps it to elements that neither are nor sit in chrome
    name_selectors: tuple[str, ...]
    title_suffixes: tuple[re.Pattern[str], ...]
    boilerplate: re.Pattern[str]  # page.toml's lines as one alternation, for lower-cased text
    not_websites: tuple[str, ...]
    not_website_subdomains: tuple[str, ...]  # ".x.com" for each: what a host ends with
    website_link_texts: tuple[re.Pattern[str], ...]


_TAG_NAME = re.compile(r"[a-z][a-z0-9-]*")


def _tag_names(source: str, key: str, names: list[str]) -> tuple[str, ...]:
    for name in names:
        if not _TAG_NAME.fullmatch(name):
            raise WmkbError(f"harvester/data/{source}: {key} holds {name!r}, not a tag name")
    return tuple(names)


@cache
def page_rules() -> PageRules:
    data = _load("page.toml")
    lines = _compile("page.toml", data["boilerplate"], flags=0)
    _lower_case("page.toml", lines)
    boilerplate = re.compile(_either(line.pattern for line in lines))
    every_rule = [*data["not_content"], *data["chrome"]]
    # "X *" rather than ":is(…) *": lexbor's :is() before a descendant combinator only
    # looks at the parent.
    in_chrome = ", ".join(f"{rule} *" for rule in every_rule)
    chrome = ", ".join(every_rule)
    return PageRules(
        content_roots=tuple(data["content_roots"]),
        not_content=_tag_names("page.toml", "not_content", data["not_content"]),
        chrome=", ".join(data["chrome"]),
        outside_chrome=f":not({chrome}):not({in_chrome})",
        name_selectors=tuple(data["name_selectors"]),
        title_suffixes=_compile("page.toml", data["title_suffixes"]),
        boilerplate=boilerplate,
        not_websites=tuple(data["not_websites"]),
        not_website_subdomains=tuple(f".{host}" for host in data["not_websites"]),
        website_link_texts=_compile("page.toml", data["website_link_texts"]),
    )
