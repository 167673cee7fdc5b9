"""The benchmark runs once at a tiny size so that it cannot rot. Speed is never a test: this
checks only that every figure is there and sane, never that a target is met."""

from __future__ import annotations

import json
import math
import re

from benchmarks.run import TARGETS, Config, run, run_startup, table, verdicts
from benchmarks.synthetic import SyntheticSite
from wmkb.harvester.pipeline import read

# Figures measured only when the bench extra (Scrapy, BeautifulSoup, lxml) is installed.
PEER_KEYS = {"scrapy_c16_pages_per_s", "crawl_c16_ratio_to_scrapy", "bs4_pages_per_s",
             "parse_ratio_to_bs4"}
KEYS = {
    "crawl_c4_pages_per_s", "crawl_c16_pages_per_s", "crawl_c16_ratio_to_limit",
    "parse_pages_per_s", "full_refresh_s", "unchanged_refresh_s", "unchanged_refresh_ratio",
    "index_build_docs_per_s", "index_update_1pct_s", "search_p50_ms_2k", "search_p95_ms_2k",
    "search_p50_ms_10k", "search_p95_ms_10k", "fts5_p50_ms_10k", "fts5_p95_ms_10k",
    "search_ratio_to_fts5_10k", "peak_rss_mb_10k", "peak_rss_mb_10k_incremental", "n_crawl",
    "n_parse", "n_refresh",
    "n_index_build", "n_index_update", "n_search_2k", "n_search_10k", "n_peak_rss_10k",
    "server_c16_pages_per_s", "startup_python_s", "startup_version_s", "startup_search_s",
    "startup_version_ratio_to_python", "startup_search_ratio_to_python", "n_startup_runs",
    "n_reparse", "reparse_s_10k", "reparse_pages_per_s",
    "reparse_profiles_10k", "reparse_cpu_s_10k",
} | PEER_KEYS


def test_the_benchmark_runs_and_writes_every_figure(tmp_path) -> None:
    out = tmp_path / "results.json"
    config = Config(small=30, medium=50, repeats=1, parse_repeats=1, search_repeats=1, latency_s=0.005,
                    scrapy=False, workdir=tmp_path, out=out, log=lambda line: None, startup_runs=1)
    results = run(config)

    assert json.loads(out.read_text()) == results
    assert set(results) >= KEYS
    for key, value in results.items():
        if value is None:
            assert key in PEER_KEYS, key
            continue
        assert isinstance(value, int | float) and math.isfinite(value) and value >= 0, key
    assert results["n_crawl"] == 30 and results["n_search_10k"] == 50
    assert results["reparse_profiles_10k"] == 50  # every archived profile read again
    assert 0 < results["crawl_c16_ratio_to_limit"] <= 1.05
    assert results["documents_10k"] >= 15 * 50  # 15 to 25 practices per organisation
    assert 10 < results["peak_rss_mb_10k"] < 2_000
    assert set(verdicts(results)) == set(TARGETS)
    assert "crawl_c16_ratio_to_limit" in table(results)
    assert not list(tmp_path.glob("wmkb-bench-*"))  # the sites and databases are gone


def test_only_the_reparse_renews_only_its_figures(tmp_path) -> None:
    out = tmp_path / "results.json"
    out.write_text(json.dumps({"parse_pages_per_s": 2154.0, "reparse_s_10k": 99.0}))
    config = Config(medium=20, repeats=1, latency_s=0.005, scrapy=False, workdir=tmp_path,
                    out=out, log=lambda line: None, only_reparse=True)
    results = run(config)
    assert json.loads(out.read_text()) == results
    assert results["parse_pages_per_s"] == 2154.0  # the last full run's, kept
    assert results["n_reparse"] == 20 and results["reparse_profiles_10k"] == 20
    assert results["reparse_s_10k"] != 99.0


def test_the_synthetic_site_is_deterministic_and_reads_as_profiles(tmp_path) -> None:
    first, second = SyntheticSite(60, seed=3), SyntheticSite(60, seed=3)
    assert [first.profile_page(number) for number in range(60)] == [
        second.profile_page(number) for number in range(60)
    ]
    assert {organisation.generation for organisation in first.organisations} == {1, 2, 3}
    first.write(tmp_path)
    sizes = []
    for organisation in first.organisations:
        body = first.file_for(tmp_path, organisation.path).read_bytes()
        sizes.append(len(body))
        record = read(body, "https://www.werkenmantelzorg.nl" + organisation.path).record
        assert record.kind == "profile", organisation.path
        assert 15 <= sum(len(items) for items in record.sections.values()) <= 25
    assert 7_000 < sum(sizes) / len(sizes) < 13_000  # ~10 KB a page, chrome included
    sitemap = (tmp_path / "sitemap.xml").read_text()
    assert sitemap.count("<lastmod>") == first.page_count()  # every page but /zoeken/
    assert "Disallow: /zoeken/" in (tmp_path / "robots.txt").read_text()

    changed = first.change(tmp_path, share=0.05)
    assert len(changed) == 3
    sitemap = (tmp_path / "sitemap.xml").read_text()
    assert len(re.findall(r"<lastmod>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", sitemap)) == 3


def test_the_startup_part_runs_alone_and_keeps_the_other_figures(tmp_path) -> None:
    out = tmp_path / "results.json"
    out.write_text(json.dumps({"parse_pages_per_s": 2100.0, "startup_version_s": 9.9}))
    results = run_startup(Config(out=out, workdir=tmp_path, startup_runs=1))
    assert json.loads(out.read_text()) == results
    assert results["parse_pages_per_s"] == 2100.0  # another part's figure is kept
    assert results["startup_version_s"] != 9.9 and results["n_startup_runs"] == 1
    assert 0 < results["startup_python_s"] < results["startup_search_s"]
    assert results["startup_search_ratio_to_python"] == results["startup_search_s"] / results["startup_python_s"]
    assert not list(tmp_path.glob("wmkb-bench-*"))


def test_the_parse_figures_can_be_measured_alone(tmp_path) -> None:
    out = tmp_path / "results.json"
    config = Config(parse_only=True, parse_pages=20, bs4_pages=5, parse_repeats=1,
                    workdir=tmp_path, out=out, log=lambda line: None)
    results = run(config)
    assert results["n_parse"] == 20 and results["parse_pages_per_s"] > 0
    assert "crawl_c16_pages_per_s" not in results and "search_p95_ms_10k" not in results
