"""The parser reads content by meaning, whatever markup a decade of CMSes wrote it in."""

from __future__ import annotations

import pytest

from wmkb.harvester.parse import absolute, parse_page
from wmkb.harvester.parts import parse

URL = "https://www.werkenmantelzorg.nl/erkende-organisaties/x/"


def _page(content: str, *, head: str = '<meta charset="utf-8">') -> bytes:
    return (
        f"<!DOCTYPE html><html><head>{head}<title>X | Werk&amp;Mantelzorg</title></head><body>"
        '<header class="site-header"><a href="/">Werk&amp;Mantelzorg</a> Vragen? Bel 0343 - 477 890</header>'
        '<nav><ul><li><a href="/nieuws/">Nieuws</a></li></ul></nav>'
        f"<main>{content}</main>"
        '<aside><h2>Schrijf je nu in voor onze nieuwsbrief!</h2><form><input name="e"></form>'
        "<p>Al 360 organisaties erkend</p></aside>"
        "<footer><p>KvK 30212345</p><p>• Privacy<br>• Cookies</p></footer></body></html>"
    ).encode()


def _texts(content: str) -> list[tuple[str, str]]:
    return [(block.kind, block.text) for block in parse_page(_page(content), URL).blocks]


def test_chrome_is_never_content() -> None:
    texts = " ".join(text for _, text in _texts("<h1>Gemeente X</h1><p>Intro.</p>"))
    assert "nieuwsbrief" not in texts and "KvK" not in texts and "Bel" not in texts


def test_bullets_in_any_markup_become_items() -> None:
    assert _texts("<ul><li>a</li><li>b</li></ul>") == [("item", "a"), ("item", "b")]
    assert _texts("<ol><li>a</li></ol>") == [("item", "a")]
    assert _texts("<p>• a<br>• b</p>") == [("item", "a"), ("item", "b")]
    assert _texts("<p>- a<br>- b</p>") == [("item", "a"), ("item", "b")]
    assert _texts("<p>• a</p><p>• b</p>") == [("item", "a"), ("item", "b")]


def test_a_wrapped_bullet_line_continues_its_item() -> None:
    assert _texts("<p>• We gaan in gesprek<br>over de zorg.<br>• Tweede</p>") == [
        ("item", "We gaan in gesprek over de zorg."),
        ("item", "Tweede"),
    ]


def test_nested_bullets_belong_to_their_parent() -> None:
    nested = "<ul><li>Intranet, met:<ul><li>info<ul><li>diep</li></ul></li><li>tips</li></ul></li><li>b</li></ul>"
    assert _texts(nested) == [("item", "Intranet, met:\n- info\n- diep\n- tips"), ("item", "b")]
    glyphs = "<p>• Intranet, met:<br>– info<br>– tips<br>• b</p>"
    assert _texts(glyphs) == [("item", "Intranet, met:\n- info\n- tips"), ("item", "b")]


def test_questions_as_headings_bold_lines_or_lead_ins_open_sections() -> None:
    for question in (
        "<h3>Welke acties heeft u ondernomen om medewerkers bewust te maken?</h3>",
        "<p><strong>Wat doet u om het thema onder de aandacht te brengen?</strong></p>",
        "<p><b>Bewustwording</b></p>",
        "<h2>Aandacht voor mantelzorg</h2>",
    ):
        raw = parse(
            _page(f"<h1>Gemeente X</h1><p>Erkend sinds: 1-2-2018</p>{question}<ul><li>a</li></ul>"),
            URL,
        )
        assert raw.sections == {"awareness": ["a"]}, question
    lead_in = "<p>Daarnaast is gemeente X een ambassadeur voor de combinatie werk en mantelzorg:</p><p>• a</p>"
    assert parse(_page(f"<h1>Gemeente X</h1>{lead_in}"), URL).sections == {"ambassadorship": ["a"]}


def test_a_sub_heading_stays_in_its_section() -> None:
    content = (
        "<h1>Gemeente X</h1><h2>Hoe is het thema geborgd?</h2><p>Eerste.</p>"
        "<h4>Netwerk X</h4><p>Tweede.</p><p>Derde.</p>"
    )
    assert parse(_page(content), URL).sections == {
        "implementation": ["Eerste.", "Netwerk X\nTweede.", "Derde."]
    }


def test_key_facts_in_a_list_a_definition_list_or_lines() -> None:
    for facts in (
        "<p>Erkend mantelzorgvriendelijk sinds: 21 februari 2018<br>Aantal medewerkers: 450</p>",
        "<dl><dt>Erkend sinds</dt><dd>21-02-2018</dd><dt>Medewerkers</dt><dd>450</dd></dl>",
        '<ul class="kerngegevens"><li><span>Erkend sinds</span> 21-02-2018</li><li><span>Medewerkers</span> 450</li></ul>',
        "<table><tr><th>Erkend op</th><td>21 feb. 2018</td></tr><tr><td>Aantal medewerkers</td><td>450</td></tr></table>",
    ):
        raw = parse(_page(f"<h1>Gemeente X</h1>{facts}<p>Intro.</p>"), URL)
        assert [field for field, _, _ in raw.facts] == ["recognised_since", "employees"], facts
        assert raw.description == ["Intro."]


def test_a_page_in_windows_1252_with_only_a_meta_charset() -> None:
    body = (
        _page(
            "<h1>Stichting Café “De Ëik”</h1><p>• Zorgverlof – € 100</p>",
            head='<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">',
        )
        .decode()
        .encode("cp1252")
    )
    page = parse_page(body, URL)
    assert page.name == "Stichting Café “De Ëik”"
    assert page.blocks[-1].text == "Zorgverlof – € 100"


def test_the_website_is_taken_from_the_profile_not_the_chrome() -> None:
    content = (
        "<h1>Gemeente X</h1><p>Erkend sinds: 1-2-2018</p><h2>Bewustwording</h2><ul><li>a</li></ul>"
        '<p><a href="https://www.x.nl/">Bezoek de website</a></p>'
        '<p><a href="https://www.linkedin.com/share">www.linkedin.com</a></p>'
    )
    assert parse(_page(content), URL).websites == ["https://www.x.nl/"]


def test_odd_spaces_and_breaks_inside_a_line_collapse_to_one_space() -> None:
    odd = "<h1>Gemeente X</h1><p>Zorg\u00a0\u00a0en\u2009werk\tgaan\n samen </p><p>Al  goed</p>"
    assert _texts(odd)[1:] == [("line", "Zorg en werk gaan samen"), ("line", "Al goed")]


@pytest.mark.parametrize(
    "body",
    [
        b"<html><body><article> <div>\n</div><!-- leeg --></article>"
        b'<div id="content"><h1> </h1><h1>Gemeente X</h1><p>Intro.</p></div></body></html>',
        # a content element that is chrome itself
        b'<html><body><div id="content" class="sidebar"><p>Nieuwsbrief</p></div>'
        b'<div class="content"><h1>Gemeente X</h1><p>Intro.</p></div></body></html>',
    ],
    ids=["empty", "chrome"],
)
def test_a_content_element_empty_or_chrome_is_passed_over_for_the_next(body: bytes) -> None:
    page = parse_page(body, URL)
    assert page.name == "Gemeente X"
    assert [block.text for block in page.blocks] == ["Gemeente X", "Intro."]


def test_links_with_dot_segments_are_resolved() -> None:
    assert absolute("https://x.nl/a/b/", "/c/../d/") == "https://x.nl/d/"
    assert absolute("https://x.nl/a/b/", "../c") == "https://x.nl/a/c"
    assert absolute("https://x.nl/a/b/", "/c/d") == "https://x.nl/c/d"


def test_a_page_s_links_against_its_base_with_nofollow_left_out() -> None:
    head = (
        '<base href="https://archief.example.nl/oud/"><link rel="stylesheet" href="/s.css">'
        '<link rel="Canonical" href="/erkende-organisaties/x/">'
    )
    content = (
        '<p><a href="a/">A</a> <a href="/b/" rel="nofollow">B</a> <a>no address</a>'
        ' <a href=" https://c.nl/ ">C</a> <a href="">empty</a></p>'
    )
    page = parse_page(_page(content, head=head), URL)
    assert page.canonical_url == "https://archief.example.nl/erkende-organisaties/x/"
    assert page.links == [
        "https://archief.example.nl/",  # the header's link to the site's home
        "https://archief.example.nl/nieuws/",
        "https://archief.example.nl/oud/a/",
        "https://c.nl/",
    ]


def test_an_image_map_s_areas_stand_among_the_anchors_in_document_order() -> None:
    content = (
        '<p><a href="/een/">1</a></p><map name="m"><area href="/twee/" alt="2"></map>'
        '<p><a href="/drie/">3</a></p>'
    )
    links = parse_page(_page(content), URL).links
    assert links[2:] == [
        "https://www.werkenmantelzorg.nl/een/",
        "https://www.werkenmantelzorg.nl/twee/",
        "https://www.werkenmantelzorg.nl/drie/",
    ]


def test_content_inside_chrome_is_never_the_content_root() -> None:
    body = (
        b"<html><body><header><h1>Werk&amp;Mantelzorg</h1><article><p>Vragen? Bel ons</p>"
        b'</article></header><main><aside><article><h2>Lees ook</h2><p>Gemeente Y</p></article>'
        b'</aside><div class="widget"><div><article><p>Nieuwsbrief</p></article></div></div>'
        b"<article><h2>Gemeente X</h2><p>Intro.</p><nav><p>Deel deze pagina</p></nav>"
        b"<p>Slot.</p></article></main></body></html>"
    )
    page = parse_page(body, URL)
    assert [block.text for block in page.blocks] == ["Gemeente X", "Intro.", "Slot."]
    assert page.name is None  # the only <h1> is the site's, in its header


def test_utf8_with_a_byte_order_mark_or_a_broken_byte_reads_as_its_text() -> None:
    def read(content: bytes) -> list[str]:
        page = _page("").replace(b"<main>", b"<main>" + content)
        if content.startswith(b"<!--bom-->"):
            page = b"\xef\xbb\xbf" + page
        return [block.text for block in parse_page(page, URL).blocks]

    content = "<h1>Gemeente Súdwest</h1><p>Zorg én werk</p>".encode()
    assert read(content) == read(b"<!--bom-->" + content) == ["Gemeente Súdwest", "Zorg én werk"]
    broken = read(b"<h1>Gemeente X</h1><p>Zorg \xe9n werk</p>")  # declared UTF-8, one Latin-1 byte
    assert broken == ["Gemeente X", "Zorg \ufffdn werk"]
