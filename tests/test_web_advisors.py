"""The advisors' pages through Starlette's test client, on the knowledge base refreshed from the
fixture site: any municipality, the coverage per province, the share over time, the search box
for municipalities, and their CSV files."""

from __future__ import annotations

import csv
import io
import json
import warnings

import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from tests.conftest import run_cli
from wmkb.harvester.municipalities import match_municipality
from wmkb.web import charts
from wmkb.web.app import create_app

with warnings.catch_warnings():  # starlette 1.x would rather have httpx2; httpx serves as well
    warnings.filterwarnings("ignore", "Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient


@pytest.fixture(scope="module")
def client(refreshed) -> TestClient:
    kb, _ = refreshed
    return TestClient(create_app(kb.db_url, kb.index_dir), raise_server_exceptions=True)


def page(client: TestClient, url: str, status: int = 200) -> HTMLParser:
    response = client.get(url, follow_redirects=False)
    assert response.status_code == status, (url, response.text[:2000])
    assert "Traceback" not in response.text
    assert "script-src" not in response.headers["content-security-policy"]  # default-src 'none'
    return HTMLParser(response.text)


def texts(tree: HTMLParser, selector: str) -> list[str]:
    return [" ".join(node.text().split()) for node in tree.css(selector)]


def csv_rows(client: TestClient, url: str) -> list[dict]:
    response = client.get(url)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text.removeprefix("\ufeff"))))


def _advice(kb, name: str) -> dict:
    return json.loads(run_cli(["similar", name, "--json"], kb).stdout)


def test_a_municipality_that_is_not_recognised_has_its_page(client, kb) -> None:
    tree = page(client, "/gemeente/Zeist")
    assert texts(tree, "h1") == ["Zeist"]
    assert texts(tree, ".not-recognised") == ["Nog niet erkend als mantelzorgvriendelijke werkgever"]
    facts = texts(tree, ".facts dd")
    assert facts[:2] == ["GM0355", "Utrecht"]
    assert facts[2].startswith(f"{match_municipality('Zeist').inhabitants:,}".replace(",", "."))
    advice = _advice(kb, "Zeist")
    links = [a.attributes["href"] for a in tree.css("ol.comparable h3 a")]
    assert links == [f"/organisatie/{item['slug']}" for item in advice["similar"]]
    amersfoort = links.index("/organisatie/gemeente-amersfoort")
    assert "ook in Utrecht" in texts(tree.css("ol.comparable > li")[amersfoort], ".reasons li")
    package = advice["starter_package"]
    assert texts(tree, "ul.starter-package .count") == [f"{item['count']} van 5" for item in package]
    assert not tree.css("ul.starter-package li.has")
    first = tree.css_first("ul.starter-package li")
    assert texts(first, ".text strong") == [package[0]["label"]]
    assert first.css_first(".example a").attributes["href"] == f"/organisatie/{package[0]['examples'][0]['slug']}"


def test_a_recognised_municipality_sees_what_it_has_and_its_profile(client, kb) -> None:
    tree = page(client, "/gemeente/Amersfoort")
    assert tree.css_first(".recognised a").attributes["href"] == "/organisatie/gemeente-amersfoort"
    package = _advice(kb, "Amersfoort")["starter_package"]
    marked = ["has" in (li.attributes.get("class") or "").split() for li in tree.css("ul.starter-package li")]
    assert marked == [item["has"] for item in package] and any(marked)
    assert "✓ heeft u al" in texts(tree, "ul.starter-package li.has .has")


def test_other_names_of_a_municipality_lead_to_its_page(client) -> None:
    for name in ("Den%20Bosch", "gemeente%20den%20bosch", "%27s-hertogenbosch"):
        response = client.get(f"/gemeente/{name}", follow_redirects=False)
        assert response.status_code == 308
        assert response.headers["location"] == "/gemeente/%27s-Hertogenbosch"
    assert texts(page(client, "/gemeente/%27s-Hertogenbosch"), "h1") == ["'s-Hertogenbosch"]


def test_an_unknown_municipality_is_a_dutch_404_with_did_you_mean(client) -> None:
    tree = page(client, "/gemeente/Zeisst", 404)
    assert texts(tree, ".lead") == [
        "Er is geen gemeente ‘Zeisst’ in de CBS-cijfers. Bedoelde u: Zeist? "
        "Zoek de gemeente op naam op /gemeenten."
    ]
    assert texts(page(client, "/dekking/Nergens", 404), ".lead") == ["Er is geen provincie ‘Nergens’."]


@pytest.mark.parametrize(
    ("q", "first"),
    [("Den Bosch", "'s-Hertogenbosch"), ("zeist", "Zeist"), ("Zeisst", "Zeist"), ("berg", "Berg en Dal")],
)
def test_the_search_box_finds_any_municipality_by_name(client, q, first) -> None:
    tree = page(client, f"/gemeenten?q={q}")
    links = tree.css("ul.municipalities a")
    assert links[0].text() == first
    assert links[0].attributes["href"] == "/gemeente/" + first.replace("'", "%27").replace(" ", "%20")


def test_the_search_box_says_when_nothing_is_found_and_caps_its_text(client) -> None:
    assert texts(page(client, "/gemeenten?q=xyzzy"), ".empty") == ["Geen gemeente heet ‘xyzzy’."]
    page(client, "/gemeenten?q=" + "a" * 201, 400)
    assert "‘gemeente’ is langer dan 200 tekens" in page(client, "/gemeente/" + "a" * 201, 400).text()
    assert page(client, "/gemeenten").css_first("form.municipality-search input[name=q]")


def test_the_coverage_page_counts_every_province(client, kb) -> None:
    tree = page(client, "/dekking")
    assert texts(tree, ".national")[0].startswith(
        "3 van de 342 gemeenten zijn erkend (0,9%); het doel is 60,0%: "
        "daarvoor zijn nog 203 erkenningen nodig."
    )
    found = json.loads(run_cli(["coverage", "--json"], kb).stdout)["provinces"]
    rows = [texts(row, "th, td") for row in tree.css("table.coverage tbody tr")]
    assert rows == [
        [p["name"], str(p["recognised"]), str(p["municipalities"]), f"{p['recognised'] / p['municipalities']:.1%}".replace(".", ",")]
        for p in found
    ]


def test_a_provinces_page_has_the_municipalities_still_to_win_and_its_share_over_time(client, kb) -> None:
    tree = page(client, "/dekking/Utrecht")
    assert texts(tree, "h1") == ["Dekking in Utrecht"]
    assert texts(tree, "ul.recognised li") == ["Amersfoort erkend sinds 28 november 2011"]
    to_win = tree.css("ol.to-win li a")
    assert len(to_win) == 25 and to_win[0].text() == "Utrecht"
    assert to_win[0].attributes["href"] == "/gemeente/Utrecht"
    years = json.loads(run_cli(["coverage", "--by-year", "--json"], kb).stdout)["years"]
    chart = tree.css_first("svg[aria-labelledby=chart-progress]")
    assert [title.text() for title in chart.css("g > title")] == [
        f"{y['year']}: {y['provinces']['Utrecht']['cumulative']} "
        f"({y['provinces']['Utrecht']['cumulative'] / 26:.1%})".replace(".", ",")
        for y in years
    ]
    assert texts(tree, "figcaption") == ["Aandeel erkende gemeenten in Utrecht aan het eind van elk jaar"]
    response = client.get("/dekking/friesland", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (308, "/dekking/Frysl%C3%A2n")


def test_the_overview_draws_the_share_over_time_against_the_target(client, kb) -> None:
    tree = page(client, "/overzicht")
    years = json.loads(run_cli(["coverage", "--by-year", "--json"], kb).stdout)["years"]
    chart = tree.css_first("svg[aria-labelledby=chart-progress]")
    assert [title.text() for title in chart.css("g > title")] == [
        f"{y['year']}: {y['cumulative']} ({y['cumulative'] / 342:.1%})".replace(".", ",") for y in years
    ]
    assert chart.css_first("line.target title").text() == "doel 60,0%"
    assert tree.css_first("a[href='/dekking']")


def test_the_share_chart_is_drawn_to_the_scale_of_the_target() -> None:
    chart = charts.share_chart([("2019", 30, 0.15), ("2020", 60, 0.3)], 0.6)
    assert [bar.height for bar in chart.bars] == [40.0, 80.0]  # 160 px is the target
    assert chart.target_y == chart.baseline - 160
    assert [bar.caption for bar in chart.bars] == ["15,0%", "30,0%"]


def test_the_advisors_lists_download_as_csv(client, kb) -> None:
    rows = csv_rows(client, "/dekking.csv")
    exported = list(csv.DictReader(io.StringIO(run_cli(["export", "--what", "coverage"], kb).stdout)))
    assert rows == exported and len(rows) == 342
    utrecht = csv_rows(client, "/dekking/Utrecht.csv")
    assert len(utrecht) == 26 and {row["province"] for row in utrecht} == {"Utrecht"}
    package = _advice(kb, "Zeist")["starter_package"]
    starter = csv_rows(client, "/gemeente/Zeist.csv")
    assert [(row["kind"], int(row["count"]), row["of"]) for row in starter] == [
        (item["kind"], item["count"], "5") for item in package
    ]
