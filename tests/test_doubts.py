"""What a refresh could not read: the keeper's to-do list. A doubt is never an error."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from tests.conftest import FIXTURE_SITE, run_cli
from tests.test_web import web_client
from wmkb.harvester.doubts import listed_doubts
from wmkb.harvester.pipeline import read
from wmkb.harvester.sitehost import serve_folder

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
    return read(html.encode(), ORIGIN + "/erkende-organisaties/x/").doubts


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
    assert found.doubts == [
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
        "https://x/o/d/": "an overview lists it with the organisations (https://x/o/), "
        "but it was not read as a profile"
    }
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
    assert cells[0] == url and cells[1].startswith("an overview lists it")


def test_a_refresh_of_the_fixture_site_has_no_doubts(refreshed) -> None:
    kb, summary = refreshed
    assert summary["doubts"] == 0
    assert json.loads(run_cli(["doubts", "--json"], kb).stdout) == []
    assert run_cli(["doubts"], kb).output == "no doubts\n"


def test_doubts_before_any_refresh(new_kb) -> None:
    run_cli(["db", "upgrade"], new_kb)
    result = run_cli(["doubts", "--json"], new_kb)
    assert result.exit_code == 0 and json.loads(result.stdout) == []
