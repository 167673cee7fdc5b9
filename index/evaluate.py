"""Judging search quality: recall@10 and nDCG@10 of a set of judged queries, over the ranking
of organisations (a search by organisation: each organisation once, where the organisations
index ranks it).

recall@10 is the share of the relevant organisations found in the top 10, out of at most 10
(a query with 20 relevant organisations that shows 10 of them scores 1.0); nDCG@10 uses
binary gains.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from pathlib import Path

from wmkb.harvester.errors import UsageError
from wmkb.index.query import search

CUTOFF = 10


@dataclass(frozen=True)
class JudgedQuery:
    query: str
    relevant: frozenset[str]


@dataclass(frozen=True)
class QueryScore:
    query: str
    recall: float
    ndcg: float
    ranked: tuple[str, ...]


def load_judged(path: Path) -> list[JudgedQuery]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise UsageError(f"cannot read judged queries from {path}: {error}") from error
    return [JudgedQuery(item["q"], frozenset(item["relevant"])) for item in data["query"]]


def score_ranking(ranked: list[str], relevant: frozenset[str]) -> tuple[float, float]:
    """(recall@10, nDCG@10) of a ranking of organisation slugs."""
    top = ranked[:CUTOFF]
    found = sum(1 for slug in top if slug in relevant)
    recall = found / min(len(relevant), CUTOFF) if relevant else 0.0
    dcg = sum(1 / math.log2(rank + 2) for rank, slug in enumerate(top) if slug in relevant)
    ideal = sum(1 / math.log2(rank + 2) for rank in range(min(len(relevant), CUTOFF)))
    return recall, (dcg / ideal if ideal else 0.0)


def evaluate(
    index_dir: Path, judged: list[JudgedQuery], *, expand: bool = True
) -> list[QueryScore]:
    scores = []
    for item in judged:
        found = search(index_dir, item.query, limit=CUTOFF, expand=expand, by_organisation=True)
        ranked = [row["slug"] for row in found.by_organisation()]
        recall, ndcg = score_ranking(ranked, item.relevant)
        scores.append(QueryScore(item.query, recall, ndcg, tuple(ranked)))
    return scores


def means(scores: list[QueryScore]) -> dict[str, float]:
    return {
        "recall_at_10": sum(score.recall for score in scores) / len(scores),
        "ndcg_at_10": sum(score.ndcg for score in scores) / len(scores),
        "queries": len(scores),
    }
