"""A page's HTML → a raw page: its title, links and content as a flat list of blocks.

The content is read the way a person reads it, whatever the markup: a heading, a bold line and
an <h3> are all "question-like"; a <li>, a "•" line inside a <br>-split paragraph and a
paragraph that starts with "- " are all bullets; a layout table is read cell by cell, a bullet
in a cell of its own is an item, and a label on a line of its own with its value on the next is
a key fact. Which part of the page is read is region.py's decision (the region that holds a
profile's signals, else the CMS's content root); whether it is a profile is classify.py's, and
what its text means normalise.py's.

    >>> page = parse_page("<main><h1>Gemeente X</h1><p>• a<br>• b</p></main>".encode(), "https://x/")
    >>> [(b.kind, b.text) for b in page.blocks]
    [('heading', 'Gemeente X'), ('item', 'a'), ('item', 'b')]
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urljoin

from selectolax.lexbor import LexborDocumentOptions, LexborHTMLParser, LexborNode
from w3lib.encoding import html_to_unicode

from wmkb.harvester import vocabulary
from wmkb.harvester.region import find_region

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
_GLYPHS = frozenset("•·▪◦●○‣∙*-–—")  # what _BULLET's text may open with, besides white space


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
class ParsedPage:
    """A page's markup as blocks of text, before anything is made of them; what is stored of a
    fetched page is a row of models.Page."""

    url: str
    canonical_url: str | None
    title: str
    name: str | None
    blocks: list[Block]
    links: list[str]  # every link on the page, chrome included: discovery needs the menus
    encoding: str
    website_hints: list[str] = field(default_factory=list)  # "Website:" lines anywhere
    embedded: bool = False  # a profile shown inside a page about something else


def parse_page(body: bytes, url: str, content_type: str | None = None) -> ParsedPage:
    """Decode and read one page. Never fails on bad markup: browsers don't either."""
    encoding, text = html_to_unicode(content_type, body, auto_detect_fun=_guess_encoding)
    # The tree is read, never rendered: none of the DOM's mutation events (which mirror a
    # select's chosen option into <selectedcontent>, say) is wanted, and they cost time.
    tree = LexborHTMLParser(_as_utf8(body, encoding, text), options=LexborDocumentOptions.WO_EVENTS)
    base, canonical, links = _addresses(tree, url)
    # The head's few elements walked: cheaper than a CSS query, which parses its selector.
    head_elements = (tree.head or tree.root).traverse()
    title_node = next((node for node in head_elements if node.tag == "title"), None)
    title = _collapse(title_node.text()) if title_node else ""
    rules = vocabulary.page_rules()
    tree.strip_tags(list(rules.not_content), recursive=True)
    scope = tree.body or tree.root
    region = find_region(scope, without_site_name(title, rules))
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
    return ParsedPage(url, canonical, title, name, blocks, links, encoding, hints, embedded)


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
    return absolute_all(base, [href])[0]


_ABSOLUTE = ("http://", "https://", "mailto:", "tel:", "javascript:")


def absolute_all(base: str, hrefs: list[str]) -> list[str]:
    """absolute() of each href, the base's origin ("https://host") found once for them all."""
    scheme_end = base.find("://")
    path_start = base.find("/", scheme_end + 3) if scheme_end >= 0 else -1
    origin = base[:path_start] if path_start > 0 else None
    resolved = []
    for href in hrefs:
        if href.startswith(_ABSOLUTE):
            resolved.append(href)
        elif origin and href[:1] == "/" and href[1:2] != "/" and "/." not in href:
            resolved.append(origin + href)
        else:
            resolved.append(urljoin(base, href))
    return resolved


def _addresses(tree: LexborHTMLParser, url: str) -> tuple[str, str | None, list[str]]:
    """The base URL, the canonical URL and every followed link, absolute. Elements are found
    by tag name: lexbor walks the document once per name, far quicker than matching a
    selector against every element."""
    base_href = next(
        (_href(node.attributes) for node in tree.tags("base") if "href" in node.attributes), None
    )
    canonical_href = None
    for node in tree.tags("link"):
        attributes = node.attributes
        rel = attributes.get("rel") or ""
        if "href" in attributes and "canonical" in rel.lower().split():
            canonical_href = _href(attributes)
            break
    # An image map's areas stand among the anchors: one query keeps them in document order.
    linking = tree.css("a[href], area[href]") if tree.tags("area") else tree.tags("a")
    hrefs = []
    for node in linking:
        attributes = node.attributes
        href = _href(attributes)
        rel = attributes.get("rel")  # most links have none: lowered only when there is one
        if href and not (rel and "nofollow" in rel.lower()):
            hrefs.append(href)
    base = urljoin(url, base_href) if base_href is not None else url
    canonical = absolute(base, canonical_href) if canonical_href is not None else None
    return base, canonical, absolute_all(base, hrefs)


def _href(attributes: dict[str, str | None]) -> str:
    return (attributes.get("href") or "").strip()


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
    bullet = _bullet(text)
    return bullet.group(2) if bullet and bullet.group(1) in "•·▪◦●‣∙" else text


def _bullet(text: str) -> re.Match[str] | None:
    """_BULLET.match, asked only of a text that opens with a glyph or white space, as a bullet
    line does: most texts open with a letter, and the question costs a call each."""
    first = text[:1]
    return _BULLET.match(text) if first in _GLYPHS or first.isspace() else None


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
        bullet = _bullet(block.text) if block.kind == "line" else None
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


def without_site_name(title: str, rules: vocabulary.PageRules) -> str:
    """The page's <title> without the site's own name (" | Werk&Mantelzorg")."""
    for suffix in rules.title_suffixes:
        title = suffix.sub("", title)
    return title.strip()
