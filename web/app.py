"""The web page: a small read-only Starlette application over the knowledge base and its index,
in Dutch, rendered on the server with Jinja2 (autoescaped), needing no script and no file from
another host.

    /                      search: query box, facets, hits or one row per organisation
    /zoeken(.csv)          the same, with its state in the URL
    /organisatie/SLUG      key facts, sections, regulations, history, comparable organisations
    /organisatie/SLUG.csv  its practices
    /organisatie/SLUG/vergelijkbaar(.csv)   comparable organisations, why, and what they have
    /vergelijk(.csv)?org=A&org=B            two to five side by side
    /wijzigingen(.csv)?sinds=YYYY-MM-DD     what changed, newest first
    /overzicht(.csv)       counts drawn as inline SVG charts
    /gemeente…, /dekking…  the advisors' pages (web/advisors.py)
    /twijfels(.csv)        pages the last refresh could not read as they look

A bad parameter or an unreadable query answers 400, an unknown organisation or page 404, a
missing database or index 503: each a page in Dutch, never a traceback.

    app = create_app("sqlite:///.demo/wmkb.sqlite", Path(".demo/index"))
"""

from __future__ import annotations

import io
import re
import socket
from collections.abc import Iterable
from datetime import UTC, datetime, time
from importlib import resources
from pathlib import Path
from urllib.parse import quote, urlencode

import jinja2
from markupsafe import Markup, escape
from sqlalchemy import Engine, event
from sqlalchemy.exc import SQLAlchemyError
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from wmkb.harvester import lookup
from wmkb.harvester.errors import (
    NotFoundError,
    QueryError,
    SearchIndexError,
    StoreError,
    UsageError,
    WmkbError,
)
from wmkb.harvester.export import write_csv
from wmkb.harvester.municipalities import inhabitants_of
from wmkb.harvester.record import FIELDS
from wmkb.harvester.store import database_error, open_database
from wmkb.index.directory import open_index, organisations_facts
from wmkb.index.query import MARK_END, MARK_START
from wmkb.index.similar import similar
from wmkb.web import advisors, charts, labels, params, results

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
COMPARE_ROWS = (("fact", "facts"), ("regulation", "regulations"), ("items", "sections"))
SHOWN_COMPARABLE = 3  # comparable organisations on the organisation page itself
SECURITY_HEADERS = {
    # Nothing runs and nothing loads from elsewhere, even if something slipped past escaping.
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # a search is nobody else's business
}


def create_app(db_url: str, index_dir: Path, *, allowed_hosts: list[str] | None = None):
    """The application over the knowledge base at `db_url` and the index in `index_dir`.

    Raises StoreError (no database, or one of another schema) or SearchIndexError (no index) at
    once, so that `wmkb serve` fails before it listens rather than on the first page.
    """
    engine = read_only(open_database(db_url))
    open_index(index_dir)
    site = _Site(engine, index_dir, _templates())
    app = Starlette(
        routes=[
            Route("/", site.search),
            Route("/zoeken", site.search),
            Route("/zoeken.csv", site.search_csv),
            Route("/organisatie/{slug}.csv", site.organisation_csv),
            Route("/organisatie/{slug}/vergelijkbaar", site.comparable),
            Route("/organisatie/{slug}/vergelijkbaar.csv", site.comparable_csv),
            Route("/organisatie/{slug}", site.organisation),
            Route("/vergelijk", site.compare),
            Route("/vergelijk.csv", site.compare_csv),
            Route("/wijzigingen", site.changes),
            Route("/wijzigingen.csv", site.changes_csv),
            Route("/overzicht", site.overview),
            Route("/overzicht.csv", site.overview_csv),
            *advisors.routes(site, _csv),
            Route("/twijfels", site.doubts),
            Route("/twijfels.csv", site.doubts_csv),
            Mount(
                "/static",
                StaticFiles(directory=str(resources.files(__package__).joinpath("static"))),
                name="static",
            ),
        ],
        middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts or ["*"])],
        exception_handlers={
            HTTPException: site.http_error,
            WmkbError: site.wmkb_error,
            SQLAlchemyError: site.database_error,
            Exception: site.bug,
        },
    )
    app.state.engine = engine
    return app


def read_only(engine: Engine) -> Engine:
    """The engine, with every connection it makes from now on refusing to write."""

    def refuse_writes(connection, _record) -> None:
        cursor = connection.cursor()
        if engine.dialect.name == "sqlite":
            cursor.execute("PRAGMA query_only = ON")
        elif engine.dialect.name == "postgresql":
            cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
            connection.commit()  # else the pool's rollback on return would undo the SET
        cursor.close()

    event.listen(engine, "connect", refuse_writes)
    engine.dispose()  # the connection open_database checked the schema with was made before
    return engine


def serve(db_url: str, index_dir: Path, *, host: str, port: int, announce) -> None:
    """Serve the page until interrupted; `announce` is told the address once it listens
    (with port 0, the free port the system chose). UsageError when it cannot listen there."""
    import uvicorn  # only `wmkb serve` pays for the server's import

    loopback = host in LOOPBACK_HOSTS
    app = create_app(
        db_url, index_dir, allowed_hosts=[*LOOPBACK_HOSTS, "[::1]"] if loopback else None
    )
    listener = _listen(host, port)
    bound = listener.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    announce(f"http://{shown}:{bound}/", loopback)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    server.run(sockets=[listener])


def _listen(host: str, port: int) -> socket.socket:
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        listener = socket.socket(family, kind, proto)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(address)
        listener.listen(128)
    except OSError as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise UsageError(f"cannot listen on {host}:{port}: {reason}; try another --port") from error
    return listener


class _Site:
    """The pages. Each reads its parameters (params.py), makes one or two library calls, and
    renders a template; errors are left to the handlers at the end."""

    def __init__(self, engine: Engine, index_dir: Path, templates: Jinja2Templates) -> None:
        self.engine = engine
        self.index_dir = index_dir
        self.templates = templates

    def render(self, request: Request, name: str, context: dict, status_code: int = 200):
        response = self.templates.TemplateResponse(request, name, context, status_code=status_code)
        response.headers.update(SECURITY_HEADERS)
        return response

    # search

    def search(self, request: Request):
        state = params.search_state(request.query_params)
        page = results.search_page(self.index_dir, state) if state.q else None
        return self.render(request, "search.html", {"state": state, "page": page, "nav": "zoeken"})

    def search_csv(self, request: Request):
        state = params.search_state(request.query_params)
        if not state.q:
            raise params.ParameterError("Een download van zoekresultaten vraagt een zoekvraag (q).")
        rows = list(results.csv_rows(self.index_dir, state))
        return _csv(rows, results.CSV_COLUMNS[state.weergave], "wmkb-zoekresultaten.csv")

    # one organisation

    def organisation(self, request: Request):
        record = self._record(request.path_params["slug"])
        if record["slug"] != request.path_params["slug"]:  # a name, or a slug in capitals
            return RedirectResponse(f"/organisatie/{record['slug']}", status_code=308)
        _, comparable = similar(self.engine, record["slug"], limit=SHOWN_COMPARABLE)
        context = {
            "org": record,
            "shown_fields": [field for field in FIELDS if field.shown],
            "inhabitants": inhabitants_of(record["cbs_code"], record["inhabitants"]),
            "history": list(reversed(record["history"])),
            "comparable": comparable,
            "with_org": False,
            "nav": None,
        }
        return self.render(request, "organisation.html", context)

    def organisation_csv(self, request: Request):
        record = self._record(request.path_params["slug"])
        rows = [
            {"slug": record["slug"], "name": record["name"], "section": key, "position": n}
            | {"text": text}
            for key, items in record["sections"].items()
            for n, text in enumerate(items)
        ]
        return _csv(rows, ["slug", "name", "section", "position", "text"], f"{record['slug']}.csv")

    def comparable(self, request: Request):
        record, comparable = self._comparable(request)
        context = {"org": record, "comparable": comparable, "nav": None}
        return self.render(request, "comparable.html", context)

    def comparable_csv(self, request: Request):
        record, comparable = self._comparable(request)
        rows = [
            {
                "name": item.name,
                "slug": item.slug,
                "org_type": item.org_type,
                "score": round(item.score, 4),
                "reasons": "; ".join(labels.reason(reason) for reason in item.reasons),
                "they_have_regulations": "; ".join(item.they_have["regulations"]),
                "they_have_practices": " | ".join(item.they_have["practices"]),
            }
            for item in comparable
        ]
        columns = ["name", "slug", "org_type", "score", "reasons"]
        columns += ["they_have_regulations", "they_have_practices"]
        return _csv(rows, columns, f"{record['slug']}-vergelijkbaar.csv")

    def _comparable(self, request: Request):
        limit = params.count(request.query_params, "aantal", 10, params.MAX_COMPARABLE)
        record = self._record(request.path_params["slug"])
        _, comparable = similar(self.engine, record["slug"], limit=limit)
        return record, comparable

    def _record(self, slug: str) -> dict:
        return lookup.show(self.engine, params.slug(slug))  # NotFoundError: a 404 page

    # compare

    def compare(self, request: Request):
        names = params.compared(request.query_params.getlist("org"))
        table = self._compare(names) if names else None
        context = {
            "table": table,
            # The form shows the organisations by name, however the address named them.
            "names": [org["name"] for org in table["organisations"]] if table else names,
            "csv_query": urlencode([("org", name) for name in names]),
            "all_names": self._names(),
            "max_compared": lookup.MAX_COMPARED,
            "nav": "vergelijk",
        }
        return self.render(request, "compare.html", context)

    def compare_csv(self, request: Request):
        names = params.compared(request.query_params.getlist("org"))
        if not names:
            raise params.ParameterError("Kies 2 tot 5 organisaties met org=…&org=….")
        table = self._compare(names)
        slugs = [org["slug"] for org in table["organisations"]]
        rows = [
            {"row": f"{group}:{key}", **dict(zip(slugs, values, strict=True))}
            for group, part in COMPARE_ROWS
            for key, values in table[part].items()
        ]
        return _csv(rows, ["row", *slugs], "wmkb-vergelijking.csv")

    def _compare(self, names: list[str]) -> dict:
        return lookup.compare(self.engine, names)  # NotFoundError: a 404 page

    def _names(self) -> list[str]:
        return sorted(facts["name"] for facts in organisations_facts(self.index_dir).values())

    # changes

    def changes(self, request: Request):
        since = params.since(request.query_params, today=datetime.now(UTC).date())
        found = lookup.changes(self.engine, _start_of(since), params.MAX_CHANGES + 1)
        context = {
            "since": since,
            "changes": found[: params.MAX_CHANGES],
            "more": len(found) > params.MAX_CHANGES,
            "limit": params.MAX_CHANGES,
            "with_org": True,
            "nav": "wijzigingen",
        }
        return self.render(request, "changes.html", context)

    def changes_csv(self, request: Request):
        since = params.since(request.query_params, today=datetime.now(UTC).date())
        rows = [
            {**change, "old": _cell(change["old"]), "new": _cell(change["new"])}
            for change in lookup.changes(self.engine, _start_of(since), params.MAX_CSV_CHANGES)
        ]
        columns = ["changed_at", "name", "slug", "run_id", "field", "old", "new"]
        return _csv(rows, columns, f"wmkb-wijzigingen-sinds-{since:%Y-%m-%d}.csv")

    # overview

    def overview(self, request: Request):
        numbers = charts.overview(self.engine)
        context = {
            "numbers": numbers,
            "stats": lookup.stats(self.engine),
            "charts": {
                "type": charts.bar_chart(numbers.by_type),
                "province": charts.bar_chart(numbers.by_province),
                "year": charts.column_chart(numbers.by_year),
                "regulation": charts.bar_chart(numbers.by_regulation),
                "progress": advisors.progress_chart(self.engine),
            },
            "nav": "overzicht",
        }
        return self.render(request, "overview.html", context)

    def overview_csv(self, request: Request):
        rows = list(charts.overview(self.engine).rows())
        return _csv(rows, ["grafiek", "waarde", "organisaties"], "wmkb-overzicht.csv")

    # doubts: the keeper's to-do list

    def doubts(self, request: Request):
        context = {"doubts": self._doubts(), "nav": "overzicht"}
        return self.render(request, "doubts.html", context)

    def doubts_csv(self, request: Request):
        columns = ["pagina", "soort", "reden", "verversing"]
        return _csv(self._doubts(), columns, "wmkb-twijfels.csv")

    def _doubts(self) -> list[dict]:
        """The last refresh's doubts with their reasons in Dutch; `soort` is the kind's code."""
        return [
            {
                "pagina": found["url"],
                "soort": found["kind"],
                "reden": labels.doubt(found["kind"], found["values"]),
                "verversing": found["run_id"],
            }
            for found in lookup.doubts(self.engine)
        ]

    # errors: a page in Dutch with the status, never a traceback

    def error(
        self,
        request: Request,
        status: int,
        title: str,
        message: str,
        suggestions: list[tuple[str, str]] | None = None,
    ):
        context = {
            "title": title,
            "message": message,
            "suggestions": suggestions or [],  # (name, address) for "bedoelde u"
            "nav": None,
        }
        return self.render(request, "error.html", context, status_code=status)

    def not_found(self, request: Request, error: NotFoundError):
        """No organisation by that name: 404, with the names most like it as links to the same
        page for them."""
        words = labels.labels().not_found
        suggestions = [(name, _instead(request, error.wanted, name)) for name in error.suggestions]
        message = words["organisation"].format(name=error.wanted)
        return self.error(request, 404, words["title"], message, suggestions)

    def http_error(self, request: Request, error: HTTPException):
        if error.status_code == 404:
            message = error.detail if error.detail != "Not Found" else "Deze pagina bestaat niet."
            return self.error(request, 404, "Niet gevonden", message)
        return self.error(request, error.status_code, "Dit gaat niet", str(error.detail))

    def wmkb_error(self, request: Request, error: WmkbError):
        if isinstance(error, NotFoundError):
            return self.not_found(request, error)
        if isinstance(error, params.ParameterError):
            return self.error(request, 400, "Dit gaat niet", str(error))
        if isinstance(error, QueryError):
            return self.error(
                request, 400, labels.labels().search["refused"], labels.query_error(error)
            )
        if isinstance(error, UsageError):
            return self.error(request, 400, "Dit gaat niet", str(error))
        if isinstance(error, StoreError | SearchIndexError):
            return self.error(
                request,
                503,
                "De kennisbank is niet beschikbaar",
                "Probeer het over een minuut opnieuw; blijft dit zo, vraag dan de beheerder.",
            )
        return self.bug(request, error)

    def database_error(self, request: Request, error: SQLAlchemyError):
        return self.wmkb_error(request, database_error(error))

    def bug(self, request: Request, error: Exception):
        # The traceback goes to the server's log (Starlette re-raises), never to the page.
        return self.error(
            request, 500, "Er ging iets mis", "Dit is een fout in wmkb; de beheerder ziet hem."
        )


def _templates() -> Jinja2Templates:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader(__package__, "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,  # a misspelt name fails a test, not a reader
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(
        marks=_marks,
        number=labels.number,
        day=labels.day,
        moment=labels.moment,
        org_type=labels.org_type,
        section=labels.section,
        regulation=labels.regulation,
        reason=labels.reason,
        change_field=labels.change_field,
        web_address=_web_address,
    )
    environment.globals.update(labels=labels.labels(), params=params)
    return Jinja2Templates(env=environment)


def _marks(marked: str) -> Markup:
    """A hit's text, escaped, with its matched words in <mark>."""
    escaped = str(escape(marked))
    return Markup(escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))


def _web_address(url: str | None) -> str | None:
    """The URL if it is a web address; None for anything a link must not point at
    (javascript:, data:), however a profile came to hold it."""
    if url and re.match(r"https?://[^\s]+$", url, re.IGNORECASE):
        return url
    return None


def _csv(rows: Iterable[dict], columns: list[str], filename: str) -> Response:
    """A download by wmkb's one CSV convention (harvester/export.py), as `wmkb export` writes."""
    buffer = io.StringIO(newline="")
    write_csv(rows, buffer, columns)
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", filename)
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{safe}"', **SECURITY_HEADERS},
    )


def _cell(value) -> str:
    if value is None:
        return ""
    return " | ".join(value) if isinstance(value, list) else str(value)


def _start_of(day) -> datetime:
    return datetime.combine(day, time())


def _instead(request: Request, wanted: str, name: str) -> str:
    """The address asked for, with the organisation `name` in the place of `wanted`."""
    if request.url.path.startswith("/vergelijk"):
        names = [
            name if value.strip() == wanted else value
            for value in request.query_params.getlist("org")
        ]
        return f"{request.url.path}?{urlencode([('org', value) for value in names])}"
    slug = request.path_params.get("slug", wanted)
    return request.url.path.replace(f"/organisatie/{slug}", f"/organisatie/{quote(name)}", 1)
