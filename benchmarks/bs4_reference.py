"""The parse reference: the extraction a user would write with BeautifulSoup on lxml, doing the
kind of work wmkb's `harvester.pipeline.read` does on a profile page: decode, drop the chrome,
find the content, and take out its heading, the questions (headings and bold lines) with the
items under each (list items with their sub-items folded in, "•"/"-" lines of a <br>-split
paragraph, or paragraphs), the key facts (<dl>, labelled list items, "Label: value" lines),
the numbers in the text, and every link of the page. The benchmark parses the same pages in
memory, on one core, with this and with `read`: the ratio of their pages/s is the figure.

    record = extract(body, "https://www.werkenmantelzorg.nl/erkende-organisaties/x/")
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

from bs4 import BeautifulSoup, NavigableString, Tag

CHROME = (
    "script, style, noscript, form, nav, aside, header:not(.entry-header), footer, #header, "
    "#footer, #menu, #sidebar, .sidebar, .site-header, .widget-area, .breadcrumbs, "
    ".share-links, .cookie-notice, button, input"
)
CONTENT_ROOTS = ("main article", "main", "#content", "article", "body")
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
BULLET = re.compile(r"^\s*[•·▪◦●\-–—*]\s*(.*)$", re.DOTALL)
LABELLED = re.compile(r"^([^:.!?]{2,40}):\s*(\S.{0,80})$")
NUMBER = re.compile(r"(?<![\d.,])(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d+))?")
SPACE = re.compile(r"\s+")


def _text(node: Tag) -> str:
    return SPACE.sub(" ", node.get_text(" ")).strip()


def extract(body: bytes, url: str) -> dict:
    soup = BeautifulSoup(body, "lxml")
    links = [urljoin(url, a["href"]) for a in soup.find_all("a", href=True)]
    for node in soup.select(CHROME):
        node.decompose()
    root = next((found for found in map(soup.select_one, CONTENT_ROOTS) if found), soup)
    name_node = root.find("h1")
    record: dict = {
        "name": _text(name_node) if name_node else None,
        "facts": {},
        "description": [],
        "sections": {},
        "numbers": [],
        "links": links,
    }
    question = None
    for kind, text, label in _blocks(root):
        if kind == "fact" or (kind == "line" and question is None and LABELLED.match(text)):
            if kind == "line":
                label, text = LABELLED.match(text).groups()
            record["facts"][label] = text
        elif kind == "question":
            if text != record["name"]:
                question = text
                record["sections"].setdefault(question, [])
        elif question is None:
            record["description"].append(text)
        else:
            record["sections"][question].append(text)
        record["numbers"] += [int(whole.replace(".", "")) for whole, _ in NUMBER.findall(text)]
    return record


def _blocks(root: Tag):
    """(kind, text, label) in reading order: question, item, line, fact."""
    for node in root.find_all(["h1", "h2", "h3", "h4", "h5", "h6", "p", "ul", "ol", "dl"]):
        if node.name in HEADINGS:
            yield "question", _text(node), ""
        elif node.name in ("ul", "ol"):
            if node.find_parent(["ul", "ol", "li"]) is not None:
                continue  # a sub-list: folded into its parent item
            for li in node.find_all("li", recursive=False):
                label = li.find(["span", "strong"], recursive=False)
                own = "".join(
                    child if isinstance(child, NavigableString) else child.get_text(" ")
                    for child in li.children
                    if not (isinstance(child, Tag) and child.name in ("ul", "ol"))
                )
                subs = [_text(sub) for sub in li.find_all("li")]
                text = "\n- ".join([SPACE.sub(" ", own).strip(), *subs])
                if label is not None and len(_text(label)) <= 40:
                    yield "fact", text[len(_text(label)):].strip(), _text(label)
                else:
                    yield "item", text, ""
        elif node.name == "dl":
            for dt in node.find_all("dt"):
                dd = dt.find_next_sibling("dd")
                yield "fact", _text(dd) if dd else "", _text(dt).rstrip(":")
        elif node.name == "p":
            bold = node.find(["strong", "b"], recursive=False)
            if bold is not None and _text(bold) == _text(node):
                yield "question", _text(node), ""
                continue
            for br in node.find_all("br"):
                br.replace_with("\n")
            lines = [SPACE.sub(" ", line).strip() for line in node.get_text("").split("\n")]
            for line in filter(None, lines):
                bullet = BULLET.match(line)
                yield ("item", bullet.group(1), "") if bullet else ("line", line, "")
