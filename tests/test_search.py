"""Search as researchers use it: Dutch words in every form, filters, facets, did you mean,
and the judged queries that keep the analysis honest."""

from __future__ import annotations

import ast
import itertools
import json
import math
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from tests.conftest import FIXTURE_SITE, ROOT, gold_files, run_cli
from wmkb.harvester.pipeline import record_from_page
from wmkb.harvester.store import open_database, save_profile
from wmkb.index.analysis import dutch_analyzer
from wmkb.index.build import rebuild
from wmkb.index.compounds import query_parts, split
from wmkb.index.directory import ORGANISATIONS_INDEX, open_index
from wmkb.index.evaluate import evaluate, load_judged, means, score_ranking
from wmkb.index.query import search
from wmkb.index.ranking import BM25_B, BM25_K1

JUDGED = Path(__file__).parent / "judged_queries.toml"
# Floors for the judged queries over the fixture site, at the measured scores with the Dutch
# expansion (recall@10 0.9029, nDCG@10 0.9297; plain Whoosh analysis 0.705 and 0.754): any
# regression fails. A change that raises a score raises its floor.
RECALL_FLOOR = 0.9029
NDCG_FLOOR = 0.9297


def _slugs(kb, query: str, **options) -> set[str]:
    return {hit.slug for hit in search(kb.index_dir, query, limit=100, **options).hits}


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("thuiswerkmogelijkheden", ("thuis", "werk")),
        ("zorgverlofregeling", ("zorg", "verlof")),
        ("verlofregeling", ("verlof",)),
        ("werkgever", ()),  # a word better known whole stays whole
        ("mantelzorgers", ()),
    ],
)
def test_compound_parts(word: str, parts: tuple[str, ...]) -> None:
    assert query_parts(word) == parts
    assert split("werkgever") == ()


def test_compounds_find_what_is_said_in_other_words(kb) -> None:
    assert "gemeente-aa-en-hunze" in _slugs(kb, "thuiswerkmogelijkheden")  # "Thuiswerken"
    assert "gemeente-aa-en-hunze" in _slugs(kb, "zorgverlofregeling")  # "Kortdurend zorgverlof"
    assert "gemeente-aa-en-hunze" in _slugs(kb, "verlofregeling")  # "Verlof kopen"
    assert not _slugs(kb, "thuiswerkmogelijkheden", expand=False)


def test_a_regulation_word_finds_its_other_phrasings(kb) -> None:
    texts = [hit.text for hit in search(kb.index_dir, "thuiswerken", limit=100).hits]
    assert any("Plaats- en tijdonafhankelijk werken" in text for text in texts)
    assert any(text.startswith("Hybride werken") for text in texts)


def test_phrase_prefix_or_not(kb) -> None:
    phrase = search(kb.index_dir, '"kortdurend zorgverlof"', limit=100).hits
    assert phrase and all("kortdurend zorgverlof" in hit.text.lower() for hit in phrase)
    assert _slugs(kb, "thuis*") >= _slugs(kb, '"thuiswerken" type:gemeente')
    either = _slugs(kb, "mantelzorgmakelaar OR casemanager")
    assert either == _slugs(kb, "mantelzorgmakelaar") | _slugs(kb, "casemanager")
    assert not _slugs(kb, "thuiswerken NOT gemeente") & _slugs(kb, "thuiswerken type:gemeente")


def test_field_filters(kb) -> None:
    found = search(kb.index_dir, "thuiswerken type:gemeente province:Drenthe", limit=100, facets=True)
    assert {hit.slug for hit in found.hits} == {"gemeente-aa-en-hunze", "gemeente-wolderveen", "gemeente-lindehoven"}
    assert found.facets["province"] == {"Drenthe": 3}
    assert _slugs(kb, "mantelzorg regulation:verlof_sparen") <= {
        "gemeente-hunsmeer", "gemeente-oostermark", "gemeente-stedevoort", "provincie-hoogmark",
        "waterschap-de-drie-stromen", "gemeente-brakelburg", "rijksdienst-voor-wegbeheer", "roc-westermark",
    }
    recognised = search(kb.index_dir, "mantelzorg recognised:2018..2019", limit=200, facets=True)
    assert set(recognised.facets["recognised"]) <= {"2018", "2019"}
    sized = search(kb.index_dir, "mantelzorg employees:100..500", limit=200, facets=True)
    assert "gemeente-aa-en-hunze" in {hit.slug for hit in sized.hits}  # 306
    assert "zorggroep-de-linde" not in {hit.slug for hit in sized.hits}  # 3000
    assert _slugs(kb, "province:Friesland") == {"gemeente-kleiveen"}


@pytest.mark.parametrize("query", ["thuiswerken zorgverlof", "mantelzorgmakelaar medewerker"])
def test_filters_given_apart_find_what_filters_in_the_query_find(kb, query: str) -> None:
    # Words most organisations use filter the candidates; the filters given apart (the web
    # page's facets) must narrow that, not replace it.
    def slugs(text: str, **filters) -> list[str]:
        found = search(kb.index_dir, text, limit=100, by_organisation=True, **filters)
        return [row["slug"] for row in found.by_organisation()]

    assert slugs(query, org_type="gemeente") == slugs(f"{query} type:gemeente")
    assert slugs(query, regulation="thuiswerken") == slugs(f"{query} regulation:thuiswerken")
    assert slugs(query, org_type="gemeente")  # the filters leave something to compare


def test_facets_count_organisations(kb) -> None:
    found = search(kb.index_dir, "thuiswerken", limit=5, facets=True)
    assert sum(found.facets["org_type"].values()) == found.organisations
    assert found.facets["regulations"]["thuiswerken"] <= found.organisations
    assert found.organisations >= len({hit.slug for hit in found.hits})
    assert found.has_more


def test_did_you_mean(kb) -> None:
    found = search(kb.index_dir, "vertrouwenspresoon", limit=5)
    assert found.organisations == 0
    assert found.suggestion == "vertrouwenspersoon"
    assert search(kb.index_dir, "vertrouwenspersoon", limit=5).suggestion is None


def test_one_row_per_organisation(kb) -> None:
    result = run_cli(["search", "thuiswerken", "--by-org", "--json", "--limit", "50"], kb)
    rows = json.loads(result.stdout)
    slugs = [row["slug"] for row in rows]
    assert len(slugs) == len(set(slugs))
    assert all(1 <= len(row["practices"]) <= 3 for row in rows)


def test_facets_and_suggestion_in_json(kb) -> None:
    result = run_cli(["search", "workshpo", "--json", "--facets"], kb)
    body = json.loads(result.stdout)
    assert body["suggestion"] == "workshop"
    assert body["organisations"] == 0
    assert set(body["facets"]) == {"org_type", "regulations", "province", "recognised"}


@pytest.mark.parametrize("query", ["type:", '"open phrase', "employees:10..x", "province:Atlantis"])
def test_queries_that_cannot_be_read(kb, query: str) -> None:
    result = run_cli(["search", query], kb)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert result.output.count("\n") == 1


def test_score_ranking() -> None:
    relevant = frozenset({"a", "b"})
    assert score_ranking(["a", "b", "c"], relevant) == (1.0, 1.0)
    recall, ndcg = score_ranking(["c", "a"], relevant)
    assert recall == 0.5 and 0 < ndcg < 1


def test_judged_queries_meet_their_floors(kb) -> None:
    judged = load_judged(JUDGED)
    assert len(judged) >= 25
    plain = means(evaluate(kb.index_dir, judged, expand=False))
    dutch = means(evaluate(kb.index_dir, judged))
    assert dutch["recall_at_10"] >= RECALL_FLOOR
    assert dutch["ndcg_at_10"] >= NDCG_FLOOR
    assert dutch["recall_at_10"] > plain["recall_at_10"]  # the expansion earns its keep
    assert dutch["ndcg_at_10"] >= plain["ndcg_at_10"]  # without burying precision


def test_eval_command_prints_both_scores(kb) -> None:
    result = run_cli(["eval", "--json"], kb)
    body = json.loads(result.stdout)
    assert body["dutch"]["queries"] == body["plain"]["queries"] >= 25


def _best_first(rows: list[dict]) -> bool:
    """Whether rows of organisations read best first by the scores they show, equal scores
    in slug order."""
    order = [(-row["score"], row["slug"]) for row in rows]
    return order == sorted(order)


@pytest.mark.parametrize(
    "query",
    [
        "thuiswerken gemeente",
        "verlof kopen",
        '"flexibele werktijden"',
        "workshop",
        "thuiswerken NOT gemeente",
        "mantelzorgmakelaar OR casemanager",
    ],
)
def test_an_organisation_is_shown_with_the_score_it_was_ranked_by(kb, query: str) -> None:
    # Organisations are ranked in the organisations index; a row showing the score of its best
    # practice (from the practices index) would read out of order.
    rows = search(kb.index_dir, query, limit=50, by_organisation=True).by_organisation()
    assert len({row["score"] for row in rows}) > 1  # scores that tell the rows apart
    assert _best_first(rows)
    scores = [row["score"] for row in _found_by_organisation(kb, query)]
    assert scores == sorted(scores, reverse=True)


def _found_by_organisation(kb, query: str) -> list[dict]:
    result = run_cli(["search", query, "--by-org", "--json", "--limit", "50"], kb)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_organisations_after_the_practices_show_the_score_they_were_ranked_by(kb) -> None:
    # The organisations whose words are spread over their practices follow the practices in
    # the order of their ranking among organisations, each with that score.
    across = search(kb.index_dir, "thuiswerken zorgverlof", limit=50).across
    assert len({row["score"] for row in across}) > 1
    assert _best_first(across)


def test_an_organisation_is_scored_by_bm25f_over_its_words(kb) -> None:
    # ranking.py names the weighting: an organisation's score for one word is BM25 of that word
    # in its `words` field, at BM25_B and BM25_K1, with Whoosh's idf.
    rows = search(kb.index_dir, "bedrijfsarts", expand=False, by_organisation=True).rows
    [stem] = [token.text for token in dutch_analyzer()("bedrijfsarts")]
    with open_index(kb.index_dir, ORGANISATIONS_INDEX).searcher() as searcher:
        reader = searcher.reader()
        idf = math.log(reader.doc_count_all() / (reader.doc_frequency("words", stem) + 1)) + 1
        average_length = searcher.avg_field_length("words")
        frequency = dict(reader.postings("words", stem).items_as("weight"))
        docnum = {reader.stored_fields(number)["slug"]: number for number in frequency}
        expected = {}
        for slug, number in docnum.items():
            tf, length = frequency[number], searcher.doc_field_length(number, "words", 1)
            norm = (1 - BM25_B) + BM25_B * length / average_length
            expected[slug] = idf * tf * (BM25_K1 + 1) / (tf + BM25_K1 * norm)
    assert len(rows) == len(expected) >= 3
    assert {row["slug"]: row["score"] for row in rows} == pytest.approx(expected)


def _stored_in_order(home: Path, pages: list[Path]) -> Path:
    """A knowledge base of the fixture site's profiles, stored in the given order, indexed."""
    engine = open_database(f"sqlite:///{home / 'wmkb.sqlite'}", create=True)
    with Session(engine) as session:
        for path in pages:
            url = "https://www.werkenmantelzorg.nl/" + str(path.relative_to(FIXTURE_SITE))
            profile = record_from_page(path.read_bytes(), url)
            save_profile(session, profile, run_id=None, now=datetime(2026, 1, 1))
    rebuild(engine, home / "index")
    engine.dispose()
    return home / "index"


def test_equal_scores_rank_alike_whatever_order_a_crawl_stored_them_in(tmp_path: Path) -> None:
    pages = sorted(
        gold.with_name(gold.name.replace(".gold.json", ".html"))
        for gold in gold_files()
        if json.loads(gold.read_text(encoding="utf-8"))["kind"] == "profile"
    )
    forward = _stored_in_order(tmp_path / "forward", pages)
    backward = _stored_in_order(tmp_path / "backward", pages[::-1])
    for query in ["thuiswerken gemeente", "mantelzorg", "zorgverlof", '"kortdurend zorgverlof"']:
        for by_organisation in (False, True):
            ranked = [
                [(hit.slug, hit.section, round(hit.score, 6)) for hit in found.hits]
                for found in (
                    search(index, query, limit=15, by_organisation=by_organisation)
                    for index in (forward, backward)
                )
            ]
            assert ranked[0] == ranked[1], (query, by_organisation)
        # equal scores in slug order: what a reader of the list can predict
        practices = [(hit.slug, hit.score) for hit in search(forward, query, limit=15).hits]
        for (slug, score), (next_slug, next_score) in itertools.pairwise(practices):
            assert score > next_score or slug <= next_slug, query
    first = search(forward, "thuiswerken gemeente", limit=2).hits
    assert first[0].score == first[1].score  # the fixture site has such a tie


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    return imported | {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}


def test_nothing_outside_the_index_imports_whoosh() -> None:
    # Whoosh stays behind index/ (index/__init__.py): the rest of wmkb asks index/ to search.
    folders = ("harvester", "web", "benchmarks")
    sources = [ROOT / "cli.py", *(path for folder in folders for path in (ROOT / folder).rglob("*.py"))]
    assert len(sources) > 20
    whoosh_users = [
        path.relative_to(ROOT)
        for path in sources
        if any(name.split(".")[0] == "whoosh" for name in _imported_modules(path))
    ]
    assert whoosh_users == []
    assert "whoosh.query" in _imported_modules(ROOT / "index" / "query.py")  # the test can see one
