"""wmkb's command line: each command reads its options, makes one call into harvester/ or
index/, and formats the answer (a table on a terminal, --json for programs).

Every WmkbError becomes a one-line message on stderr and its exit code; anything else is a bug.

Imports: at the top only what every command needs to start (click, the settings, the errors, and
the light modules whose constants the options list: vocabulary, describe). Each command imports
the modules it calls inside its body, so `wmkb --version` pays for no database, no index and no
web stack, and `wmkb search` for the index alone. A new command follows the same rule; `make
bench` (benchmarks/run.py --only startup) measures the start-up, and tests/test_cli.py checks
which modules `wmkb --version` and `wmkb search` import.
"""

from __future__ import annotations

import json
import logging
import sys
import textwrap
from datetime import date
from importlib import resources
from pathlib import Path

import click

from wmkb.harvester import describe, settings, vocabulary
from wmkb.harvester.errors import WmkbError
from wmkb.harvester.vocabulary import ORG_TYPES


def _shipped(*parts: str) -> Path:
    """A file the package ships (pyproject.toml's package data), wherever it is installed."""
    return Path(str(resources.files("wmkb").joinpath(*parts)))


FIXTURE_SITE = _shipped("fixtures", "site")
JUDGED_QUERIES = _shipped("tests", "judged_queries.toml")
LOG_LEVELS = (logging.WARNING, logging.INFO, logging.DEBUG)  # by the number of -v
DEMO_QUERIES = ("thuiswerken gemeente", '"kortdurend zorgverlof"', "mantelzorgmakelaar")


class _Failure(click.ClickException):
    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class _Commands(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except WmkbError as error:
            raise _Failure(str(error), error.exit_code) from error
        except Exception as error:
            # Only a command that imported SQLAlchemy can raise its errors: look for the class
            # there rather than import SQLAlchemy for every command.
            database = sys.modules.get("sqlalchemy.exc")
            if database is None or not isinstance(error, database.SQLAlchemyError):
                raise
            from wmkb.harvester.store import database_error

            raise _Failure(str(database_error(error)), 1) from error


def _db_option(function):
    return click.option(
        "--db",
        "db_url",
        envvar="WMKB_DB",
        metavar="URL",
        help="Database URL [default: sqlite:///$WMKB_HOME/wmkb.sqlite; env WMKB_DB].",
    )(function)


def _index_option(function):
    return click.option(
        "--index",
        "index_dir",
        envvar="WMKB_INDEX",
        type=click.Path(path_type=Path),
        help="Index directory [default: $WMKB_HOME/index; env WMKB_INDEX].",
    )(function)


def _politeness_options(function):
    """How politely a command asks a site for pages (refresh, backfill): requests in flight,
    the gap between them, and who to contact, sent in the User-Agent."""
    function = click.option(
        "--contact",
        envvar="WMKB_CONTACT",
        default=settings.CONTACT_URL,
        show_default=True,
        help="Contact URL sent in the User-Agent [env WMKB_CONTACT].",
    )(function)
    function = click.option(
        "--delay",
        type=click.FloatRange(0),
        default=settings.REQUEST_DELAY_S,
        show_default=True,
        help="Minimum seconds between two requests.",
    )(function)
    return click.option(
        "--concurrency",
        type=click.IntRange(1, 64),
        default=settings.CONCURRENCY,
        show_default=True,
        help="Requests in flight at once.",
    )(function)


def _json_option(function):
    return click.option("--json", "as_json", is_flag=True, help="Print JSON.")(function)


def _echo_json(value) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


@click.group(cls=_Commands)
@click.version_option(package_name="wmkb")
@click.option(
    "-v", "--verbose", count=True, help="Log more on stderr: -v what a run does, -vv each request."
)
@click.option("-q", "--quiet", is_flag=True, help="Log only errors on stderr.")
def main(verbose: int, quiet: bool) -> None:
    """Knowledge base of the employers Werk&Mantelzorg recognised as caregiver-friendly."""
    level = logging.ERROR if quiet else LOG_LEVELS[min(verbose, len(LOG_LEVELS) - 1)]
    # force: each invocation in one process (the tests) logs to the stderr it has now.
    logging.basicConfig(
        level=level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s", force=True
    )
    # httpx logs every request at INFO; ours say the same at DEBUG, with the crawl's words.
    logging.getLogger("httpx").setLevel(max(level, logging.WARNING))


@main.command("parse")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--url", default=None, help="The page's URL [default: the file's path].")
def parse_command(file: Path, url: str | None) -> None:
    """Read one saved page and print its record as JSON."""
    from wmkb.harvester.pipeline import read

    try:
        body = file.read_bytes()
    except OSError as error:
        raise _Failure(f"cannot read {file}: {error.strerror}", 1) from error
    record = read(body, url or file.resolve().as_uri()).record.as_json()
    _echo_json(record)


@main.command("refresh")
@click.option(
    "--site",
    envvar="WMKB_SITE",
    default=settings.SITE_URL,
    show_default=True,
    help="Where the crawl starts [env WMKB_SITE].",
)
@_db_option
@_index_option
@_politeness_options
@click.option(
    "--max-pages",
    type=click.IntRange(1),
    default=settings.MAX_PAGES,
    show_default=True,
    help="Pages fetched at most; a run that hits it withdraws nothing.",
)
@click.option(
    "--read-process-after",
    envvar="WMKB_READ_PROCESS_AFTER",
    type=click.IntRange(0),
    default=settings.READ_PROCESS_AFTER,
    show_default=True,
    help="Pages read in the crawl's own process before a second one reads and stores the rest "
    "(0: all) [env WMKB_READ_PROCESS_AFTER].",
)
@click.option("--full", is_flag=True, help="Re-fetch and re-read every page.")
@click.option("--quiet", is_flag=True, help="Print only errors.")
@_json_option
def refresh_command(
    site,
    db_url,
    index_dir,
    concurrency,
    delay,
    max_pages,
    contact,
    read_process_after,
    full,
    quiet,
    as_json,
) -> None:
    """Crawl the site, store what changed, and update the index.

    Exit codes: 0 done; 1 more than 10% of the URLs failed; 2 a usage error; 75 the site or its
    robots.txt cannot be reached, or another process is writing the knowledge base (try again
    later). Every run adds one line to $WMKB_HOME/refresh.log."""
    from wmkb.harvester.discover import site_url
    from wmkb.harvester.fetch import FetchSettings
    from wmkb.harvester.refresh import (
        RefreshOptions,
        append_run_log,
        default_user_agent,
        reach_site,
        refresh_and_index,
    )
    from wmkb.harvester.store import open_database

    options = RefreshOptions(
        site=site_url(site),
        fetch=FetchSettings(
            user_agent=default_user_agent(contact), concurrency=concurrency, delay_s=delay
        ),
        max_pages=max_pages,
        full=full,
        read_process_after=read_process_after,
        # A terminal only: cron's mail gets the summary, not a line redrawn a thousand times.
        progress=_progress_line if sys.stderr.isatty() and not (quiet or as_json) else None,
    )
    robots = reach_site(options)  # before the knowledge base is made or touched
    engine = open_database(db_url or settings.default_db_url(), create=True)
    summary = refresh_and_index(
        engine, options, index_dir or settings.default_index_dir(), robots=robots
    )
    if options.progress:
        click.echo("", err=True)  # ends the progress line
    append_run_log(settings.home() / "refresh.log", summary, options.site)
    if as_json:
        _echo_json(summary.as_json())
    elif not quiet:
        _print_summary(summary)
    for url, reason in summary.failures if quiet else []:
        click.echo(f"failed: {url}: {reason}", err=True)
    if summary.failure_share > options.failure_threshold:
        raise _Failure(
            f"{summary.failed} URLs failed (more than "
            f"{options.failure_threshold:.0%}); see `wmkb stats`",
            1,
        )


def _progress_line(summary) -> None:
    click.echo(
        f"\rfetched {summary.fetched} · not modified {summary.not_modified} · "
        f"skipped {summary.skipped} · failed {summary.failed}",
        err=True,
        nl=False,
    )


def _print_summary(summary) -> None:
    from wmkb.harvester.refresh import HEADLINE

    state = "complete" if summary.complete else "incomplete (nothing withdrawn)"
    click.echo(f"refresh {summary.run_id}: {state} in {summary.duration_s:.1f} s")
    for count in HEADLINE:
        click.echo(f"  {count.key:<13}{summary.counters[count]:>6}")
    _print_counters(summary.counts)
    for url, reason in summary.failures[:20]:
        click.echo(f"  failed: {url}: {reason}")
    if summary.doubts:
        click.echo(f"  {summary.doubts} doubts: `wmkb doubts` lists them")


@main.command("search")
@click.argument("query")
@_index_option
@click.option("--type", "org_type", type=click.Choice(ORG_TYPES), help="Only this type.")
@click.option("--regulation", metavar="CODE", help="Only organisations offering it.")
@click.option("--limit", type=click.IntRange(1, 1000), default=10, show_default=True)
@click.option("--by-org", is_flag=True, help="One row per organisation with its best practices.")
@click.option(
    "--facets",
    is_flag=True,
    help="With --json: an object with the rows, the facet counts and the suggestion.",
)
@_json_option
def search_command(query, index_dir, org_type, regulation, limit, by_org, facets, as_json) -> None:
    """Search the good practices; every word must match.

    On a terminal every search also shows "did you mean" and the facet counts (organisations
    by type, regulation, province and recognition year); with --json, add --facets for them.
    """
    from wmkb.index.query import render_marks, search

    found = search(
        index_dir or settings.default_index_dir(),
        query,
        org_type=org_type,
        regulation=regulation,
        limit=limit,
        facets=facets or not as_json,
        by_organisation=by_org,
    )
    if as_json:
        _echo_json(_search_json(found, by_org, with_facets=facets))
        return
    if found.suggestion:
        click.echo(f"did you mean: {found.suggestion}")
    count = found.organisations
    matched = f"{count} organisation matches" if count == 1 else f"{count} organisations match"
    click.echo(matched + (", best first" if by_org else ""))
    # Bold on a terminal; a pipe or a file gets the text as it is.
    bold = ("\x1b[1m", "\x1b[0m") if sys.stdout.isatty() else ("", "")
    for hit in [] if by_org else found.hits:
        click.echo(f"\n{hit.name} · {hit.section} · {hit.slug}")
        click.echo("  " + render_marks(hit.marked_text, *bold).replace("\n", "\n  "))
    for row in found.by_organisation() if by_org else found.across:
        spread = " · the words are in different practices" if row["across_practices"] else ""
        click.echo(f"\n{row['name']} ({row['org_type']}) · {row['slug']}{spread}")
        for hit in row["practices"]:
            text = render_marks(hit.marked_text, *bold).replace("\n", "\n    ")
            click.echo(f"  {hit.section}: {text}")
    click.echo("")
    for facet, counts in found.facets.items():
        if counts:
            shown = ", ".join(f"{value} {count}" for value, count in list(counts.items())[:8])
            click.echo(f"{FACET_LABELS[facet]}: {shown}")


FACET_LABELS = {
    "org_type": "type",
    "regulations": "regulation",
    "province": "province",
    "recognised": "recognised",
}


def _search_json(found, by_org: bool, *, with_facets: bool):
    rows = (
        [
            {
                **{key: value for key, value in row.items() if key != "practices"},
                "score": round(row["score"], 4),
                "practices": [hit.as_json() for hit in row["practices"]],
            }
            for row in found.by_organisation()
        ]
        if by_org
        else [hit.as_json() for hit in found.hits]
        + [hit.as_json() for row in found.across for hit in row["practices"]]
    )
    if not with_facets:
        return rows
    return {
        "organisations": found.organisations,
        "suggestion": found.suggestion,
        "facets": found.facets,
        "organisations_found" if by_org else "hits": rows,
    }


@main.command("show")
@click.argument("name_or_slug")
@_db_option
@_json_option
def show_command(name_or_slug, db_url, as_json) -> None:
    """One organisation: its record, status and history."""
    from wmkb.harvester import lookup
    from wmkb.harvester.record import FIELDS
    from wmkb.harvester.store import open_database

    record = lookup.show(open_database(db_url or settings.default_db_url()), name_or_slug)
    if as_json:
        _echo_json(record)
        return
    click.echo(f"{record['name']} ({record['org_type']}, {record['status']})")
    shown = [field.name for field in FIELDS if field.shown and field.name != "org_type"]
    facts = {key: record[key] for key in (*shown, "first_seen", "last_seen")}
    if "inhabitants" in facts:
        facts["inhabitants"] = _inhabitants(record["cbs_code"], record["inhabitants"])
    for key, value in facts.items():
        if value is not None:
            click.echo(f"  {key}: {value}")
    if record["description"]:
        click.echo("\n" + record["description"])
    for section, items in record["sections"].items():
        click.echo(f"\n{section}:")
        for item in items:
            click.echo("  • " + item.replace("\n", "\n    "))
    click.echo("\nregulations: " + (", ".join(record["regulations"]) or "–"))
    count = len(record["history"])
    click.echo(f"history: {count} change{'' if count == 1 else 's'}")
    for change in record["history"]:
        source = "" if change["source"] == "site" else f" ({change['source']})"
        click.echo(
            f"  {change['changed_at']} {change['field']}: "
            f"{_brief(change['old'])} → {_brief(change['new'])}{source}"
        )


def _inhabitants(cbs_code: str | None, stated: int | None) -> str | None:
    """The inhabitants as the web page and the exports give them, with where they come from."""
    from wmkb.harvester.municipalities import inhabitants_of

    figure = inhabitants_of(cbs_code, stated)
    if figure.source == "cbs":
        return f"{figure.count} (CBS {figure.municipality.year})"
    return None if figure.count is None else f"{figure.count} (as the profile states)"


@main.command("changes")
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]),
    help="Only changes on or after this date (YYYY-MM-DD).",
)
@click.option("--limit", type=click.IntRange(1), default=None, help="At most this many.")
@_db_option
@_json_option
def changes_command(since, limit, db_url, as_json) -> None:
    """What refreshes changed, newest first, across all organisations."""
    from wmkb.harvester import lookup
    from wmkb.harvester.store import open_database

    found = lookup.changes(open_database(db_url or settings.default_db_url()), since, limit)
    if as_json:
        _echo_json(found)
        return
    if not found:
        click.echo("no changes" + (f" since {since:%Y-%m-%d}" if since else ""))
    for change in found:
        click.echo(
            f"{change['changed_at']}  {change['name']}  {change['field']}: "
            f"{_brief(change['old'])} → {_brief(change['new'])}"
        )


def _brief(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, list):
        return "; ".join(item.replace("\n", " ") for item in value)[:200] or "–"
    return str(value).replace("\n", " ")[:200]


@main.command("stats")
@_db_option
@_json_option
def stats_command(db_url, as_json) -> None:
    """Counts: organisations, practices, regulations, and the last refresh."""
    from wmkb.harvester import lookup
    from wmkb.harvester.store import open_database

    numbers = lookup.stats(open_database(db_url or settings.default_db_url()))
    if as_json:
        _echo_json(numbers)
        return
    for key in ("organisations", "active", "withdrawn", "measures", "regulations"):
        click.echo(f"{key:<14}{numbers[key]:>6}")
    for org_type, count in numbers["by_type"].items():
        click.echo(f"  {org_type:<12}{count:>6}")
    click.echo(f"{'doubts':<14}{numbers['doubts']:>6}")
    click.echo(f"municipalities not linked to CBS: {numbers['municipalities_unmatched']}")
    for name in numbers["municipalities_unmatched_names"]:
        click.echo(f"  {name}")
    run = numbers["last_refresh"]
    if run:
        click.echo(f"last refresh  {run['started_at']} ({run['status']})")
        _print_counters(run["counters"])


def _print_counters(counters: dict[str, int]) -> None:
    """A refresh's counters (harvester/counters.py), one a line, their numbers aligned."""
    if not counters:
        return
    click.echo("counters:")
    width = max(map(len, counters)) + 2
    for key, number in counters.items():
        click.echo(f"  {key:<{width}}{number:>6}")


@main.command("doubts")
@_db_option
@_json_option
def doubts_command(db_url, as_json) -> None:
    """Pages the last refresh could not read as they look: the keeper's to-do list."""
    from wmkb.harvester import lookup
    from wmkb.harvester.store import open_database

    found = lookup.doubts(open_database(db_url or settings.default_db_url()))
    if as_json:
        _echo_json(found)
        return
    if not found:
        click.echo("no doubts")
    for doubt in found:
        click.echo(f"{doubt['url']}: {doubt['reason']}")


@main.command("export")
@click.option(
    "--format", "fmt", type=click.Choice(describe.FORMATS), default="csv", show_default=True
)
@click.option(
    "--what", type=click.Choice(describe.TABLES), default="organisations", show_default=True
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write [default: standard output].",
)
@_db_option
def export_command(fmt, what, output, db_url) -> None:
    """Write a tidy table for pandas, R or a spreadsheet; with -o, a Frictionless data package
    (datapackage.json) beside it describes its columns."""
    from wmkb.harvester import export as exporting
    from wmkb.harvester.store import open_database

    engine = open_database(db_url or settings.default_db_url())
    if output is None:
        rows = exporting.ROWS[what](engine)
        exporting.write(rows, sys.stdout, fmt, describe.columns(what))
        return
    count = exporting.export_to(engine, what, output, fmt)
    click.echo(
        f"{count} {what} written to {output}; described in {output.parent / exporting.PACKAGE}",
        err=True,
    )


@main.command("metadata")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write [default: standard output].",
)
@_db_option
def metadata_command(output, db_url) -> None:
    """Datasette's metadata.json for the database: `datasette wmkb.sqlite -m metadata.json`."""
    from wmkb.harvester.store import open_database

    metadata = describe.datasette_metadata(open_database(db_url or settings.default_db_url()))
    text = json.dumps(metadata, ensure_ascii=False, indent=2) + "\n"
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise _Failure(f"cannot write {output}: {error.strerror}", 1) from error
    click.echo(f"metadata for Datasette written to {output}", err=True)


@main.command("similar")
@click.argument("name_or_slug")
@click.option("--limit", type=click.IntRange(1, 100), default=5, show_default=True)
@_db_option
@_json_option
def similar_command(name_or_slug, limit, db_url, as_json) -> None:
    """The organisations most comparable to one, and what they have that it lacks.

    For any Dutch municipality, recognised or not ("Zeist", "Den Bosch"): the recognised
    municipalities most comparable to it, and its starter package.
    """
    from wmkb.harvester.store import open_database
    from wmkb.index.similar import advise, advised_municipality, similar

    engine = open_database(db_url or settings.default_db_url())
    municipality = advised_municipality(engine, name_or_slug)
    if municipality is not None:
        advice = advise(engine, municipality, limit=limit)
        if as_json:
            _echo_json(advice.as_json())
        else:
            _print_advice(advice)
        return
    name, found = similar(engine, name_or_slug, limit=limit)
    if as_json:
        _echo_json([item.as_json() for item in found])
        return
    click.echo(f"Comparable to {name}:")
    _print_comparable(name, found)


def _print_comparable(name: str, found) -> None:
    labels = vocabulary.regulations().labels
    for item in found:
        click.echo(f"\n{item.name} ({item.org_type}) · {item.slug} · score {item.score:.2f}")
        for reason in item.reasons:
            click.echo(f"  - {reason.text()}")
        lacking = item.they_have["regulations"]
        if lacking:
            click.echo(f"  has, {name} lacks: " + ", ".join(labels[c] for c in lacking))
        for practice in item.they_have["practices"]:
            click.echo(f"  does, {name} does not: " + practice.replace("\n", " ")[:150])


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", ".")  # as the reasons write them: 25.935


def _print_advice(advice) -> None:
    place = advice.municipality
    state = "recognised" if advice.recognised else "not recognised"
    click.echo(
        f"{place.name} ({place.cbs_code}, {place.province}, "
        f"{_thousands(place.inhabitants)} inhabitants): {state}"
    )
    click.echo("\nComparable recognised municipalities:")
    _print_comparable(place.name, advice.similar)
    click.echo(f"\nStarter package, among these {len(advice.similar)} (✓ {place.name} has it):")
    for item in advice.starter_package:
        mark = "✓" if item.has else " "
        if item.kind == "regulation":
            what = vocabulary.regulations().labels[item.code]
        else:
            what = item.text.replace("\n", " ")[:110]
        click.echo(f"  {mark} {item.count}/{len(advice.similar)}  {item.kind:<10}  {what}")
        example = item.examples[0]
        if item.kind == "regulation":
            click.echo(f"      e.g. {example.name}: {example.text.replace(chr(10), ' ')[:110]}")
        else:
            click.echo(f"      e.g. {example.name}")


@main.command("coverage")
@click.option("--province", metavar="P", help="Only this province (the national total stays).")
@click.option(
    "--target",
    type=float,
    default=settings.COVERAGE_TARGET,
    show_default=True,
    help="The share of municipalities the foundation aims at.",
)
@click.option("--by-year", is_flag=True, help="Recognitions per year and the cumulative share.")
@_db_option
@_json_option
def coverage_command(province, target, by_year, db_url, as_json) -> None:
    """Municipalities recognised per province against all 342 (CBS) and the target; with
    --by-year, how that grew."""
    from wmkb.harvester import coverage as coverage_
    from wmkb.harvester.store import open_database

    target = coverage_.target_share(target)
    only = coverage_.province(province) if province else None
    found = coverage_.recognitions(open_database(db_url or settings.default_db_url()))
    if by_year:
        if only:
            raise _Failure("--by-year shows every province; leave out --province", 2)
        series = coverage_.progress(found, today=date.today(), target=target)
        if as_json:
            _echo_json(series.as_json())
        else:
            _print_progress(series)
        return
    result = coverage_.coverage(found, target=target, only=only)
    if as_json:
        _echo_json(result.as_json())
    else:
        _print_coverage(result)


def _print_coverage(result) -> None:
    national = result.national
    click.echo(
        f"Netherlands: {national['recognised']} of {national['municipalities']} municipalities "
        f"recognised ({national['share']:.1%}); target {national['target']:.0%}: "
        f"{national['needed']} more needed"
    )
    for entry in result.provinces:
        click.echo(
            f"\n{entry.name}: {len(entry.recognised)} of {entry.municipalities} ({entry.share:.1%})"
        )
        for municipality, recognition in entry.recognised:
            since = recognition.recognised_since or "date unknown"
            click.echo(f"  recognised: {municipality.name} (since {since})")
        waiting = ", ".join(f"{m.name} ({_thousands(m.inhabitants)})" for m in entry.not_recognised)
        if waiting:
            line = f"not yet, most inhabitants first: {waiting}"
            click.echo(textwrap.fill(line, 100, initial_indent="  ", subsequent_indent="    "))
        if entry.other_organisations:
            counts = ", ".join(f"{kind} {n}" for kind, n in entry.other_organisations.items())
            click.echo(f"  other recognised organisations: {counts}")


def _print_progress(series) -> None:
    click.echo(
        f"{'year':<6}{'recognised':>11}{'municipalities':>16}{'withdrawn':>11}"
        f"{'cumulative':>12}{'share':>8}"
    )
    for year in series.years:
        tally = year.national
        click.echo(
            f"{year.year:<6}{tally.recognitions:>11}{tally.municipalities_recognised:>16}"
            f"{tally.municipalities_withdrawn:>11}{tally.cumulative:>12}{tally.share:>8.1%}"
        )
    click.echo(
        f"target {series.target:.0%} of {series.municipalities} municipalities; "
        f"{series.undated} recognised without a date; --json for provinces and regulations"
    )


@main.command("compare")
@click.argument("names", nargs=-1, required=True)
@_db_option
@_json_option
def compare_command(names, db_url, as_json) -> None:
    """Two to five organisations side by side: facts, regulations (✓/–), items per section."""
    from wmkb.harvester import lookup, vocabulary
    from wmkb.harvester.store import open_database

    table = lookup.compare(open_database(db_url or settings.default_db_url()), list(names))
    if as_json:
        _echo_json(table)
        return
    labels = vocabulary.regulations().labels
    rows = [("", [org["name"] for org in table["organisations"]])]
    rows += [
        (fact, ["–" if v is None else str(v) for v in values])
        for fact, values in table["facts"].items()
    ]
    rows += [
        (labels[code], ["✓" if v else "–" for v in values])
        for code, values in table["regulations"].items()
    ]
    rows += [
        (f"items: {section}", [str(v) for v in values])
        for section, values in table["sections"].items()
    ]
    width = max(len(label) for label, _ in rows)
    columns = [max(len(row[1][i]) for row in rows) for i in range(len(names))]
    for label, values in rows:
        cells = "  ".join(value.ljust(columns[i]) for i, value in enumerate(values))
        click.echo(f"{label.ljust(width)}  {cells}".rstrip())


@main.command("eval")
@click.option(
    "--queries",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=JUDGED_QUERIES,
    show_default=True,
    help="Judged queries (TOML).",
)
@_index_option
@_json_option
def eval_command(queries, index_dir, as_json) -> None:
    """Score search on judged queries: recall@10 and nDCG@10, with and without the Dutch
    expansion (compound parts and regulation phrasings)."""
    from wmkb.index.evaluate import evaluate, load_judged, means

    judged = load_judged(queries)
    index_dir = index_dir or settings.default_index_dir()
    runs = {
        name: evaluate(index_dir, judged, expand=expand)
        for name, expand in (("plain", False), ("dutch", True))
    }
    if as_json:
        _echo_json(
            {
                name: {
                    **means(scores),
                    "per_query": [
                        {"query": s.query, "recall_at_10": s.recall, "ndcg_at_10": s.ndcg}
                        for s in scores
                    ],
                }
                for name, scores in runs.items()
            }
        )
        return
    click.echo(f"{'query':<36}{'plain R@10':>11}{'nDCG':>7}{'dutch R@10':>12}{'nDCG':>7}")
    for plain, dutch in zip(runs["plain"], runs["dutch"], strict=True):
        click.echo(
            f"{plain.query[:35]:<36}{plain.recall:>11.2f}{plain.ndcg:>7.2f}"
            f"{dutch.recall:>12.2f}{dutch.ndcg:>7.2f}"
        )
    plain, dutch = means(runs["plain"]), means(runs["dutch"])
    click.echo(
        f"{'mean of ' + str(plain['queries']) + ' queries':<36}{plain['recall_at_10']:>11.3f}"
        f"{plain['ndcg_at_10']:>7.3f}{dutch['recall_at_10']:>12.3f}{dutch['ndcg_at_10']:>7.3f}"
    )


@main.command("reindex")
@_db_option
@_index_option
def reindex_command(db_url, index_dir) -> None:
    """Rebuild the search index from the database."""
    from wmkb.harvester.store import open_database
    from wmkb.index.build import rebuild

    count = rebuild(
        open_database(db_url or settings.default_db_url()),
        index_dir or settings.default_index_dir(),
    )
    click.echo(f"{count} practices indexed")


@main.command("reparse")
@click.option(
    "--site",
    envvar="WMKB_SITE",
    default=None,
    help="The site whose links pages lead to [default: the last refresh's; env WMKB_SITE].",
)
@_db_option
@_index_option
@_json_option
def reparse_command(site, db_url, index_dir, as_json) -> None:
    """Read every archived page again with the current reader and data files; no request to
    the site. Changes are stored as the reader's, and the index is brought up to date."""
    from wmkb.harvester.reparse import COUNTS as REPARSE_COUNTS
    from wmkb.harvester.reparse import reparse
    from wmkb.harvester.store import open_database

    engine = open_database(db_url or settings.default_db_url())
    index_dir = index_dir or settings.default_index_dir()
    summary = reparse(engine, settings.archive_dir(), index_dir=index_dir, site=site)
    if as_json:
        _echo_json(summary.as_json())
        return
    click.echo(f"reparse: {summary.pages} archived pages read again")
    for key in REPARSE_COUNTS[1:]:
        click.echo(f"  {key:<13}{getattr(summary, key):>6}")
    for url, reason in summary.failures[:20]:
        click.echo(f"  failed: {url}: {reason}")


@main.command("import-warc")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--site",
    envvar="WMKB_SITE",
    default=settings.SITE_URL,
    show_default=True,
    help="The site whose captures are kept [env WMKB_SITE].",
)
@_db_option
@_index_option
@_json_option
def import_warc_command(files, site, db_url, index_dir, as_json) -> None:
    """Bring in the site's captures from WARC files (gzipped or not, made by anyone), as
    refreshes dated by their capture time, oldest first. Exits 1 when a record was unreadable
    (it is named, and passed over)."""
    from wmkb.harvester.imports import import_warcs
    from wmkb.harvester.store import open_database

    engine = open_database(db_url or settings.default_db_url(), create=True)
    summary = import_warcs(
        engine,
        files,
        site=site,
        archive_dir=settings.archive_dir(),
        index_dir=index_dir or settings.default_index_dir(),
    )
    if as_json:
        _echo_json(summary.as_json())
    else:
        _print_import(summary)
    _report_bad_records(summary)


@main.command("backfill")
@click.option("--wayback", is_flag=True, help="From the Wayback Machine (the only source yet).")
@click.option(
    "--site",
    envvar="WMKB_SITE",
    default=settings.SITE_URL,
    show_default=True,
    help="The site whose captures are brought in [env WMKB_SITE].",
)
@click.option("--from", "year_from", type=click.IntRange(1996, 2100), help="First year.")
@click.option("--to", "year_to", type=click.IntRange(1996, 2100), help="Last year.")
@click.option(
    "--cdx",
    envvar="WMKB_CDX",
    default=settings.WAYBACK_CDX_URL,
    show_default=True,
    help="The CDX API; captures are fetched from its origin [env WMKB_CDX].",
)
@_politeness_options
@_db_option
@_index_option
@_json_option
def backfill_command(
    wayback, site, year_from, year_to, cdx, concurrency, delay, contact, db_url, index_dir, as_json
) -> None:
    """Bring in the site's past from a web archive: list its captures through the Wayback
    Machine's CDX API, fetch each distinct one politely, and import them as `import-warc` does."""
    from wmkb.harvester.fetch import FetchSettings
    from wmkb.harvester.refresh import default_user_agent
    from wmkb.harvester.store import open_database
    from wmkb.harvester.wayback import backfill

    if not wayback:
        raise click.UsageError("say where from: --wayback")
    if year_from and year_to and year_from > year_to:
        raise click.UsageError(f"--from {year_from} is after --to {year_to}")
    engine = open_database(db_url or settings.default_db_url(), create=True)
    summary = backfill(
        engine,
        site=site,
        cdx_url=cdx,
        fetch=FetchSettings(
            user_agent=default_user_agent(contact), concurrency=concurrency, delay_s=delay
        ),
        archive_dir=settings.archive_dir(),
        index_dir=index_dir or settings.default_index_dir(),
        year_from=year_from,
        year_to=year_to,
    )
    if as_json:
        _echo_json(summary.as_json())
    else:
        click.echo(
            f"wayback: {summary.listed} captures listed, {summary.collapsed} identical to the "
            f"one before, {summary.fetched} fetched, {summary.failed} failed"
        )
        for url, reason in summary.failures[:20]:
            click.echo(f"  failed: {url}: {reason}")
        _print_import(summary.imported)
    _report_bad_records(summary.imported)


def _print_import(summary) -> None:
    from wmkb.harvester.imports import COUNTS as IMPORT_COUNTS

    click.echo(f"{summary.captures} captures of the site in {summary.files} files")
    for key in IMPORT_COUNTS[1:]:
        click.echo(f"  {key:<21}{getattr(summary, key):>6}")
    for url, reason in summary.failures[:20]:
        click.echo(f"  failed: {url}: {reason}")


def _report_bad_records(summary) -> None:
    for bad in summary.bad_records:
        click.echo(f"skipped: {bad}", err=True)
    if summary.bad_records:
        raise _Failure(f"{len(summary.bad_records)} records could not be read; the rest is in", 1)


@main.command("archive")
@_json_option
def archive_command(as_json) -> None:
    """The archive of downloaded pages: its WARC files, their records and bytes."""
    from wmkb.harvester import archive

    found = archive.summarise(settings.archive_dir()).as_json()
    if as_json:
        _echo_json(found)
        return
    click.echo(f"archive: {found['directory']}")
    for entry in found["files"]:
        records = sum(entry["records"].values())
        click.echo(f"  {entry['name']}  {records} records  {entry['bytes']:,} bytes")
    shown = ", ".join(f"{kind} {count}" for kind, count in found["records"].items()) or "none"
    click.echo(f"{len(found['files'])} files, {found['bytes']:,} bytes; records: {shown}")


@main.group("db")
def db_group() -> None:
    """The knowledge base's schema: `wmkb db upgrade`."""


@db_group.command("upgrade")
@_db_option
def db_upgrade_command(db_url) -> None:
    """Upgrade the database to this program's schema revision (a refresh does it too)."""
    from wmkb.harvester.store import upgrade_database, where

    db_url = db_url or settings.default_db_url()
    done = upgrade_database(db_url)
    if done.before == done.after:
        click.echo(f"{where(db_url)} is at schema revision {done.after}: nothing to do")
    else:
        before = f"revision {done.before}" if done.before else "an empty database"
        click.echo(f"upgraded {where(db_url)} from {before} to revision {done.after}")


@main.command("serve")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; anything but loopback makes the page reachable by others.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port to listen on; 0 picks a free one.",
)
@_db_option
@_index_option
def serve_command(host, port, db_url, index_dir) -> None:
    """Serve a read-only web page (in Dutch) for searching, organisations, comparison,
    changes and an overview with charts."""
    from wmkb.web.app import serve  # the web stack's import is paid by this command alone

    def announce(url: str, loopback: bool) -> None:
        click.echo(f"wmkb serves {url}  (Ctrl-C stops)")
        if not loopback:
            click.echo(f"note: listening on {host}, so other machines can open the page", err=True)

    serve(
        db_url or settings.default_db_url(),
        index_dir or settings.default_index_dir(),
        host=host,
        port=port,
        announce=announce,
    )


@main.command("demo")
@click.option(
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(".demo"),
    show_default=True,
    help="A fresh knowledge base is made here; a folder the demo did not make is refused.",
)
def demo_command(home: Path) -> None:
    """Serve the bundled fixture site on loopback, refresh from it, and search."""
    from wmkb.harvester import lookup
    from wmkb.harvester.demo import prepare_home
    from wmkb.harvester.fetch import FetchSettings
    from wmkb.harvester.refresh import RefreshOptions, default_user_agent, refresh_and_index
    from wmkb.harvester.sitehost import serve_folder
    from wmkb.harvester.store import open_database
    from wmkb.index.query import search

    prepare_home(home)
    engine = open_database(f"sqlite:///{home / 'wmkb.sqlite'}", create=True)
    with serve_folder(FIXTURE_SITE) as origin:
        click.echo(f"fixture site at {origin}/")
        options = RefreshOptions(
            site=origin + "/",
            fetch=FetchSettings(user_agent=default_user_agent(), concurrency=4, delay_s=0.0),
            archive_dir=home / "archive",
        )
        summary = refresh_and_index(engine, options, home / "index")
    _print_summary(summary)
    click.echo("")
    numbers = lookup.stats(engine)
    click.echo(
        f"{numbers['organisations']} organisations, {numbers['measures']} practices, "
        f"{numbers['regulations']} regulations offered"
    )
    for query in DEMO_QUERIES:
        found = search(home / "index", query, limit=5)
        click.echo(
            f"\nwmkb search '{query}': best practices of {found.organisations} organisations"
        )
        for hit in found.hits:
            text = hit.text.replace("\n", " ")
            click.echo(f"  {hit.name} · {hit.section}: {text[:110]}")
    wmkb = sys.argv[0] if sys.argv[0].endswith("wmkb") else "wmkb"
    click.echo(f"\nExplore it: WMKB_HOME={home} {wmkb} search thuiswerken")
    click.echo(f"Browse it, then open http://127.0.0.1:8000/ :\n  WMKB_HOME={home} {wmkb} serve")


if __name__ == "__main__":
    main()
