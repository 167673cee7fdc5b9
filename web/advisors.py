"""The advisors' pages: any Dutch municipality, recognised or not, and coverage per province.

    /gemeenten?q=…              a search box that finds any municipality by name
    /gemeente/NAME(.csv)        its CBS figures, the comparable recognised municipalities with
                                their reasons, and its starter package
    /dekking(.csv)              municipalities recognised per province against the target
    /dekking/PROVINCE(.csv)     one province: the recognised ones, those still to win, and
                                its share over time

Each page makes one library call (index/similar.py, harvester/coverage.py) and renders it; an
unknown municipality or province answers 404 with a page in Dutch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from urllib.parse import quote

from sqlalchemy import Engine
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from wmkb.harvester import coverage
from wmkb.harvester.errors import UsageError
from wmkb.harvester.export import coverage_rows
from wmkb.harvester.municipalities import (
    CbsMunicipality,
    closest_municipalities,
    find_municipalities,
    match_municipality,
)
from wmkb.index.similar import Advice, advise
from wmkb.web import charts, labels, params
from wmkb.web.charts import Chart

COVERAGE_COLUMNS = ["cbs_code", "municipality", "province", "cbs_inhabitants", "cbs_year"]
COVERAGE_COLUMNS += ["recognised", "slug", "recognised_since"]
STARTER_COLUMNS = ["kind", "code", "text", "count", "of", "has", "example", "example_slug"]
STARTER_COLUMNS += ["example_text"]


def routes(site, csv: Callable[[Iterable[dict], list[str], str], Response]) -> list[Route]:
    """The pages, rendered by `site` (web/app.py's _Site); `csv` makes a download."""
    pages = _Pages(site, csv)
    return [
        Route("/gemeenten", pages.search),
        Route("/gemeente/{name}.csv", pages.municipality_csv),
        Route("/gemeente/{name}", pages.municipality),
        Route("/dekking", pages.coverage),
        Route("/dekking.csv", pages.coverage_csv),
        Route("/dekking/{province}.csv", pages.province_csv),
        Route("/dekking/{province}", pages.province),
    ]


def municipality_url(municipality: CbsMunicipality) -> str:
    return "/gemeente/" + quote(municipality.name, safe="")


def progress_chart(engine: Engine, area: str = coverage.NATIONAL) -> Chart:
    """The share of municipalities recognised at each year's end in the country (or in one
    province), against the target."""
    series = coverage.progress(coverage.recognitions(engine), today=date.today())
    tallies = [(str(year.year), year.areas[area]) for year in series.years]
    shares = [(label, tally.cumulative, tally.share) for label, tally in tallies]
    return charts.share_chart(shares, series.target)


class _Pages:
    def __init__(self, site, csv) -> None:
        self.site = site
        self.csv = csv

    def search(self, request: Request):
        q = params.municipality_query(request.query_params)
        found = find_municipalities(q) if q else []
        context = {"q": q, "found": found, "url": municipality_url, "nav": "gemeenten"}
        return self.site.render(request, "municipalities.html", context)

    def municipality(self, request: Request):
        municipality = self._municipality(request.path_params["name"])
        if request.path_params["name"] != municipality.name:  # "Den Bosch", "gemeente zeist"
            return RedirectResponse(municipality_url(municipality), status_code=308)
        advice = advise(self.site.engine, municipality)
        context = {"advice": advice, "place": municipality, "nav": "gemeenten"}
        return self.site.render(request, "municipality.html", context)

    def municipality_csv(self, request: Request):
        municipality = self._municipality(request.path_params["name"])
        advice = advise(self.site.engine, municipality)
        filename = f"wmkb-startpakket-{municipality.cbs_code}.csv"
        return self.csv(_starter_rows(advice), STARTER_COLUMNS, filename)

    def coverage(self, request: Request):
        found = coverage.coverage(coverage.recognitions(self.site.engine))
        context = {"coverage": found, "percent": labels.percent, "nav": "dekking"}
        return self.site.render(request, "coverage.html", context)

    def coverage_csv(self, request: Request):
        rows = coverage_rows(self.site.engine)
        return self.csv(rows, COVERAGE_COLUMNS, "wmkb-dekking.csv")

    def province(self, request: Request):
        name = self._province(request.path_params["province"])
        if name != request.path_params["province"]:  # "friesland", "noord-brabant"
            return RedirectResponse(f"/dekking/{quote(name, safe='')}", status_code=308)
        found = coverage.coverage(coverage.recognitions(self.site.engine), only=name)
        context = {
            "coverage": found,
            "entry": found.provinces[0],
            "progress": progress_chart(self.site.engine, name),
            "percent": labels.percent,
            "url": municipality_url,
            "nav": "dekking",
        }
        return self.site.render(request, "province.html", context)

    def province_csv(self, request: Request):
        name = self._province(request.path_params["province"])
        rows = [row for row in coverage_rows(self.site.engine) if row["province"] == name]
        return self.csv(rows, COVERAGE_COLUMNS, f"wmkb-dekking-{name}.csv")

    def _municipality(self, name: str) -> CbsMunicipality:
        found = match_municipality(params.place(name, "gemeente"))
        if found is None:
            words = labels.labels().municipality
            near = closest_municipalities(name)
            hint = f" {words['did_you_mean']}: {', '.join(near)}?" if near else ""
            message = words["not_found"].format(name=name) + hint
            raise HTTPException(404, f"{message} {words['not_found_hint']}")
        return found

    def _province(self, name: str) -> str:
        try:
            return coverage.province(params.place(name, "provincie"))
        except params.ParameterError:
            raise
        except UsageError as error:  # coverage.province's, in English: the page speaks Dutch
            message = labels.labels().coverage["no_province"].format(name=name)
            raise HTTPException(404, message) from error


def _starter_rows(advice: Advice):
    for item in advice.starter_package:
        example = item.examples[0]
        yield {
            "kind": item.kind,
            "code": item.code or "",
            "text": item.text or "",
            "count": item.count,
            "of": len(advice.similar),
            "has": item.has,
            "example": example.name,
            "example_slug": example.slug,
            "example_text": example.text,
        }
