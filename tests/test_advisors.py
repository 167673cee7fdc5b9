"""For advisors: any Dutch municipality compared with the recognised ones, recognised or not,
and its starter package."""

from __future__ import annotations

import json

from harvester.municipalities import closest_municipalities, match_municipality
from harvester.normalise import regulations
from tests.conftest import run_cli


def _advice(kb, name: str) -> dict:
    result = run_cli(["similar", name, "--json"], kb)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _regulations(kb, slug: str) -> set[str]:
    return set(json.loads(run_cli(["show", slug, "--json"], kb).stdout)["regulations"])


def test_an_unrecognised_municipality_gets_comparable_ones_and_a_starter_package(kb) -> None:
    advice = _advice(kb, "Zeist")
    assert advice["municipality"] == {
        "name": "Zeist",
        "cbs_code": "GM0355",
        "province": "Utrecht",
        "inhabitants": match_municipality("Zeist").inhabitants,
        "recognised": False,
        "slug": None,
    }
    assert len(advice["similar"]) == 5
    assert all(item["org_type"] == "gemeente" and item["reasons"] for item in advice["similar"])
    # Of Zeist only its size and province are known: those are the reasons beyond the type.
    amersfoort = next(i for i in advice["similar"] if i["slug"] == "gemeente-amersfoort")
    assert "also in Utrecht" in amersfoort["reasons"]
    slugs = [item["slug"] for item in advice["similar"]]
    offered = {slug: _regulations(kb, slug) for slug in slugs}
    package = advice["starter_package"]
    assert {item["kind"] for item in package} == {"regulation", "practice"}
    for item in package:
        assert 2 <= item["count"] <= len(slugs)
        assert item["has"] is False
        [example] = item["examples"]
        assert example["slug"] in slugs
        if item["kind"] == "regulation":
            # Its count is the number of the comparable municipalities that offer it.
            having = [slug for slug in slugs if item["code"] in offered[slug]]
            assert item["count"] == len(having)
            assert example["slug"] in having
            assert item["code"] in regulations([example["text"]])  # a practice that names it
        else:
            assert example["text"] == item["text"]
    counts = [item["count"] for item in package if item["kind"] == "regulation"]
    assert counts == sorted(counts, reverse=True)


def test_the_names_people_use_for_a_municipality(kb) -> None:
    assert _advice(kb, "Gemeente Zeist") == _advice(kb, "Zeist")
    bosch = _advice(kb, "'s-Hertogenbosch")
    assert bosch["municipality"]["cbs_code"] == "GM0796"
    assert _advice(kb, "Den Bosch") == bosch


def test_a_recognised_municipality_sees_what_it_has_already(kb) -> None:
    advice = _advice(kb, "Gemeente Amersfoort")
    assert advice["municipality"]["recognised"] is True
    assert advice["municipality"]["slug"] == "gemeente-amersfoort"
    assert "gemeente-amersfoort" not in [item["slug"] for item in advice["similar"]]
    own = _regulations(kb, "gemeente-amersfoort")
    regulations = [item for item in advice["starter_package"] if item["kind"] == "regulation"]
    assert [item["has"] for item in regulations] == [item["code"] in own for item in regulations]
    assert any(item["has"] for item in regulations)
    # Its slug means the same municipality.
    assert _advice(kb, "gemeente-amersfoort") == advice


def test_the_text_says_whether_it_is_recognised_and_marks_what_it_has(kb) -> None:
    text = run_cli(["similar", "Zeist"], kb).stdout
    inhabitants = f"{match_municipality('Zeist').inhabitants:,}".replace(",", ".")
    assert text.startswith(f"Zeist (GM0355, Utrecht, {inhabitants} inhabitants): not recognised\n")
    assert "Starter package, among these 5" in text
    assert "✓" not in text.split("Starter package")[1].split("\n", 1)[1]
    amersfoort = run_cli(["similar", "Amersfoort"], kb).stdout
    assert ": recognised\n" in amersfoort.split("\n")[0] + "\n"
    assert "  ✓ " in amersfoort


def test_a_misspelt_municipality_gets_did_you_mean(kb) -> None:
    result = run_cli(["similar", "Zeisst"], kb)
    assert result.exit_code == 2
    assert result.output == "Error: no municipality or organisation named 'Zeisst'; did you mean: Zeist?\n"
    result = run_cli(["similar", "Nergenshuizen aan Zee"], kb)
    assert result.exit_code == 2
    assert "no organisation named 'Nergenshuizen aan Zee'" in result.output


def test_other_organisations_keep_their_comparison(kb) -> None:
    found = _advice(kb, "zorggroep-de-linde")
    assert isinstance(found, list) and found[0]["org_type"] == "zorg"


def test_closest_municipalities() -> None:
    assert closest_municipalities("Zeisst") == ["Zeist"]
    assert closest_municipalities("Den Bossch") == ["'s-Hertogenbosch"]
    assert closest_municipalities("Xyzzy") == []
