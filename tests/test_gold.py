"""Every fixture page is read into exactly the record its gold file says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_SITE, gold_files
from wmkb.harvester.pipeline import record_from_page
from wmkb.harvester.record import FIELDS as RECORD_FIELDS

# A gold record's fields: those the record declares compared with the gold (harvester/record.py).
FIELDS = ("kind", *(field.name for field in RECORD_FIELDS if field.gold))


def _read(page: Path) -> dict:
    url = "https://www.werkenmantelzorg.nl/" + str(page.relative_to(FIXTURE_SITE))
    return record_from_page(page.read_bytes(), url).as_json()


@pytest.mark.parametrize(
    "gold", gold_files(), ids=lambda path: str(path.relative_to(FIXTURE_SITE).parent)
)
def test_page_reads_as_its_gold_record(gold: Path) -> None:
    expected = json.loads(gold.read_text(encoding="utf-8"))
    record = _read(gold.with_name(gold.name.replace(".gold.json", ".html")))
    for field in FIELDS:
        if field in expected:
            assert record.get(field) == expected[field], field
    if expected["kind"] == "other":
        assert record["title"] == expected["title"]


def test_fixture_site_has_enough_profiles_of_every_type() -> None:
    profiles = [json.loads(path.read_text()) for path in gold_files()]
    profiles = [record for record in profiles if record["kind"] == "profile"]
    assert len(profiles) >= 28
    assert {record["org_type"] for record in profiles} >= {
        "gemeente",
        "provincie",
        "overheid",
        "zorg",
        "onderwijs",
        "bedrijf",
    }


def _seed(slug: str) -> dict:
    return _read(FIXTURE_SITE / "erkende-organisaties" / slug / "index.html")


def test_amersfoort_seed() -> None:
    record = _seed("gemeente-amersfoort")
    assert record["name"] == "Gemeente Amersfoort"
    assert record["ambassador_since"] == "2010-10-26"
    assert record["recognised_since"] == "2011-11-28"
    assert record["employees"] is None  # 6.000 carers in the city are not the staff
    assert record["inhabitants"] == 145000
    assert record["sections"]["ambassadorship"][1].startswith("Netwerk Amersfoort\n‘Verder")


def test_noordwijk_seed() -> None:
    record = _seed("gemeente-noordwijk")
    assert record["recognised_since"] == "2013-11-07"
    assert record["employees"] == 200
    first = record["sections"]["implementation"][0]
    assert first.endswith(
        "thuis/zorgsituatie. Daarbij wijzen we de nieuwe medewerker op de mogelijkheden in de CAR UWO."
    )
    assert len(record["sections"]["ambassadorship"]) == 6
    assert not any(
        "erkende organisaties" in item for items in record["sections"].values() for item in items
    )


def test_aa_en_hunze_seed() -> None:
    record = _seed("gemeente-aa-en-hunze")
    assert record["recognised_since"] == "2018-02-21"
    assert record["employees"] == 306
    assert record["website"] == "http://www.aaenhunze.nl"
    assert record["regulations"] == [
        "flexibele_werktijden",
        "kortdurend_zorgverlof",
        "langdurig_zorgverlof",
        "maatwerk",
        "onbetaald_verlof",
        "thuiswerken",
        "verlof_kopen",
    ]
    awareness = record["sections"]["awareness"]
    assert len(awareness) == 4
    assert awareness[1].startswith(
        "Aparte intranetpagina over werk en mantelzorg, met daarop:\n- achtergrondinformatie\n- "
    )
    assert awareness[1].count("\n- ") == 6


@pytest.mark.parametrize(
    "path",
    [
        "agenda/kennis-van-zaken-bijeenkomsten-voor-gemeenten",
        "nieuws/mkb-bedrijven-gezocht-mantelzorg-werkt",
    ],
)
def test_seed_pages_that_are_not_profiles(path: str) -> None:
    record = _read(FIXTURE_SITE / path / "index.html")
    assert record["kind"] == "other"
    assert record["title"]
