"""For advisors: any Dutch municipality compared with the recognised ones, recognised or not,
and its starter package."""

from __future__ import annotations

import csv
import io
import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_SITE, gold_profiles, run_cli
from wmkb.harvester.coverage import Recognition, coverage, progress
from wmkb.harvester.municipalities import PROVINCES, closest_municipalities, match_municipality
from wmkb.harvester.normalise import regulations
from wmkb.harvester.sitehost import serve_folder


@pytest.fixture
def site_copy(tmp_path: Path):
    """A copy of the fixture site served on loopback, to take a profile away from."""
    folder = tmp_path / "site"
    shutil.copytree(FIXTURE_SITE, folder)
    with serve_folder(folder) as origin:
        yield origin, folder


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
    reasons = [reason for item in advice["similar"] for reason in item["reasons"]]
    assert not any(reason.startswith(("shares", "shared themes")) for reason in reasons)
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
            assert regulations([item["text"]]) == ()  # one that names a regulation is that one
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
    # A recognised municipality is compared by its whole profile: its regulations and themes.
    reasons = [reason for item in advice["similar"] for reason in item["reasons"]]
    assert any(reason.startswith(("shares", "shared themes")) for reason in reasons)
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


# Coverage: how many of the 342 municipalities are recognised, per province and over time.


def _coverage(kb, *args: str) -> dict:
    result = run_cli(["coverage", *args, "--json"], kb)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _active_linked_municipalities() -> list[str]:
    return sorted(
        match_municipality(record["name"]).name
        for record in gold_profiles().values()
        if record["org_type"] == "gemeente" and match_municipality(record["name"])
    )


def test_coverage_counts_every_municipality_per_province(kb) -> None:
    found = _coverage(kb)
    assert [p["name"] for p in found["provinces"]] == list(PROVINCES)
    assert sum(p["municipalities"] for p in found["provinces"]) == 342
    linked = _active_linked_municipalities()
    assert linked == ["Aa en Hunze", "Amersfoort", "Noordwijk"]
    assert found["national"] == {
        "recognised": 3,
        "municipalities": 342,
        "share": round(3 / 342, 4),
        "target": 0.6,
        "needed": 206 - 3,  # 60% of 342 is 205.2
    }
    names = sorted(name for p in found["provinces"] for name in p["recognised_names"])
    assert names == linked
    for entry in found["provinces"]:
        assert entry["recognised"] + len(entry["not_recognised"]) == entry["municipalities"]
        sizes = [m["inhabitants"] for m in entry["not_recognised"]]
        assert sizes == sorted(sizes, reverse=True)
    drenthe = found["provinces"][PROVINCES.index("Drenthe")]
    assert drenthe["recognitions"] == [
        {
            "name": "Aa en Hunze",
            "cbs_code": "GM1680",
            "slug": "gemeente-aa-en-hunze",
            "recognised_since": "2018-02-21",
        }
    ]
    assert drenthe["not_recognised"][0] == {"name": "Emmen", "cbs_code": "GM0114", "inhabitants": match_municipality("Emmen").inhabitants}
    # Other recognised organisations: every active one with a province and no CBS link.
    rows = list(csv.DictReader(io.StringIO(run_cli(["export"], kb).stdout)))
    others = [r for r in rows if r["status"] == "active" and r["province"] and not r["cbs_code"]]
    assert sum(sum(p["other_organisations"].values()) for p in found["provinces"]) == len(others)


def test_coverage_of_one_province_against_another_target(kb) -> None:
    found = _coverage(kb, "--province", "friesland", "--target", "0.5")
    assert [p["name"] for p in found["provinces"]] == ["Fryslân"]
    assert found["national"]["municipalities"] == 342
    assert found["national"]["target"] == 0.5 and found["national"]["needed"] == 171 - 3
    text = run_cli(["coverage", "--province", "Utrecht"], kb).stdout
    assert text.startswith(
        "Netherlands: 3 of 342 municipalities recognised (0.9%); target 60%: 203 more needed\n\n"
        "Utrecht: 1 of 26 (3.8%)\n"
        "  recognised: Amersfoort (since 2011-11-28)\n"
        "  not yet, most inhabitants first: Utrecht (376.757), Veenendaal (70.352),"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--province", "Frieslandd"], "Error: no province named 'Frieslandd'; did you mean: Fryslân?\n"),
        (["--target", "1.5"], "Error: a target is a share between 0 and 1 (0.6 for 60%), not 1.5\n"),
        (["--by-year", "--province", "Drenthe"], "Error: --by-year shows every province; leave out --province\n"),
    ],
)
def test_coverage_refuses_bad_arguments(kb, args, message) -> None:
    result = run_cli(["coverage", *args], kb)
    assert (result.exit_code, result.output) == (2, message)


def test_progress_per_year_adds_up_to_the_coverage(kb) -> None:
    series = _coverage(kb, "--by-year")
    years = series["years"]
    gold = [r for r in gold_profiles().values() if r["recognised_since"]]
    assert years[0]["year"] == min(int(r["recognised_since"][:4]) for r in gold)
    assert years[-1]["year"] == date.today().year
    assert series["undated"] == len(gold_profiles()) - len(gold)
    for year in years:
        in_year = [r for r in gold if int(r["recognised_since"][:4]) == year["year"]]
        assert year["recognitions"] == len(in_year)
        for code, count in year["regulations"].items():
            assert count == sum(code in r["regulations"] for r in in_year)
    assert sum(year["municipalities_recognised"] for year in years) == 3
    now, found = years[-1], _coverage(kb)
    assert now["cumulative"] == found["national"]["recognised"]
    for entry in found["provinces"]:
        assert now["provinces"][entry["name"]]["cumulative"] == entry["recognised"]
    amersfoort = next(year for year in years if year["year"] == 2011)
    assert (amersfoort["cumulative"], amersfoort["provinces"]["Utrecht"]["cumulative"]) == (1, 1)


def test_a_withdrawn_municipality_leaves_the_count_but_keeps_its_year(site_copy, new_kb) -> None:
    site, folder = site_copy
    args = ["refresh", "--site", site + "/", "--delay", "0", "--quiet"]
    assert run_cli(args, new_kb).exit_code == 0
    shutil.rmtree(folder / "erkende-organisaties" / "gemeente-amersfoort")
    # --full: the sitemap still dates the page as unchanged; its 404 withdraws it.
    assert run_cli([*args, "--full"], new_kb).exit_code == 0
    assert json.loads(run_cli(["show", "gemeente-amersfoort", "--json"], new_kb).stdout)["status"] == "withdrawn"
    found = _coverage(new_kb)
    assert found["national"]["recognised"] == 2
    utrecht = found["provinces"][PROVINCES.index("Utrecht")]
    assert "Amersfoort" not in utrecht["recognised_names"]
    assert utrecht["not_recognised"][1]["name"] == "Amersfoort"  # after the city of Utrecht
    advice = _advice(new_kb, "Amersfoort")["municipality"]
    assert (advice["recognised"], advice["slug"]) == (False, "gemeente-amersfoort")
    years = {year["year"]: year for year in _coverage(new_kb, "--by-year")["years"]}
    this_year = date.today().year
    assert years[2011]["municipalities_recognised"] == 1 and years[2011]["cumulative"] == 1
    assert years[this_year - 1]["cumulative"] == 3
    assert years[this_year]["cumulative"] == 2
    assert years[this_year]["municipalities_withdrawn"] == 1


def _recognition(since: date, withdrawn_on: date | None = None) -> Recognition:
    return Recognition(
        name="Gemeente Zeist",
        slug="gemeente-zeist",
        org_type="gemeente",
        cbs_code="GM0355",
        province="Utrecht",
        recognised_since=since,
        active=withdrawn_on is None,
        withdrawn_on=withdrawn_on,
    )


def test_progress_counts_a_municipality_from_its_recognition_until_its_withdrawal() -> None:
    found = [_recognition(date(2015, 3, 1), withdrawn_on=date(2018, 6, 1))]
    series = progress(found, today=date(2019, 1, 1))
    assert [(y.year, y.national.cumulative, y.areas["Utrecht"].cumulative) for y in series.years] == [
        (2015, 1, 1), (2016, 1, 1), (2017, 1, 1), (2018, 0, 0), (2019, 0, 0),
    ]
    assert [y.national.recognitions for y in series.years] == [1, 0, 0, 0, 0]
    assert [y.areas["Utrecht"].municipalities_withdrawn for y in series.years] == [0, 0, 0, 1, 0]
    assert [y.areas["Drenthe"].municipalities_withdrawn for y in series.years] == [0] * 5
    assert coverage(found).recognised == 0
    assert coverage([_recognition(date(2015, 3, 1))]).national["recognised"] == 1


def test_coverage_and_progress_export_as_tidy_tables(kb, tmp_path) -> None:
    result = run_cli(["export", "--what", "coverage", "-o", str(tmp_path / "coverage.csv")], kb)
    assert result.stderr.startswith(f"342 coverage written to {tmp_path / 'coverage.csv'}")
    with (tmp_path / "coverage.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 342 and [r["cbs_code"] for r in rows] == sorted(r["cbs_code"] for r in rows)
    recognised = [r for r in rows if r["recognised"].lower() == "true"]
    assert sorted(r["municipality"] for r in recognised) == _active_linked_municipalities()
    assert {r["slug"]: r["recognised_since"] for r in recognised}["gemeente-noordwijk"] == "2013-11-07"
    as_json = json.loads(run_cli(["export", "--what", "coverage", "--format", "json"], kb).stdout)
    assert [row["cbs_code"] for row in as_json] == [row["cbs_code"] for row in rows]
    assert as_json[0]["recognised"] is False
    assert as_json[0]["cbs_inhabitants"] == int(rows[0]["cbs_inhabitants"]) == match_municipality(rows[0]["municipality"]).inhabitants
    assert rows[0]["cbs_year"] == "2025"

    series = _coverage(kb, "--by-year")["years"]
    progress_rows = json.loads(run_cli(["export", "--what", "progress", "--format", "json"], kb).stdout)
    assert len(progress_rows) == len(series) * 13
    for year in series:
        national, *provinces = [row for row in progress_rows if row["year"] == year["year"]]
        assert national["area"] == "Nederland" and [p["area"] for p in provinces] == list(PROVINCES)
        for key in ("recognitions", "municipalities_recognised", "cumulative", "share"):
            assert national[key] == year[key]
        assert {code: national[code] for code in year["regulations"]} == year["regulations"]
        # Every municipality is in one province: the provinces add up to the country.
        assert sum(p["cumulative"] for p in provinces) == national["cumulative"]
        assert all(p["cumulative"] == year["provinces"][p["area"]]["cumulative"] for p in provinces)
    header = run_cli(["export", "--what", "progress"], kb).stdout.splitlines()[0]
    assert header.startswith("year,area,recognitions,municipalities_recognised,municipalities_withdrawn,cumulative,municipalities,share,kortdurend_zorgverlof,")


def test_progress_as_a_table_on_the_terminal(kb) -> None:
    years = _coverage(kb, "--by-year")["years"]
    lines = run_cli(["coverage", "--by-year"], kb).stdout.splitlines()
    assert lines[0] == "year   recognised  municipalities  withdrawn  cumulative   share"
    first = years[0]
    assert lines[1] == (
        f"{first['year']:<6}{first['recognitions']:>11}{first['municipalities_recognised']:>16}"
        f"{first['municipalities_withdrawn']:>11}{first['cumulative']:>12}"
        f"{first['cumulative'] / 342:>8.1%}"
    )
    assert lines[1] == "2011            1               1          0           1    0.3%"
    assert len(lines) == len(years) + 2
    assert lines[-1] == (
        "target 60% of 342 municipalities; 0 recognised without a date; "
        "--json for provinces and regulations"
    )
