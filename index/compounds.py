"""Splitting Dutch compounds into their parts, with wordfreq's Dutch word frequencies as the
dictionary (index/data/nl_words.txt.gz, shipped with the package: it works offline).

    >>> split("thuiswerkmogelijkheden")
    ('thuis', 'werk', 'mogelijkheden')
    >>> split("werkgever")
    ()
"""

from __future__ import annotations

import gzip
import math
import tomllib
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

WORDLIST = "nl_words.txt.gz"


@dataclass(frozen=True)
class CompoundRules:
    min_word_length: int
    min_part_length: int
    min_part_zipf: float
    short_part_zipf: float
    margin: float
    part_penalty: float
    not_parts: frozenset[str]
    linking: tuple[str, ...]
    generic_heads: frozenset[str]


@cache
def rules() -> CompoundRules:
    with resources.files(__package__).joinpath("data", "compounds.toml").open("rb") as handle:
        data = tomllib.load(handle)
    return CompoundRules(
        min_word_length=int(data["min_word_length"]),
        min_part_length=int(data["min_part_length"]),
        min_part_zipf=float(data["min_part_zipf"]),
        short_part_zipf=float(data["short_part_zipf"]),
        margin=float(data["margin"]),
        part_penalty=float(data["part_penalty"]),
        not_parts=frozenset(data["not_parts"]),
        linking=tuple(data["linking"]),
        generic_heads=frozenset(data["generic_heads"]),
    )


@cache
def _zipf_by_word() -> dict[str, float]:
    # One line per frequency band, as wordfreq stores them: the band's Zipf value in hundredths,
    # a tab, and its words separated by spaces (index/data/nl_words.README.md).
    by_word: dict[str, float] = {}
    packed = resources.files(__package__).joinpath("data", WORDLIST)
    with packed.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as lines:
        for line in lines:
            hundredths, words = line.rstrip("\n").split("\t")
            # Through the frequency, as wordfreq's own dictionary gives it, so that splits whose
            # scores tie fall exactly as they did with wordfreq installed.
            band = math.log10(10 ** ((int(hundredths) - 900) / 100) * 1e9)
            by_word.update(dict.fromkeys(words.split(" "), band))
    return by_word


def zipf(word: str) -> float:
    """The word's Zipf frequency (log10 of its occurrences per billion words), 0 if unknown.

    >>> zipf("werk"), zipf("mantelzorg"), zipf("xqzw")
    (5.78, 3.38, 0.0)
    """
    return _zipf_by_word().get(word, 0.0)


def _part_score(part: str, limits: CompoundRules) -> float | None:
    """The part's Zipf frequency if it may stand as a part, else None."""
    if len(part) < limits.min_part_length or part in limits.not_parts:
        return None
    score = zipf(part)
    needed = limits.short_part_zipf if len(part) == limits.min_part_length else limits.min_part_zipf
    return score if score >= needed else None


@lru_cache(maxsize=200_000)
def split(word: str) -> tuple[str, ...]:
    """The parts of a compound (lower case), or () when the word is better left whole."""
    limits = rules()
    if len(word) < limits.min_word_length or not word.isalpha():
        return ()
    # best[i]: (sum of part scores, parts) for the best split of word[:i]
    best: list[tuple[float, tuple[str, ...]] | None] = [None] * (len(word) + 1)
    best[0] = (0.0, ())
    for end in range(limits.min_part_length, len(word) + 1):
        candidates = []
        for start in range(0, end - limits.min_part_length + 1):
            if best[start] is None:
                continue
            piece = word[start:end]
            options = [(piece, piece)]
            options += [
                (piece[: -len(glue)], piece)
                for glue in limits.linking
                if piece.endswith(glue) and end < len(word)
            ]
            for part, _ in options:
                score = _part_score(part, limits)
                if score is not None:
                    total, parts = best[start]
                    candidates.append((total + score, (*parts, part)))
        if candidates:
            best[end] = max(candidates, key=lambda candidate: _worth(*candidate, limits))
    if best[-1] is None or len(best[-1][1]) < 2:
        return ()
    total, parts = best[-1]
    if _worth(total, parts, limits) < zipf(word) + limits.margin:
        return ()
    return parts


def _worth(total: float, parts: tuple[str, ...], limits: CompoundRules) -> float:
    return total / len(parts) - limits.part_penalty * max(0, len(parts) - 2)


def query_parts(word: str) -> tuple[str, ...]:
    """The parts a query word stands for: its split without the generic heads."""
    generic = rules().generic_heads
    return tuple(part for part in split(word) if part not in generic)
