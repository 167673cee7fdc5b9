"""A refresh from the fixture site over real HTTP on loopback: what a cron job does."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import gold_profiles, run_cli
from tests.faultsite import FaultSite, profile_html, serve_faults
from wmkb.harvester.fetch import FetchSettings
from wmkb.harvester.models import Organisation, Page
from wmkb.harvester.refresh import RefreshOptions, refresh_and_index
from wmkb.harvester.store import knowledge_base_version, open_database
from wmkb.index.directory import index_version
from wmkb.index.query import search


def _organisations(kb) -> dict[str, Organisation]:
    with Session(open_database(kb.db_url)) as session:
        return {org.name: org for org in session.scalars(select(Organisation))}


def test_every_profile_is_found_once_and_nothing_else(refreshed) -> None:
    kb, summary = refreshed
    expected = {record["name"] for record in gold_profiles().values()}
    stored = _organisations(kb)
    assert set(stored) == expected  # news, knowledge base and overview pages are not profiles
    assert summary["new"] == len(expected)
    assert summary["failed"] == 0
    assert summary["complete"] is True


def test_profiles_are_stored_as_their_gold_records(refreshed) -> None:
    kb, _ = refreshed
    for path, gold in gold_profiles().items():
        result = run_cli(["show", gold["name"], "--json"], kb)
        assert result.exit_code == 0, result.output
        stored = json.loads(result.stdout)
        for field in (
            "org_type",
            "recognised_since",
            "employees",
            "website",
            "sections",
            "regulations",
        ):
            assert stored[field] == gold[field], (path, field)
        assert stored["status"] == "active"


def test_one_organisation_one_url_whatever_the_links_say(refreshed) -> None:
    kb, _ = refreshed
    urls = [org.url for org in _organisations(kb).values()]
    assert len(urls) == len(set(urls))
    assert not any("utm_" in url or "#" in url or "print=" in url for url in urls)
    hunsmeer = _organisations(kb)["Gemeente Hunsmeer"]
    assert hunsmeer.url.endswith("/erkende-organisaties/gemeente-hunsmeer/")


def test_robots_and_the_site_boundary_are_respected(refreshed) -> None:
    kb, summary = refreshed
    with Session(open_database(kb.db_url)) as session:
        fetched = list(session.scalars(select(Page.url)))
    assert not any("/zoeken/" in url for url in fetched)
    assert all(url.startswith("http://127.0.0.1:") for url in fetched)
    assert not any(url.endswith(".pdf") for url in fetched)
    assert summary["counts"]["robots_disallowed"] >= 1


def test_old_cms_profiles_are_found_by_following_links(refreshed) -> None:
    kb, _ = refreshed
    assert _organisations(kb)["ROC Westermark"].url.endswith(
        "/werkgevers/profiel/roc-westermark.html"
    )


def test_a_second_refresh_with_nothing_changed_reads_nothing_again(site, new_kb) -> None:
    kb = new_kb
    first = json.loads(
        run_cli(["refresh", "--site", site + "/", "--delay", "0", "--json"], kb).output
    )
    second = json.loads(
        run_cli(["refresh", "--site", site + "/", "--delay", "0", "--json"], kb).output
    )
    assert second["new"] == second["changed"] == second["withdrawn"] == second["failed"] == 0
    assert second["fetched"] == 0  # every page: skipped by lastmod or answered 304
    assert second["not_modified"] + second["skipped"] >= first["fetched"]
    assert second["complete"] is True
    assert len(_organisations(kb)) == first["new"]



def test_a_script_that_refreshes_gets_an_up_to_date_index(new_kb, tmp_path) -> None:
    site = FaultSite(pages={"/org/a/": profile_html("Gemeente Aaheim")}, link_faults=False)
    engine = open_database(new_kb.db_url, create=True)
    index_dir = tmp_path / "index"
    with serve_faults(site):
        options = RefreshOptions(
            site=site.origin + "/",
            fetch=FetchSettings(user_agent="wmkb-test (+https://example.org/)", delay_s=0.0),
            archive_dir=tmp_path / "archive",
        )
        first = refresh_and_index(engine, options, index_dir)
        assert (first.new, first.complete) == (1, True)
        assert _indexed_as_stored(engine, index_dir)
        assert search(index_dir, "leidinggevenden").organisations == 1

        site.pages["/org/a/"] = profile_html("Gemeente Aaheim", awareness=("Mantelzorgcafé",))
        site.pages["/org/b/"] = profile_html("Zorggroep Bee")
        second = refresh_and_index(engine, options, index_dir)
    assert (second.new, second.changed) == (1, 1)
    assert _indexed_as_stored(engine, index_dir)
    assert search(index_dir, "leidinggevenden").organisations == 1  # Zorggroep Bee's alone
    assert search(index_dir, "mantelzorgcafé").organisations == 1


def _indexed_as_stored(engine, index_dir) -> bool:
    with Session(engine) as session:
        return index_version(index_dir) == knowledge_base_version(session) > 0
