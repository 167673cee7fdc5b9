"""A refresh from the fixture site over real HTTP on loopback: what a cron job does."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import gold_profiles, run_cli
from wmkb.harvester.models import Organisation, Page
from wmkb.harvester.store import open_database


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
