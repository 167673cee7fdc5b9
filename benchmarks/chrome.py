"""The synthetic site's chrome: the three CMS generations of fixtures/CHROME.md (2011 XHTML,
2015 WordPress theme, 2020 block editor), around a page's own content, plus the plain pages
that are not profiles. Links name the real origin, as the real site's do; the server rewrites it.

    html = chrome3("Gemeente X", "/erkende-organisaties/gemeente-x/", main, body_class="single")
"""

from __future__ import annotations

import html

ORIGIN = "https://www.werkenmantelzorg.nl"  # the server rewrites it to its own


def e(text: str) -> str:
    """Text as HTML (quotes left as they are, as the CMS writes them)."""
    return html.escape(text, quote=False)


# -- the three generations -----------------------------------------------------------------

_MENU = (
    ("/", "Home"),
    ("/over-ons/", "Over ons"),
    ("/erkende-organisaties/", "Erkende organisaties"),
    ("/nieuws/", "Nieuws"),
    ("/kennisbank/", "Kennisbank"),
    ("/agenda/", "Agenda"),
    ("/zoeken/", "Zoeken"),
    ("/erkenning-aanvragen/?utm_source=menu&amp;utm_medium=web", "Erkenning aanvragen"),
)


# Dropdown items of the menu: anchors into pages that exist, so they cost a crawler a link each
# but no request.
_SUBMENU = (
    ("/over-ons/#team", "Ons team"),
    ("/over-ons/#contact", "Contact"),
    ("/kennisbank/#onderzoek", "Onderzoek"),
    ("/kennisbank/#handreikingen", "Handreikingen"),
    ("/agenda/#webinars", "Webinars"),
    ("/nieuws/#archief", "Nieuwsarchief"),
)


def _submenu(css: str, prefix: str = "") -> str:
    attribute = f' class="{css}"' if css else ""
    items = "\n".join(
        f'<li{attribute}><a href="{prefix}{href}">{text}</a></li>' for href, text in _SUBMENU
    )
    return f'<li{attribute}><a href="{prefix}/kennisbank/">Meer</a>\n<ul>\n{items}\n</ul>\n</li>'


_NEWS = (
    (
        "12 maart 2024",
        "Ruim 400 organisaties erkend als mantelzorgvriendelijke werkgever",
        "Steeds meer werkgevers maken ruimte voor medewerkers die voor een naaste zorgen.",
    ),
    (
        "5 februari 2024",
        "Nieuwe handreiking: het gesprek over mantelzorg",
        "Met vijf vragen om het gesprek tussen leidinggevende en medewerker te openen.",
    ),
    (
        "18 januari 2024",
        "Webinar voor HR-adviseurs over regelingen en de Wet arbeid en zorg",
        "Wat zegt de wet over kortdurend en langdurig zorgverlof, en wat kan daarbovenop?",
    ),
)
_COOKIES = (
    '<div class="cookie-notice" role="dialog" aria-label="Cookies"><p>Wij gebruiken cookies om '
    "de site te verbeteren en het gebruik te meten. Lees meer in onze "
    '<a href="/cookies/">cookieverklaring</a>.</p><button type="button">Akkoord</button> '
    '<button type="button">Alleen noodzakelijke cookies</button></div>\n'
)


def _news_block(heading_tag: str, css: str) -> str:
    items = "\n".join(
        f'<li><span class="datum">{when}</span> <a href="/nieuws/#archief">{e(title)}</a>'
        f"<br />{e(teaser)}</li>"
        for when, title, teaser in _NEWS
    )
    return (
        f'<div class="{css}">\n<{heading_tag}>Laatste nieuws</{heading_tag}>\n'
        f"<ul>\n{items}\n</ul>\n</div>\n"
    )


def _head(title: str, path: str, charset: str, extra: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="nl">\n<head>\n<meta charset="{charset}" />\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{e(title)} | Werk&amp;Mantelzorg</title>\n"
        f'<link rel="canonical" href="{ORIGIN}{path}" />\n{extra}\n</head>\n'
    )


def chrome1(title: str, path: str, content: str) -> str:
    menu = "\n".join(f'<li><a href="{href}">{text}</a></li>' for href, text in _MENU)
    menu += "\n" + _submenu("")
    return (
        _head(
            title,
            path,
            "utf-8",
            '<link rel="stylesheet" type="text/css" href="/css/style.css?v=20121018" '
            'media="screen" />\n<script type="text/javascript">var _gaq = _gaq || []; '
            "_gaq.push(['_setAccount', 'UA-20431877-1']); _gaq.push(['_trackPageview']); "
            "(function() { var ga = document.createElement('script'); ga.async = true; "
            "ga.src = 'https://ssl.google-analytics.com/ga.js'; })();</script>",
        )
        + '<body class="profiel">\n<div id="wrapper">\n<div id="header">\n'
        '<div id="topbar">Vragen? Bel <a href="tel:+31343477890">0343 - 477 890</a> | '
        '<a href="mailto:info@werkenmantelzorg.nl">info@werkenmantelzorg.nl</a></div>\n'
        f'<a id="logo" href="{ORIGIN}/" title="Naar de homepage">Werk&amp;Mantelzorg</a>\n</div>\n'
        f'<div id="menu">\n<ul>\n{menu}\n</ul>\n</div>\n'
        '<div id="breadcrumb"><a href="/">Home</a> &rsaquo; <a href="/erkende-organisaties/">'
        f"Erkende organisaties</a> &rsaquo; {e(title)}</div>\n"
        f'<div id="content">\n{content}\n</div>\n'
        '<div id="sidebar">\n<div class="block cta">\n<h3>Word ook mantelzorgvriendelijk</h3>\n'
        "<p>Al meer dan 360 organisaties erkend<br />\n1 op de 6 werknemers is mantelzorger<br />\n"
        "4,4 miljoen mantelzorgers</p>\n"
        '<p><a href="/downloads/brochure-erkenning.pdf">Download de brochure (PDF)</a></p>\n'
        "</div>\n"
        '<div class="block nieuwsbrief">\n<h3>Schrijf je nu in voor onze nieuwsbrief!</h3>\n'
        '<form action="/nieuwsbrief/aanmelden" method="post">\n<p><input type="text" name="email" '
        'value="" title="Uw e-mailadres" /> <input type="submit" value="Inschrijven" /></p>\n'
        "</form>\n</div>\n" + _news_block("h3", "block nieuws") + "</div>\n"
        '<div id="footer">\n<p><strong>Stichting Werk&amp;Mantelzorg</strong> | Postbus 123, '
        "3940 AC Doorn | KvK 30212345<br />\nTel. "
        '<a href="tel:+31343477890">0343 - 477 890</a> | '
        '<a href="mailto:info@werkenmantelzorg.nl">info@werkenmantelzorg.nl</a></p>\n'
        '<p><a href="/privacy/">Privacy</a> | <a href="/cookies/">Cookies</a> | '
        '<a href="/downloads/brochure-erkenning.pdf">Brochure Erkenning (PDF)</a> | '
        '<a href="http://www.linkedin.com/company/werk-mantelzorg">LinkedIn</a> | '
        '<a href="http://twitter.com/werkmantelzorg">Twitter</a></p>\n'
        "<p>&copy; 2005-2024 Werk&amp;Mantelzorg</p>\n</div>\n</div>\n"
        + _COOKIES
        + "</body>\n</html>\n"
    )


def chrome2(title: str, path: str, article: str) -> str:
    menu = "\n".join(
        f'<li class="menu-item"><a href="{ORIGIN}{href}">{text}</a></li>' for href, text in _MENU
    )
    menu += "\n" + _submenu("menu-item", ORIGIN)
    return (
        _head(
            title,
            path,
            "utf-8",
            '<link rel="stylesheet" id="wm-theme-css" href="https://www.werkenmantelzorg.nl/'
            'wp-content/themes/werkmantelzorg/style.css?ver=2.3.1" type="text/css" media="all">\n'
            "<script>window.dataLayer = window.dataLayer || []; function gtag(){dataLayer.push("
            "arguments);} gtag('js', new Date()); gtag('config', 'UA-20431877-2', "
            "{'anonymize_ip': true, 'cookie_expires': 31536000});</script>",
        )
        + '<body class="organisatie-template-default single single-organisatie">\n'
        '<div id="page" class="site">\n<header class="site-header">\n<div class="top-bar">\n'
        '<p>Vragen? Bel <a href="tel:+31343477890">0343 - 477 890</a> of mail '
        '<a href="mailto:info@werkenmantelzorg.nl">info@werkenmantelzorg.nl</a></p>\n</div>\n'
        f'<div class="site-branding"><a href="{ORIGIN}/" rel="home" class="custom-logo-link">'
        "Werk&amp;Mantelzorg</a></div>\n"
        '<nav id="site-navigation" class="main-navigation">\n<ul id="primary-menu" class="menu">\n'
        f"{menu}\n</ul>\n</nav>\n</header>\n"
        '<div id="content" class="site-content">\n'
        f'<nav class="breadcrumbs" aria-label="Kruimelpad"><a href="{ORIGIN}/">Home</a> › '
        f'<a href="{ORIGIN}/erkende-organisaties/">Erkende organisaties</a> › '
        f'<span class="current">{e(title)}</span></nav>\n'
        f'<main id="main" class="site-main">\n{article}\n</main>\n'
        '<aside id="secondary" class="widget-area">\n<section class="widget widget_cta">\n'
        '<h2 class="widget-title">Word ook mantelzorgvriendelijk</h2>\n<ul>\n'
        "<li>Al meer dan 360 organisaties erkend</li>\n<li>1 op de 6 werknemers is mantelzorger"
        "</li>\n<li>4,4 miljoen mantelzorgers</li>\n</ul>\n"
        f'<p><a href="{ORIGIN}/downloads/brochure-erkenning.pdf">Download de brochure over de '
        "Erkenning (PDF)</a></p>\n</section>\n"
        '<section class="widget widget_newsletter">\n<h2 class="widget-title">Schrijf je nu in '
        'voor onze nieuwsbrief!</h2>\n<form action="/nieuwsbrief/aanmelden" method="post">\n'
        '<label for="nb-email">E-mailadres</label>\n<input type="email" id="nb-email" '
        'name="email" placeholder="jouw@e-mailadres.nl" required>\n'
        '<button type="submit">Aanmelden</button>\n</form>\n</section>\n'
        + _news_block("h2", "widget widget_recent_entries")
        + "</aside>\n</div>\n"
        '<footer class="site-footer">\n<div class="footer-contact">\n'
        "<p><strong>Stichting Werk&amp;Mantelzorg</strong><br>Postbus 123, 3940 AC Doorn<br>"
        'KvK 30212345<br>Telefoon: <a href="tel:+31343477890">0343 - 477 890</a><br>E-mail: '
        '<a href="mailto:info@werkenmantelzorg.nl">info@werkenmantelzorg.nl</a></p>\n</div>\n'
        '<div class="footer-links">\n<ul>\n'
        f'<li><a href="{ORIGIN}/privacy/">Privacy</a></li>\n'
        f'<li><a href="{ORIGIN}/cookies/">Cookies</a></li>\n'
        f'<li><a href="{ORIGIN}/downloads/brochure-erkenning.pdf">Brochure (PDF)</a></li>\n'
        '<li><a href="https://www.linkedin.com/company/werk-mantelzorg/">LinkedIn</a></li>\n'
        '<li><a href="https://twitter.com/werkmantelzorg">Twitter</a></li>\n</ul>\n</div>\n'
        '<p class="copyright">© 2005-2024 Werk&amp;Mantelzorg</p>\n</footer>\n</div>\n'
        + _COOKIES
        + "</body>\n</html>\n"
    )


def chrome3(title: str, path: str, main: str, *, body_class: str) -> str:
    menu = "\n".join(
        '<li class="wp-block-navigation-item"><a class="wp-block-navigation-item__content" '
        f'href="{href}">{text}</a></li>'
        for href, text in _MENU
    )
    menu += "\n" + _submenu("wp-block-navigation-item")
    return (
        _head(
            title,
            path,
            "utf-8",
            '<link rel="stylesheet" id="wp-block-library-css" href="/wp-includes/css/dist/'
            'block-library/style.min.css?ver=6.4.2" media="all">\n'
            "<script>var _paq = window._paq = window._paq || []; _paq.push(['trackPageView']);"
            " _paq.push(['enableLinkTracking']); (function() { var u = \"https://analytics."
            "werkenmantelzorg.nl/\"; _paq.push(['setTrackerUrl', u + 'matomo.php']); "
            "_paq.push(['setSiteId', '3']); })();</script>",
        )
        + f'<body class="{body_class} wp-site-blocks">\n'
        '<header class="wp-block-template-part site-header">\n'
        '<div class="wp-block-group top-bar">\n'
        '<p>Vragen? Bel <a href="tel:+31343477890">0343 - 477 890</a></p>\n'
        '<p><a href="mailto:info@werkenmantelzorg.nl">info@werkenmantelzorg.nl</a></p>\n</div>\n'
        '<div class="wp-block-group header-main">\n<p class="wp-block-site-title"><a href="/" '
        'rel="home">Werk&amp;Mantelzorg</a></p>\n'
        '<nav class="wp-block-navigation" aria-label="Hoofdmenu">\n'
        f'<ul class="wp-block-navigation__container">\n{menu}\n</ul>\n</nav>\n</div>\n</header>\n'
        f'<main class="wp-block-group site-main" id="wp--skip-link--target">\n{main}\n</main>\n'
        '<aside class="wp-block-group sidebar" aria-label="Zijbalk">\n'
        '<div class="wp-block-group cta-erkenning">\n<h2 class="wp-block-heading">Word ook '
        'mantelzorgvriendelijk</h2>\n<ul class="wp-block-list cijfers">\n'
        "<li>Al meer dan 360 organisaties erkend</li>\n<li>1 op de 6 werknemers is mantelzorger"
        "</li>\n<li>4,4 miljoen mantelzorgers</li>\n</ul>\n"
        f'<div class="wp-block-file"><a href="{ORIGIN}/downloads/brochure-erkenning.pdf">Brochure '
        "Erkenning (PDF, 1,2 MB)</a></div>\n</div>\n"
        '<div class="wp-block-group nieuwsbrief">\n<h2 class="wp-block-heading">Schrijf je nu in '
        'voor onze nieuwsbrief!</h2>\n<form action="/nieuwsbrief/aanmelden" method="post" '
        'class="nieuwsbrief-form">\n<label for="nieuwsbrief-email" class="screen-reader-text">'
        'E-mailadres</label>\n<input type="email" id="nieuwsbrief-email" name="email" '
        'placeholder="E-mailadres" required>\n<button type="submit" class="wp-element-button">'
        "Inschrijven</button>\n</form>\n</div>\n"
        + _news_block("h2", "wp-block-group nieuws")
        + "</aside>\n"
        + _COOKIES
        + '<footer class="wp-block-template-part site-footer">\n<div class="wp-block-columns">\n'
        '<div class="wp-block-column">\n<p><strong>Stichting Werk&amp;Mantelzorg</strong><br>'
        "Postbus 123, 3940 AC Doorn<br>KvK 30212345</p>\n"
        '<p><a href="tel:+31343477890">0343 - 477 890</a><br>'
        '<a href="mailto:info@werkenmantelzorg.nl">info@werkenmantelzorg.nl</a></p>\n</div>\n'
        '<div class="wp-block-column">\n<ul class="wp-block-list footer-menu">\n'
        '<li><a href="/privacy/">Privacyverklaring</a></li>\n<li><a href="/cookies/">Cookies</a>'
        f'</li>\n<li><a href="{ORIGIN}/downloads/brochure-erkenning.pdf">Brochure Erkenning (PDF)'
        "</a></li>\n</ul>\n</div>\n"
        '<div class="wp-block-column">\n<ul class="wp-block-social-links">\n'
        '<li class="wp-social-link wp-social-link-linkedin"><a href="https://www.linkedin.com/'
        'company/werk-mantelzorg/">LinkedIn</a></li>\n'
        '<li class="wp-social-link wp-social-link-twitter"><a href="https://twitter.com/'
        'werkmantelzorg">Twitter</a></li>\n</ul>\n</div>\n</div>\n'
        '<p class="copyright">© 2005-2024 Werk&amp;Mantelzorg</p>\n</footer>\n</body>\n</html>\n'
    )


def simple_page(path: str, heading: str, text: str) -> str:
    main = (
        f'<h1 class="wp-block-post-title">{e(heading)}</h1>\n<p>{e(text)}</p>\n'
        '<p><a href="/erkende-organisaties/">Erkende organisaties</a></p>'
    )
    return chrome3(heading, path, main, body_class="page-template-default page")
