"""A synthetic copy of the site at any size: N recognised organisations in the fixture site's
variety of markup and wording (three CMS generations of chrome, question wordings, bullet
styles, key facts as lines, <dl> or lists, the Dutch regulation phrasings), with paginated
overview pages, a sitemap with lastmod and a robots.txt, written to a folder that
harvester.sitehost serves.

    site = SyntheticSite(2_000, seed=8)
    site.write(Path("/tmp/site"))                      # ~10 KB a profile, chrome included
    changed = site.change(Path("/tmp/site"), share=0.01)  # 1% of the profiles edited

Every profile follows from (seed, its number, its revision) alone, so one page can be rewritten
without the others and two runs with one seed write the same bytes.

    python -m benchmarks.synthetic /tmp/site --n 2000
"""

from __future__ import annotations

import argparse
import os
import random
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path

from benchmarks.chrome import ORIGIN, chrome1, chrome2, chrome3, simple_page
from benchmarks.chrome import e as _e

PER_OVERVIEW_PAGE = 12  # organisations per overview page, as on the fixture site
SITEMAP_CHUNK = 10_000  # URLs per sitemap file; more than one file gets a sitemap index
GENERATION_SHARES = (0.25, 0.35, 0.40)  # 2011–2014, 2015–2019, 2020–
OLD_CMS_SHARE = 0.4  # of generation 1: profiles under /werkgevers/profiel/<slug>.html
CP1252_SHARE = 0.1  # of generation 1: pages written in windows-1252
PRACTICES = (15, 25)  # practices per organisation, inclusive
SECTIONS = ("awareness", "dialogue", "custom_solutions", "implementation")
AMBASSADOR_SHARE = 0.15
MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)
MONTHS_SHORT = (
    "jan.",
    "feb.",
    "mrt.",
    "apr.",
    "mei",
    "jun.",
    "jul.",
    "aug.",
    "sep.",
    "okt.",
    "nov.",
    "dec.",
)
OTHER_PAGES = {  # path → (heading, text): pages that are not profiles, linked from the chrome
    "/over-ons/": (
        "Over ons",
        "Stichting Werk&Mantelzorg helpt werkgevers om werkende mantelzorgers te ondersteunen.",
    ),
    "/nieuws/": ("Nieuws", "Het laatste nieuws over werk en mantelzorg."),
    "/kennisbank/": ("Kennisbank", "Onderzoek, handreikingen en cijfers over werk en mantelzorg."),
    "/agenda/": ("Agenda", "Bijeenkomsten voor werkgevers, HR en leidinggevenden."),
    "/privacy/": ("Privacyverklaring", "Hoe wij met uw gegevens omgaan."),
    "/cookies/": ("Cookies", "Deze site gebruikt alleen functionele en analytische cookies."),
    "/erkenning-aanvragen/": (
        "Erkenning aanvragen",
        "Zo vraagt uw organisatie de Erkenning ‘Wij werken mantelzorgvriendelijk’ aan.",
    ),
    "/zoeken/": ("Zoeken", "Zoek op de site."),
}


@cache
def wording() -> dict:
    with (Path(__file__).with_name("wording.toml")).open("rb") as handle:
        return tomllib.load(handle)


@dataclass(frozen=True)
class Organisation:
    number: int
    name: str
    kind: str
    place: str
    slug: str
    path: str  # on the site, e.g. "/erkende-organisaties/gemeente-x/"
    generation: int


def slugify(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", folded.lower().replace("&", " en ")).strip("-")


class SyntheticSite:
    """N organisations, their profile pages, the overview, the sitemap and robots.txt."""

    def __init__(self, n: int = 2_000, *, seed: int = 8) -> None:
        if n < 1:
            raise ValueError("a synthetic site needs at least one organisation")
        self.n = n
        self.seed = seed
        self.organisations = _organisations(n, seed)
        self.revisions: dict[int, int] = {}  # organisation number → revision, when changed
        self.changed_at: dict[int, datetime] = {}

    # -- paths ------------------------------------------------------------------------------

    def profile_paths(self) -> list[str]:
        return [organisation.path for organisation in self.organisations]

    def overview_paths(self) -> list[str]:
        pages = -(-self.n // PER_OVERVIEW_PAGE)
        return ["/erkende-organisaties/"] + [
            f"/erkende-organisaties/page/{page}/" for page in range(2, pages + 1)
        ]

    def page_count(self) -> int:
        """HTML pages a crawler that obeys robots.txt fetches: home, overview, profiles, rest."""
        return 1 + len(self.overview_paths()) + self.n + len(OTHER_PAGES) - 1  # /zoeken/

    @staticmethod
    def file_for(root: Path, path: str) -> Path:
        return root / (path.lstrip("/") + "index.html" if path.endswith("/") else path.lstrip("/"))

    # -- writing ----------------------------------------------------------------------------

    def write(self, root: Path) -> None:
        """Write the whole site under `root` (which may exist)."""
        root.mkdir(parents=True, exist_ok=True)
        for organisation in self.organisations:
            self._write_profile(root, organisation)
        for number, path in enumerate(self.overview_paths(), start=1):
            _write(self.file_for(root, path), self._overview(number).encode())
        _write(root / "index.html", self._home().encode())
        for path, (heading, text) in OTHER_PAGES.items():
            _write(self.file_for(root, path), simple_page(path, heading, text).encode())
        _write(root / "robots.txt", _robots().encode())
        self._write_sitemaps(root)

    def change(self, root: Path, *, share: float = 0.01, when: datetime | None = None) -> list[str]:
        """Edit `share` of the profiles (one practice added), rewrite them and the sitemap with
        their lastmod set to `when` (now); returns the changed paths."""
        when = when or datetime.now(UTC).replace(microsecond=0)
        count = max(1, round(self.n * share))
        rng = random.Random(f"{self.seed}:change:{len(self.changed_at)}")
        chosen = rng.sample(range(self.n), count)
        for number in chosen:
            self.revisions[number] = self.revisions.get(number, 0) + 1
            self.changed_at[number] = when
            self._write_profile(root, self.organisations[number])
        self._write_sitemaps(root)
        return [self.organisations[number].path for number in chosen]

    def profile_page(self, number: int) -> bytes:
        organisation = self.organisations[number]
        page = _profile_page(organisation, self.seed, self.revisions.get(number, 0))
        if organisation.generation == 1 and _rng(self.seed, number, "enc").random() < CP1252_SHARE:
            page = page.replace('<meta charset="utf-8" />', '<meta charset="windows-1252" />')
            return page.encode("cp1252", errors="xmlcharrefreplace")
        return page.encode()

    def _write_profile(self, root: Path, organisation: Organisation) -> None:
        _write(self.file_for(root, organisation.path), self.profile_page(organisation.number))

    def _write_sitemaps(self, root: Path) -> None:
        entries = [("/", "2024-03-18")]
        entries += [(path, "2024-02-05") for path in self.overview_paths()]
        for organisation in self.organisations:
            changed = self.changed_at.get(organisation.number)
            lastmod = changed.isoformat() if changed else _lastmod(organisation, self.seed)
            entries.append((organisation.path, lastmod))
        entries += [(path, "2023-06-01") for path in OTHER_PAGES if path != "/zoeken/"]
        chunks = [entries[i : i + SITEMAP_CHUNK] for i in range(0, len(entries), SITEMAP_CHUNK)]
        if len(chunks) == 1:
            _write(root / "sitemap.xml", _urlset(chunks[0]).encode())
            return
        names = [f"sitemap-{number}.xml" for number in range(1, len(chunks) + 1)]
        for name, chunk in zip(names, chunks, strict=True):
            _write(root / name, _urlset(chunk).encode())
        index = "".join(f"  <sitemap><loc>{ORIGIN}/{name}</loc></sitemap>\n" for name in names)
        _write(
            root / "sitemap.xml",
            (
                '<?xml version="1.0" encoding="UTF-8"?>\n'
                '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
                f"{index}</sitemapindex>\n"
            ).encode(),
        )

    # -- overview and home ------------------------------------------------------------------

    def _overview(self, number: int) -> str:
        paths = self.overview_paths()
        start = (number - 1) * PER_OVERVIEW_PAGE
        cards = []
        for organisation in self.organisations[start : start + PER_OVERVIEW_PAGE]:
            href = organisation.path
            variant = organisation.number % 10
            if variant == 3:
                href = ORIGIN + href
            elif variant == 6:
                href += "?utm_source=nieuwsbrief&amp;utm_campaign=erkend"
            elif variant == 8:
                href += "#reacties"
            cards.append(
                '<li class="wp-block-post organisatie-kaart">\n'
                f'<h2 class="wp-block-post-title"><a href="{href}">{_e(organisation.name)}</a>'
                "</h2>\n"
                f'<p class="kaart-type">{organisation.kind.capitalize()}</p>\n</li>'
            )
        nav = []
        if number > 1:
            nav.append(
                '<a class="wp-block-query-pagination-previous" rel="prev" '
                f'href="{paths[number - 2]}">Vorige</a>'
            )
        shown = sorted({1, len(paths), *range(max(1, number - 2), min(len(paths), number + 2) + 1)})
        for page in shown:
            if page == number:
                nav.append(f'<span class="page-numbers current" aria-current="page">{page}</span>')
            else:
                nav.append(f'<a class="page-numbers" href="{paths[page - 1]}">{page}</a>')
        if number < len(paths):
            nav.append(
                '<a class="wp-block-query-pagination-next" rel="next" '
                f'href="{paths[number]}">Volgende</a>'
            )
        crumb = "Erkende organisaties" if number == 1 else f"Pagina {number}"
        main = (
            '<nav class="wp-block-group breadcrumbs" aria-label="Kruimelpad"><a href="/">Home</a>'
            f' › <span aria-current="page">{crumb}</span></nav>\n'
            '<h1 class="wp-block-query-title">Erkende organisaties</h1>\n'
            "<p>Deze organisaties hebben de Erkenning ‘Wij werken mantelzorgvriendelijk’ "
            "ontvangen. Klik op een organisatie om te lezen wat zij doet voor werkende "
            "mantelzorgers.</p>\n"
            '<ul class="wp-block-post-template organisatie-kaarten">\n'
            + "\n".join(cards)
            + '\n</ul>\n<nav class="wp-block-query-pagination" aria-label="Paginering">\n'
            + "\n".join(nav)
            + "\n</nav>"
        )
        canonical = paths[number - 1]
        title = "Erkende organisaties" + ("" if number == 1 else f" – pagina {number}")
        return chrome3(title, canonical, main, body_class="archive post-type-archive")

    def _home(self) -> str:
        main = (
            '<h1 class="wp-block-post-title">Werk&amp;Mantelzorg</h1>\n'
            "<p>Ruim 1 op de 6 werknemers zorgt naast het werk voor een naaste. Werkgevers die "
            "daar ruimte voor maken, ontvangen de Erkenning ‘Wij werken mantelzorgvriendelijk’."
            f'</p>\n<p><a href="/erkende-organisaties/">Bekijk alle {self.n} erkende '
            "organisaties</a></p>\n"
            '<ul class="wp-block-list teasers">\n'
            '<li><a href="/nieuws/">Nieuws over werk en mantelzorg</a></li>\n'
            '<li><a href="/agenda/">Bijeenkomsten voor werkgevers</a></li>\n'
            '<li><a href="/kennisbank/">Handreikingen in de kennisbank</a></li>\n</ul>'
        )
        return chrome3("Werk&Mantelzorg", "/", main, body_class="home page-template-default page")


# -- organisations ---------------------------------------------------------------------------


def _rng(seed: int, number: int, purpose: str) -> random.Random:
    return random.Random(f"{seed}:{number}:{purpose}")


def _organisations(n: int, seed: int) -> list[Organisation]:
    words = wording()
    patterns = words["names"]
    weights = [pattern["weight"] for pattern in patterns]
    taken: set[str] = set()
    organisations = []
    shares = GENERATION_SHARES
    for number in range(n):
        rng = _rng(seed, number, "name")
        pattern = rng.choices(patterns, weights)[0]
        place = _place(rng, words)
        name = pattern["pattern"].format(
            place=place,
            surname=rng.choice(words["surnames"]),
            ware=rng.choice(words["wares"]),
            thing=rng.choice(words["thing"]),
            club=rng.choice(words["clubs"]),
        )
        slug = slugify(name)
        attempt = 0
        while slug in taken:  # two places of one name: the real site adds the region
            attempt += 1
            qualifier = words["qualifiers"][attempt % len(words["qualifiers"])]
            suffix = qualifier if attempt < len(words["qualifiers"]) else f"{qualifier} {attempt}"
            candidate = f"{name} ({suffix})"
            slug = slugify(candidate)
        if attempt:
            name = candidate
        taken.add(slug)
        roll = rng.random()
        generation = 1 if roll < shares[0] else 2 if roll < shares[0] + shares[1] else 3
        if generation == 1 and rng.random() < OLD_CMS_SHARE:
            path = f"/werkgevers/profiel/{slug}.html"
        else:
            path = f"/erkende-organisaties/{slug}/"
        organisations.append(
            Organisation(number, name, pattern["kind"], place, slug, path, generation)
        )
    return organisations


def _place(rng: random.Random, words: dict) -> str:
    prefix = rng.choice(words["place_prefixes"])
    first = rng.choice(words["place_first"])
    last = rng.choice(words["place_last"])
    core = first + last
    return f"{prefix} {core.lower().capitalize()}" if prefix else core.lower().capitalize()


def _recognised(organisation: Organisation, seed: int) -> date:
    rng = _rng(seed, organisation.number, "dates")
    first_year = {1: 2011, 2: 2015, 3: 2020}[organisation.generation]
    return date(first_year, 1, 1) + timedelta(days=rng.randrange(4 * 365))


def _lastmod(organisation: Organisation, seed: int) -> str:
    recognised = _recognised(organisation, seed)
    rng = _rng(seed, organisation.number, "lastmod")
    moment = recognised + timedelta(days=rng.randrange(30, 400))
    return min(moment, date(2024, 12, 31)).isoformat()


# -- profile pages ---------------------------------------------------------------------------


@dataclass
class _Content:
    sections: list[tuple[str, list[str]]]  # (section key, items)
    employees: int
    inhabitants: int | None
    website: str
    province: str
    recognised: date
    ambassador: date | None
    intro: list[str]


def _content(organisation: Organisation, seed: int, revision: int) -> _Content:
    words = wording()
    rng = _rng(seed, organisation.number, "content")
    total = rng.randint(*PRACTICES)
    keys = list(SECTIONS)
    if rng.random() < AMBASSADOR_SHARE:
        keys.append("ambassadorship")
    counts = [2] * len(keys)
    for _ in range(total - sum(counts)):
        counts[rng.randrange(len(keys))] += 1
    sections = []
    for key, count in zip(keys, counts, strict=True):
        pool = words["practices"][key]
        items = [_practice(rng, pool, organisation, words) for _ in range(count)]
        sections.append((key, items))
    for step in range(revision):  # a changed profile: one more arrangement
        change = _rng(seed, organisation.number, f"revision:{step + 1}")
        sections[2][1].append(
            _practice(change, words["practices"]["custom_solutions"], organisation, words)
            + f" (aangepast in {2025 + step})"
        )
    employees = rng.choice((rng.randint(12, 300), rng.randint(100, 2_500), rng.randint(800, 9_000)))
    inhabitants = None
    if organisation.kind in ("gemeente", "provincie"):
        inhabitants = (
            rng.randint(9_000, 250_000)
            if organisation.kind == "gemeente"
            else (rng.randint(380, 3_800) * 1_000)
        )
    host = re.sub(r"[^a-z0-9]", "", slugify(organisation.place)) or "organisatie"
    website = f"https://www.{host}{organisation.number}.nl"
    recognised = _recognised(organisation, seed)
    ambassador = None
    if "ambassadorship" in keys:
        ambassador = recognised - timedelta(days=rng.randrange(200, 900))
    intro = [_intro(rng, organisation, employees, inhabitants)]
    if rng.random() < 0.6:
        intro.append(
            f"Bij de start van ons traject gaven {rng.randint(8, 90)} collega’s aan dat zij "
            "mantelzorger zijn. Dat aantal ligt waarschijnlijk hoger, want niet iedereen herkent "
            "zichzelf als mantelzorger. Daarom blijven we het onderwerp onder de aandacht brengen."
        )
    if rng.random() < 0.5:
        intro.append(
            f"In {recognised.year} ontvingen wij de Erkenning ‘Wij werken mantelzorgvriendelijk’. "
            "Op deze pagina leest u wat wij doen om werk en mantelzorg goed te laten samengaan: "
            "hoe we collega’s bewust maken van het thema, hoe we het gesprek op de werkvloer "
            "voeren, welke regelingen er zijn en hoe we het beleid borgen."
        )
    return _Content(
        sections,
        employees,
        inhabitants,
        website,
        rng.choice(words["provinces"]),
        recognised,
        ambassador,
        intro,
    )


def _practice(rng: random.Random, pool: list[str], organisation: Organisation, words: dict) -> str:
    practices = words["practices"]
    text = rng.choice(pool)
    for _ in range(rng.choice((0, 1, 1, 2, 2))):
        text += " " + rng.choice(practices["tails"])
    return (
        text.format(
            place=organisation.place,
            dept=rng.choice(practices["depts"]),
            month=rng.choice(practices["months"]),
            year=rng.randint(2011, 2024),
            rare=rng.choice(practices["rare"]),
        )
        + "."
    )


def _intro(
    rng: random.Random, organisation: Organisation, employees: int, inhabitants: int | None
) -> str:
    name, place = organisation.name, organisation.place
    staff = _thousands(employees)
    if organisation.kind == "gemeente":
        return (
            f"{place} is een gemeente met ongeveer {_thousands(inhabitants or 0)} inwoners. "
            f"De gemeentelijke organisatie bestaat uit {staff} medewerkers. Als werkgever "
            "willen we dat onze medewerkers hun werk en de zorg voor een naaste goed kunnen "
            "combineren."
        )
    if organisation.kind == "provincie":
        return (
            f"{name} werkt voor {_thousands(inhabitants or 0)} inwoners aan bereikbaarheid, "
            f"natuur, water en een sterke regionale economie. Bij de provincie werken {staff} "
            "medewerkers."
        )
    if organisation.kind == "bedrijf":
        return (
            f"{name} is een familiebedrijf uit {place}. Wij hebben {staff} mensen in dienst, "
            f"van wie een groot deel in de productie in twee ploegen."
        )
    return (
        f"{name} is actief in de regio {place}. De organisatie telt circa {staff} "
        f"medewerkers en {rng.randint(50, 900)} vrijwilligers."
    )


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def _date_text(rng: random.Random, day: date) -> str:
    style = rng.randrange(3)
    if style == 0:
        return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
    if style == 1:
        return f"{day.day:02d}-{day.month:02d}-{day.year}"
    return f"{day.day} {MONTHS_SHORT[day.month - 1]} {day.year}"


def _profile_page(organisation: Organisation, seed: int, revision: int) -> str:
    content = _content(organisation, seed, revision)
    rng = _rng(seed, organisation.number, "markup")
    render = {1: _profile1, 2: _profile2, 3: _profile3}[organisation.generation]
    return render(organisation, content, rng)


def _questions(key: str, generation: int, rng: random.Random) -> str:
    return _e(rng.choice(wording()["questions"][key][str(generation)]))


def _ul(items: list[str], tag: str = "ul", css: str = "", nested: bool = False) -> str:
    attribute = f' class="{css}"' if css else ""
    lines = [f"<{tag}{attribute}>"]
    for position, item in enumerate(items):
        if nested and position == 0 and len(items) > 3:
            lines.append(
                f"<li>{_e(item)} Onder meer:\n<ul{attribute}>\n<li>achtergrondinformatie"
                "</li>\n<li>overzicht van alle regelingen en faciliteiten</li>\n</ul>\n</li>"
            )
        else:
            lines.append(f"<li>{_e(item)}</li>")
    lines.append(f"</{tag}>")
    return "\n".join(lines)


def _glyph_lines(items: list[str], glyph: str, rng: random.Random) -> str:
    """Bullets as lines in one paragraph split by <br />, as the 2011 CMS wrote them; now and
    then a long bullet wraps onto a line without a glyph."""
    lines = []
    for item in items:
        text = _e(item)
        if len(text) > 70 and rng.random() < 0.25:
            cut = text.rfind(" ", 0, len(text) // 2 + 10)
            lines.append(f"{glyph} {text[:cut]}<br />\n{text[cut + 1 :]}")
        else:
            lines.append(f"{glyph} {text}")
    return "<p>" + "<br />\n".join(lines) + "</p>"


def _profile1(organisation: Organisation, content: _Content, rng: random.Random) -> str:
    parts = [f"<h1>{_e(organisation.name)}</h1>"]
    facts = []
    if content.ambassador:
        facts.append(f"Ambassadeur sinds: {_date_text(rng, content.ambassador)}")
    facts.append(f"Erkend mantelzorgvriendelijk sinds: {_date_text(rng, content.recognised)}")
    facts.append(f"Provincie: {content.province}")
    parts.append("<p>" + "<br />\n".join(facts) + "</p>")
    parts += [f"<p>{_e(text)}</p>" for text in content.intro]
    for key, items in content.sections:
        question = _questions(key, 1, rng)
        parts.append(
            f"<h3>{question}</h3>" if rng.random() < 0.5 else f"<p><strong>{question}</strong></p>"
        )
        style = rng.random()
        if key == "ambassadorship" or style < 0.2:
            parts += [f"<p>{_e(item)}</p>" for item in items]
        elif style < 0.5:
            parts.append(_ul(items))
        elif style < 0.75:
            parts.append(_glyph_lines(items, "&nbsp;•", rng))
        else:
            parts.append(_glyph_lines(items, "-", rng))
    parts.append(f'<p><a href="{content.website}/">{content.website.split("//")[1]}</a></p>')
    parts.append(
        f'<p class="erkend-overzicht">{_e(organisation.name)} is 1 van de erkende organisaties.'
        '<br />\n<a href="/erkende-organisaties/">Overzicht van alle organisaties</a></p>'
    )
    return chrome1(organisation.name, organisation.path, "\n".join(parts))


def _profile2(organisation: Organisation, content: _Content, rng: random.Random) -> str:
    parts = []
    if content.ambassador:
        parts.append(
            '<p class="ambassadeur-sinds"><strong>Ambassadeur sinds:</strong> '
            f"{_date_text(rng, content.ambassador)}</p>"
        )
    parts.append(
        '<p class="erkend-sinds"><strong>Erkend mantelzorgvriendelijk sinds:</strong> '
        f"{_date_text(rng, content.recognised)}</p>"
    )
    parts += [f"<p>{_e(text)}</p>" for text in content.intro]
    for key, items in content.sections:
        heading = "h2" if rng.random() < 0.7 else "h4"
        parts.append(f"<{heading}>{_questions(key, 2, rng)}</{heading}>")
        style = rng.random()
        if key in ("implementation", "ambassadorship") and style < 0.3:
            parts += [f"<p>{_e(item)}</p>" for item in items]
        elif style < 0.8:
            parts.append(_ul(items, nested=key == "awareness" and rng.random() < 0.3))
        else:
            parts.append(_ul(items, "ol"))
    host = content.website.split("//")[1]
    if rng.random() < 0.5:
        parts.append(f'<p><a href="{content.website}/">{host}</a></p>')
    else:
        parts.append(f"<p>{host}</p>")
    parts.append(f"<p>{_e(organisation.name)} is 1 van de erkende organisaties.</p>")
    parts.append(
        '<p><a href="https://www.werkenmantelzorg.nl/erkende-organisaties/">'
        "Overzicht van alle organisaties</a></p>"
    )
    article = (
        '<article class="organisatie type-organisatie status-publish hentry">\n'
        '<header class="entry-header">\n'
        f'<h1 class="entry-title">{_e(organisation.name)}</h1>\n</header>\n'
        '<div class="entry-content">\n' + "\n".join(parts) + "\n</div>\n</article>"
    )
    return chrome2(organisation.name, organisation.path, article)


def _profile3(organisation: Organisation, content: _Content, rng: random.Random) -> str:
    label_kind = "Type organisatie" if rng.random() < 0.5 else "Sector"
    facts = [(label_kind, organisation.kind.capitalize())]
    facts.append(("Medewerkers", f"ca. {_thousands(content.employees)}"))
    if content.inhabitants:
        facts.append(("Inwoners", _thousands(content.inhabitants)))
    if content.ambassador:
        facts.append(("Ambassadeur sinds", _date_text(rng, content.ambassador)))
    recognised = content.recognised
    facts.append(
        (
            "Erkend sinds",
            f'<time datetime="{recognised.isoformat()}">{_date_text(rng, recognised)}</time>',
        )
    )
    host = content.website.split("//")[1]
    facts.append(("Website", f'<a href="{content.website}/" rel="noopener">{host}</a>'))
    if rng.random() < 0.5:
        rows = "\n".join(f"<dt>{label}</dt>\n<dd>{value}</dd>" for label, value in facts)
        kerngegevens = f'<dl class="kerngegevens">\n{rows}\n</dl>'
    else:
        rows = "\n".join(f"<li><span>{label}</span> {value}</li>" for label, value in facts)
        kerngegevens = f'<ul class="kerngegevens">\n{rows}\n</ul>'
    parts = [f"<p>{_e(text)}</p>" for text in content.intro]
    for key, items in content.sections:
        block = [
            f'<div class="wp-block-group sectie">\n<h2 class="wp-block-heading">'
            f"{_questions(key, 3, rng)}</h2>"
        ]
        if key in ("implementation", "ambassadorship") and rng.random() < 0.4:
            block += [f"<p>{_e(item)}</p>" for item in items]
        else:
            tag = "ol" if rng.random() < 0.15 else "ul"
            block.append(
                _ul(items, tag, "wp-block-list", nested=key == "awareness" and rng.random() < 0.2)
            )
        parts.append("\n".join(block) + "\n</div>")
    share_url = f"https%3A%2F%2Fwww.werkenmantelzorg.nl{organisation.path.replace('/', '%2F')}"
    article = (
        '<article class="wp-block-group organisatie type-organisatie">\n'
        '<div class="wp-block-group profiel-kop">\n'
        f'<h1 class="wp-block-post-title">{_e(organisation.name)}</h1>\n{kerngegevens}\n</div>\n'
        '<div class="entry-content wp-block-post-content">\n' + "\n".join(parts) + "\n</div>\n"
        '<div class="wp-block-group share-links">\n<p>Deel deze pagina: '
        f'<a href="https://www.linkedin.com/sharing/share-offsite/?url={share_url}">LinkedIn</a>, '
        f'<a href="https://twitter.com/intent/tweet?url={share_url}">Twitter</a>, '
        f'<a href="mailto:?subject=Erkende%20organisatie&amp;body={share_url}">e-mail</a></p>\n'
        "</div>\n</article>"
    )
    breadcrumb = (
        '<nav class="wp-block-group breadcrumbs" aria-label="Kruimelpad"><a href="/">Home</a> › '
        '<a href="/erkende-organisaties/">Erkende organisaties</a> › '
        f'<span aria-current="page">{_e(organisation.name)}</span></nav>\n'
    )
    return chrome3(
        organisation.name,
        organisation.path,
        breadcrumb + article,
        body_class="organisatie-template-default single single-organisatie",
    )


def _robots() -> str:
    return (
        f"User-agent: *\nDisallow: /zoeken/\nDisallow: /wp-admin/\n\n"
        f"Sitemap: {ORIGIN}/sitemap.xml\n"
    )


def _urlset(entries: list[tuple[str, str]]) -> str:
    rows = "".join(
        f"  <url><loc>{ORIGIN}{path}</loc><lastmod>{lastmod}</lastmod></url>\n"
        for path, lastmod in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{rows}</urlset>\n'
    )


def _write(path: Path, body: bytes) -> None:
    try:
        path.write_bytes(body)
    except FileNotFoundError:
        os.makedirs(path.parent, exist_ok=True)
        path.write_bytes(body)


def main() -> None:
    parser = argparse.ArgumentParser(description="Write a synthetic copy of the site.")
    parser.add_argument("root", type=Path)
    parser.add_argument("--n", type=int, default=2_000, help="organisations (default 2,000)")
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args()
    site = SyntheticSite(args.n, seed=args.seed)
    site.write(args.root)
    print(f"{site.page_count()} pages ({args.n} profiles) written to {args.root}")


if __name__ == "__main__":
    main()
