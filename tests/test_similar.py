"""Comparable organisations for advisors, CBS links, comparison and open exports."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from whoosh.lang import stopwords_for_language

from tests.conftest import run_cli
from wmkb.harvester.models import Organisation, Practice
from wmkb.harvester.municipalities import match_municipality, province_in
from wmkb.harvester.store import open_database
from wmkb.index.analysis import content_words
from wmkb.index.similar import is_theme, similar

BIG_CITIES = {"gemeente-hunsmeer", "gemeente-zuidervaart", "gemeente-amersfoort", "gemeente-stedevoort"}


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Gemeente Aa en Hunze", "GM1680"),
        ("gemeente Súdwest-Fryslân", "GM1900"),
        ("Gemeente Sudwest Fryslan", "GM1900"),
        ("'s-Hertogenbosch", "GM0796"),
        ("Gemeente Den Bosch", "GM0796"),
        ("Den Haag", "GM0518"),
        ("Gemeente Bergen (NH)", "GM0373"),
        ("Hengelo (O.)", "GM0164"),
        ("Gemeente Noordwijkerhout", None),  # merged into Noordwijk: reported, not guessed
        ("Gemeente Bergen", None),  # two Bergens: ambiguous
    ],
)
def test_municipality_names_link_to_cbs(name: str, code: str | None) -> None:
    found = match_municipality(name)
    assert (found.cbs_code if found else None) == code


def test_province_from_text() -> None:
    assert province_in("een gemeente in het noordoosten van Drenthe") == "Drenthe"
    assert province_in("in het zuiden van Friesland") == "Fryslân"
    assert province_in("aan de kust") is None


def test_a_province_is_found_as_whole_words_whatever_the_punctuation_and_accents() -> None:
    assert province_in("Gevestigd in NOORD-HOLLAND.") == "Noord-Holland"
    assert province_in("in noord -- holland") == "Noord-Holland"
    assert province_in("Werkzaam in heel Fryslân") == "Fryslân"
    assert province_in("de Noord-Hollandse kust") is None
    assert province_in("vanuit Zeeland en Drenthe") == "Zeeland"  # the first one named


def test_stats_lists_the_municipalities_not_linked(kb) -> None:
    numbers = json.loads(run_cli(["stats", "--json"], kb).stdout)
    # The seed municipalities are real and linked; the invented ones cannot be.
    assert numbers["municipalities_unmatched"] == 10
    assert "Gemeente Wolderveen" in numbers["municipalities_unmatched_names"]
    assert "Gemeente Aa en Hunze" not in numbers["municipalities_unmatched_names"]


def test_a_small_municipalitys_nearest_are_its_size_class(kb) -> None:
    result = run_cli(["similar", "gemeente-wolderveen", "--limit", "5", "--json"], kb)
    found = json.loads(result.stdout)
    slugs = [item["slug"] for item in found]
    assert not set(slugs) & BIG_CITIES
    assert slugs[0] == "gemeente-aa-en-hunze"  # 25.935 inhabitants (CBS), Drenthe, 306 staff
    assert all(item["org_type"] == "gemeente" for item in found)
    first = found[0]
    assert set(first) == {"name", "slug", "org_type", "score", "reasons", "they_have"}
    assert "also in Drenthe" in first["reasons"]
    assert any(reason.startswith("similar size") for reason in first["reasons"])
    assert first["they_have"]["regulations"] == ["onbetaald_verlof"]
    assert first["they_have"]["practices"]


def test_a_big_city_is_compared_with_big_cities(kb) -> None:
    found = json.loads(run_cli(["similar", "Gemeente Zuidervaart", "--limit", "3", "--json"], kb).stdout)
    assert found[0]["slug"] in {"gemeente-hunsmeer", "gemeente-amersfoort", "gemeente-stedevoort"}


def test_other_types_come_after_the_same_type(kb) -> None:
    found = json.loads(run_cli(["similar", "zorggroep-de-linde", "--limit", "10", "--json"], kb).stdout)
    types = [item["org_type"] for item in found]
    assert types[:3] == ["zorg", "zorg", "zorg"]
    assert "zorg" not in types[3:]


def test_compare_side_by_side(kb) -> None:
    table = json.loads(run_cli(["compare", "gemeente-aa-en-hunze", "Gemeente Wolderveen", "--json"], kb).stdout)
    assert table["regulations"]["onbetaald_verlof"] == [True, False]
    assert table["facts"]["inhabitants"] == [25935, 25000]
    assert table["sections"]["awareness"] == [4, 4]
    text = run_cli(["compare", "gemeente-aa-en-hunze", "gemeente-wolderveen"], kb).output
    assert "Onbetaald verlof" in text and "✓" in text and "–" in text


def test_compare_takes_two_to_five(kb) -> None:
    result = run_cli(["compare", "gemeente-aa-en-hunze"], kb)
    assert result.exit_code == 2 and "compare takes 2 to 5" in result.output


def test_export_tables_load_as_tidy_data(kb) -> None:
    organisations = list(csv.DictReader(io.StringIO(run_cli(["export"], kb).stdout)))
    aa = next(row for row in organisations if row["slug"] == "gemeente-aa-en-hunze")
    assert (aa["province"], aa["cbs_code"], aa["inhabitants"], aa["inhabitants_source"]) == (
        "Drenthe", "GM1680", "25935", "cbs",
    )
    regulations = [json.loads(line) for line in run_cli(["export", "--what", "regulations", "--format", "jsonl"], kb).stdout.splitlines()]
    assert {row["code"] for row in regulations if row["slug"] == "gemeente-aa-en-hunze"} == {
        "flexibele_werktijden", "kortdurend_zorgverlof", "langdurig_zorgverlof", "maatwerk",
        "onbetaald_verlof", "thuiswerken", "verlof_kopen",
    }


@pytest.mark.parametrize(
    ("word", "theme"),
    [
        ("mantelzorgmakelaar", True),
        ("vertrouwenspersoon", True),
        ("intranetpagina", True),
        ("jaar", False),  # everyday words
        ("keer", False),
        ("kopen", False),
        ("drie", False),  # numbers, however rare their spelling
        ("twaalf", False),
        ("vijfentwintig", False),
        ("tweehonderd", False),
        ("achtste", False),
        ("2025", False),
        ("voor", False),  # too short, and a stop word
    ],
)
def test_what_may_be_a_theme(word: str, theme: bool) -> None:
    assert is_theme(word) is theme


def test_shared_themes_are_distinctive_words_rarest_first(kb) -> None:
    engine = open_database(kb.db_url)
    analyzer = content_words()
    stop_words = set(stopwords_for_language("nl"))
    with Session(engine) as session:
        slugs = list(session.scalars(select(Organisation.slug)))
        texts = [practice.text for practice in session.scalars(select(Practice))]
    # In how many practices each word occurs: the rarer, the more a shared one says.
    in_practices = Counter(word for text in texts for word in {t.text for t in analyzer(text)})
    seen = []
    for slug in slugs:
        for item in similar(engine, slug, limit=5)[1]:
            for reason in item.reasons:
                if reason.kind != "shared_themes":
                    continue
                themes = reason.values["themes"].split(", ")
                seen += themes
                rarity = [in_practices[word] for word in themes]
                assert rarity == sorted(rarity), (slug, item.slug, themes)
    assert len(seen) > 100
    assert not {"jaar", "keer", "drie", "kopen"} & set(seen)
    assert not set(seen) & stop_words
    assert all(word.isalpha() for word in seen)


def test_reasons_speak_about_the_organisation_by_its_name(kb) -> None:
    found = json.loads(run_cli(["similar", "gemeente-wolderveen", "--limit", "3", "--json"], kb).stdout)
    reasons = [reason for item in found for reason in item["reasons"]]
    assert "similar size: 25.935 inhabitants (Gemeente Wolderveen: 25.000)" in reasons
    assert "offers 6 of the 7 regulations of Gemeente Wolderveen" in reasons
    assert not any("you" in reason for reason in reasons)
    shown = run_cli(["similar", "gemeente-wolderveen", "--limit", "3"], kb).output
    assert "you" not in shown and "has, Gemeente Wolderveen lacks: " in shown
