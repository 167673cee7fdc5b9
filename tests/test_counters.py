"""The refresh's counters: declared once (harvester/counters.py), a misspelt one an error,
stored on the run, and shown by the refresh's summary and `wmkb stats`."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import run_cli
from wmkb.harvester.counters import Count, Counters
from wmkb.harvester.models import RefreshRun
from wmkb.harvester.refresh import HEADLINE
from wmkb.harvester.store import open_database


def test_a_misspelt_counter_is_an_error_not_a_new_key() -> None:
    counters = Counters()
    with pytest.raises(AttributeError):
        counters.add(Count.RETIRED)
    with pytest.raises(TypeError, match="not a counter declared"):
        counters.add("retried")
    with pytest.raises(ValueError, match="failed is counted by reason"):
        counters.add(Count.FAILED)
    with pytest.raises(ValueError, match="retried is counted without a reason"):
        counters.add(Count.RETRIED, reason="timeout")
    assert counters.as_json() == {}


def test_counters_show_in_the_declarations_order_each_with_its_reasons() -> None:
    counters = Counters()
    counters.add(Count.FAILED, reason="timeout")
    counters.add(Count.REQUESTS, 3)
    counters.add(Count.FAILED, 2, reason="http_500")
    other = Counters()
    other.add(Count.REQUESTS)
    counters.update(other)
    assert list(counters.as_json().items()) == [
        ("requests", 4),
        ("failed", 3),
        ("failed/http_500", 2),
        ("failed/timeout", 1),
    ]
    assert counters[Count.FAILED] == 3 and counters[Count.RETRIED] == 0


def test_every_counter_has_a_meaning_and_a_key_of_its_own() -> None:
    keys = [count.key for count in Count]
    assert len(keys) == len(set(keys))
    assert all(count.meaning and "/" not in count.key for count in Count)


def test_the_run_stores_its_counters_and_the_summary_shows_them(refreshed) -> None:
    kb, summary = refreshed
    with Session(open_database(kb.db_url)) as session:
        run = session.get(RefreshRun, summary["run_id"])
        stored = run.counters
    assert stored["requests"] >= stored["fetched"] == summary["fetched"] > 0
    assert stored["new"] == summary["new"] == 30
    assert stored["robots_disallowed"] == summary["counts"]["robots_disallowed"] >= 1
    assert stored["read_in_second_process"] == summary["counts"]["read_in_second_process"]
    assert stored["archive"] == sum(
        number for key, number in stored.items() if key.startswith("archive/")
    )
    # The summary's JSON says each number once: the headline, then the other counters.
    headline = {count.key for count in HEADLINE}
    assert not headline & set(summary["counts"])
    assert stored == {**{key: summary[key] for key in headline if summary[key]}, **summary["counts"]}


def test_stats_shows_the_last_runs_counters(refreshed) -> None:
    kb, summary = refreshed
    numbers = json.loads(run_cli(["stats", "--json"], kb).stdout)
    counters = numbers["last_refresh"]["counters"]
    assert counters["fetched"] == summary["fetched"]
    assert counters["requests"] == summary["counts"]["requests"]
    lines = run_cli(["stats"], kb).output.splitlines()
    shown = lines[lines.index("counters:") + 1 :]
    assert [line.split() for line in shown] == [[key, str(n)] for key, n in counters.items()]


def test_the_refresh_summary_prints_its_counters(site, new_kb) -> None:
    result = run_cli(["refresh", "--site", site + "/", "--delay", "0"], new_kb)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[1].split() == ["fetched", str(_stored_counters(new_kb)["fetched"])]
    requests = _stored_counters(new_kb)["requests"]
    assert "counters:" in lines
    assert any(line.split() == ["requests", str(requests)] for line in lines)
    assert any(line.split()[0] == "robots_disallowed" for line in lines[10:])


def _stored_counters(kb) -> dict[str, int]:
    with Session(open_database(kb.db_url)) as session:
        return session.scalars(select(RefreshRun.counters).order_by(RefreshRun.id.desc())).first()
