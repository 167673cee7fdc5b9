"""Where a page's own content is, found by what a profile says rather than by its CMS's markup.

A profile's signals are its text: the recognition and ambassador key facts ("Erkend
mantelzorgvriendelijk sinds", "Ambassadeur sinds", also as a sentence of their own) and the
section questions (also short themes). The region is the deepest element that holds the first
key fact and most of the questions: a sidebar teaser that asks a profile question, or a menu
link that says "Erkenning", does not pull it out to the whole page. The organisation's name is
the heading-like line before the key facts that the page's <title> repeats (a heading, a bold
line, a CMS's title cell); when it stands just above the region, the region grows to hold it.

What around the profile is chrome is decided by where it is and what it holds:
- what a CMS marks as chrome (page.toml's selectors) goes only when it holds no signal, so a
  page header inside the content that carries the name or the key facts is content;
- where one child of an element holds all its signals (the content column of a layout), the
  children after it that hold none are beside the content (related organisations, a contact
  box) and go; so do bars of links before or after the content's parts;
- a table of contents (links to the page itself) repeats the questions and goes.
A profile shown inside a page about something else (other headed content between the page's
named heading and the key facts: a help page's example) is marked `embedded`. A page without
signals (news, an overview) has its content found by page.toml's content roots, as before.

    >>> from selectolax.lexbor import LexborHTMLParser
    >>> tree = LexborHTMLParser("<body><main><header><h1>Gemeente X</h1><p>Erkend sinds: 1-2-2019"
    ...     "</p></header><h2>Hoe maakt u mantelzorg bespreekbaar?</h2></main></body>")
    >>> region = find_region(tree.body, "Gemeente X | Werk&Mantelzorg")
    >>> region.root.tag, region.name
    ('main', 'Gemeente X')
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from selectolax.lexbor import LexborNode

from wmkb.harvester import vocabulary

_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_BOLD = frozenset({"strong", "b"})
_HEADING_LIKE = _HEADINGS | _BOLD
_WRAPPERS = frozenset({"span", "a", "font", "em", "i", "u"})  # inline, around a heading's text
_TEXT_MAX = 300  # characters: a longer text is a paragraph, neither a question nor a label
_ADDRESS = ("www.", "http://", "https://")
_ASKING = "?:"  # the last character of a question, or of a label
_MOST = 0.75  # share of the signals the region holds at least
_NAME_MAX = 150  # characters: a longer line is no organisation's name
# Headings between the page's own (named) heading and the key facts that make the profile
# one shown inside a page about something else: a help page's example, not a profile.
_OTHER_HEADINGS = 2
_ADDRESS_BLOCK = 300  # characters of an address block at most
_CONTENTS_LABEL = 20  # characters of a table of contents' own label ("Inhoudsopgave")
_NAME_STEPS = 2  # how far above the region its name may stand and still be brought in


@dataclass
class Region:
    root: LexborNode  # the deepest element that holds the first key fact and most questions
    name: str | None  # the organisation's name, wherever the page puts it
    websites: list[str]  # what "Website:" lines and the organisation's address block give
    embedded: bool = False  # a profile shown inside a page about something else


def find_region(scope: LexborNode, title: str) -> Region | None:
    """The profile's region within `scope` (the page's body, with what is never content
    already removed), or None when the page has too few of a profile's signals."""
    found = _signals(scope, title)
    if not found.facts or not found.questions:
        return None
    held = _holding(found.questions)  # questions per element, counted once for both uses
    root = _holder_of_most(found.facts[0], held, len(found.questions))
    if root is None:
        return None
    # Key facts come before the questions; a date after the last one is a teaser's.
    last_question = found.question_order[-1]
    facts = [
        fact
        for fact, order in zip(found.facts, found.fact_order, strict=True)
        if order < last_question
    ]
    protected = _holding(facts, counts=held)
    name, embedded, place = _name(found.headings, title)
    if place is not None and not embedded:
        root = _with_name(root, found.heading_nodes[place])
    # An address in a block that names the organisation ("Gemeente X, Straat 1, www.x.nl"),
    # read before that block is removed as beside the content.
    websites = found.websites + [
        link.attributes.get("href") or ""
        for link in found.addresses
        if name and _in_block_naming(link, name)
    ]
    _remove_chrome(root, protected)
    _remove_beside(root, protected)
    _remove_contents_tables(root)
    return Region(root, name, [website for website in websites if website], embedded)


@dataclass
class _Signals:
    facts: list[LexborNode] = field(default_factory=list)  # elements stating a date fact
    fact_order: list[int] = field(default_factory=list)  # their places among the signals
    questions: list[LexborNode] = field(default_factory=list)  # elements asking a question
    question_order: list[int] = field(default_factory=list)
    # Short texts: text, facts before it, whether a heading or bold
    headings: list[tuple[str, int, bool]] = field(default_factory=list)
    heading_nodes: list[LexborNode] = field(default_factory=list)  # their elements
    websites: list[str] = field(default_factory=list)  # "Website: …" lines, wherever they are
    addresses: list[LexborNode] = field(default_factory=list)  # links that read "www.…"


def _signals(scope: LexborNode, title: str) -> _Signals:
    """Every signal of the page, in document order: one pass over its text.

    A page has some ninety texts; most are a menu's or a paragraph's and signal nothing, so
    each is asked the cheap questions first (a date fact's word? one prefix test for a label or
    an address) and its element is looked up only when it may be a heading or a question."""
    lowered_title = title.lower()
    labels = vocabulary.date_fact_labels()
    date_words = vocabulary.date_fact_words()
    website_labels = vocabulary.website_labels()
    prefixes = (*website_labels, *_ADDRESS)
    initials = frozenset(prefix[0] for prefix in prefixes)  # told apart before startswith's call
    section_for = vocabulary.section_for
    found = _Signals()
    facts, questions, headings = found.facts, found.questions, found.headings
    heading_nodes = found.heading_nodes
    # skip_empty: lexbor passes over the white space between two tags, half of a page's texts.
    for node in scope.traverse(include_text=True, skip_empty=True):
        raw = node.text_content  # None for an element or a comment: only text is read
        if not raw or len(raw) > _TEXT_MAX or raw.isspace():
            continue
        text = raw.strip()
        lowered = text.lower()
        dated = False
        for word in date_words:  # vocabulary.holds_any, inline: it runs on every text
            if word in lowered:
                dated = True
                break
        if dated:
            parent = node.parent
            if (lowered.startswith(labels) and _labels_a_date(lowered, labels, parent)) or (
                vocabulary.fact_sentence(lowered, text)
            ):
                found.fact_order.append(len(facts) + len(questions))
                facts.append(parent)
                continue
        short = len(text) <= _NAME_MAX
        if lowered[0] in initials and lowered.startswith(prefixes):
            if short and lowered.startswith(website_labels):
                found.websites.extend(_website_of(node.parent))
                continue
            if lowered.startswith(_ADDRESS):
                parent = node.parent
                if parent.tag == "a":  # the website, if its block names the organisation
                    found.addresses.append(parent)
                    continue
        asks = lowered[-1] in _ASKING  # a one-character test: endswith parses its arguments
        if not short and not asks:
            continue  # a paragraph or an item: neither a heading nor a question
        parent = node.parent
        tag = parent.tag
        if tag in _HEADING_LIKE:
            is_heading = True
        elif tag in _WRAPPERS:
            if tag == "a" and asks and lowered[-1] == "?":
                continue  # a link that asks a question is a table of contents', not the question
            # <h2><span>Bewustwording</span></h2>, <h1><a>…</a></h1>
            outer = parent.parent
            is_heading = outer is not None and outer.tag in _HEADING_LIKE
            if is_heading:
                parent = outer
        else:
            is_heading = False
        if short and (is_heading or (not facts and lowered in lowered_title)):
            # Before the first key fact, a short text that the <title> repeats may name the
            # organisation (a CMS's title cell); else only headings.
            headings.append((text, len(facts), is_heading))
            heading_nodes.append(parent)
        if (is_heading or asks) and section_for(lowered):
            found.question_order.append(len(facts) + len(questions))
            questions.append(parent)
    return found


def _website_of(label: LexborNode) -> list[str]:
    """The addresses a "Website:" label's line gives: its links, else its bare text."""
    line = label
    while line.tag in _WRAPPERS or line.tag in _BOLD:  # up to the line the label opens
        if line.parent is None:
            break
        line = line.parent
    hrefs = [a.attributes.get("href") or "" for a in line.css("a[href]")]
    if hrefs:
        return [href for href in hrefs if href]
    words = " ".join(line.text().split()).split(" ")
    return [words[-1]] if len(words) > 1 else []


def _labels_a_date(lowered: str, labels: tuple[str, ...], element: LexborNode) -> bool:
    """ "Erkend sinds: 3 mei 2015", "Erkend sinds" (the date in the next cell), but not
    "Erkenning aanvragen", a menu's "Erkenning", nor a heading "Ambassadeur" over the
    ambassadorship section: after the label comes a number, in its text or right after it."""
    for label in labels:  # the longest that the text opens with
        if lowered.startswith(label):
            break
    rest = lowered[len(label) :].strip(" :")
    tag = element.tag
    if rest:
        return any(character.isdigit() for character in rest)
    return tag not in _HEADINGS and tag != "a" and _value_follows(element)


def _value_follows(element: LexborNode) -> bool:
    """True when what comes right after the label's element (its next sibling, or its
    parent's, up to three levels: a label cell and its value cell) holds a number."""
    node: LexborNode | None = element
    for _ in range(3):
        if node is None:
            return False
        sibling = node.next
        while sibling is not None and sibling.tag == "-text" and not sibling.text_content.strip():
            sibling = sibling.next
        if sibling is not None:
            text = sibling.text_content if sibling.tag == "-text" else sibling.text()
            return any(character.isdigit() for character in (text or "")[:80])
        node = node.parent
    return False


def _holder_of_most(
    first_fact: LexborNode, held: dict[int, int], questions: int
) -> LexborNode | None:
    """The deepest element that holds the first key fact and at least _MOST of the
    questions; `held` is how many of them each element holds (_holding)."""
    need = max(1, math.ceil(questions * _MOST))
    # The fact's ancestors, deepest first: the first that holds enough questions.
    for ancestor in _ancestors(first_fact):
        if held.get(ancestor.mem_id, 0) >= need:
            return ancestor
    return None


def _with_name(root: LexborNode, name: LexborNode) -> LexborNode:
    """The region, widened to hold the organisation's name when that stands just above it
    (a Plone title and description above the body): what lies between them is the
    introduction. A name further away (a page header, a hero) leaves the region as it is."""
    around = {ancestor.mem_id for ancestor in _ancestors(root)}
    for depth, ancestor in enumerate(_ancestors(name)):
        if ancestor.mem_id in around:
            if depth == 0 or _depth_between(ancestor, root) > _NAME_STEPS:
                return root
            return ancestor
    return root


def _depth_between(ancestor: LexborNode, node: LexborNode) -> int:
    steps = 0
    while node is not None and node.mem_id != ancestor.mem_id:
        node = node.parent
        steps += 1
    return steps


def _ancestors(node: LexborNode) -> list[LexborNode]:
    """The node and the elements around it, innermost first, up to the body."""
    chain = []
    current: LexborNode | None = node
    while current is not None and current.tag not in ("html", "-document"):
        chain.append(current)
        current = current.parent
    return chain


def _holding(signals: list[LexborNode], *, counts: dict[int, int] | None = None) -> dict[int, int]:
    """How many of the signals each element holds (itself included), for the elements that
    hold one; added to `counts` (left as it is) when given."""
    holding = dict(counts) if counts else {}
    for signal in signals:
        for ancestor in _ancestors(signal):
            holding[ancestor.mem_id] = holding.get(ancestor.mem_id, 0) + 1
    return holding


def _in_block_naming(link: LexborNode, name: str) -> bool:
    """True when a short block around the link (its paragraph, or the box that holds it)
    names the organisation: its address block."""
    block = link.parent
    for _ in range(2):
        if block is None:
            return False
        text = _text_within(block, _ADDRESS_BLOCK)
        if text is None:
            return False
        if name in text:
            return True
        block = block.parent
    return False


def _text_within(node: LexborNode, limit: int) -> str | None:
    """The node's text, its white space collapsed, or None when that is longer than `limit`
    characters. A long text is told by its first few parts: the column around an address
    holds thousands of characters, and node.text() would join them all to learn that."""
    letters = 0  # characters other than white space: the collapsed text has at least these
    for descendant in node.traverse(include_text=True):
        part = descendant.text_content  # None for an element or a comment
        if part:
            letters += len("".join(part.split()))
            if letters > limit:
                return None
    text = " ".join(node.text().split())
    return text if len(text) <= limit else None


def _remove_chrome(root: LexborNode, protected: dict[int, int]) -> None:
    """Remove what the CMS marks as chrome inside the region, unless it holds a signal."""
    for node in reversed(root.css(vocabulary.page_rules().chrome)):
        if node.mem_id not in protected:
            node.decompose()


def _remove_beside(root: LexborNode, protected: dict[int, int]) -> None:
    """Where one child of an element holds all its signals (the content column of a layout),
    the children after it that hold none are beside the content (a sidebar, related
    organisations, a contact box): removed. The children before it that hold none and are
    mostly links (a bar of links and phone numbers) go too; the rest before it is the
    introduction."""
    pending = [root]
    while pending:
        node = pending.pop()
        children = list(node.iter())
        places = [place for place, child in enumerate(children) if child.mem_id in protected]
        holders = [children[place] for place in places]
        if not holders:
            continue
        if len(holders) > 1:
            # Around the content's parts, a bar of links before the first or after the last
            # (share buttons, "print this page") is the page's, not the profile's.
            for child in children[: places[0]] + children[places[-1] + 1 :]:
                if _mostly_links(child) and not _names_a_website(child):
                    child.decompose()
            pending.extend(child for child in holders if protected[child.mem_id] >= 2)
            continue
        content = holders[0]
        if protected[content.mem_id] < 2:
            continue
        before = True
        for child in list(node.iter()):
            if child.mem_id == content.mem_id:
                before = False
            elif not before or _mostly_links(child):
                child.decompose()
        pending.append(content)


def _remove_contents_tables(root: LexborNode) -> None:
    """A table of contents (links to places on the page itself, and a short label at most)
    repeats the questions: the page's navigation, not the profile's."""
    removed: set[int] = set()
    for link in root.css('a[href^="#"]'):
        table = None
        node = link.parent
        for _ in range(4):
            if node is None or node.mem_id == root.mem_id:
                break
            own = len("".join(node.text().split()))
            inside = sum(len("".join(a.text().split())) for a in node.css('a[href^="#"]'))
            if own - inside > _CONTENTS_LABEL:
                break
            table = node
            node = node.parent
        if table is not None and table.tag not in ("a",) and table.mem_id not in removed:
            removed.add(table.mem_id)
            table.decompose()


def _names_a_website(node: LexborNode) -> bool:
    text = node.text().lower()
    return "www." in text or "website" in text or "http" in text


def _mostly_links(node: LexborNode) -> bool:
    # The blocks asked are small (a bar, a paragraph, a box): a walk over their elements costs
    # less than setting up one CSS query.
    links = [element for element in node.traverse() if element.tag == "a"]
    if not links:
        return False  # most blocks: no link at all
    text = len("".join(node.text().split()))
    linked = sum(len("".join(a.text().split())) for a in links)
    return text > 0 and linked * 2 >= text  # an empty element (a <br>, an image) is layout


def _name(
    headings: list[tuple[str, int, bool]], title: str
) -> tuple[str | None, bool, int | None]:
    """The organisation's name, and whether the profile is shown inside a page about something
    else (other headed content between the page's named heading and the key facts: a help
    page's example).

    The name: of the short texts before the first key fact, the last heading that the <title>
    repeats; else the longest text it repeats (a CMS's title cell); else the last heading.
    Without any: the first heading. Last: where the name stands among `headings`, when the
    <title> repeats it."""
    lowered_title = title.lower()
    before = [
        (" ".join(text.split()), heading)
        for text, facts_before, heading in headings
        if facts_before == 0
    ]
    named = [
        (place, text, heading)
        for place, (text, heading) in enumerate(before)
        if text.lower() in lowered_title
    ]
    named_headings = [(place, text) for place, text, heading in named if heading]
    if named_headings:
        place, name = named_headings[-1]
    elif named:
        place, name, _ = max(named, key=lambda entry: (len(entry[1]), entry[0]))
    else:
        before_headings = [text for text, heading in before if heading]
        if before_headings:
            return before_headings[-1], False, None
        first = next((text for text, _, heading in headings if heading), None)
        return (" ".join(first.split()) if first else None), False, None
    between = sum(1 for _, heading in before[place + 1 :] if heading)
    return name, between >= _OTHER_HEADINGS, place
