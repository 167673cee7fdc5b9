"""A page's blocks sorted into the parts of a profile: name, key facts, introduction, sections
and the website, text as found (parse.py reads the page into blocks; whether the parts make a
profile is classify.py's decision, what they mean normalise.py's).

A key fact is a "Label: value" line, a label and its value on two lines, a bar of facts
("Erkend sinds 12-05-2016 | Sector Rijksoverheid") or a sentence of its own ("X is sinds
1 december 2016 erkend mantelzorgvriendelijk"); a question-like block that asks a section's
question opens that section; a heading of the questions' rank that asks none ends them.

    >>> record = parse(b"<main><h1>Gemeente X</h1><p>Erkend sinds: 1-2-2019</p>"
    ...     b"<h2>Hoe maakt u mantelzorg bespreekbaar?</h2><ul><li>Een gesprek.</li></ul></main>",
    ...     "https://x/")
    >>> record.facts[0][:2], record.sections
    (('recognised_since', '1-2-2019'), {'dialogue': ['Een gesprek.']})
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlsplit

from wmkb.harvester import vocabulary
from wmkb.harvester.parse import Block, ParsedPage, parse_page, without_site_name


@dataclass
class RawRecord:
    """A page's content sorted into the parts of a profile, text as found.

    Whether it *is* a profile is classify.py's decision; turning its text into dates, numbers
    and codes is normalise.py's.
    """

    url: str
    canonical_url: str | None
    title: str
    name: str | None
    facts: list[tuple[str, str, tuple[tuple[str, str], ...]]] = field(default_factory=list)
    description: list[str] = field(default_factory=list)
    sections: dict[str, list[str]] = field(default_factory=dict)
    websites: list[str] = field(default_factory=list)
    embedded: bool = False  # a profile shown inside a page about something else (an example)


def parse(body: bytes, url: str, content_type: str | None = None) -> RawRecord:
    """Read a page and sort its content into name, facts, description and sections."""
    return raw_record(parse_page(body, url, content_type))


def raw_record(page: ParsedPage) -> RawRecord:
    rules = vocabulary.page_rules()
    record = RawRecord(page.url, page.canonical_url, _page_title(page, rules), page.name)
    record.embedded = page.embedded
    blocks = _paired_labels(page.blocks)
    for position, block in enumerate(blocks):
        if block.text == page.name:  # a heading, a bold line, a title cell: what came before
            blocks = blocks[position + 1 :]  # it is the page's chrome
            break
    section: str | None = None
    section_level = 0  # the level of the heading that asked the section's question
    closed = False  # past a heading of the questions' rank that asks none: not the profile's
    sub_heading: str | None = None
    own_host = urlsplit(page.url).hostname or ""
    for block in blocks:
        lowered = block.text.lower()
        if _boilerplate(lowered, rules.boilerplate):
            continue
        fact = _fact(block, lowered)
        if fact is not None:
            record.facts.append(fact)
            continue
        if _unused_fact(block, in_section=section is not None):
            continue
        website = _website(block, rules, own_host)
        if website is not None:
            record.websites.append(website)
            continue
        if _question_like(block):
            key = vocabulary.section_for(lowered)
            if key is not None:
                section, sub_heading, closed = key, None, False
                section_level = block.level
                record.sections.setdefault(key, [])
                continue
            if section is None and block.kind == "heading":
                continue  # "Kerngegevens", "Over de organisatie": a heading, not content
            if section is not None and 0 < block.level <= section_level:
                closed = True  # "Ook erkend", "Contact": a box of the page after the profile
                continue
            if section is not None and (block.kind == "heading" or block.bold) and not closed:
                sub_heading = block.text
                continue
        if closed:
            continue
        if section is None:
            record.description.append(block.text)
        else:
            text = f"{sub_heading}\n{block.text}" if sub_heading else block.text
            record.sections[section].append(text)
            sub_heading = None
    record.sections = {key: items for key, items in record.sections.items() if items}
    if not record.websites and not any(fact[0] == "website" for fact in record.facts):
        # The profile's own "Website:" line sits outside its content (a contact box beside it)
        record.websites = [
            hint for hint in page.website_hints if _names_other_site(hint, rules, own_host)
        ]
    return record


def _paired_labels(blocks: list[Block]) -> list[Block]:
    """A label on a line of its own and its value on the next ("Erkend sinds:" / "15 jun.
    2015", as a CMS's field label and field items are laid out) as one key fact. A label is
    one we know, or a short plain one ending in a colon whose value holds a number."""
    out: list[Block] = []
    skip = False
    blocks = _split_fact_bars(blocks)
    for position, block in enumerate(blocks):
        if skip:
            skip = False
            continue
        value = blocks[position + 1] if position + 1 < len(blocks) else None
        if (
            value is not None
            and block.kind == "line"
            and value.kind == "line"
            and len(block.text) <= 40
            and len(value.text) <= 80
            and _is_label(block, value)
        ):
            out.append(Block("fact", value.text, label=block.text.rstrip(" :"), links=value.links))
            skip = True
        else:
            out.append(block)
    return out


_BAR = "[|·•]"
_FACT_BAR = re.compile(rf"\s+{_BAR}\s+")
# The bar alone, looked for first: re scans for it quickly, while _FACT_BAR, which opens with
# white space, is tried at every space of the line.
_BAR_MARK = re.compile(_BAR)


def _split_fact_bars(blocks: list[Block]) -> list[Block]:
    """ "Erkend sinds 12-05-2016 | Sector Rijksoverheid": key facts on one line, one line each."""
    out = []
    for block in blocks:
        text = block.text
        if (
            block.kind == "line"
            and len(text) <= 200
            and _BAR_MARK.search(text)
            and _FACT_BAR.search(text)
        ):
            parts = _FACT_BAR.split(block.text)
            if parts[0].lower().startswith(vocabulary.fact_label_prefixes()):
                out.extend(_bar_fact(part, block.links) for part in parts if part)
                continue
        out.append(block)
    return out


def _bar_fact(part: str, links: tuple[tuple[str, str], ...]) -> Block:
    """One part of a bar of key facts: "Sector Rijksoverheid" is the fact sector."""
    lowered = part.lower()
    for label, _ in vocabulary.fact_labels():
        if lowered.startswith(label) and not part[len(label) : len(label) + 1].isalnum():
            value = part[len(label) :].strip(" :")
            if value:
                return Block("fact", value, label=part[: len(label)], links=links)
    return Block("line", part, links=links)


def _is_label(block: Block, value: Block) -> bool:
    label = block.text.rstrip(" :").lower()
    if label in vocabulary.fact_label_set():
        return True
    return (
        block.text.endswith(":")
        and not block.bold
        and len(label) <= 30
        and any(character.isdigit() for character in value.text)
    )


# A sentence's closing mark and the white space after it. The mark comes first rather than in a
# lookbehind: re then scans for the three marks instead of trying the pattern at every position.
_SENTENCE_END = re.compile(r"[.!?]\s+")


def _boilerplate(lowered: str, boilerplate: re.Pattern[str]) -> bool:
    """A line of page boilerplate, or of boilerplate sentences run together in one paragraph
    ("X is 1 van de erkende organisaties. Overzicht van alle organisaties")."""
    if boilerplate.match(lowered):
        return True
    if len(lowered) > 300 or ". " not in lowered:
        return False
    return _all_boilerplate(lowered, boilerplate)


def _all_boilerplate(text: str, boilerplate: re.Pattern[str]) -> bool:
    """Whether each sentence of the text, with its closing mark, is boilerplate; a paragraph
    of the profile is told by its first, before the others are cut out."""
    start = 0
    for end in _SENTENCE_END.finditer(text):
        if not boilerplate.match(text[start : end.start() + 1]):
            return False
        start = end.end()
    return boilerplate.match(text[start:]) is not None


def _page_title(page: ParsedPage, rules: vocabulary.PageRules) -> str:
    return page.name or without_site_name(page.title, rules)


def _question_like(block: Block) -> bool:
    if block.kind == "heading" or (block.kind == "line" and block.bold):
        return True
    return block.kind == "line" and len(block.text) <= 250 and block.text.endswith(("?", ":"))


_FACT_VALUE = re.compile(r"\d|www\.|https?://|^[\w-]+(?:\.[\w-]+)+$", re.IGNORECASE)
# "Beheergebied: 1.900 km dijken": a short label, a colon, a short value.
_LABELLED_LINE = re.compile(r"^[^:.!?]{2,30}:\s*\S.{0,60}$")


def _unused_fact(block: Block, *, in_section: bool) -> bool:
    """A key fact whose label we have no use for: never description, never a practice."""
    if block.kind == "fact":
        return True
    if in_section:
        return False
    if block.label:
        return True
    return block.kind == "line" and not block.bold and bool(_LABELLED_LINE.match(block.text))


def _fact(block: Block, lowered: str) -> tuple[str, str, tuple[tuple[str, str], ...]] | None:
    """(field, value, links) when the block states a key fact we know the label of; `lowered`
    is its text in lower case."""
    if block.kind == "fact" or block.label:
        field_name = vocabulary.field_labelled(block.label.lower())
        if field_name is None:
            return None
        value = block.text[len(block.label) :].strip(" :") if block.kind != "fact" else block.text
        return field_name, value, block.links
    if block.kind not in ("line", "item"):
        return None
    if vocabulary.holds_any(lowered, vocabulary.date_fact_words()):
        sentence = vocabulary.fact_sentence(lowered, block.text)
        if sentence is not None:
            return sentence[0], sentence[1], block.links
    length, openings = vocabulary.fact_label_openings()
    if lowered[:length] not in openings:
        return None  # most lines start with no label: one set lookup instead of forty
    for known_label, field_name in vocabulary.fact_labels():
        if not lowered.startswith(known_label):
            continue
        rest = block.text[len(known_label) :]
        if rest[:1].isalnum():
            continue  # "medewerkersparticipatie" is not the label "medewerkers"
        rest = rest.strip()
        if rest.startswith(":"):
            return field_name, rest[1:].strip(), block.links
        if len(rest) <= 40 and _FACT_VALUE.search(rest):
            return field_name, rest, block.links
        return None
    return None


# The last part of a host is letters: "2.400" is a number, not an address.
_BARE_URL = re.compile(
    r"^(?:https?://)?(?:www\.)?[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\.?(?::\d+)?(?:/\S*)?$",
    re.IGNORECASE,
)


def _website(block: Block, rules: vocabulary.PageRules, own_host: str) -> str | None:
    """The organisation's own site, when the whole block is a link to it or a bare address."""
    text = block.text
    if not block.links and " " in text:
        return None  # most blocks: a sentence without a link, never a bare address
    if block.kind not in ("line", "item"):
        return None
    for href, link_text in block.links:
        if (
            _names_other_site(href, rules, own_host)
            and any(pattern.match(link_text) for pattern in rules.website_link_texts)
            and len(text) <= len(link_text) + 40
        ):
            return href
    if " " in text:
        return None  # a sentence around a link to another page
    text = text.rstrip(".")
    if _BARE_URL.match(text) and "@" not in text and _names_other_site(text, rules, own_host):
        return text
    return None


@lru_cache(maxsize=16_384)
def _host(address: str) -> str:
    return urlsplit(address if "://" in address else f"http://{address}").hostname or ""


def _names_other_site(address: str, rules: vocabulary.PageRules, own_host: str) -> bool:
    """True for an address of another site than this one, a share button or a mail link."""
    lowered = address.lower()
    if lowered.startswith(("mailto:", "tel:", "javascript:")):
        return False
    host = _host(lowered)
    return (
        bool(host)
        and host != own_host
        and host not in rules.not_websites
        and not host.endswith(rules.not_website_subdomains)
    )
