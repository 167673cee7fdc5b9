"""The analyzers, by the tokens they yield for each mode (index and query)."""

from __future__ import annotations

import pytest

from wmkb.index.analysis import compound_analyzer, content_words, dutch_analyzer


def _tokens(analyzer, text: str, mode: str) -> list[str]:
    return [token.text for token in analyzer(text, mode=mode)]


@pytest.mark.parametrize("mode", ["index", "query"])
@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("De medewerkers werken thuis", ["medewerker", "werk", "thuis"]),  # stop word, stems
        ("Privé-situatie", ["priv", "situatie"]),  # accent folded, hyphen splits
        ("thuiswerkmogelijkheden", ["thuiswerkmog"]),  # a compound stays whole
        ("Verlof: 2 of 10 dagen", ["verlof", "10", "dag"]),  # one character is too short
    ],
)
def test_dutch_analyzer(text: str, tokens: list[str], mode: str) -> None:
    assert _tokens(dutch_analyzer(), text, mode) == tokens


@pytest.mark.parametrize("mode", ["index", "query"])
def test_content_words_keep_words_as_written(mode: str) -> None:
    assert _tokens(content_words(), "De medewerkers en het Privé-thuiswerken", mode) == [
        "medewerkers",
        "privé",
        "thuiswerken",
    ]


@pytest.mark.parametrize(
    ("text", "mode", "tokens"),
    [
        # At index time a compound yields itself and its parts...
        ("thuiswerkmogelijkheden", "index", ["thuiswerkmog", "thuis", "werk", "mogelijk"]),
        ("zorgverlofregeling", "index", ["zorgverlofregel", "zorg", "verlof", "regel"]),
        # ...at query time only its specific parts, without the generic head.
        ("thuiswerkmogelijkheden", "query", ["thuis", "werk"]),
        ("zorgverlofregeling", "query", ["zorg", "verlof"]),
        # A part that is a stop word is dropped ("aan" of "aanpassen").
        ("aanpassen", "index", ["aanpass", "pass"]),
        ("aanpassen", "query", ["pass"]),
        # A word that is no compound passes as in the Dutch analyzer.
        ("De medewerkers", "query", ["medewerker"]),
        ("werkgever", "index", ["werkgever"]),
    ],
)
def test_compound_analyzer(text: str, mode: str, tokens: list[str]) -> None:
    assert _tokens(compound_analyzer(), text, mode) == tokens
