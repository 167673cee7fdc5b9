"""A site that moves keeps its organisations: the fixture site served at another origin, with
its profile pages renamed, and with the old addresses redirected, refreshed over real HTTP."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import FIXTURE_SITE, gold_profiles, make_kb, run_cli
from tests.faultsite import FaultSite, profile_html, serve_faults
from wmkb.harvester.models import Change, Organisation, Page
from wmkb.harvester.sitehost import serve_folder
from wmkb.harvester.store import open_database

PROFILES = "/erkende-organisaties/"


def _refresh(kb, origin: str) -> dict:
    result = run_cli(["refresh", "--site", origin + "/", "--delay", "0", "--json"], kb)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _organisations(kb) -> dict[str, tuple]:
    """name → (slug, url, first_seen, status, its changes of url)"""
    with Session(open_database(kb.db_url)) as session:
        return {
            org.name: (
                org.slug,
                org.url,
                org.first_seen,
                org.status,
                [(c.old_value, c.new_value) for c in org.changes if c.field == "url"],
            )
            for org in session.scalars(select(Organisation))
        }


def _renamed_site(tmp_path: Path, *, links_too: bool) -> tuple[Path, dict[str, str]]:
    """A copy of the fixture site whose CMS serves "/erkende-organisaties/x/" as
    "/organisaties/x.html"; with links_too, every page links to the new addresses, else only
    the moved pages and the sitemap know them. Returns the copy and each old path's new one."""
    copy = tmp_path / "moved-site"
    shutil.copytree(FIXTURE_SITE, copy)
    moved = {}
    for page in sorted((copy / PROFILES.strip("/")).glob("*/index.html")):
        name = page.parent.name
        if name == "page":
            continue
        moved[f"{PROFILES}{name}/"] = f"/organisaties/{name}.html"
    (copy / "organisaties").mkdir()
    for old, new in moved.items():
        folder = copy / old.strip("/")
        shutil.move(folder / "index.html", copy / new.lstrip("/"))
        shutil.rmtree(folder)
    for page in copy.rglob("*"):
        # The CMS writes its sitemap and the moved pages; other pages may keep the old links.
        rewritten = page.parent.name == "organisaties" or page.name == "sitemap.xml"
        if page.suffix not in (".html", ".xml") or not (links_too or rewritten):
            continue
        body = page.read_bytes()  # some pages are windows-1252: bytes, not text
        for old, new in moved.items():
            body = body.replace(old.encode(), new.encode())
        page.write_bytes(body)
    return copy, moved


def _assert_followed(before: dict, after: dict, second: dict, moved: int) -> None:
    """The same organisations, with their slugs and first_seen; `moved` of them at a new URL,
    each with one change of url, the others as they were."""
    assert set(after) == set(before)
    assert second["new"] == 0 and second["withdrawn"] == 0
    assert second["changed"] == second["counts"]["moved"] == moved
    for name, (slug, url, first_seen, status, url_changes) in after.items():
        old_slug, old_url, old_first_seen, _, _ = before[name]
        assert (slug, first_seen, status) == (old_slug, old_first_seen, "active"), name
        assert url_changes == ([(old_url, url)] if url != old_url else []), name
    assert sum(1 for name in after if after[name][1] != before[name][1]) == moved


def test_a_site_at_a_new_origin_is_followed_not_withdrawn(site, new_kb) -> None:
    first = _refresh(new_kb, site)
    before = _organisations(new_kb)
    assert first["new"] == len(before) == len(gold_profiles())
    with serve_folder(FIXTURE_SITE) as elsewhere:
        second = _refresh(new_kb, elsewhere)
    after = _organisations(new_kb)
    _assert_followed(before, after, second, moved=len(before))
    assert all(url.startswith(elsewhere + "/") for _, url, *_ in after.values())
    show = json.loads(run_cli(["show", "gemeente-aa-en-hunze", "--json"], new_kb).stdout)
    assert show["url"] == f"{elsewhere}/erkende-organisaties/gemeente-aa-en-hunze/"
    assert [c["field"] for c in show["history"]].count("url") == 1


def test_renamed_profile_pages_without_redirects_are_followed(tmp_path) -> None:
    kb = make_kb(tmp_path / "kb")
    moved_site, moved = _renamed_site(tmp_path, links_too=True)
    with serve_folder(FIXTURE_SITE) as origin:
        _refresh(kb, origin)
    before = _organisations(kb)
    port = int(origin.rsplit(":", 1)[1])
    with serve_folder(moved_site, port=port):  # the same address, a new CMS
        second = _refresh(kb, origin)
    after = _organisations(kb)
    _assert_followed(before, after, second, moved=len(moved))
    hunze = after["Gemeente Aa en Hunze"]
    assert hunze[1] == f"{origin}/organisaties/gemeente-aa-en-hunze.html"


def test_old_addresses_redirected_to_the_new_ones_are_followed(tmp_path) -> None:
    kb = make_kb(tmp_path / "kb")
    moved_site, moved = _renamed_site(tmp_path, links_too=False)
    with serve_folder(FIXTURE_SITE) as origin:
        _refresh(kb, origin)
    before = _organisations(kb)
    port = int(origin.rsplit(":", 1)[1])
    with serve_folder(moved_site, port=port, redirects=moved):
        second = _refresh(kb, origin)
    after = _organisations(kb)
    _assert_followed(before, after, second, moved=len(moved))
    with Session(open_database(kb.db_url)) as session:
        redirected = {
            page.final_url
            for page in session.scalars(select(Page))
            if PROFILES in page.url and page.final_url != page.url
        }
    assert f"{origin}/organisaties/gemeente-hunsmeer.html" in redirected


def test_two_organisations_that_share_a_name_stay_two(tmp_path) -> None:
    """Stichting Thuiszorg Heuvelrand leaves; another foundation of that name, on a page of its
    own, is recognised: the one is withdrawn, the other is new."""
    kb = make_kb(tmp_path / "kb")
    copy = tmp_path / "site"
    shutil.copytree(FIXTURE_SITE, copy)
    old = copy / "erkende-organisaties" / "stichting-thuiszorg-heuvelrand"
    other = copy / "erkende-organisaties" / "stichting-thuiszorg-heuvelrand-zuid"
    with serve_folder(copy) as origin:
        _refresh(kb, origin)
        before = _organisations(kb)
        shutil.move(old, other)
        page = other / "index.html"
        html = page.read_bytes().replace(  # a windows-1252 page
            b"stichting-thuiszorg-heuvelrand/", b"stichting-thuiszorg-heuvelrand-zuid/"
        )
        page.write_bytes(html)
        for listing in (copy / "sitemap.xml", copy / "erkende-organisaties" / "index.html"):
            text = listing.read_text(encoding="utf-8")
            listing.write_text(
                text.replace("thuiszorg-heuvelrand/", "thuiszorg-heuvelrand-zuid/"),
                encoding="utf-8",
            )
        second = _refresh(kb, origin)
    assert second["new"] == 1 and second["withdrawn"] == 1
    with Session(open_database(kb.db_url)) as session:
        both = session.scalars(
            select(Organisation).where(Organisation.name == "Stichting Thuiszorg Heuvelrand")
        ).all()
        assert sorted((org.slug, org.status) for org in both) == [
            ("stichting-thuiszorg-heuvelrand", "withdrawn"),
            ("stichting-thuiszorg-heuvelrand-zuid", "active"),
        ]
        assert not session.scalars(select(Change).where(Change.field == "url")).all()
    assert before["Stichting Thuiszorg Heuvelrand"][3] == "active"


def test_a_newcomer_that_could_be_either_of_two_is_not_guessed(tmp_path) -> None:
    """Two foundations of one name, on pages of one name, leave; one of that name arrives. It
    could be either: neither history is given to it, and the run says so."""
    kb = make_kb(tmp_path / "kb")
    twins = {
        "/regio-noord/zorggroep-de-linde/": profile_html("Zorggroep De Linde"),
        "/regio-zuid/zorggroep-de-linde/": profile_html("Zorggroep De Linde", employees=80),
    }
    staying = {f"/org/{name}/": profile_html(f"Gemeente {name}") for name in ("Aa", "Bee", "Cee")}
    site = FaultSite(pages={**twins, **staying}, link_faults=False)
    with serve_faults(site):
        assert _refresh(kb, site.origin)["new"] == 5
        site.pages["/organisaties/zorggroep-de-linde/"] = profile_html("Zorggroep De Linde")
        site.unlinked.update(twins)
        second = _refresh(kb, site.origin)
    assert second["counts"]["move_ambiguous"] == 1
    assert (second["new"], second["withdrawn"]) == (1, 2)
    assert "moved" not in second["counts"]
