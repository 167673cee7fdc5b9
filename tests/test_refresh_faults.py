"""A refresh against a site that misbehaves: every failure reported with its URL, nothing
stored ever lost or changed by a failure, and the site treated politely."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import lock_held_elsewhere, run_cli
from tests.faultsite import FaultSite, profile_html, serve_faults
from wmkb.harvester.errors import LockedError
from wmkb.harvester.fetch import FetchSettings
from wmkb.harvester.models import Organisation
from wmkb.harvester.refresh import RefreshOptions, refresh
from wmkb.harvester.store import open_database

USER_AGENT = "wmkb-test (+https://example.org/contact)"


def _options(site: FaultSite, **overrides) -> RefreshOptions:
    fetch = FetchSettings(
        user_agent=USER_AGENT,
        concurrency=4,
        delay_s=0.0,
        read_timeout_s=0.5,
        connect_timeout_s=1.0,
        max_page_bytes=100_000,
        retries=1,
        backoff_s=0.05,
    )
    return RefreshOptions(site=site.origin + "/", fetch=fetch, **overrides)


def _stored(engine) -> dict[str, tuple]:
    with Session(engine) as session:
        return {
            org.name: (org.status, org.record_hash, [p.text for p in org.practices])
            for org in session.scalars(select(Organisation))
        }


@pytest.fixture
def fault_site():
    site = FaultSite(
        pages={
            "/org/a/": profile_html("Gemeente Aaheim"),
            "/org/b/": profile_html("Zorggroep Bee", employees=900),
        }
    )
    with serve_faults(site):
        yield site


def test_every_fault_is_reported_with_its_url_and_the_refresh_completes(
    fault_site, new_kb
) -> None:
    engine = open_database(new_kb.db_url, create=True)
    summary = refresh(engine, _options(fault_site, failure_threshold=1.0))
    assert set(_stored(engine)) == {"Gemeente Aaheim", "Zorggroep Bee"}
    failed = dict(summary.failures)
    origin = fault_site.origin
    for fault, reason in (
        ("500", "HTTP 500"),
        ("503", "HTTP 503"),
        ("429", "HTTP 429"),
        ("slow", "timed out"),
        ("reset", "connection failed"),
        ("truncated", "connection failed"),
        ("huge", "larger than 100,000 bytes"),
        ("gzipbomb", "larger than 100,000 bytes"),
        ("loop", "redirect loop"),
        ("offsite", "redirects to another site"),
    ):
        assert reason in failed[f"{origin}/fault/{fault}"], fault
    assert f"{origin}/fault/badcharset" not in failed  # read with replacement characters
    assert f"{origin}/fault/pdf" not in failed and summary.counts["not_html"] == 1
    assert not fault_site.requested("/private/secret/")
    assert not fault_site.requested("/brochure.pdf")
    assert summary.counts["robots_disallowed"] == 1
    assert len(fault_site.requested("/fault/500")) == 2  # one retry
    assert summary.complete


def test_retry_after_is_honoured(fault_site, new_kb) -> None:
    engine = open_database(new_kb.db_url, create=True)
    refresh(engine, _options(fault_site, failure_threshold=1.0))
    (first, _), (second, _) = fault_site.requested("/fault/503")
    assert second - first >= 0.9  # Retry-After: 1


def test_the_crawler_identifies_itself_and_keeps_its_distance(fault_site, new_kb) -> None:
    fault_site.robots += "Crawl-delay: 0.1\n"
    engine = open_database(new_kb.db_url, create=True)
    refresh(engine, _options(fault_site, failure_threshold=1.0))
    with fault_site.lock:
        moments = sorted(moment for _, moment, _ in fault_site.requests)
        agents = {headers.get("User-Agent") for _, _, headers in fault_site.requests}
    assert agents == {USER_AGENT}
    # robots.txt's Crawl-delay holds across all four workers. Arrival times jitter by a few
    # milliseconds, so the check is on the whole span and the typical gap, not the smallest.
    after_robots = moments[1:]
    gaps = [later - earlier for earlier, later in zip(after_robots, after_robots[1:], strict=False)]
    assert after_robots[-1] - after_robots[0] >= 0.1 * len(gaps) * 0.95
    assert sorted(gaps)[len(gaps) // 2] >= 0.095


def test_a_failed_fetch_never_changes_what_is_stored(fault_site, new_kb) -> None:
    engine = open_database(new_kb.db_url, create=True)
    refresh(engine, _options(fault_site, failure_threshold=1.0))
    before = _stored(engine)
    for fault in ("500", "slow", "reset", "truncated", "huge", "loop"):
        fault_site.behaviour["/org/a/"] = fault
        summary = refresh(engine, _options(fault_site, failure_threshold=1.0))
        assert f"{fault_site.origin}/org/a/" in dict(summary.failures), fault
        assert _stored(engine) == before, fault
        assert summary.withdrawn == 0


def test_change_withdraw_and_reappear(fault_site, new_kb) -> None:
    kb = new_kb
    engine = open_database(kb.db_url, create=True)
    options = _options(fault_site, failure_threshold=1.0)
    refresh(engine, options)

    fault_site.pages["/org/b/"] = profile_html(
        "Zorggroep Bee",
        employees=950,
        awareness=("Workshop voor leidinggevenden", "Mantelzorgcafé"),
    )
    summary = refresh(engine, options)
    assert (summary.changed, summary.unchanged) == (1, 1)
    history = json.loads(run_cli(["show", "Zorggroep Bee", "--json"], kb).stdout)["history"]
    fields = {change["field"]: change for change in history}
    assert fields["employees"]["old"] == "900" and fields["employees"]["new"] == "950"
    assert fields["sections.awareness"]["new"] == ["Mantelzorgcafé"]
    assert fields["sections.awareness"]["old"] == []

    fault_site.behaviour["/org/b/"] = "410"
    assert refresh(engine, options).withdrawn == 1
    assert _stored(engine)["Zorggroep Bee"][0] == "withdrawn"

    del fault_site.behaviour["/org/b/"]
    refresh(engine, options)
    assert _stored(engine)["Zorggroep Bee"][0] == "active"

    fault_site.unlinked.add("/org/a/")  # no longer found by a crawl that completes
    summary = refresh(engine, options)
    assert summary.complete and summary.withdrawn == 1
    assert _stored(engine)["Gemeente Aaheim"][0] == "withdrawn"

    changes = json.loads(run_cli(["changes", "--json"], kb).stdout)
    statuses = [(c["name"], c["old"], c["new"]) for c in changes if c["field"] == "status"]
    assert statuses[:3] == [
        ("Gemeente Aaheim", "active", "withdrawn"),
        ("Zorggroep Bee", "withdrawn", "active"),
        ("Zorggroep Bee", "active", "withdrawn"),
    ]


def test_an_incomplete_crawl_withdraws_nothing(fault_site, new_kb) -> None:
    engine = open_database(new_kb.db_url, create=True)
    refresh(engine, _options(fault_site, failure_threshold=1.0))
    fault_site.unlinked.add("/org/a/")
    summary = refresh(engine, _options(fault_site))  # the faults push failures over 10%
    assert not summary.complete
    assert summary.withdrawn == 0
    assert _stored(engine)["Gemeente Aaheim"][0] == "active"
    fault_site.behaviour["/"] = "503"  # the start page itself fails
    summary = refresh(engine, _options(fault_site, failure_threshold=1.0))
    assert not summary.complete and summary.withdrawn == 0


def test_a_second_refresh_waits_for_nobody(fault_site, new_kb) -> None:
    kb = new_kb
    engine = open_database(kb.db_url, create=True)
    with lock_held_elsewhere(kb) as holder:
        with pytest.raises(LockedError):
            refresh(engine, _options(fault_site))
        result = run_cli(["refresh", "--site", fault_site.origin + "/", "--delay", "0"], kb)
    assert result.exit_code == 75
    assert f"another refresh is running on this knowledge base (pid {holder}" in result.output
    assert _stored(engine) == {}
    # Whether the site answers is asked before the knowledge base is touched; nothing more.
    assert [path for path, *_ in fault_site.requests] == ["/robots.txt"]
