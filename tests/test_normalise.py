"""The normaliser's decisions, one by one, on the ways Dutch pages write things."""

from __future__ import annotations

from datetime import date

import pytest

from wmkb.harvester.normalise import (
    headcount,
    inhabitants,
    normalise_website,
    org_type,
    parse_date,
    regulations,
    slugify,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("21 februari 2018", date(2018, 2, 21)),
        ("21-02-2018", date(2018, 2, 21)),
        ("21/2/2018", date(2018, 2, 21)),
        ("3 okt. 2016", date(2016, 10, 3)),
        ("14 mei 2019", date(2019, 5, 14)),
        ("2019-05-14", date(2019, 5, 14)),
        ("sinds 1 sept. 2015", date(2015, 9, 1)),
        ("maart 2017", date(2017, 3, 1)),
        ("31-02-2018", None),
        ("binnenkort", None),
    ],
)
def test_dates(text: str, expected: date | None) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bij gemeente Noordwijk werken 200 medewerkers.", 200),
        ("De gemeente telt circa 1.400 medewerkers (1.150 fte).", 1400),
        ("Wij hebben 85 mensen in dienst.", 85),
        ("Er werken ongeveer 300 mensen.", 300),
        ("met ruim 3.000 medewerkers en 800 vrijwilligers", 3000),
        ("met 12.000 studenten en 1.100 medewerkers", 1100),
        ("met zo'n 650 professionals", 650),
        ("ruim 4.800 collega’s", 4800),
        ("Van onze 800 medewerkers zijn er 120 mantelzorger.", 800),
        ("120 medewerkers zijn mantelzorger.", None),
        ("ongeveer 6.000 mensen die naast hun werk zorg verlenen", None),
        ("een omzet van € 45 miljoen", None),
        ("In 2019 hebben we 450 fte.", None),
        ("ruim 145.000 inwoners", None),
    ],
)
def test_headcount_is_the_staff_and_nothing_else(text: str, expected: int | None) -> None:
    assert headcount(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("haar ruim 145.000 inwoners", 145000),
        ("werkt voor 1,1 miljoen inwoners", 1100000),
        ("een gemeente met 25 300 inwoners", 25300),
        ("Bij de gemeente werken 306 medewerkers.", None),
    ],
)
def test_inhabitants(text: str, expected: int | None) -> None:
    assert inhabitants(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kortdurend en langdurig zorgverlof", ["kortdurend_zorgverlof", "langdurig_zorgverlof"]),
        ("Kort- en langdurend zorgverlof", ["kortdurend_zorgverlof", "langdurig_zorgverlof"]),
        ("Langdurend zorgverlof", ["langdurig_zorgverlof"]),
        ("Calamiteiten- en kort verzuimverlof", ["calamiteitenverlof"]),
        ("Plaats- en tijdonafhankelijk werken", ["flexibele_werktijden", "thuiswerken"]),
        ("Tijdelijk minder uren werken", ["uren_aanpassen"]),
        ("Extra verlof kopen via het keuzebudget", ["verlof_kopen"]),
        ("Verlofuren sparen voor later", ["verlof_sparen"]),
        ("Onbetaald verlof", ["onbetaald_verlof"]),
        ("Regelingen uit de cao", ["cao"]),
        ("de mogelijkheden in de CAR UWO", ["cao"]),
        ("Maatwerkafspraken met de leidinggevende", ["maatwerk"]),
        ("Zorgverlof", []),
        ("Thuiswerken is voor productiemedewerkers niet mogelijk.", []),
        ("Geen thuiswerken, wel flexibele werktijden", ["flexibele_werktijden"]),
        ("Niet alleen thuiswerken maar ook verlof kopen", ["thuiswerken", "verlof_kopen"]),
    ],
)
def test_regulations_in_dutch(text: str, expected: list[str]) -> None:
    assert list(regulations([text])) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Gemeente Aa en Hunze", "gemeente"),
        ("Provincie Lageland", "provincie"),
        ("Waterschap De Drie Stromen", "overheid"),
        ("Hoogheemraadschap van Lindemeer", "overheid"),
        ("Stichting Thuiszorg Heuvelrand", "zorg"),
        ("GGZ Kompas Midden", "zorg"),
        ("Scholengroep De Vaart", "onderwijs"),
        ("ROC Westermark", "onderwijs"),
        ("Brouwer & Zonen Verpakkingen B.V.", "bedrijf"),
        ("Zuivelcoöperatie De Klaver", "bedrijf"),
        ("Vereniging Dorpshuizen Noord", "overig"),
    ],
)
def test_org_type_from_name(name: str, expected: str) -> None:
    assert org_type(name, [], []) == expected


def test_org_type_from_sector_fact_then_introduction() -> None:
    assert org_type("De Linde", ["Zorg en welzijn"], []) == "zorg"
    assert org_type("Het Anker", [], ["Het Anker is een familiebedrijf in Twente."]) == "bedrijf"
    assert org_type("Het Anker", [], []) == "overig"


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("www.aaenhunze.nl", "http://www.aaenhunze.nl"),
        ("http://www.aaenhunze.nl/", "http://www.aaenhunze.nl"),
        ("https://www.x.nl/werken-bij/?utm_source=wm&id=3", "https://www.x.nl/werken-bij?id=3"),
        ("geen", None),
    ],
)
def test_website(address: str, expected: str | None) -> None:
    assert normalise_website(address) == expected


def test_slug() -> None:
    assert slugify("Zuivelcoöperatie De Klaver") == "zuivelcooperatie-de-klaver"
    assert slugify("Brouwer & Zonen Verpakkingen B.V.") == "brouwer-zonen-verpakkingen-b-v"
