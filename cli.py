"""wmkb's command line: each command reads its options, makes one call into harvester/ or
index/, and formats the answer (a table on a terminal, --json for programs).

Every WmkbError becomes a one-line message on stderr and its exit code; anything else is a bug.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import click
from sqlalchemy.exc import SQLAlchemyError

from harvester import export as exporting
from harvester import lookup, settings, vocabulary
from harvester.errors import WmkbError
from harvester.fetch import FetchSettings
from harvester.pipeline import read
from harvester.refresh import COUNTS, RefreshOptions, default_user_agent, refresh
from harvester.sitehost import serve_folder
from harvester.store import database_error, open_database, upgrade_database, where
from harvester.vocabulary import ORG_TYPES
from index.build import rebuild, update
from index.evaluate import evaluate, load_judged, means
from index.query import render_marks, search
from index.similar import similar

FIXTURE_SITE = Path(__file__).parent / "fixtures" / "site"
JUDGED_QUERIES = Path(__file__).parent / "tests" / "judged_queries.toml"
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
        except SQLAlchemyError as error:
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


def _json_option(function):
    return click.option("--json", "as_json", is_flag=True, help="Print JSON.")(function)


def _echo_json(value) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


@click.group(cls=_Commands)
@click.version_option(package_name="wmkb")
def main() -> None:
    """Knowledge base of the employers Werk&Mantelzorg recognised as caregiver-friendly."""


@main.command("parse")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--url", default=None, help="The page's URL [default: the file's path].")
def parse_command(file: Path, url: str | None) -> None:
    """Read one saved page and print its record as JSON."""
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
@click.option(
    "--concurrency",
    type=click.IntRange(1, 64),
    default=settings.CONCURRENCY,
    show_default=True,
    help="Requests in flight at once.",
)
@click.option(
    "--delay",
    type=click.FloatRange(0),
    default=settings.REQUEST_DELAY_S,
    show_default=True,
    help="Minimum seconds between two requests.",
)
@click.option(
    "--max-pages",
    type=click.IntRange(1),
    default=settings.MAX_PAGES,
    show_default=True,
    help="Pages fetched at most; a run that hits it withdraws nothing.",
)
@click.option(
    "--contact",
    envvar="WMKB_CONTACT",
    default=settings.CONTACT_URL,
    show_default=True,
    help="Contact URL sent in the User-Agent [env WMKB_CONTACT].",
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
    """Crawl the site, store what changed, and update the index."""
    engine = open_database(db_url or settings.default_db_url(), create=True)
    options = RefreshOptions(
        site=site,
        fetch=FetchSettings(
            user_agent=default_user_agent(contact), concurrency=concurrency, delay_s=delay
        ),
        max_pages=max_pages,
        full=full,
        read_process_after=read_process_after,
    )
    summary = refresh(engine, options)
    update(engine, index_dir or settings.default_index_dir())
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
    # A terminal only: cron's mail gets the summary, not a line redrawn a thousand times.
    click.echo(
        f"\rfetched {summary.fetched} · not modified {summary.not_modified} · "
        f"skipped {summary.skipped} · failed {summary.failed}",
        err=True,
        nl=False,
    )


def _print_summary(summary) -> None:
    state = "complete" if summary.complete else "incomplete (nothing withdrawn)"
    click.echo(f"refresh {summary.run_id}: {state} in {summary.duration_s:.1f} s")
    for key in COUNTS:
        click.echo(f"  {key:<13}{getattr(summary, key):>6}")
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
    click.echo(f"{found.organisations} organisations match" + (", best first" if by_org else ""))
    bold = ("\x1b[1m", "\x1b[0m") if sys.stdout.isatty() else ("**", "**")
    if by_org:
        for row in found.by_organisation():
            click.echo(f"\n{row['name']} ({row['org_type']}) · {row['slug']}")
            for hit in row["practices"]:
                text = render_marks(hit.marked_text, *bold).replace("\n", "\n    ")
                click.echo(f"  {hit.section}: {text}")
    else:
        for hit in found.hits:
            click.echo(f"\n{hit.name} · {hit.section} · {hit.slug}")
            click.echo("  " + render_marks(hit.marked_text, *bold).replace("\n", "\n  "))
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
    record = lookup.show(open_database(db_url or settings.default_db_url()), name_or_slug)
    if as_json:
        _echo_json(record)
        return
    click.echo(f"{record['name']} ({record['org_type']}, {record['status']})")
    for key in (
        "url",
        "recognised_since",
        "ambassador_since",
        "employees",
        "inhabitants",
        "website",
        "first_seen",
        "last_seen",
    ):
        if record[key] is not None:
            click.echo(f"  {key}: {record[key]}")
    if record["description"]:
        click.echo("\n" + record["description"])
    for section, items in record["sections"].items():
        click.echo(f"\n{section}:")
        for item in items:
            click.echo("  • " + item.replace("\n", "\n    "))
    click.echo("\nregulations: " + (", ".join(record["regulations"]) or "–"))
    click.echo(f"history: {len(record['history'])} changes")
    for change in record["history"]:
        click.echo(f"  {change['changed_at']} {change['field']}: {change['old']} → {change['new']}")


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


@main.command("doubts")
@_db_option
@_json_option
def doubts_command(db_url, as_json) -> None:
    """Pages the last refresh could not read as they look: the keeper's to-do list."""
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
    "--format", "fmt", type=click.Choice(exporting.FORMATS), default="csv", show_default=True
)
@click.option(
    "--what", type=click.Choice(exporting.TABLES), default="organisations", show_default=True
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write [default: standard output].",
)
@_db_option
def export_command(fmt, what, output, db_url) -> None:
    """Write a tidy table for pandas, R or a spreadsheet."""
    engine = open_database(db_url or settings.default_db_url())
    rows = exporting.ROWS[what](engine)
    if output is None:
        exporting.write(rows, sys.stdout, fmt)
        return
    try:
        with output.open("w", encoding="utf-8", newline="") as handle:
            count = exporting.write(rows, handle, fmt)
    except OSError as error:
        raise _Failure(f"cannot write {output}: {error.strerror}", 1) from error
    click.echo(f"{count} {what} written to {output}", err=True)


@main.command("similar")
@click.argument("name_or_slug")
@click.option("--limit", type=click.IntRange(1, 100), default=5, show_default=True)
@_db_option
@_json_option
def similar_command(name_or_slug, limit, db_url, as_json) -> None:
    """The organisations most comparable to one, and what they have that it lacks."""
    name, found = similar(
        open_database(db_url or settings.default_db_url()), name_or_slug, limit=limit
    )
    if as_json:
        _echo_json([item.as_json() for item in found])
        return
    labels = vocabulary.regulations().labels
    click.echo(f"Comparable to {name}:")
    for item in found:
        click.echo(f"\n{item.name} ({item.org_type}) · {item.slug} · score {item.score:.2f}")
        for reason in item.reasons:
            click.echo(f"  - {reason.text()}")
        lacking = item.they_have["regulations"]
        if lacking:
            click.echo("  they have, you don't: " + ", ".join(labels[c] for c in lacking))
        for practice in item.they_have["practices"]:
            click.echo("  they do, you don't: " + practice.replace("\n", " ")[:150])


@main.command("compare")
@click.argument("names", nargs=-1, required=True)
@_db_option
@_json_option
def compare_command(names, db_url, as_json) -> None:
    """Two to five organisations side by side: facts, regulations (✓/–), items per section."""
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
    count = rebuild(
        open_database(db_url or settings.default_db_url()),
        index_dir or settings.default_index_dir(),
    )
    click.echo(f"{count} practices indexed")


@main.group("db")
def db_group() -> None:
    """The knowledge base's schema: `wmkb db upgrade`."""


@db_group.command("upgrade")
@_db_option
def db_upgrade_command(db_url) -> None:
    """Upgrade the database to this program's schema revision (a refresh does it too)."""
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
    from web.app import serve  # the web stack's import is paid by this command alone

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
    help="A fresh knowledge base is made here.",
)
def demo_command(home: Path) -> None:
    """Serve the bundled fixture site on loopback, refresh from it, and search."""
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    engine = open_database(f"sqlite:///{home / 'wmkb.sqlite'}", create=True)
    with serve_folder(FIXTURE_SITE) as origin:
        click.echo(f"fixture site at {origin}/")
        options = RefreshOptions(
            site=origin + "/",
            fetch=FetchSettings(user_agent=default_user_agent(), concurrency=4, delay_s=0.0),
        )
        summary = refresh(engine, options)
    _print_summary(summary)
    update(engine, home / "index")
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
            text = render_marks(hit.marked_text, "**", "**").replace("\n", " ")
            click.echo(f"  {hit.name} · {hit.section}: {text[:110]}")
    wmkb = sys.argv[0] if sys.argv[0].endswith("wmkb") else "wmkb"
    click.echo(f"\nExplore it: WMKB_HOME={home} {wmkb} search thuiswerken")
    click.echo(f"Browse it, then open http://127.0.0.1:8000/ :\n  WMKB_HOME={home} {wmkb} serve")


if __name__ == "__main__":
    main()
