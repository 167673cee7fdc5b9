"""The data files hold the knowledge; a broken one fails at its first use, naming the file."""

from __future__ import annotations

import copy
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest

from wmkb.harvester import allocator, vocabulary
from wmkb.harvester.errors import WmkbError
from wmkb.harvester.normalise import _CLAUSE, regulations
from wmkb.harvester.pipeline import read

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
LOADERS = (vocabulary.page_rules, vocabulary.regulations, vocabulary.sections)


@pytest.fixture
def edited(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str, Callable], None]]:
    """Serve one data file changed by `edit`, with the loaders' caches emptied around it."""

    def edit_file(name: str, edit: Callable[[dict], None]) -> None:
        original = vocabulary._load

        def load(requested: str) -> dict:
            data = original(requested)
            if requested == name:
                data = copy.deepcopy(data)
                edit(data)
            return data

        monkeypatch.setattr(vocabulary, "_load", load)
        for loader in LOADERS:
            loader.cache_clear()

    yield edit_file
    monkeypatch.undo()
    for loader in LOADERS:
        loader.cache_clear()


def test_a_boilerplate_line_with_a_capital_is_refused(edited) -> None:
    edited("page.toml", lambda data: data["boilerplate"].append("^Terug$"))
    with pytest.raises(WmkbError, match=r"page\.toml: .*'\^Terug\$'.* must be lower case"):
        vocabulary.page_rules()


def test_what_is_never_content_is_named_by_tag_not_by_selector(edited) -> None:
    edited("page.toml", lambda data: data["not_content"].append(".cookie-bar"))
    with pytest.raises(WmkbError, match=r"page\.toml: not_content holds '\.cookie-bar', not a tag"):
        vocabulary.page_rules()


def test_what_is_never_content_is_never_read() -> None:
    body = (
        b"<html><head><title>Gemeente X</title><script>var erkend = 1;</script></head><body>"
        b"<main><h1>Gemeente X</h1><noscript>Erkend sinds: 1-2-2001</noscript><p>Erkend sinds: "
        b"1-2-2019</p><h2>Hoe maakt u mantelzorg bespreekbaar?</h2><ul><li>Een gesprek.</li>"
        b"</ul><button>Hoe is het thema geborgd?</button><p>Met een plan.</p></main></body></html>"
    )
    record = read(body, "https://x.nl/x/").record
    assert record.recognised_since == date(2019, 2, 1)
    assert dict(record.sections) == {"dialogue": ("Een gesprek.", "Met een plan.")}


def test_a_negation_with_a_capital_is_refused(edited) -> None:
    edited("regulations.toml", lambda data: data["negations"].append(r"\bNooit\b"))
    with pytest.raises(WmkbError, match=r"regulations\.toml: .*Nooit.* must be lower case"):
        vocabulary.regulations()


def test_a_regulation_pattern_without_an_anchor_is_refused(edited) -> None:
    edited("regulations.toml", lambda data: data["codes"]["maatwerk"]["patterns"].append("op maat"))
    with pytest.raises(WmkbError, match=r"regulations\.toml: 'op maat' has none of the anchors"):
        vocabulary.regulations()


def test_a_negation_without_a_negation_word_is_refused(edited) -> None:
    # A clause is passed over unless it holds one of the words: such a negation would never run.
    edited("regulations.toml", lambda data: data["negations"].append(r"\bonmogelijk\b"))
    with pytest.raises(WmkbError, match=r"regulations\.toml: .*onmogelijk.* none of the negation_words"):
        vocabulary.regulations()


def test_without_negations_every_regulation_named_counts(edited) -> None:
    def no_negations(data: dict) -> None:
        data["negations"], data["not_negations"] = [], []

    edited("regulations.toml", no_negations)
    assert regulations(["Geen thuiswerken, wel verlof kopen"]) == ("thuiswerken", "verlof_kopen")


def test_only_codes_with_an_anchor_in_the_text_are_candidates() -> None:
    rules = vocabulary.regulations()
    assert rules.candidates("een workshop voor leidinggevenden") is None
    candidates = rules.candidates("thuiswerken en plaatsonafhankelijk werken")
    codes = {code for code, _ in candidates.by_code}
    assert {"thuiswerken", "flexibele_werktijden"} <= codes and "cao" not in codes


def _every_pattern_on_every_clause(items: list[str]) -> tuple[str, ...]:
    """What the regulation vocabulary says, read the slow way: each pattern of each code on
    each clause, each exception and negation one by one."""
    rules = vocabulary.regulations()
    found: set[str] = set()
    for item in items:
        for clause in _CLAUSE.split(item.lower() + " "):
            named = {
                code
                for code, patterns in rules.patterns.items()
                if any(pattern.search(clause) for pattern in patterns)
            }
            for exception in rules.not_negations:
                clause = exception.sub(" ", clause)
            if named and not any(negation.search(clause) for negation in rules.negations):
                found |= named
    return tuple(sorted(found))


def test_regulations_found_through_anchors_are_those_every_pattern_finds() -> None:
    pages = sorted(FIXTURES.rglob("*.htm*"))
    items = [
        item
        for page in pages
        for section in getattr(
            read(page.read_bytes(), "https://x/").record, "sections", {}
        ).values()
        for item in section
    ]
    items += [
        "Plaats- en tijdonafhankelijk werken; geen verlof kopen",
        "Thuiswerken is niet mogelijk, maar flexibele werktijden wel.",
        "Niet alleen maatwerk: ook onbetaald verlof en de cao",
        "Wij bieden calamiteitenverlof en kort verzuimverlof",
    ]
    assert len(items) > 100
    for item in items:
        assert regulations([item]) == _every_pattern_on_every_clause([item]), item


def test_a_text_holds_a_word_anywhere_in_it() -> None:
    words = vocabulary.date_fact_words()
    assert vocabulary.holds_any("gemeente x is erkend sinds 2019", words)
    assert vocabulary.holds_any("onze ambassadeur", words)
    assert not vocabulary.holds_any("over ons", words)
    assert not vocabulary.holds_any("", words)


def test_every_label_opens_with_one_of_the_label_openings() -> None:
    length, openings = vocabulary.fact_label_openings()
    assert all(label[:length] in openings for label, _ in vocabulary.fact_labels())
    assert vocabulary.field_labelled("erkend sinds") == "recognised_since"
    assert vocabulary.field_labelled("erkend mantelzorgvriendelijk per") == "recognised_since"
    assert vocabulary.field_labelled("openingstijden") is None


def test_a_tie_between_sections_goes_to_the_one_listed_first() -> None:
    # "bewust" weighs 3 for awareness, "dialoog" 3 for dialogue.
    assert vocabulary.sections().key_for("Bewust en in dialoog?") == "awareness"


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or __import__("platform").libc_ver()[0] != "glibc",
    reason="the allocator setting is glibc's",
)
def test_every_process_that_reads_pages_keeps_freed_memory_for_the_next_page() -> None:
    assert allocator.keep_freed_memory() is True
    fresh = subprocess.run(
        [
            sys.executable,
            "-c",
            "import wmkb.harvester.pipeline, wmkb.harvester.allocator as a; "
            "print(a.keep_freed_memory.cache_info().currsize)",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert fresh.stdout.strip() == "1"
