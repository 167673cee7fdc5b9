"""A page's HTML → a raw page: its title, links and content as a flat list of blocks.

The content is read the way a person reads it, whatever the markup: a heading, a bold line and
an <h3> are all "question-like"; a <li>, a "•" line inside a <br>-split paragraph and a
paragraph that starts with "- " are all bullets; a layout table is read cell by cell, a bullet
in a cell of its own is an item, and a label on a line of its own with its value on the next is
a key fact. Which part of the page is read is region.py's decision (the region that holds a
profile's signals, else the CMS's content root); whether it is a profile is classify.py's, and
what its text means normalise.py's.

    >>> page = read_page(b"<main><h1>Gemeente X</h1><p>• a<br>• b</p></main>", "https://x/")
    >>> [(b.kind, b.text) for b in page.blocks]
    [('heading', 'Gemeente X'), ('item', 'a'), ('item', 'b')]
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode
from w3lib.encoding import html_to_unicode

from harvester import vocabulary
from harvester.region import find_region

_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_LISTS = {"ul", "ol"}
_BOLD = {"strong", "b"}
_INLINE = {
    "a",
    "abbr",
    "b",
    "bdi",
    "cite",
    "code",
    "data",
    "dfn",
    "em",
    "font",
    "i",
    "kbd",
    "mark",
    "q",
    "s",
    "samp",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "time",
    "u",
    "var",
    "wbr",
    "del",
    "ins",
    "label",
    "img",
    "picture",
    "big",
}
# What a table cell of a layout holds and a cell of a data table does not.
_LAYOUT = "p, div, table, ul, ol, dl, h1, h2, h3, h4, h5, h6, blockquote"
# A bullet glyph at the start of a line, then the text.
_BULLET = re.compile(r"^\s*([•·▪◦●○‣∙*\-–—])\s*(.*)$", re.DOTALL)


@dataclass(slots=True)
class Block:
    """One unit of content in reading order.

    kind: "heading" (an h1–h6), "line" (a paragraph or one <br>-line of it), "item" (a bullet,
    its sub-bullets already folded in), or "fact" (a dt/dd pair or a two-cell table row).
    """

    kind: str
    text: str
    level: int = 0  # heading level
    bold: bool = False  # every word of the line is bold: a question written as a bold line
    links: tuple[tuple[str, str], ...] = ()  # (absolute href, link text)
    label: str = ""  # facts only
    continued: bool = False  # a line after a <br> in the same paragraph


@dataclass
class Page:
    url: str
    canonical_url: str | None
    title: str
    name: str | None
    blocks: list[Block]
    links: list[str]  # every link on the page, chrome included: discovery needs the menus
    encoding: str
    website_hints: list[str] = field(default_factory=list)  # "Website:" lines anywhere
    embedded: bool = False  # a profile shown inside a page about something else


def read_page(body: bytes, url: str, content_type: str | None = None) -> Page:
    """Decode and read one page. Never fails on bad markup: browsers don't either."""
    encoding, text = html_to_unicode(content_type, body, auto_detect_fun=_guess_encoding)
    tree = LexborHTMLParser(_as_utf8(body, encoding, text))
    base, canonical, links = _addresses(tree, url)
    title_node = (tree.head or tree.root).css_first("title")
    title = _collapse(title_node.text()) if title_node else ""
    rules = vocabulary.page_rules()
    scope = tree.body or tree.root
    _remove_chrome(scope, rules.not_content)
    region = find_region(scope, _without_site_name(title, rules))
    hints: list[str] = []
    embedded = False
    if region is not None:  # a profile's signals say where its content is
        root, name, hints, embedded = region.root, region.name, region.websites, region.embedded
    else:  # no profile's signals: the CMS's content root
        root = _content_root(tree, rules)
        name = _page_name(root, rules.name_selectors) if root is not None else None
    blocks = _expand_bullets(_walk(root, base)) if root is not None else []
    if name is None:  # named outside the content: chrome's headings are no name
        _remove_chrome(scope, rules.chrome)
        name = _page_name(tree.root, rules.name_selectors)
    hints = [
        absolute(base, hint) if "://" not in hint and hint.startswith("/") else hint
        for hint in hints
    ]
    return Page(url, canonical, title, name, blocks, links, encoding, hints, embedded)


def _as_utf8(body: bytes, encoding: str, text: str) -> bytes | str:
    """What lexbor reads: the page's own bytes when they are UTF-8 already and decoded without
    a replacement or a byte-order mark (selectolax would encode the text back to the same
    bytes, a fifth of the parse's time), else the text."""
    if encoding == "utf-8" and "\ufffd" not in text and not body.startswith(codecs.BOM_UTF8):
        return body
    return text


def _guess_encoding(body: bytes) -> str:
    # A page that declares nothing: UTF-8 if it decodes, else the Windows code page that
    # older Dutch pages were written in.
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def _collapse(text: str) -> str:
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text  # most texts: no line break, tab or odd space (none is printable)
    return " ".join(text.replace("\u200b", "").replace("\ufeff", "").split())


def absolute(base: str, href: str) -> str:
    """urljoin, with the common cases first: a page has a hundred links, most of them
    absolute or root-relative, and urljoin's general case is slow."""
    if href.startswith(("http://", "https://", "mailto:", "tel:", "javascript:")):
        return href
    if href.startswith("/") and not href.startswith("//") and "/." not in href:
        scheme_end = base.find("://")
        path_start = base.find("/", scheme_end + 3) if scheme_end >= 0 else -1
        if path_start > 0:
            return base[:path_start] + href
    return urljoin(base, href)


def _addresses(tree: LexborHTMLParser, url: str) -> tuple[str, str | None, list[str]]:
    """The base URL, the canonical URL and every followed link, absolute, from one query:
    each query is a walk over the whole document."""
    base_href: str | None = None
    canonical_href: str | None = None
    hrefs = []
    for node in tree.css("base[href], link[rel][href], a[href], area[href]"):
        attributes = node.attributes
        href = (attributes.get("href") or "").strip()
        rel = (attributes.get("rel") or "").lower()
        tag = node.tag
        if tag == "base":
            base_href = href if base_href is None else base_href
        elif tag == "link":
            if canonical_href is None and "canonical" in rel.split():
                canonical_href = href
        elif href and "nofollow" not in rel:
            hrefs.append(href)
    base = urljoin(url, base_href) if base_href is not None else url
    canonical = absolute(base, canonical_href) if canonical_href is not None else None
    return base, canonical, [absolute(base, href) for href in hrefs]


def _content_root(tree: LexborHTMLParser, rules: vocabulary.PageRules) -> LexborNode | None:
    """The first element of the first content-root selector that has text once its chrome is
    gone. Chrome is removed within candidates only, and candidates are kept out of it: a
    page's menus, header and footer are most of its elements, and nothing reads them."""
    for plain in rules.content_roots:
        if tree.css_first(plain) is None:
            continue  # the short selector says so sooner: lexbor parses a selector every query
        for node in _matches(tree, plain + rules.outside_chrome):
            _remove_chrome(node, rules.chrome)
            if _has_text(node):
                return node
    return None


def _remove_chrome(scope: LexborNode, chrome: str) -> None:
    # One query for every selector; removed last-first, so that a node is always removed
    # before the element around it.
    for node in reversed(scope.css(chrome)):
        node.decompose()


def _first_with_text(scope: LexborHTMLParser | LexborNode, selector: str) -> LexborNode | None:
    return next((node for node in _matches(scope, selector) if _has_text(node)), None)


def _matches(scope: LexborHTMLParser | LexborNode, selector: str) -> Iterator[LexborNode]:
    """The elements the selector matches, in order. The first is nearly always the one
    wanted: css_first stops there, where css would walk the rest of the document."""
    first = scope.css_first(selector)
    if first is None:
        return
    yield first
    yield from scope.css(selector)[1:]


def _has_text(node: LexborNode) -> bool:
    # Not node.text(): that joins the whole content to learn whether it is empty.
    for descendant in node.traverse(include_text=True):
        if descendant.tag == "-text" and not (descendant.text_content or " ").isspace():
            return True
    return False


def _page_name(root: LexborNode, selectors: tuple[str, ...]) -> str | None:
    for selector in selectors:
        node = _first_with_text(root, selector)
        if node is not None:
            return _collapse(node.text())
    return None


class _Lines:
    """Collects inline text into lines, remembering which words were bold and which links."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.lines: list[list[tuple[str, bool]]] = [[]]
        self.links: list[tuple[str, str]] = []

    def add(self, text: str, bold: bool) -> None:
        self.lines[-1].append((text, bold))

    def newline(self) -> None:
        self.lines.append([])

    def flush(self, out: list[Block]) -> None:
        if len(self.lines) == 1 and not self.lines[0]:
            return  # nothing since the last block: the common case, between two paragraphs
        continued = False
        for segments in self.lines:
            text = _collapse("".join(part for part, _ in segments))
            if text:
                bold = all(is_bold for part, is_bold in segments if part.strip())
                links = tuple(link for link in self.links if link[1] and link[1] in text)
                out.append(Block("line", text, bold=bold, links=links, continued=continued))
                continued = True
        self.lines = [[]]
        self.links = []


def _walk(root: LexborNode, base: str) -> list[Block]:
    out: list[Block] = []
    lines = _Lines(base)
    _walk_into(root, out, lines, bold=False)
    lines.flush(out)
    return out


def _walk_into(node: LexborNode, out: list[Block], lines: _Lines, *, bold: bool) -> None:
    for child in node.iter(include_text=True):
        tag = child.tag
        if tag == "-text":
            text = child.text_content or ""
            if lines.lines[-1] or not text.isspace():  # markup's own line breaks add nothing
                lines.add(text, bold)
        elif tag == "br":
            lines.newline()
        elif tag in _HEADINGS:
            lines.flush(out)
            text = _collapse(child.text())
            if text:
                out.append(Block("heading", text, level=int(tag[1])))
        elif tag in _LISTS:
            lines.flush(out)
            out.extend(_list_items(child, lines.base))
        elif tag == "dl":
            lines.flush(out)
            out.extend(_definition_facts(child))
        elif tag == "tr":
            lines.flush(out)
            cells = [cell for cell in child.iter() if cell.tag in ("td", "th")]
            if any(cell.css_first(_LAYOUT) is not None for cell in cells):
                for cell in cells:  # a layout table: each cell is a column of content
                    _walk_into(cell, out, lines, bold=bold)
                    lines.flush(out)
            else:
                out.extend(_row(cells))
        elif tag in _INLINE:
            if tag == "a":
                href = (child.attributes.get("href") or "").strip()
                if href:
                    lines.links.append((absolute(lines.base, href), _collapse(child.text())))
            _walk_into(child, out, lines, bold=bold or tag in _BOLD)
        elif tag in ("-comment", "-doctype"):
            continue
        else:  # a block element: what was before it and what is in it are separate lines
            lines.flush(out)
            only_text = _only_text(child)
            if only_text is None:
                _walk_into(child, out, lines, bold=bold)
                lines.flush(out)
            elif only_text:  # most paragraphs: one line, read without the general machinery
                out.append(Block("line", only_text, bold=bold))


def _only_text(node: LexborNode) -> str | None:
    """The collapsed text of an element whose one child is a text node, else None."""
    first = node.first_child
    if first is None or first.next is not None or first.tag != "-text":
        return None
    return _collapse(first.text_content or "")


def _list_items(node: LexborNode, base: str) -> list[Block]:
    """One item per <li>; sub-lists are folded into their parent item as "\\n- " lines.

    An item that opens with a short <span>/<strong> label ("<span>Website</span> …") keeps
    that label, so that a list of key facts can be told from a list of practices.
    """
    items = []
    for li in node.iter():
        if li.tag != "li":
            continue
        only_text = _only_text(li)
        if only_text is not None:  # most items: their text and nothing else
            text = _without_glyph(only_text)
            if text:
                items.append(Block("item", text))
            continue
        own: list[str] = []
        subs: list[str] = []
        links: list[tuple[str, str]] = []
        _li_text(li, own, subs, links, base)
        text = _without_glyph(_collapse("".join(own)))
        if not text and subs:
            text, subs = subs[0], subs[1:]
        if text:
            label = _leading_label(li, text)
            items.append(Block("item", "\n- ".join([text, *subs]), links=tuple(links), label=label))
    return items


def _without_glyph(text: str) -> str:
    """An item's text without a bullet glyph typed before it ("• Zorgverlof")."""
    bullet = _BULLET.match(text)
    return bullet.group(2) if bullet and bullet.group(1) in "•·▪◦●‣∙" else text


def _leading_label(li: LexborNode, text: str) -> str:
    first = li.child
    while first is not None and first.tag == "-text" and not (first.text_content or "").strip():
        first = first.next
    if first is None or first.tag not in ("span", "strong", "b", "dfn", "em", "label"):
        return ""
    label = _collapse(first.text())
    if label and len(label) <= 40 and len(text) > len(label):
        return label.rstrip(":")
    return ""


def _li_text(
    node: LexborNode, own: list[str], subs: list[str], links: list[tuple[str, str]], base: str
) -> None:
    for child in node.iter(include_text=True):
        if child.tag == "-text":
            own.append(child.text_content or "")
        elif child.tag in _LISTS:
            for block in _list_items(child, base):
                subs.extend(block.text.split("\n- "))
        elif child.tag == "br":
            own.append(" ")
        elif child.tag == "-comment":
            continue
        else:
            if child.tag == "a" and child.attributes.get("href"):
                links.append((absolute(base, child.attributes["href"]), _collapse(child.text())))
            own.append(" " if child.tag not in _INLINE else "")
            _li_text(child, own, subs, links, base)
            own.append(" " if child.tag not in _INLINE else "")


def _definition_facts(node: LexborNode) -> list[Block]:
    facts, label = [], ""
    for child in node.iter():
        if child.tag == "div":  # <dl><div><dt/><dd/></div></dl> is valid HTML too
            facts.extend(_definition_facts(child))
        elif child.tag == "dt":
            label = _collapse(child.text()).rstrip(":")
        elif child.tag == "dd":
            value = _collapse(child.text())
            links = tuple(
                (a.attributes.get("href") or "", _collapse(a.text())) for a in child.css("a[href]")
            )
            facts.append(Block("fact", value, label=label, links=links))
    return facts


def _row(nodes: list[LexborNode]) -> list[Block]:
    cells = [_collapse(cell.text()) for cell in nodes]
    if len(cells) == 2 and _BULLET.fullmatch(cells[0] + " " + cells[1]) and cells[1]:
        return [Block("item", cells[1])]  # a bullet in a cell of its own, the item beside it
    if len(cells) == 2 and cells[0]:
        return [Block("fact", cells[1], label=cells[0].rstrip(":"))]
    return [Block("line", " ".join(cell for cell in cells if cell))] if any(cells) else []


def _expand_bullets(blocks: list[Block]) -> list[Block]:
    """Turn bullet lines into items: "•"/"-" lines of a <br>-split paragraph, or one paragraph
    per bullet. A line without a glyph right after a bullet line of the same paragraph continues
    it; a second kind of glyph under a first is a sub-bullet of the item above it."""
    out: list[Block] = []
    top_glyph: str | None = None
    after_bullet = False
    for block in blocks:
        bullet = _BULLET.match(block.text) if block.kind == "line" else None
        if bullet and bullet.group(2):
            glyph, text = bullet.group(1), bullet.group(2)
            top_glyph = top_glyph or glyph
            if glyph != top_glyph and after_bullet:
                parent = out.pop()
                out.append(_item(f"{parent.text}\n- {text}", parent.links + block.links))
            else:
                out.append(_item(text, block.links))
            after_bullet = True
        elif block.kind == "line" and block.continued and after_bullet:
            previous = out.pop()
            out.append(_item(f"{previous.text} {block.text}", previous.links + block.links))
        else:
            out.append(block)
            top_glyph, after_bullet = None, False
    return out


def _item(text: str, links: tuple[tuple[str, str], ...]) -> Block:
    return Block("item", text, links=links)


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
    return raw_record(read_page(body, url, content_type))


def raw_record(page: Page) -> RawRecord:
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
            key = vocabulary.section_for(block.text.lower())
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


_FACT_BAR = re.compile(r"\s+[|·•]\s+")


def _split_fact_bars(blocks: list[Block]) -> list[Block]:
    """ "Erkend sinds 12-05-2016 | Sector Rijksoverheid": key facts on one line, one line each."""
    out = []
    for block in blocks:
        text = block.text
        if block.kind == "line" and len(text) <= 200 and _FACT_BAR.search(text):
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


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _boilerplate(lowered: str, boilerplate: re.Pattern[str]) -> bool:
    """A line of page boilerplate, or of boilerplate sentences run together in one paragraph
    ("X is 1 van de erkende organisaties. Overzicht van alle organisaties")."""
    if boilerplate.match(lowered):
        return True
    if len(lowered) > 300 or ". " not in lowered:
        return False
    return all(boilerplate.match(part) for part in _SENTENCE_END.split(lowered))


def _page_title(page: Page, rules: vocabulary.PageRules) -> str:
    return page.name or _without_site_name(page.title, rules)


def _without_site_name(title: str, rules: vocabulary.PageRules) -> str:
    for suffix in rules.title_suffixes:
        title = suffix.sub("", title)
    return title.strip()


def _question_like(block: Block) -> bool:
    if block.kind == "heading" or (block.kind == "line" and block.bold):
        return True
    return block.kind == "line" and len(block.text) <= 250 and block.text.endswith(("?", ":"))


_FIRST_WORD = re.compile(r"\S+")
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
        label = block.label.lower()
        value = block.text[len(block.label) :].strip(" :") if block.kind != "fact" else block.text
        for known_label, field_name in vocabulary.fact_labels():
            if label == known_label or label.startswith(known_label):
                return field_name, value, block.links
        return None
    if block.kind not in ("line", "item"):
        return None
    if any(map(lowered.__contains__, vocabulary.date_fact_words())):
        sentence = vocabulary.fact_sentence(lowered, block.text)
        if sentence is not None:
            return sentence[0], sentence[1], block.links
    first_word = _FIRST_WORD.match(lowered)
    if first_word is None or first_word[0].rstrip(":") not in vocabulary.fact_label_first_words():
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
    if block.kind not in ("line", "item"):
        return None
    for href, text in block.links:
        if (
            _names_other_site(href, rules, own_host)
            and any(pattern.match(text) for pattern in rules.website_link_texts)
            and len(block.text) <= len(text) + 40
        ):
            return href
    text = block.text.rstrip(".")
    if (
        " " not in text
        and _BARE_URL.match(text)
        and "@" not in text
        and _names_other_site(text, rules, own_host)
    ):
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
        and not any(host == bad or host.endswith("." + bad) for bad in rules.not_websites)
    )
