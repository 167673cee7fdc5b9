"""The search contract, as a reader meets it on the command line and on the web page: every
organisation that matches is shown, every filter the README names does what it says, and a
query that cannot mean anything is refused with the valid choices instead of finding nothing."""

from __future__ import annotations

import json
import warnings

import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from tests.conftest import run_cli
from wmkb.index.directory import organisations_facts
from wmkb.web.app import create_app

with warnings.catch_warnings():  # starlette 1.x would rather have httpx2; httpx serves as well
    warnings.filterwarnings("ignore", "Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient


@pytest.fixture
def client(refreshed) -> TestClient:
    kb, _ = refreshed
    return TestClient(create_app(kb.db_url, kb.index_dir), raise_server_exceptions=True)


def _found(kb, query: str, *options: str) -> dict:
    result = run_cli(["search", query, "--json", "--facets", "--limit", "100", *options], kb)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# every organisation that matches is shown


@pytest.mark.parametrize("query", ["mantelzorgmakelaar thuiswerken", "OR thuiswerken"])
def test_words_in_different_practices_still_show_their_organisations(kb, query: str) -> None:
    found = _found(kb, query)
    slugs = {hit["slug"] for hit in found["hits"]}
    assert found["organisations"] >= 3
    assert len(slugs) == found["organisations"]  # every organisation found is shown
    # No one practice holds both words; each organisation shows the practice for each word.
    for slug in slugs:
        texts = [hit["text"].lower() for hit in found["hits"] if hit["slug"] == slug]
        assert all(hit["across_practices"] for hit in found["hits"] if hit["slug"] == slug)
        assert len(texts) >= 2


@pytest.mark.parametrize(
    "query",
    [
        '"kortdurend zorgverlof"',  # organisations with both words, not as a phrase, are no match
        '"kortdurend zorgverlof" thuiswerken',
        "onderdeel:dialogue mantelzorg",  # the word in a practice of that section
        "thuis*",
        "mantelzorg NOT workshop",
        "mantelzorgmakelaar OR casemanager",
    ],
)
@pytest.mark.parametrize("view", [[], ["--by-org"]], ids=["practices", "by-org"])
def test_the_organisations_counted_are_the_organisations_shown(kb, query: str, view) -> None:
    found = _found(kb, query, "--limit", "1000", *view)
    if view:
        shown = {row["slug"] for row in found["organisations_found"]}
    else:
        shown = {hit["slug"] for hit in found["hits"]}
    assert found["organisations"] == len(shown) > 0


def test_words_in_different_practices_on_the_command_line(kb) -> None:
    result = run_cli(["search", "mantelzorgmakelaar thuiswerken", "--limit", "10"], kb)
    lines = result.output.splitlines()
    assert lines[0] == "5 organisations match"
    headers = [line for line in lines if line.endswith("the words are in different practices")]
    assert len(headers) == 5
    assert "Provincie Lageland (provincie) · provincie-lageland · the words are in different practices" in headers
    block = result.output.split("provincie-lageland · the words are in different practices\n")[1]
    assert block.startswith(
        "  implementation: Daarnaast hebben we een interne mantelzorgmakelaar die collega's"
        " wegwijs maakt in regelingen en voorzieningen.\n  custom_solutions: Hybride werken\n"
    )


def test_words_in_different_practices_one_row_per_organisation(kb) -> None:
    found = _found(kb, "mantelzorgmakelaar thuiswerken", "--by-org")
    rows = found["organisations_found"]
    assert len(rows) == found["organisations"] == 5
    assert all(row["across_practices"] and len(row["practices"]) >= 2 for row in rows)


def test_words_in_different_practices_on_the_web_page(client) -> None:
    response = client.get("/zoeken", params={"q": "mantelzorgmakelaar thuiswerken"})
    tree = HTMLParser(response.text)
    assert response.status_code == 200
    assert "Deze pagina is leeg" not in response.text
    assert len(tree.css("ol.hits > li.hit")) == 5
    assert len(tree.css("p.across")) == 5
    assert "De woorden staan in verschillende praktijken" in tree.css_first("p.across").text()


# every filter the README names, in English and in Dutch

FILTERS = [
    ("type:gemeente", lambda facts, hit: facts["org_type"] == "gemeente"),
    ("soort:zorg", lambda facts, hit: facts["org_type"] == "zorg"),
    ("regulation:thuiswerken", lambda facts, hit: "thuiswerken" in facts["regulations"]),
    ("regeling:verlof_kopen", lambda facts, hit: "verlof_kopen" in facts["regulations"]),
    ("province:Drenthe", lambda facts, hit: facts["province"] == "drenthe"),
    ("provincie:Friesland", lambda facts, hit: facts["province"] == "fryslan"),
    ("section:dialogue", lambda facts, hit: hit["section"] == "dialogue"),
    ("onderdeel:awareness", lambda facts, hit: hit["section"] == "awareness"),
    ("recognised:2018..2020", lambda facts, hit: 2018 <= facts["recognised"] <= 2020),
    ("erkend:2019", lambda facts, hit: facts["recognised"] == 2019),
    ("employees:100..500", lambda facts, hit: 100 <= facts["employees"] <= 500),
    ("medewerkers:1000..5000", lambda facts, hit: 1000 <= facts["employees"] <= 5000),
    ("inhabitants:20000..40000", lambda facts, hit: 20000 <= facts["inhabitants"] <= 40000),
    ("inwoners:100000..200000", lambda facts, hit: 100000 <= facts["inhabitants"] <= 200000),
]


@pytest.mark.parametrize(("query_filter", "holds"), FILTERS, ids=[f for f, _ in FILTERS])
def test_every_filter_works_on_the_command_line(kb, query_filter: str, holds) -> None:
    facts = organisations_facts(kb.index_dir)
    found = _found(kb, f"mantelzorg {query_filter}")
    unfiltered = _found(kb, "mantelzorg")
    assert 0 < found["organisations"] < unfiltered["organisations"]
    assert found["hits"]
    for hit in found["hits"]:
        assert holds(facts[hit["slug"]], hit), (query_filter, hit["slug"], hit["section"])


@pytest.mark.parametrize(("query_filter", "holds"), FILTERS, ids=[f for f, _ in FILTERS])
def test_every_filter_works_on_the_web_page(kb, client, query_filter: str, holds) -> None:
    on_cli = _found(kb, f"mantelzorg {query_filter}")
    response = client.get("/zoeken", params={"q": f"mantelzorg {query_filter}", "per": "50"})
    assert response.status_code == 200
    tree = HTMLParser(response.text)
    assert int(tree.css_first("strong.organisations").text()) == on_cli["organisations"]
    shown = {link.attributes["href"].rsplit("/", 1)[1] for link in tree.css("li.hit h3 a")}
    assert shown == {hit["slug"] for hit in on_cli["hits"]}


def test_the_regulation_option_filters_and_refuses_what_it_does_not_know(kb) -> None:
    found = _found(kb, "mantelzorg", "--regulation", "verlof_kopen")
    assert found["organisations"] == _found(kb, "mantelzorg regulation:verlof_kopen")["organisations"]
    result = run_cli(["search", "mantelzorg", "--regulation", "nonsense"], kb)
    assert result.exit_code == 2
    assert result.output.startswith("Error: regulation: 'nonsense' is not a value it takes; use one of: kortdurend_zorgverlof, ")
    assert result.output.count("\n") == 1


# queries that cannot mean anything: one line, exit 2, the valid choices; a Dutch 400 page

REFUSED = [
    (
        "foo:bar thuiswerken",
        "Error: unknown field 'foo' in the query; use one of: type, regulation, province, "
        "section, recognised, employees, inhabitants",
        "Het filter ‘foo’ bestaat niet. Wel: soort, regeling, provincie, onderdeel, erkend, "
        "medewerkers, inwoners.",
    ),
    (
        "type:nonsense",
        "Error: type: 'nonsense' is not a value it takes; use one of: gemeente, provincie, "
        "overheid, zorg, onderwijs, bedrijf, overig",
        "‘type’ kan niet ‘nonsense’ zijn. Wel: gemeente, provincie, overheid, zorg, onderwijs, "
        "bedrijf, overig.",
    ),
    (
        "thuiswerken regulation:nonsense",
        "Error: regulation: 'nonsense' is not a value it takes; use one of: kortdurend_zorgverlof, "
        "langdurig_zorgverlof, calamiteitenverlof, flexibele_werktijden, thuiswerken, verlof_kopen, "
        "verlof_sparen, onbetaald_verlof, uren_aanpassen, maatwerk, cao",
        "‘regulation’ kan niet ‘nonsense’ zijn. Wel: kortdurend_zorgverlof, langdurig_zorgverlof, "
        "calamiteitenverlof, flexibele_werktijden, thuiswerken, verlof_kopen, verlof_sparen, "
        "onbetaald_verlof, uren_aanpassen, maatwerk, cao.",
    ),
    (
        "provincie:Atlantis",
        "Error: provincie: 'Atlantis' is not a value it takes; use one of: Groningen, Fryslân, "
        "Drenthe, Overijssel, Flevoland, Gelderland, Utrecht, Noord-Holland, Zuid-Holland, "
        "Zeeland, Noord-Brabant, Limburg",
        "‘provincie’ kan niet ‘Atlantis’ zijn. Wel: Groningen, Fryslân, Drenthe, Overijssel, "
        "Flevoland, Gelderland, Utrecht, Noord-Holland, Zuid-Holland, Zeeland, Noord-Brabant, "
        "Limburg.",
    ),
    (
        "section:dialog",
        "Error: section: 'dialog' is not a value it takes; use one of: awareness, dialogue, "
        "custom_solutions, implementation, ambassadorship",
        "‘section’ kan niet ‘dialog’ zijn. Wel: awareness, dialogue, custom_solutions, "
        "implementation, ambassadorship.",
    ),
    (
        "mantelzorg recognised:2020..2018",
        "Error: recognised: the range 2020..2018 runs backwards; write recognised:2018..2020",
        "De reeks 2020..2018 bij ‘recognised’ loopt achteruit: bedoelde u recognised:2018..2020?",
    ),
    (
        "mantelzorg medewerkers:veel",
        "Error: medewerkers: 'veel' is not a number or a range such as medewerkers:100..500",
        "Na ‘medewerkers:’ hoort een getal of een reeks als medewerkers:100..500, niet ‘veel’.",
    ),
    (
        '"kortdurend zorgverlof',
        "Error: unbalanced quote in '\"kortdurend zorgverlof': close the phrase with a second \" "
        "or leave it out",
        "Er staat een aanhalingsteken (\") zonder partner: sluit het zinsdeel af met een tweede, "
        "of laat het weg.",
    ),
    (
        "type:",
        "Error: type: needs a value it takes; use one of: gemeente, provincie, overheid, zorg, "
        "onderwijs, bedrijf, overig",
        "Na ‘type:’ hoort een van: gemeente, provincie, overheid, zorg, onderwijs, bedrijf, overig.",
    ),
]


@pytest.mark.parametrize(("query", "error", "dutch"), REFUSED, ids=[q for q, _, _ in REFUSED])
def test_a_query_that_cannot_mean_anything_is_refused(kb, client, query, error, dutch) -> None:
    result = run_cli(["search", query], kb)
    assert result.exit_code == 2
    assert result.output == error + "\n"
    response = client.get("/zoeken", params={"q": query})
    assert response.status_code == 400
    tree = HTMLParser(response.text)
    assert tree.css_first("h1").text() == "Deze zoekvraag kan ik niet lezen"
    assert tree.css_first("p.lead").text() == dutch
    assert "Technische melding" not in response.text
