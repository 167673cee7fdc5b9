"""The web page as a person uses it: `wmkb serve` in its own process on a free loopback port,
Debian's chromium driven headless by Playwright (its driver ships in the pip wheel; no browser
is downloaded). A screenshot of each page is kept under artifacts/screenshots/.

Without chromium or playwright the test is skipped, unless WMKB_TEST_BROWSER=required (as
.ci/run sets): then it fails. WMKB_README_SCREENSHOTS=1 also writes docs/search.png and
docs/organisation.png, the README's pictures.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import ROOT, KnowledgeBase

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",  # as root, chromium refuses to start with its sandbox
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
VIEWPORT = {"width": 1280, "height": 900}
START_TIMEOUT_S = 30


def _browser_or_skip():
    reason = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        reason = "playwright is not installed (pip install -e '.[test]')"
    if reason is None and not CHROMIUM.exists():
        reason = f"no chromium at {CHROMIUM} (apt-get install chromium)"
    if reason is None:
        return sync_playwright
    if os.environ.get("WMKB_TEST_BROWSER") == "required":
        pytest.fail(f"{reason}, and WMKB_TEST_BROWSER=required")
    pytest.skip(reason)


def _wmkb() -> list[str]:
    script = Path(sys.executable).with_name("wmkb")
    return [str(script)] if script.exists() else [sys.executable, "-m", "wmkb"]


@contextmanager
def browser_page(
    playwright, profile: Path, viewport: dict, served: str, elsewhere: list[str] | None = None
) -> Iterator:
    """A page of Debian's chromium with a fresh user-data-dir (`profile`); a request to any
    host but `served` is noted in `elsewhere`."""
    context = playwright.chromium.launch_persistent_context(
        str(profile),
        executable_path=str(CHROMIUM),
        headless=True,
        args=CHROMIUM_FLAGS,
        viewport=viewport,
        locale="nl-NL",
    )
    try:
        page = context.pages[0] if context.pages else context.new_page()
        if elsewhere is not None:
            page.on(
                "request",
                lambda request: None
                if request.url.startswith((served, "data:"))
                else elsewhere.append(request.url),
            )
        yield page
    finally:
        context.close()


@contextmanager
def serving(kb: KnowledgeBase) -> Iterator[str]:
    """`wmkb serve --port 0` on the knowledge base; yields the address it prints."""
    process = subprocess.Popen(
        [*_wmkb(), "serve", "--port", "0", "--db", kb.db_url, "--index", str(kb.index_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **kb.env()},
    )
    timer = threading.Timer(START_TIMEOUT_S, process.kill)  # a server that never says where
    timer.start()
    line = process.stdout.readline()
    timer.cancel()
    try:
        assert line.startswith("wmkb serves http://127.0.0.1:"), line + process.stderr.read()
        yield line.split()[2].rstrip("/")
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def served(refreshed) -> Iterator[str]:
    with serving(refreshed[0]) as address:
        yield address


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # the pages, not the backends
def test_a_person_searches_opens_an_organisation_and_its_comparable_ones(
    served: str, tmp_path: Path
) -> None:
    sync_playwright = _browser_or_skip()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    elsewhere: list[str] = []
    with (
        sync_playwright() as playwright,
        browser_page(playwright, tmp_path / "profile", VIEWPORT, served, elsewhere) as page,
    ):
        page.goto(served + "/")
        page.fill("input[name=q]", "thuiswerken gemeente")
        page.click("form.search button[type=submit]")
        page.wait_for_url("**/zoeken?q=thuiswerken+gemeente")
        hit = page.locator("li.hit h3 a", has_text="Gemeente Aa en Hunze").first
        assert page.locator("li.hit mark").first.inner_text() == "Thuiswerken"
        _screenshot(page, "1-zoeken.png", readme="search.png")

        hit.click()
        page.wait_for_url("**/organisatie/gemeente-aa-en-hunze")
        assert page.locator("h1").inner_text() == "Gemeente Aa en Hunze"
        assert "25.935" in page.locator(".facts").inner_text()
        _screenshot(page, "2-organisatie.png", readme="organisation.png")

        page.click("text=Meer vergelijkbare organisaties")
        page.wait_for_url("**/organisatie/gemeente-aa-en-hunze/vergelijkbaar")
        assert page.locator("h1").inner_text() == "Vergelijkbaar met Gemeente Aa en Hunze"
        first = page.locator("ol.comparable > li").first
        assert "Wat Gemeente Aa en Hunze niet heeft" in first.inner_text()
        _screenshot(page, "3-vergelijkbaar.png")

        # The two closest are ticked; the form compares them with Aa en Hunze.
        page.click("text=Vergelijk de gekozen organisaties")
        page.wait_for_url("**/vergelijk?org=*")
        columns = page.locator("table.compare thead a").all_inner_texts()
        assert columns[0] == "Gemeente Aa en Hunze" and len(columns) == 3
        _screenshot(page, "4-vergelijken.png")
    assert elsewhere == [], "the pages asked another host for something"


def _screenshot(page, name: str, *, readme: str | None = None) -> None:
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)
    if readme and os.environ.get("WMKB_README_SCREENSHOTS") == "1":
        # The README's pictures: what a reader sees first, without scrolling.
        path = ROOT / "docs" / readme
        path.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(path))


PAGES = {  # every page of the site, by the name of its screenshot
    "start": "/",
    "zoeken": "/zoeken?q=thuiswerken+gemeente",
    "zoeken-organisaties": "/zoeken?q=thuiswerken+gemeente&weergave=organisaties",
    "zoeken-verspreid": "/zoeken?q=mantelzorgmakelaar+thuiswerken",
    "organisatie": "/organisatie/gemeente-aa-en-hunze",
    "vergelijkbaar": "/organisatie/gemeente-aa-en-hunze/vergelijkbaar",
    "vergelijken-formulier": "/vergelijk",
    "vergelijken": "/vergelijk?org=gemeente-aa-en-hunze&org=gemeente-wolderveen&org=gemeente-amersfoort",
    "wijzigingen": "/wijzigingen?sinds=2000-01-01",
    "overzicht": "/overzicht",
    "fout-400": "/zoeken?q=foo%3Abar",
    "fout-404": "/organisatie/gemeente-nergenshuizen",
}
WIDTHS = {"telefoon": {"width": 390, "height": 844}, "bureau": {"width": 1280, "height": 900}}


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
@pytest.mark.parametrize("width", list(WIDTHS))
def test_every_page_fits_the_window_on_a_phone_and_a_desk(served: str, tmp_path: Path, width: str) -> None:
    sync_playwright = _browser_or_skip()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with (
        sync_playwright() as playwright,
        browser_page(playwright, tmp_path / "profile", WIDTHS[width], served) as page,
    ):
        too_wide = {}
        for name, address in PAGES.items():
            page.goto(served + address)
            _screenshot(page, f"{width}-{name}.png")
            document = page.evaluate("document.documentElement.scrollWidth")
            if document > WIDTHS[width]["width"]:
                too_wide[name] = document
        assert too_wide == {}, f"wider than the {WIDTHS[width]['width']} px window"

        # The results come before the facets: on a phone the facets wait behind a toggle,
        # on a desk they stand beside the results.
        page.goto(served + PAGES["zoeken"])
        first_hit = page.locator("li.hit").first.bounding_box()
        assert first_hit["y"] + first_hit["height"] < WIDTHS[width]["height"]
        facet_list = page.locator("details.facets ul").first
        if width == "telefoon":
            assert not facet_list.is_visible()
            page.click("details.facets summary")  # the toggle opens them, no script needed
            assert facet_list.is_visible()
        else:
            assert facet_list.is_visible()
            assert facet_list.bounding_box()["x"] < first_hit["x"]
        # The years under the columns stand apart, however narrow the window: in each chart
        # (the overview draws more than one over the years).
        page.goto(served + PAGES["overzicht"])
        # Each chart's own labels: the overview draws more than one chart over the years.
        year_rows = []
        for chart in page.locator("figure.chart svg").all():
            labels = chart.locator("text.label").all()
            year_rows.append([y.bounding_box() for y in labels if y.text_content().isdigit()])
        assert max(len(row) for row in year_rows) > 5
        for boxes in year_rows:
            for left, right in itertools.pairwise(boxes):
                gap = right["x"] - (left["x"] + left["width"])
                assert gap >= 4, f"year labels run together ({gap:.1f} px apart)"
        # Tables read as cards on a phone, each cell saying which column it is.
        page.goto(served + PAGES["vergelijken"])
        cell = page.locator("table.compare td").first
        label = page.evaluate("cell => getComputedStyle(cell, '::before').content", cell.element_handle())
        assert (label == '"Gemeente Aa en Hunze: "') == (width == "telefoon")
