"""What a refresh could not read: the keeper's to-do list. A doubt is never an error."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from tests.conftest import FIXTURE_SITE, run_cli
from tests.test_web import web_client
from wmkb.harvester import doubts
from wmkb.harvester.doubts import Doubt, from_json, from_text, listed_doubts, to_json
from wmkb.harvester.errors import WmkbError
from wmkb.harvester.pipeline import read
from wmkb.harvester.sitehost import serve_folder
from wmkb.web import labels

ORIGIN = "https://www.werkenmantelzorg.nl"
OVERVIEW = "erkende-organisaties/index.html"

# A profile whose practices are only in a PDF: its page has the name, the dates and a link.
PDF_PROFILE = """<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8">
<title>Gemeente Pdfdorp | Werk&amp;Mantelzorg</title></head><body>
<main><h1>Gemeente Pdfdorp</h1>
<p>Erkend mantelzorgvriendelijk sinds: 12 maart 2020</p>
<p>Gemeente Pdfdorp telt ruim 20.000 inwoners.</p>
<p>Wat wij doen voor werkende mantelzorgers leest u in
<a href="/downloads/pdfdorp-aanpak.pdf">onze aanpak (PDF)</a>.</p>
</main></body></html>"""


def _profile(body: str) -> str:
    return f"""<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>x</title>
</head><body><main><h1>Gemeente Twijfelaar</h1>{body}
<h2>Welke regelingen en maatwerkoplossingen biedt u?</h2><ul><li>Thuiswerken</li></ul>
</main></body></html>"""


def _doubts(html: str) -> list[str]:
    found = read(html.encode(), ORIGIN + "/erkende-organisaties/x/").doubts
    return [doubt.text() for doubt in found]


def test_a_profile_without_a_recognition_date_is_doubted() -> None:
    assert _doubts(_profile("<p>Ambassadeur sinds: 3 mei 2015</p>")) == [
        "profile without a recognition date"
    ]


def test_a_headcount_sentence_without_a_number_read_is_doubted() -> None:
    page = _profile(
        "<p>Erkend sinds: 3 mei 2015</p><p>Bij ons werken ruim driehonderd medewerkers.</p>"
    )
    assert _doubts(page) == [
        "states a headcount that could not be read: 'Bij ons werken ruim driehonderd medewerkers.'"
    ]
    carers = "<p>Erkend sinds: 3 mei 2015</p><p>Maar liefst 120 medewerkers zijn mantelzorger.</p>"
    assert _doubts(_profile(carers)) == []  # carers among the staff: no headcount, no doubt


def test_a_key_fact_that_is_no_number_is_doubted() -> None:
    page = _profile("<p>Erkend sinds: 3 mei 2015</p><p>Aantal medewerkers: enkele honderden</p>")
    assert _doubts(page) == ["its headcount 'enkele honderden' could not be read as a number"]


def test_a_page_with_a_recognition_date_but_no_questions_is_doubted() -> None:
    found = read(PDF_PROFILE.encode(), ORIGIN + "/erkende-organisaties/gemeente-pdfdorp/")
    assert found.record.kind == "other"
    assert [doubt.text() for doubt in found.doubts] == [
        "states a recognition date (12 maart 2020) like a profile, but none of the profile's "
        "questions was read, so it was not read as one"
    ]


def test_a_page_an_overview_lists_with_the_profiles_is_doubted_when_not_read_as_one() -> None:
    pages = {
        "https://x/o/": ("other", ["https://x/o/a/", "https://x/o/b/", "https://x/o/c/",
                                   "https://x/o/page/2/", "https://x/nieuws/", "https://x/o/d/"]),
        "https://x/o/a/": ("profile", []),
        "https://x/o/b/": ("profile", []),
        "https://x/o/c/": ("profile", []),
        "https://x/o/d/": ("other", []),
        "https://x/o/page/2/": ("other", []),
        "https://x/nieuws/": ("other", ["https://x/o/a/", "https://x/o/b/"]),
    }
    assert listed_doubts(pages) == {
        "https://x/o/d/": Doubt("listed_as_organisation", {"overview": "https://x/o/"})
    }
    assert listed_doubts(pages)["https://x/o/d/"].text() == (
        "an overview lists it with the organisations (https://x/o/), "
        "but it was not read as a profile"
    )
    pages["https://x/o/"] = ("other", ["https://x/o/a/", "https://x/o/b/", "https://x/o/d/"])
    assert listed_doubts(pages) == {}  # two profiles make no overview


@pytest.fixture
def planted_site(tmp_path: Path) -> Path:
    """The fixture site with a profile the reader cannot read, linked from the overview."""
    site = tmp_path / "site"
    shutil.copytree(FIXTURE_SITE, site)
    (site / "erkende-organisaties/gemeente-pdfdorp").mkdir()
    (site / "erkende-organisaties/gemeente-pdfdorp/index.html").write_text(PDF_PROFILE)
    overview = site / OVERVIEW
    text = overview.read_text(encoding="utf-8")
    link = f'<a href="{ORIGIN}/erkende-organisaties/gemeente-pdfdorp/">Gemeente Pdfdorp</a>'
    overview.write_text(text.replace("</main>", f"<p>{link}</p></main>", 1), encoding="utf-8")
    return site


def test_a_planted_profile_only_in_a_pdf_is_on_the_list_and_the_refresh_still_succeeds(
    planted_site, new_kb
) -> None:
    with serve_folder(planted_site) as origin:
        args = ["refresh", "--site", origin + "/", "--delay", "0"]
        result = run_cli([*args, "--json"], new_kb)
        assert result.exit_code == 0, result.output
        summary = json.loads(result.stdout)
        assert summary["doubts"] == 2 and summary["failed"] == 0
        again = run_cli(args, new_kb)  # nothing changed: the page is skipped, still doubted
    assert again.exit_code == 0
    assert "  doubts            2\n" in again.output
    assert "2 doubts: `wmkb doubts` lists them" in again.output

    listed = json.loads(run_cli(["doubts", "--json"], new_kb).stdout)
    url = f"{origin}/erkende-organisaties/gemeente-pdfdorp/"
    assert [(d["url"], d["reason"].split(" ", 2)[:2]) for d in listed] == [
        (url, ["an", "overview"]),
        (url, ["states", "a"]),
    ]
    assert [(d["kind"], d["values"]) for d in listed] == [
        ("listed_as_organisation", {"overview": f"{origin}/erkende-organisaties/"}),
        ("recognition_date_without_questions", {"date": "12 maart 2020"}),
    ]
    assert {d["run_id"] for d in listed} == {summary["run_id"] + 1}
    text = run_cli(["doubts"], new_kb).output
    overview = f"{origin}/erkende-organisaties/"
    assert f"{url}: an overview lists it with the organisations ({overview})" in text
    stats = run_cli(["stats"], new_kb)
    assert "doubts             2\n" in stats.output
    assert json.loads(run_cli(["stats", "--json"], new_kb).stdout)["doubts"] == 2

    client = web_client(new_kb)
    overview = HTMLParser(client.get("/overzicht").text)
    assert overview.css_first("p.doubts-link a").text().split() == ["2", "twijfels"]
    cells = [td.text() for td in HTMLParser(client.get("/twijfels").text).css("table.doubts td")]
    assert cells[0] == url and cells[1] == (
        f"Een overzicht ({origin}/erkende-organisaties/) noemt deze pagina tussen de erkende "
        "organisaties, maar ze werd niet als profiel gelezen"
    )
    assert cells[3].startswith("Noemt een erkenningsdatum (12 maart 2020) zoals een profiel")


def test_a_refresh_of_the_fixture_site_has_no_doubts(refreshed) -> None:
    kb, summary = refreshed
    assert summary["doubts"] == 0
    assert json.loads(run_cli(["doubts", "--json"], kb).stdout) == []
    assert run_cli(["doubts"], kb).output == "no doubts\n"


def test_doubts_before_any_refresh(new_kb) -> None:
    run_cli(["db", "upgrade"], new_kb)
    result = run_cli(["doubts", "--json"], new_kb)
    assert result.exit_code == 0 and json.loads(result.stdout) == []


# Each kind of doubt, worded in English (the CLI, the stored reason) and in Dutch (the web page).
WORDED = [
    (
        Doubt("listed_as_organisation", {"overview": "https://x/o/"}),
        "an overview lists it with the organisations (https://x/o/), "
        "but it was not read as a profile",
        "Een overzicht (https://x/o/) noemt deze pagina tussen de erkende organisaties, "
        "maar ze werd niet als profiel gelezen",
    ),
    (
        Doubt("recognition_date_without_questions", {"date": "12 maart 2020"}),
        "states a recognition date (12 maart 2020) like a profile, but none of the profile's "
        "questions was read, so it was not read as one",
        "Noemt een erkenningsdatum (12 maart 2020) zoals een profiel, maar geen van de vragen "
        "van een profiel werd gelezen; daarom niet als profiel gelezen",
    ),
    (
        Doubt("no_organisation_name", {}),
        "reads like a profile, but names no organisation, so it was not read as one",
        "Leest als een profiel, maar noemt geen organisatie; daarom niet als profiel gelezen",
    ),
    (
        Doubt("no_recognition_date", {}),
        "profile without a recognition date",
        "Profiel zonder erkenningsdatum",
    ),
    (
        Doubt("date_not_read", {"fact": "recognised_since", "value": "ergens in 2015"}),
        "its recognition date 'ergens in 2015' could not be read as a date",
        "Als erkenningsdatum staat er ‘ergens in 2015’, en dat kon niet als datum worden gelezen",
    ),
    (
        Doubt("date_not_read", {"fact": "ambassador_since", "value": "binnenkort"}),
        "its ambassador date 'binnenkort' could not be read as a date",
        "Als datum van ambassadeurschap staat er ‘binnenkort’, en dat kon niet als datum "
        "worden gelezen",
    ),
    (
        Doubt("number_not_read", {"fact": "employees", "value": "enkele honderden"}),
        "its headcount 'enkele honderden' could not be read as a number",
        "Als aantal medewerkers staat er ‘enkele honderden’, en dat kon niet als getal worden "
        "gelezen",
    ),
    (
        Doubt("number_not_read", {"fact": "inhabitants", "value": "vele duizenden"}),
        "its number of inhabitants 'vele duizenden' could not be read as a number",
        "Als aantal inwoners staat er ‘vele duizenden’, en dat kon niet als getal worden gelezen",
    ),
    (
        Doubt("headcount_not_read", {"sentence": "Bij ons werken ruim driehonderd mensen."}),
        "states a headcount that could not be read: 'Bij ons werken ruim driehonderd mensen.'",
        "Noemt een aantal medewerkers dat niet als getal kon worden gelezen: "
        "‘Bij ons werken ruim driehonderd mensen.’",
    ),
    (
        Doubt("other", {"reason": "a reason worded by an older wmkb"}),
        "a reason worded by an older wmkb",
        "Reden zoals vastgelegd (in het Engels): a reason worded by an older wmkb",
    ),
]


def test_every_kind_of_doubt_is_worded_in_both_languages() -> None:
    assert {doubt.kind for doubt, _, _ in WORDED} == set(doubts.KINDS)


@pytest.mark.parametrize(("doubt", "english", "dutch"), WORDED, ids=lambda x: getattr(x, "kind", ""))
def test_a_doubt_in_english_and_in_dutch(doubt: Doubt, english: str, dutch: str) -> None:
    assert doubt.text() == english
    assert labels.doubt(doubt.kind, doubt.values) == dutch


@pytest.mark.parametrize(("doubt", "english", "dutch"), WORDED, ids=lambda x: getattr(x, "kind", ""))
def test_a_stored_reason_reads_back_as_its_kind_and_values(
    doubt: Doubt, english: str, dutch: str
) -> None:
    assert from_text(english) == doubt
    assert from_json(to_json([doubt])) == [doubt]


def test_a_page_stored_before_the_kinds_reads_its_doubts_by_their_wording() -> None:
    stored = json.dumps(["profile without a recognition date", "something else entirely"])
    assert from_json(stored) == [
        Doubt("no_recognition_date", {}),
        Doubt("other", {"reason": "something else entirely"}),
    ]
    assert from_json(None) == [] and to_json([]) is None


def test_a_wording_without_every_kind_or_with_other_values_is_refused() -> None:
    english = {"reasons": dict(doubts.english().reasons), "facts": dict(doubts.english().facts)}
    missing = {**english, "reasons": {k: v for k, v in english["reasons"].items() if k != "other"}}
    with pytest.raises(WmkbError, match="the doubts' kinds are"):
        doubts.wording(missing, "x.toml")
    wrong = {**english, "reasons": {**english["reasons"], "no_recognition_date": "{date}"}}
    with pytest.raises(WmkbError, match="the doubt 'no_recognition_date' takes"):
        doubts.wording(wrong, "x.toml")
    with pytest.raises(WmkbError, match="needs \\[reasons\\] and \\[facts\\]"):
        doubts.wording({}, "x.toml")
