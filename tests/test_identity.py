"""Recognising an organisation whose page moved: the decision, without a network."""

from __future__ import annotations

from wmkb.harvester.identity import Identity, match_moves, same_organisation


def _who(name="Stichting Thuiszorg Heuvelrand", *, cbs=None, website=None, url=None) -> Identity:
    url = url or "https://www.werkenmantelzorg.nl/erkende-organisaties/stichting-thuiszorg-heuvelrand/"
    return Identity.of(name=name, cbs_code=cbs, website=website, url=url)


def test_the_same_page_name_on_another_origin_and_path_is_the_same_organisation() -> None:
    moved = _who(url="https://werkenmantelzorg.nl/organisaties/stichting-thuiszorg-heuvelrand.html")
    assert same_organisation(_who(), moved)


def test_name_case_accents_and_punctuation_do_not_matter() -> None:
    assert same_organisation(
        _who("Zuivelcoöperatie De Klaver", url="http://a.nl/x/klaver/"),
        _who("zuivelcooperatie de klaver", url="https://b.nl/klaver.html"),
    )


def test_a_renamed_page_is_recognised_by_its_cbs_code_or_website() -> None:
    old = _who("Gemeente Aa en Hunze", cbs="GM1680", url="https://a.nl/org/aa-en-hunze/")
    new = _who("Gemeente Aa en Hunze", cbs="GM1680", url="https://a.nl/org/1680/")
    assert same_organisation(old, new)
    old = _who(website="http://www.heuvelrand.nl", url="https://a.nl/org/17/")
    new = _who(website="https://heuvelrand.nl/werken-bij", url="https://a.nl/org/heuvelrand/")
    assert same_organisation(old, new)


def test_the_same_name_alone_is_not_enough() -> None:
    old = _who(url="https://a.nl/org/17/")
    new = _who(url="https://a.nl/org/18/")
    assert not same_organisation(old, new)


def test_one_sign_that_disagrees_keeps_two_organisations_apart() -> None:
    old = _who(website="https://www.heuvelrand.nl")
    new = _who(website="https://www.heuvelrand-zuid.nl", url=old_url())
    assert not same_organisation(old, new)
    assert not same_organisation(_who("Gemeente Bergen", cbs="GM0373"), _who("Gemeente Bergen", cbs="GM0893"))


def test_another_name_is_another_organisation() -> None:
    assert not same_organisation(_who("Zorggroep De Linde"), _who("Zorggroep De Linden"))


def old_url() -> str:
    return "https://www.werkenmantelzorg.nl/erkende-organisaties/stichting-thuiszorg-heuvelrand/"


def test_moves_pair_one_to_one_and_count_what_they_cannot_decide() -> None:
    aa = _who("Gemeente Aa en Hunze", cbs="GM1680", url="https://a.nl/g/aa-en-hunze/")
    linde = _who("Zorggroep De Linde", url="https://a.nl/g/zorggroep-de-linde/")
    moves = match_moves(
        [("old-aa", aa), ("old-linde", linde), ("old-other", _who("Kartonfabriek Noordhave"))],
        [
            ("new-aa", _who("Gemeente Aa en Hunze", cbs="GM1680", url="https://b.nl/aa-en-hunze")),
            ("new-linde", _who("Zorggroep De Linde", url="https://b.nl/zorggroep-de-linde")),
            ("new-other", _who("Waterschap De Drie Stromen")),
        ],
    )
    assert sorted(moves.pairs) == [("old-aa", "new-aa"), ("old-linde", "new-linde")]
    assert moves.ambiguous == 0


def test_two_candidates_for_one_organisation_are_not_guessed() -> None:
    linde = _who("Zorggroep De Linde", url="https://a.nl/g/zorggroep-de-linde/")
    also = _who("Zorggroep De Linde", url="https://a.nl/h/zorggroep-de-linde/")
    moves = match_moves([("old-1", linde), ("old-2", also)], [("new", linde)])
    assert moves.pairs == [] and moves.ambiguous == 1
    moves = match_moves([("old", linde)], [("new-1", linde), ("new-2", also)])
    assert moves.pairs == [] and moves.ambiguous == 2
