"""Where a page's own content is, found by what a profile says rather than by its CMS's markup.

A profile's signals are its text: the recognition and ambassador key facts ("Erkend
mantelzorgvriendelijk sinds", "Ambassadeur sinds") and the section questions. The region is the
deepest element that holds a key fact and most of the questions (a teaser in a sidebar that
happens to ask a profile question does not pull the region out to the whole page). Inside it,
what the CMS marks as chrome (page.toml's selectors: menus, forms, sidebars, share bars) is
removed only when it holds no signal: a page header inside the content that carries the name
or the key facts is content,
whatever its tag. A page without signals (news, an overview) has its content found by the
selectors alone, as before.

The organisation's name is the heading-like line (a heading, a bold line, a CMS's title cell)
nearest before the first key fact, preferring one that the page's <title> repeats.

    >>> from selectolax.lexbor import LexborHTMLParser
    >>> tree = LexborHTMLParser("<body><main><header><h1>Gemeente X</h1><p>Erkend sinds: 1-2-2019"
    ...     "</p></header><h2>Hoe maakt u mantelzorg bespreekbaar?</h2></main></body>")
    >>> region = find_region(tree.body, "Gemeente X | Werk&Mantelzorg")
    >>> region.root.tag, region.name
    ('main', 'Gemeente X')
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from selectolax.lexbor import LexborNode

from harvester import vocabulary

_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_BOLD = frozenset({"strong", "b"})
_WRAPPERS = frozenset({"span", "a", "font", "em", "i", "u"})  # inline, around a heading's text
_QUESTION_MAX = 300  # characters: a longer text is a paragraph, not a question
_MOST = 0.75  # share of the signals the region holds at least
_NAME_MAX = 150  # characters: a longer line is no organisation's name


@dataclass
class Region:
    root: LexborNode  # the deepest element that holds a key fact and most of the questions
    name: str | None  # the organisation's name, wherever the page puts it


def find_region(scope: LexborNode, title: str) -> Region | None:
    """The profile's region within `scope` (the page's body, with what is never content
    already removed), or None when the page has too few of a profile's signals."""
    facts, questions, headings = _signals(scope)
    if not facts or not questions:
        return None
    root = _holder_of_most(facts, questions)
    if root is None:
        return None
    _remove_chrome(root, facts + questions)
    return Region(root, _name(headings, title))


def _signals(
    scope: LexborNode,
) -> tuple[list[LexborNode], list[LexborNode], list[tuple[str, int]]]:
    """The elements that state a date fact, the elements that ask a section question, and
    the text of every heading-like element with the number of facts before it, each in
    document order: one pass over the text."""
    rules = vocabulary.page_rules()
    known = vocabulary.sections()
    labels = vocabulary.date_fact_labels()
    facts: list[LexborNode] = []
    questions: list[LexborNode] = []
    headings: list[tuple[str, int]] = []
    for node in scope.traverse(include_text=True):
        if node.tag != "-text":
            continue
        text = (node.text_content or "").strip()
        if not text or len(text) > _QUESTION_MAX:
            continue
        parent = node.parent
        lowered = text.lower()
        if lowered.startswith(labels) and _labels_a_date(lowered, labels):
            facts.append(parent)
            continue
        heading_like = _heading_like(parent, rules.title_classes)
        if not heading_like and parent.tag in _WRAPPERS and parent.parent is not None:
            # <h2><span>Bewustwording</span></h2>, <h1><a>…</a></h1>
            parent = parent.parent
            heading_like = _heading_like(parent, rules.title_classes)
        if heading_like and len(text) <= _NAME_MAX:
            headings.append((" ".join(text.split()), len(facts)))
        if (heading_like or lowered.endswith(("?", ":"))) and known.key_for(lowered):
            questions.append(parent)
    return facts, questions, headings


def _labels_a_date(lowered: str, labels: tuple[str, ...]) -> bool:
    """ "Erkend sinds: 3 mei 2015", "Erkend sinds" (the date in the next cell), but not
    "Erkenning aanvragen": after the label comes nothing, a colon, or a number."""
    label = next(label for label in labels if lowered.startswith(label))
    rest = lowered[len(label) :].strip()
    return not rest or rest[0] == ":" or any(character.isdigit() for character in rest)


def _heading_like(node: LexborNode, title_classes: tuple[str, ...]) -> bool:
    tag = node.tag
    return tag in _HEADINGS or tag in _BOLD or _titled(node, title_classes)


def _titled(node: LexborNode, title_classes: tuple[str, ...]) -> bool:
    # A CMS's title cell or span ("contentheading", "page-title"): the class only nudges, the
    # text and its place decide whether it names the organisation.
    classes = (node.attributes.get("class") or "").lower()
    return bool(classes) and any(word in classes for word in title_classes)


def _holder_of_most(facts: list[LexborNode], questions: list[LexborNode]) -> LexborNode | None:
    """The deepest element that holds a key fact and at least _MOST of the questions."""
    need = max(1, math.ceil(len(questions) * _MOST))
    counts: dict[int, list[int]] = {}  # element → [facts, questions] it holds
    depth_of: dict[int, int] = {}
    nodes: dict[int, LexborNode] = {}
    for kind, signals in enumerate((facts, questions)):
        for signal in signals:
            chain = []
            node: LexborNode | None = signal
            while node is not None and node.tag not in ("html", "-document"):
                chain.append(node)
                node = node.parent
            for depth, ancestor in enumerate(reversed(chain)):
                key = ancestor.mem_id
                counts.setdefault(key, [0, 0])[kind] += 1
                depth_of[key] = depth
                nodes[key] = ancestor
    holders = [key for key, (f, q) in counts.items() if f >= 1 and q >= need]
    if not holders:
        return None
    return nodes[max(holders, key=depth_of.__getitem__)]


def _remove_chrome(root: LexborNode, signals: list[LexborNode]) -> None:
    """Remove what the CMS marks as chrome inside the region, unless it holds a signal."""
    holding = set()
    for signal in signals:
        node: LexborNode | None = signal
        while node is not None and node.mem_id not in holding:
            holding.add(node.mem_id)
            node = node.parent
    for node in reversed(root.css(vocabulary.page_rules().chrome)):
        if node.mem_id not in holding:
            node.decompose()


def _name(headings: list[tuple[str, int]], title: str) -> str | None:
    """The heading-like line nearest before the first key fact that the <title> repeats; else
    the nearest before it; else the first after it."""
    before = [text for text, facts_before in headings if facts_before == 0]
    lowered_title = title.lower()
    named = [text for text in before if text.lower() in lowered_title]
    if named:
        return named[-1]
    if before:
        return before[-1]
    return headings[0][0] if headings else None
