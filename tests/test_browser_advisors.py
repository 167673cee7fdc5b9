"""The advisors' pages as a person uses them, in Debian's chromium at a phone's width (390 px)
and a desktop's (1280 px): find a municipality by name, open its page, go to the coverage of
its province, and see the share over time on the overview; no page wider than the window."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_browser import SCREENSHOTS, _browser_or_skip, browser_page, serving

WIDTHS = (390, 1280)  # px: a phone, a desktop


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # the pages, not the backends
def test_an_advisor_finds_a_municipality_and_its_province(refreshed, tmp_path: Path) -> None:
    sync_playwright = _browser_or_skip()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    elsewhere: list[str] = []
    with serving(refreshed[0]) as served, sync_playwright() as playwright:
        for width in WIDTHS:
            viewport = {"width": width, "height": 900}
            profile = tmp_path / f"profile-{width}"
            with browser_page(playwright, profile, viewport, served, elsewhere) as page:
                page.goto(served + "/gemeenten")
                page.fill("form.municipality-search input[name=q]", "Zeist")
                page.click("form.municipality-search button[type=submit]")
                page.wait_for_url("**/gemeenten?q=Zeist")
                _fits(page, width, "5-gemeenten")

                page.click("ul.municipalities a >> text=Zeist")
                page.wait_for_url("**/gemeente/Zeist")
                assert page.locator("h1").inner_text() == "Zeist"
                assert "Nog niet erkend" in page.locator(".not-recognised").inner_text()
                assert page.locator("ol.comparable > li").count() == 5
                assert page.locator("ul.starter-package li").count() > 0
                _fits(page, width, "6-gemeente")

                page.click("header >> a[href='/dekking/Utrecht']")
                page.wait_for_url("**/dekking/Utrecht")
                assert page.locator("ol.to-win li").count() == 25
                _fits(page, width, "7-dekking-provincie")

                page.click("nav >> text=Dekking")
                page.wait_for_url("**/dekking")
                assert page.locator("table.coverage tbody tr").count() == 12
                _fits(page, width, "8-dekking")

                page.click("nav >> text=Overzicht")
                page.wait_for_url("**/overzicht")
                assert page.locator("svg[aria-labelledby=chart-progress] line.target").count() == 1
                _fits(page, width, "9-overzicht")
    assert elsewhere == [], "the pages asked another host for something"


def _fits(page, width: int, name: str) -> None:
    """The document is no wider than the window: nothing to scroll sideways."""
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} is {scroll_width} px wide at {width} px"
