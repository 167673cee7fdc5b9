"""The web page through Starlette's test client, on knowledge bases refreshed from the fixture
site (SQLite and PostgreSQL): every page, the facets, escaping, the error pages, the CSV files,
read-only access, and pages served while a refresh writes."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import warnings
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from tests.conftest import FIXTURE_SITE, KnowledgeBase, run_cli
from wmkb.harvester import lookup
from wmkb.harvester.doubts import KINDS, Doubt
from wmkb.harvester.errors import SearchIndexError, StoreError
from wmkb.harvester.models import Doubt as ModelDoubt
from wmkb.harvester.models import RefreshRun
from wmkb.harvester.sitehost import serve_folder
from wmkb.harvester.store import open_database
from wmkb.index.build import rebuild
from wmkb.index.query import MARK_END, MARK_START
from wmkb.web import params
from wmkb.web.app import LOOPBACK_HOSTS, _marks, _web_address, create_app

with warnings.catch_warnings():  # starlette 1.x would rather have httpx2; httpx serves as well
    warnings.filterwarnings("ignore", "Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient

AA_EN_HUNZE = "/organisatie/gemeente-aa-en-hunze"


def web_client(kb: KnowledgeBase) -> TestClient:
    # raise_server_exceptions: a bug fails the test instead of hiding behind the 500 page.
    return TestClient(create_app(kb.db_url, kb.index_dir), raise_server_exceptions=True)


@pytest.fixture(scope="module")
def client(refreshed) -> TestClient:
    return web_client(refreshed[0])


def page(client: TestClient, url: str, status: int = 200) -> HTMLParser:
    response = client.get(url)
    assert response.status_code == status, (url, response.text[:2000])
    assert response.headers["content-type"].startswith("text/html")
    assert "Traceback" not in response.text
    return HTMLParser(response.text)


def texts(tree: HTMLParser, selector: str) -> list[str]:
    return [node.text(strip=True) for node in tree.css(selector)]


def query_of(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query))


# search


def test_the_search_page_without_a_query_shows_the_box_and_where_to_begin(client) -> None:
    tree = page(client, "/")
    assert tree.css_first("form.search input[name=q]").attributes["maxlength"] == "200"
    assert "thuiswerken gemeente" in texts(tree, ".intro a")
    assert tree.css_first("html").attributes["lang"] == "nl"


def test_search_shows_organisation_section_and_practice_with_the_words_marked(client) -> None:
    tree = page(client, "/zoeken?q=thuiswerken+gemeente")
    hits = tree.css("li.hit")
    first = hits[0]
    assert first.css_first("h3 a").text() == "Gemeente Aa en Hunze"
    assert first.css_first("h3 a").attributes["href"] == AA_EN_HUNZE
    assert first.css_first(".section").text() == "Maatwerkoplossingen en regelingen"
    assert first.css_first(".text mark").text() == "Thuiswerken"
    assert {hit.css_first(".type").text() for hit in hits} == {"Gemeente"}
    organisations = {hit.css_first("h3 a").text() for hit in hits}
    # an organisation can match with its words spread over several practices
    assert int(tree.css_first(".summary .organisations").text()) >= len(organisations)


def test_every_facet_count_is_the_number_of_organisations_its_link_finds(client) -> None:
    tree = page(client, "/zoeken?q=mantelzorg")
    links = [
        (node.attributes["href"], int(node.parent.css_first(".count").text()))
        for node in tree.css("details.facets li a")
    ]
    assert len(links) > 15
    parameters = {next(iter(set(query_of(href)) - {"q"})) for href, _ in links}
    assert parameters == {"soort", "provincie", "regeling", "erkend"}
    for href, count in links:
        filtered = page(client, href)
        organisations = filtered.css_first(".summary .organisations").text()
        assert int(organisations) == count, href
        chosen = filtered.css("details.facets li.chosen a")
        assert len(chosen) == 1, href  # the chosen value is marked, and its link removes it
        assert query_of(chosen[0].attributes["href"]) == {"q": "mantelzorg"}
        assert len(filtered.css("p.chosen a.chip")) == 1


def test_the_type_and_province_filters_hold(client) -> None:
    tree = page(client, "/zoeken?q=mantelzorg&soort=gemeente&provincie=Drenthe&per=50")
    slugs = {urlsplit(a.attributes["href"]).path for a in tree.css("li.hit h3 a")}
    assert AA_EN_HUNZE in slugs
    for path in slugs:
        record = page(client, path)
        facts = dict(zip(texts(record, ".facts dt"), texts(record, ".facts dd"), strict=True))
        assert (facts["Soort"], facts["Provincie"]) == ("Gemeente", "Drenthe")


def test_did_you_mean_corrects_the_words_and_keeps_the_filters(client) -> None:
    tree = page(client, "/zoeken?q=thuiswrken&provincie=Drenthe")
    link = tree.css_first(".suggestion a")
    assert link.text() == "thuiswerken"
    assert query_of(link.attributes["href"]) == {"q": "thuiswerken", "provincie": "Drenthe"}
    assert page(client, "/zoeken?q=thuiswerken&provincie=Drenthe").css_first(".suggestion") is None


def test_paging_moves_through_the_results_and_the_url_holds_the_state(client) -> None:
    first = page(client, "/zoeken?q=mantelzorg&soort=gemeente")
    assert "Pagina 1" in first.css_first("nav.paging").text()
    next_link = first.css_first("nav.paging a[rel=next]").attributes["href"]
    assert query_of(next_link) == {"q": "mantelzorg", "soort": "gemeente", "pagina": "2"}
    second = page(client, next_link)
    assert second.css_first("ol.hits").attributes["start"] == "11"
    assert set(texts(first, "li.hit .text")).isdisjoint(texts(second, "li.hit .text"))
    assert query_of(second.css_first("nav.paging a[rel=prev]").attributes["href"]) == {
        "q": "mantelzorg",
        "soort": "gemeente",
    }
    fifty = page(client, "/zoeken?q=mantelzorg&soort=gemeente&per=50")
    assert len(fifty.css("li.hit")) > 10
    beyond = page(client, "/zoeken?q=mantelzorg&pagina=99")
    assert "Deze pagina is leeg" in beyond.css_first(".empty").text()


def test_one_row_per_organisation(client) -> None:
    practices = page(client, "/zoeken?q=mantelzorg&per=50")
    rows = page(client, "/zoeken?q=mantelzorg&weergave=organisaties&per=50")
    names = texts(rows, "li.hit h3 a")
    assert len(names) == len(set(names)) == int(rows.css_first(".summary .organisations").text())
    assert all(1 <= len(row.css("ul.practices > li")) <= 3 for row in rows.css("li.hit"))
    assert len(practices.css("li.hit")) > len(names)  # some organisations have several
    switch = rows.css_first(".switch a").attributes["href"]
    assert query_of(switch) == {"q": "mantelzorg", "per": "50"}


def test_search_state_survives_its_own_url() -> None:
    state = params.SearchState(
        q='"kortdurend zorgverlof" OR thuis*',
        soort="gemeente",
        provincie="Fryslân",
        regeling="thuiswerken",
        erkend=2018,
        weergave="organisaties",
        pagina=3,
        per=20,
    )
    assert params.search_state(query_of(state.url())) == state
    assert params.SearchState(q="x").url() == "/zoeken?q=x"


# escaping


def test_a_query_with_markup_is_shown_as_text(client) -> None:
    response = client.get("/zoeken", params={"q": '<script>alert("x")</script> "><img src=x>"'})
    assert response.status_code == 200
    assert "<script>" not in response.text and "<img src=x>" not in response.text
    assert "&lt;script&gt;" in response.text
    assert "script-src" not in response.headers["content-security-policy"]  # so: none runs
    assert "default-src 'none'" in response.headers["content-security-policy"]


def test_marks_escape_the_text_and_only_then_mark_it() -> None:
    marked = f"<b>Zorg</b> & {MARK_START}thuiswerken{MARK_END}"
    assert _marks(marked) == "&lt;b&gt;Zorg&lt;/b&gt; &amp; <mark>thuiswerken</mark>"


def test_only_web_addresses_become_links() -> None:
    assert _web_address("https://www.aaenhunze.nl/") == "https://www.aaenhunze.nl/"
    assert _web_address("HTTP://example.nl") == "HTTP://example.nl"
    for address in ("javascript:alert(1)", "data:text/html,x", " https://x.nl", "www.x.nl", None):
        assert _web_address(address) is None


# one organisation


def test_the_organisation_page_has_everything_about_it(client) -> None:
    tree = page(client, AA_EN_HUNZE)
    assert tree.css_first("h1").text() == "Gemeente Aa en Hunze"
    facts = dict(zip(texts(tree, ".facts dt"), texts(tree, ".facts dd"), strict=True))
    assert facts["Inwoners"].startswith("25.935") and "CBS" in facts["Inwoners"]
    assert facts["Medewerkers"] == "306"
    assert facts["Erkend sinds"] == "21 februari 2018"
    assert facts["Provincie"] == "Drenthe"
    assert facts["Status"] == "erkend"
    assert facts["Website"] == "http://www.aaenhunze.nl"
    headings = texts(tree, "section.section h2")
    assert headings[:2] == ["Acties om medewerkers bewust te maken", "Dialoog tussen leidinggevenden, mantelzorgers en collega's"]
    assert "Workshop aangeboden voor mantelzorgers en leidinggevenden" in texts(tree, "ul.items li")
    assert "Thuiswerken" in texts(tree, "#regulations + ul.tags li")
    assert "nieuw in de kennisbank" in tree.css_first(".history").text()


def test_the_organisation_page_shows_comparable_organisations_in_dutch(client) -> None:
    tree = page(client, AA_EN_HUNZE)
    comparable = tree.css("ol.comparable > li")
    assert len(comparable) == 3
    first = comparable[0]
    assert first.css_first("h3 a").text() == "Gemeente Wolderveen"
    reasons = texts(first, "ul.reasons li")
    assert "ook in Drenthe" in reasons
    assert "vergelijkbare omvang: 25.000 inwoners (Gemeente Aa en Hunze: 25.935)" in reasons
    assert any(reason.endswith(" regelingen van Gemeente Aa en Hunze ook") for reason in reasons)
    assert not any(reason.startswith(("same", "similar", "also", "shares")) for reason in reasons)
    # The page speaks about the organisation, never to the reader as if they were it.
    said = first.text()
    assert " u " not in said and "(u:" not in said and " uw " not in said
    assert not first.css(".score") and "0." not in first.css_first("h3").text()  # no bare score
    assert first.css_first(".they-have h4").text() == "Wat Gemeente Aa en Hunze niet heeft"
    assert "Regelingen uit de cao" in texts(first, ".they-have ul.tags li")
    more = tree.css_first("a.more").attributes["href"]
    assert more == AA_EN_HUNZE + "/vergelijkbaar"


def test_an_organisation_named_by_its_name_is_sent_to_its_page(client) -> None:
    response = client.get("/organisatie/Gemeente Aa en Hunze", follow_redirects=False)
    assert response.status_code == 308
    assert response.headers["location"] == AA_EN_HUNZE


def test_the_comparable_page_lists_more_and_takes_a_count(client) -> None:
    tree = page(client, AA_EN_HUNZE + "/vergelijkbaar")
    assert tree.css_first("h1").text() == "Vergelijkbaar met Gemeente Aa en Hunze"
    assert len(tree.css("ol.comparable > li")) == 10
    assert len(page(client, AA_EN_HUNZE + "/vergelijkbaar?aantal=2").css("ol.comparable > li")) == 2
    page(client, AA_EN_HUNZE + "/vergelijkbaar?aantal=0", 400)
    page(client, AA_EN_HUNZE + f"/vergelijkbaar?aantal={params.MAX_COMPARABLE + 1}", 400)
    # its form compares the organisation with the ones ticked
    form = tree.css_first("ol.comparable").parent
    assert form.attributes["action"] == "/vergelijk"
    assert form.css_first("input[type=hidden]").attributes["value"] == "gemeente-aa-en-hunze"


# compare


def test_compare_puts_organisations_side_by_side(client) -> None:
    tree = page(client, "/vergelijk?org=gemeente-aa-en-hunze&org=Gemeente Wolderveen&org=gemeente-lindehoven")
    assert texts(tree, "table.compare thead a") == [
        "Gemeente Aa en Hunze",
        "Gemeente Wolderveen",
        "Gemeente Lindehoven",
    ]
    rows = {row.css_first("th").text(strip=True): texts(row, "td") for row in tree.css("tbody tr") if row.css("td")}
    assert rows["Inwoners"] == ["25.935", "25.000", "27.500"]
    assert [cell[0] for cell in rows["Regelingen uit de cao"]] == ["–", "✓", "–"]
    assert [cell[0] for cell in rows["Calamiteitenverlof"]] == ["–", "–", "✓"]
    assert rows["Maatwerkoplossingen en regelingen"] == ["7", "4", "4"]


def test_the_compare_page_without_organisations_is_a_form(client) -> None:
    tree = page(client, "/vergelijk")
    assert len(tree.css("form.compare-form input[name=org]")) == 5
    assert "Gemeente Aa en Hunze" in [o.attributes["value"] for o in tree.css("datalist option")]


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("org=gemeente-aa-en-hunze", 400),
        ("org=a&org=b&org=c&org=d&org=e&org=f", 400),
        ("org=gemeente-aa-en-hunze&org=Gemeente%20Nergenshuizen", 404),
    ],
)
def test_compare_refuses_a_wrong_number_or_an_unknown_organisation(client, query, status) -> None:
    tree = page(client, f"/vergelijk?{query}", status)
    assert tree.css_first("h1").text() in ("Dit gaat niet", "Niet gevonden")


# changes


def test_the_changes_page_shows_what_the_refresh_changed(client) -> None:
    tree = page(client, "/wijzigingen")
    rows = tree.css("table.changes tbody tr")
    assert len(rows) == lookup.stats(client.app.state.engine)["organisations"]
    assert {row.css("td")[3].text(strip=True) for row in rows} == {"nieuw in de kennisbank"}
    empty = page(client, "/wijzigingen?sinds=2999-01-01")
    assert "Geen wijzigingen sinds 1 januari 2999" in empty.css_first(".empty").text()


@pytest.mark.parametrize("value", ["gisteren", "2025-02-30", "2025-1-1"])
def test_a_bad_date_is_a_400(client, value) -> None:
    page(client, f"/wijzigingen?sinds={value}", 400)


# overview


def test_the_overview_draws_its_counts_as_inline_svg(client) -> None:
    tree = page(client, "/overzicht")
    figures = {node.css_first("figcaption").text(): node for node in tree.css("figure.chart")}
    assert set(figures) == {
        "Organisaties per soort",
        "Organisaties per provincie",
        "Erkenningen per jaar",
        "Hoe vaak elke regeling wordt geboden",
        "Aandeel erkende gemeenten aan het eind van elk jaar",
    }
    by_type = lookup.stats(client.app.state.engine)["by_type"]
    bars = {
        bar.css_first("text.label").text(): int(bar.css_first("text.value").text())
        for bar in figures["Organisaties per soort"].css("svg g")
    }
    assert bars["Gemeente"] == by_type["gemeente"]
    assert sum(bars.values()) == sum(by_type.values())
    provinces = texts(figures["Organisaties per provincie"], "text.label")
    assert "Drenthe" in provinces and "onbekend" not in provinces  # no bar for "unknown"
    unknown = tree.css_first("p.unknown-province").text()
    assert unknown.startswith("Van 17 organisaties is de provincie onbekend")
    years = texts(figures["Erkenningen per jaar"], "text.label")
    assert years == [str(year) for year in range(int(years[0]), int(years[-1]) + 1)]
    regulations = figures["Hoe vaak elke regeling wordt geboden"].css("rect.bar")
    assert len(regulations) == 11
    widths = [float(rect.attributes["width"]) for rect in regulations]
    assert widths == sorted(widths, reverse=True) and widths[0] == 380.0


def test_the_overview_links_to_the_doubts_of_the_last_refresh(client) -> None:
    link = page(client, "/overzicht").css_first("p.doubts-link a")
    assert link.attributes["href"] == "/twijfels" and link.text().split() == ["0", "twijfels"]
    tree = page(client, "/twijfels")
    assert tree.css_first("p.empty").text().startswith("De laatste verversing las elke pagina")
    assert csv_rows(client, "/twijfels.csv") == []


# every page: nothing from another host, nothing that runs


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/zoeken?q=thuiswerken",
        AA_EN_HUNZE,
        AA_EN_HUNZE + "/vergelijkbaar",
        "/vergelijk?org=gemeente-aa-en-hunze&org=gemeente-haverdal",
        "/wijzigingen",
        "/overzicht",
        "/gemeente/Zeist",
        "/gemeenten?q=berg",
        "/dekking",
        "/dekking/Utrecht",
        "/twijfels",
        "/nergens",
    ],
)
def test_no_page_loads_anything_from_another_host_or_runs_a_script(client, url) -> None:
    response = client.get(url)
    tree = HTMLParser(response.text)
    assert tree.css("script") == []
    loaded = [node.attributes.get("src") for node in tree.css("[src]")]
    loaded += [node.attributes.get("href") for node in tree.css("link")]
    assert loaded and all(value.startswith("/static/") for value in loaded)
    assert client.get("/static/style.css").status_code == 200


# CSV


def csv_rows(client: TestClient, url: str) -> list[dict]:
    response = client.get(url)
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))


def test_every_result_list_downloads_as_csv(client) -> None:
    tree = page(client, "/zoeken?q=thuiswerken&per=50")
    assert tree.css_first("nav.paging") is None  # all on one page
    rows = csv_rows(client, tree.css_first("a.csv").attributes["href"])
    shown = [node.text().strip() for node in tree.css("li.hit .text")]
    assert [row["text"] for row in rows] == shown
    assert set(rows[0]) == {"name", "slug", "org_type", "section", "text", "score", "across_practices", "url"}
    by_organisation = csv_rows(client, "/zoeken.csv?q=mantelzorg&weergave=organisaties")
    organisations = page(client, "/zoeken?q=mantelzorg").css_first(".summary .organisations")
    assert len(by_organisation) == int(organisations.text())

    filtered = csv_rows(client, "/zoeken.csv?q=thuiswerken&soort=gemeente&provincie=Drenthe")
    assert {row["org_type"] for row in filtered} == {"gemeente"}

    own = csv_rows(client, AA_EN_HUNZE + ".csv")
    assert len(own) == len(page(client, AA_EN_HUNZE).css("section.section ul.items li"))
    comparable = csv_rows(client, AA_EN_HUNZE + "/vergelijkbaar.csv?aantal=4")
    assert [row["name"] for row in comparable][:1] == ["Gemeente Wolderveen"]
    assert len(comparable) == 4 and "ook in Drenthe" in comparable[0]["reasons"]

    compared = csv_rows(client, "/vergelijk.csv?org=gemeente-aa-en-hunze&org=gemeente-wolderveen")
    table = {row["row"]: row for row in compared}
    assert table["regulation:cao"] == {
        "row": "regulation:cao",
        "gemeente-aa-en-hunze": "false",
        "gemeente-wolderveen": "true",
    }
    changes = csv_rows(client, "/wijzigingen.csv?sinds=2000-01-01")
    assert len(changes) == lookup.stats(client.app.state.engine)["organisations"]
    overview = csv_rows(client, "/overzicht.csv")
    assert sum(int(row["organisaties"]) for row in overview if row["grafiek"] == "soort") == len(changes)


# errors


@pytest.mark.parametrize(
    "url",
    [
        "/zoeken?q=thuiswerken&per=7",
        "/zoeken?q=thuiswerken&pagina=0",
        "/zoeken?q=thuiswerken&pagina=twee",
        f"/zoeken?q=thuiswerken&pagina={params.MAX_PAGE + 1}",
        "/zoeken?q=thuiswerken&soort=kerk",
        "/zoeken?q=thuiswerken&provincie=Atlantis",
        "/zoeken?q=thuiswerken&regeling=vrijdagmiddagborrel",
        "/zoeken?q=thuiswerken&erkend=1850",
        "/zoeken?q=thuiswerken&weergave=tabel",
        "/zoeken?q=" + "a" * (params.MAX_QUERY_CHARS + 1),
        "/zoeken?q=(",
        "/zoeken?q=province:Atlantis",
        "/zoeken.csv",
        "/vergelijk.csv",
    ],
)
def test_a_bad_parameter_or_query_gets_a_friendly_400(client, url) -> None:
    tree = page(client, url, 400)
    assert tree.css_first("h1").text() in ("Dit gaat niet", "Deze zoekvraag kan ik niet lezen")
    assert tree.css_first("a[href='/']") is not None


@pytest.mark.parametrize(
    "url",
    ["/organisatie/gemeente-nergenshuizen", "/organisatie/x/vergelijkbaar", "/organisatie/x.csv", "/nergens"],
)
def test_unknown_things_get_a_friendly_404(client, url) -> None:
    tree = page(client, url, 404)
    assert tree.css_first("h1").text() == "Niet gevonden"


def test_a_bug_gets_a_friendly_500_without_a_traceback(refreshed, monkeypatch) -> None:
    kb, _ = refreshed

    def broken(engine):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(lookup, "stats", broken)
    client = TestClient(create_app(kb.db_url, kb.index_dir), raise_server_exceptions=False)
    response = client.get("/overzicht")
    assert response.status_code == 500
    assert "Er ging iets mis" in response.text and "secret internals" not in response.text


def test_a_missing_database_or_index_is_refused_at_start(refreshed, tmp_path) -> None:
    kb, _ = refreshed
    with pytest.raises(StoreError, match="run `wmkb refresh` first"):
        create_app(f"sqlite:///{tmp_path / 'none.sqlite'}", kb.index_dir)
    with pytest.raises(SearchIndexError, match="run `wmkb reindex`"):
        create_app(kb.db_url, tmp_path / "no-index")
    result = run_cli(["serve", "--index", str(tmp_path / "no-index")], kb)
    assert result.exit_code == 1
    assert result.output == f"Error: no index at {tmp_path / 'no-index'}; run `wmkb reindex`\n"


def test_an_index_that_goes_away_gives_a_503(refreshed, tmp_path) -> None:
    kb, _ = refreshed
    index_dir = tmp_path / "index"
    rebuild(create_app(kb.db_url, kb.index_dir).state.engine, index_dir)
    client = TestClient(create_app(kb.db_url, index_dir))
    shutil.rmtree(index_dir)
    tree = page(client, "/zoeken?q=thuiswerken", 503)
    assert tree.css_first("h1").text() == "De kennisbank is niet beschikbaar"


def test_a_busy_port_is_a_one_line_error(kb) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli(["serve", "--port", str(port)], kb)
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: cannot listen on 127.0.0.1:{port}: ")
    assert result.output.endswith("; try another --port\n")


def test_on_loopback_only_loopback_names_are_answered(refreshed) -> None:
    kb, _ = refreshed
    app = create_app(kb.db_url, kb.index_dir, allowed_hosts=list(LOOPBACK_HOSTS))
    assert TestClient(app, base_url="http://127.0.0.1:8000").get("/").status_code == 200
    assert TestClient(app, base_url="http://localhost:8000").get("/").status_code == 200
    # a name that resolves to this machine through someone else's DNS (rebinding) is refused
    assert TestClient(app, base_url="http://attacker.example").get("/").status_code == 400


# read-only, and serving while a refresh writes


def test_the_page_cannot_write_to_the_database(client) -> None:
    engine = client.app.state.engine
    with pytest.raises(DBAPIError), engine.connect() as connection:
        connection.execute(text("UPDATE organisations SET name = 'x'"))
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM organisations")).scalar() > 0


def test_pages_are_served_while_a_refresh_writes(new_kb: KnowledgeBase, tmp_path: Path) -> None:
    kb = new_kb
    copy = tmp_path / "site"
    shutil.copytree(FIXTURE_SITE, copy)
    with serve_folder(copy) as origin:
        first = run_cli(["refresh", "--site", origin + "/", "--delay", "0", "--quiet"], kb)
        assert first.exit_code == 0, first.output
        client = TestClient(create_app(kb.db_url, kb.index_dir), raise_server_exceptions=True)
        # The second refresh reads every page again, slowly, and finds one organisation gone.
        shutil.rmtree(copy / "erkende-organisaties" / "brouwer-en-zonen-verpakkingen")
        refresh = subprocess.Popen(
            [sys.executable, "-m", "wmkb", "refresh", "--site", origin + "/", "--full"]
            + ["--delay", "0.03", "--quiet", "--db", kb.db_url, "--index", str(kb.index_dir)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env={**os.environ, **kb.env()},
        )
        served = []
        deadline = time.monotonic() + 120
        while refresh.poll() is None and time.monotonic() < deadline:
            for url in ("/zoeken?q=thuiswerken", AA_EN_HUNZE, "/overzicht", "/wijzigingen"):
                served.append((url, client.get(url).status_code))
        output = refresh.communicate(timeout=60)[0].decode()
    assert refresh.returncode == 0, output
    assert len(served) >= 8, "the refresh ended before the pages were asked for"
    assert {status for _, status in served} == {200}, served
    newest = page(client, "/wijzigingen").css("table.changes tbody tr")[0]
    cells = [" ".join(cell.text().split()) for cell in newest.css("td")]
    assert cells[1:] == ["Brouwer & Zonen Verpakkingen B.V.", "Status", "erkend → ingetrokken"]
    withdrawn = page(client, "/organisatie/brouwer-en-zonen-verpakkingen")
    assert "De erkenning is ingetrokken" in withdrawn.css_first(".withdrawn").text()


def test_make_demo_ends_with_the_command_that_serves_it(tmp_path) -> None:
    result = run_cli(["demo", "--home", str(tmp_path / "demo")])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].strip() == f"WMKB_HOME={tmp_path / 'demo'} wmkb serve"


def test_compare_takes_names_and_shows_them_in_its_form(client) -> None:
    tree = page(client, "/vergelijk?org=Gemeente+Aa+en+Hunze&org=gemeente-wolderveen")
    assert texts(tree, "table.compare thead a") == ["Gemeente Aa en Hunze", "Gemeente Wolderveen"]
    filled = [node.attributes["value"] for node in tree.css("form.compare-form input[name=org]")]
    assert filled[:3] == ["Gemeente Aa en Hunze", "Gemeente Wolderveen", ""]


def test_a_name_typed_wrong_gets_a_dutch_404_with_bedoelde_u(client) -> None:
    tree = page(client, "/vergelijk?org=Gemeente+Amersfort&org=gemeente-wolderveen", 404)
    assert tree.css_first("p.lead").text() == "Er is geen organisatie ‘Gemeente Amersfort’ in de kennisbank."
    suggestion = tree.css_first("p.suggestion")
    assert suggestion.text().split() == ["Bedoelde", "u", "Gemeente", "Amersfoort?"]
    link = suggestion.css_first("a").attributes["href"]
    assert link == "/vergelijk?org=Gemeente+Amersfoort&org=gemeente-wolderveen"
    assert texts(page(client, link), "table.compare thead a")[0] == "Gemeente Amersfoort"
    own = page(client, "/organisatie/Gemeente Amersfort", 404).css_first("p.suggestion a")
    assert own.attributes["href"] == "/organisatie/Gemeente%20Amersfoort"


ENGLISH = re.compile(
    r"\b(the|you|your|unknown|not|error|query|organisations?|match|found|page|please|invalid|must|between|one of)\b"
)


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/", 200), ("/zoeken?q=thuiswerken+gemeente", 200), ("/zoeken?q=mantelzorgmakelaar+thuiswerken", 200),
        ("/zoeken?q=thuiswerken&weergave=organisaties", 200), (AA_EN_HUNZE, 200), (AA_EN_HUNZE + "/vergelijkbaar", 200),
        ("/vergelijk", 200), ("/vergelijk?org=gemeente-aa-en-hunze&org=gemeente-wolderveen", 200),
        ("/wijzigingen?sinds=2000-01-01", 200), ("/overzicht", 200), ("/zoeken?q=foo:bar", 400),
        ("/zoeken?q=provincie:Atlantis", 400), ("/zoeken?q=x", 400), ("/organisatie/x", 404),
        ("/vergelijk?org=a", 400), ("/wijzigingen?sinds=x", 400), ("/zoeken?per=7&q=x", 400), ("/nergens", 404),
    ],
)
def test_every_page_speaks_dutch_errors_included(client, url: str, status: int) -> None:
    assert english_words(page(client, url, status)) == [], url


def english_words(tree: HTMLParser) -> list[str]:
    for node in tree.css("code"):  # the query syntax's own words (OR, NOT) are shown as code
        node.decompose()
    return sorted(set(ENGLISH.findall(tree.body.text(separator=" "))))


# A value for each of a doubt's values, as a page would state it.
DOUBT_VALUES = {
    "overview": "https://www.werkenmantelzorg.nl/erkende-organisaties/",
    "date": "12 maart 2020",
    "fact": "employees",
    "value": "enkele honderden",
    "sentence": "Bij ons werken ruim driehonderd mensen.",
}


@pytest.fixture
def doubted(new_kb: KnowledgeBase) -> KnowledgeBase:
    """A knowledge base whose last refresh doubted one page of every kind (but "other", a
    reason stored in an older wording), and the web page over it."""
    assert run_cli(["db", "upgrade"], new_kb).exit_code == 0
    assert run_cli(["reindex"], new_kb).exit_code == 0
    found = [
        ModelDoubt(
            url=f"https://www.werkenmantelzorg.nl/erkende-organisaties/{kind}/",
            reason=Doubt(kind, {name: DOUBT_VALUES[name] for name in names}).text(),
        )
        for kind, names in KINDS.items()
        if kind != "other"
    ]
    now = datetime(2026, 12, 1, 3, 0)
    run = RefreshRun(
        site="https://www.werkenmantelzorg.nl/",
        started_at=now,
        finished_at=now,
        status="completed",
        doubts=found,
    )
    with Session(open_database(new_kb.db_url)) as session, session.begin():
        session.add(run)
    return new_kb


def test_the_doubts_page_speaks_dutch_with_a_doubt_of_every_kind(doubted) -> None:
    client = web_client(doubted)
    tree = page(client, "/twijfels")
    rows = [[td.text() for td in row.css("td")] for row in tree.css("table.doubts tbody tr")]
    assert len(rows) == len(KINDS) - 1
    assert english_words(tree) == []
    profile = "https://www.werkenmantelzorg.nl/erkende-organisaties/no_recognition_date/"
    assert [profile, "Profiel zonder erkenningsdatum"] in rows
    number = "https://www.werkenmantelzorg.nl/erkende-organisaties/number_not_read/"
    assert [number, "Als aantal medewerkers staat er ‘enkele honderden’, en dat kon niet als "
            "getal worden gelezen"] in rows
    download = csv_rows(client, "/twijfels.csv")
    assert list(download[0]) == ["pagina", "soort", "reden", "verversing"]
    assert [[row["pagina"], row["reden"]] for row in download] == rows
    assert {row["soort"] for row in download} == set(KINDS) - {"other"}
    # The command line keeps the English reason, with its kind and values beside it.
    listed = {d["kind"]: d for d in json.loads(run_cli(["doubts", "--json"], doubted).stdout)}
    assert listed["listed_as_organisation"]["reason"] == (
        "an overview lists it with the organisations "
        "(https://www.werkenmantelzorg.nl/erkende-organisaties/), but it was not read as a profile"
    )
    assert listed["number_not_read"]["values"] == {"fact": "employees", "value": "enkele honderden"}
    assert {"url", "reason", "run_id"} <= set(listed["no_recognition_date"])
