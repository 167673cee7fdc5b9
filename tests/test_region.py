"""A profile is found by what it says, in whatever markup: each case a CMS of the past decade
wrote, read into the record a person would write down."""

from __future__ import annotations

from wmkb.harvester.pipeline import read

URL = "https://www.werkenmantelzorg.nl/erkende-organisaties/x/"
QUESTIONS = """
<h2>Welke concrete acties hebt u uitgevoerd om medewerkers bewust te maken van het thema?</h2>
<ul><li>Een artikel op intranet.</li><li>Een workshop.</li></ul>
<h2>Welke maatwerkoplossingen zijn in de organisatie mogelijk?</h2>
<ul><li>Kortdurend zorgverlof</li><li>Thuiswerken</li></ul>
"""
MENU = """<div class="top"><ul><li><a href="/">Home</a></li><li><a href="/erkenning/">Erkenning</a>
</li><li><a href="/erkende-organisaties/">Erkende organisaties</a></li></ul></div>"""


def _page(body: str, title: str = "Gemeente Xdorp | Werk&amp;Mantelzorg") -> bytes:
    return f"""<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>{title}</title>
</head><body>{MENU}{body}<div class="foot"><a href="/privacy/">Privacy</a></div></body></html>
""".encode()


def _record(body: str, **kwargs) -> dict:
    return read(_page(body, **kwargs), URL).record.as_json()


def test_a_name_in_a_page_header_inside_main_is_the_name() -> None:
    record = _record(
        "<main><header class='page-header'><h1>Gemeente Xdorp</h1>"
        "<p>Erkend sinds: 3 mei 2019</p></header>" + QUESTIONS + "</main>"
    )
    assert record["kind"] == "profile"
    assert (record["name"], record["recognised_since"]) == ("Gemeente Xdorp", "2019-05-03")
    assert record["sections"]["custom_solutions"] == ["Kortdurend zorgverlof", "Thuiswerken"]


def test_a_profile_laid_out_in_a_table_in_a_generic_wrapper() -> None:
    record = _record(
        """<div class="wrapper"><table><tr><td class="menu"><a href="/a/">A</a><br>
        <a href="/b/">B</a></td><td><p><font size="4"><b>Gemeente Xdorp</b></font></p>
        <p><b>Erkend mantelzorgvriendelijk sinds:</b> 14-12-2010</p>
        <p>Xdorp telt 98.000 inwoners en 1.100 medewerkers.</p>
        <p><font><b>Welke concrete acties hebt u uitgevoerd om medewerkers bewust te maken?</b>
        <br>- Een artikel in het personeelsblad.<br>- Een folder bij de<br>salarisstrook.</font></p>
        <p><b>Welke maatwerkoplossingen zijn mogelijk?</b><br><font>- Kortdurend zorgverlof.
        <br>- Glijdende werktijden.</font></p></td></tr></table></div>"""
    )
    assert record["kind"] == "profile" and record["name"] == "Gemeente Xdorp"
    assert record["employees"] == 1100 and record["inhabitants"] == 98000
    assert record["sections"]["awareness"] == [
        "Een artikel in het personeelsblad.",
        "Een folder bij de salarisstrook.",
    ]
    assert record["regulations"] == ["flexibele_werktijden", "kortdurend_zorgverlof"]


def test_a_bar_of_links_and_phone_numbers_above_the_content_is_no_introduction() -> None:
    record = _record(
        """<div class="col"><p class="bar">Vragen? Bel 0343 - 477 890 ·
        <a href="mailto:a@b.nl">a@b.nl</a> · <a href="/aanvragen/">Erkenning aanvragen</a></p>
        <div class="body"><h1>Gemeente Xdorp</h1><p>Erkend sinds: 3 mei 2019</p>
        <p>Xdorp ligt aan de rivier.</p>""" + QUESTIONS + "</div></div>"
    )
    assert record["description"] == "Xdorp ligt aan de rivier."


def test_a_website_in_a_contact_box_beside_the_content_is_the_website() -> None:
    record = _record(
        "<div class='row'><div class='main'><h1>Gemeente Xdorp</h1><p>Erkend sinds: 3 mei 2019"
        "</p>" + QUESTIONS + "</div><div class='side'><h3>Contact</h3><p>Gemeente Xdorp<br>"
        "Markt 1</p><p><a href='https://www.xdorp.nl/'>www.xdorp.nl</a></p>"
        "<h3>Ook erkend</h3><ul><li><a href='/y/'>Gemeente Y</a></li></ul></div></div>"
    )
    assert record["website"] == "https://www.xdorp.nl"
    assert all("Gemeente Y" not in item for items in record["sections"].values() for item in items)


def test_key_facts_as_field_labels_and_as_a_sentence() -> None:
    fields = _record(
        "<article><h1>Gemeente Xdorp</h1><div class='field'><div class='label'>Erkend sinds:</div>"
        "<div class='items'>15 jun. 2015</div></div><div class='field'><div class='label'>"
        "Aantal medewerkers:</div><div class='items'>2.400</div></div>" + QUESTIONS + "</article>"
    )
    assert (fields["recognised_since"], fields["employees"]) == ("2015-06-15", 2400)
    sentence = _record(
        "<article><h1>Gemeente Xdorp</h1><p>Gemeente Xdorp is sinds 1 december 2016 erkend "
        "mantelzorgvriendelijk.</p><p>Xdorp ligt aan de rivier.</p>" + QUESTIONS + "</article>"
    )
    assert sentence["recognised_since"] == "2016-12-01"
    assert sentence["description"] == "Xdorp ligt aan de rivier."


def test_a_profile_shown_as_an_example_on_a_help_page_is_no_profile() -> None:
    record = _record(
        "<article><h1>Zo ziet een profiel eruit</h1><p>Uitleg.</p><h2>Wat staat erop?</h2>"
        "<ul><li>De naam.</li></ul><h2>Een voorbeeld</h2><div class='voorbeeld'><h2>Gemeente "
        "Voorbeeld</h2><p><b>Erkend sinds:</b> 1 januari 2021</p>" + QUESTIONS + "</div></article>",
        title="Zo ziet een profiel eruit | Werk&amp;Mantelzorg",
    )
    assert record["kind"] == "other"


def test_a_menu_link_that_says_erkenning_does_not_pull_the_profile_into_the_menu() -> None:
    record = _record("<main><h1>Gemeente Xdorp</h1><p>Erkend sinds: 3 mei 2019</p>" + QUESTIONS)
    assert record["description"] is None
    assert "Home" not in str(record["sections"])


def test_a_table_of_contents_that_repeats_the_questions_is_navigation() -> None:
    record = _record(
        "<main><h1>Gemeente Xdorp</h1><p>Erkend sinds: 3 mei 2019</p><div class='toc'>"
        "<span>Inhoudsopgave</span><ul><li><a href='#a'>Welke concrete acties hebt u uitgevoerd "
        "om medewerkers bewust te maken van het thema?</a></li><li><a href='#b'>Welke "
        "maatwerkoplossingen zijn in de organisatie mogelijk?</a></li></ul></div>"
        "<p>Xdorp ligt aan de rivier.</p>" + QUESTIONS + "</main>"
    )
    assert record["description"] == "Xdorp ligt aan de rivier."
    assert record["sections"]["awareness"] == ["Een artikel op intranet.", "Een workshop."]


def test_news_about_a_recognition_stays_another_page() -> None:
    record = _record(
        "<article><h1>Gemeente Xdorp ontvangt de Erkenning</h1><p>Geplaatst op 14 maart 2019</p>"
        "<p>Op 12 maart 2019 ontving gemeente Xdorp de Erkenning. Bij de gemeente werken ruim "
        "400 medewerkers.</p><h2>Wat regelt Xdorp?</h2><ul><li>Kortdurend zorgverlof</li>"
        "<li>Thuiswerken</li></ul></article>",
        title="Gemeente Xdorp ontvangt de Erkenning | Werk&amp;Mantelzorg",
    )
    assert record["kind"] == "other"
