"""The archive: every page a refresh downloads, and robots.txt and the sitemaps, kept as fetched,
in WARC files that any WARC tool reads; a refresh that finds nothing new adds no response to
it."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from warcio.archiveiterator import ArchiveIterator

from tests.conftest import FIXTURE_SITE, run_cli
from wmkb.harvester.archive import ArchiveWriter, captures, captures_at, parse_warc_date
from wmkb.harvester.fetch import Response
from wmkb.harvester.models import SITE_FILE_KINDS, Page
from wmkb.harvester.sitehost import serve_folder
from wmkb.harvester.store import open_database


def _refresh(site: str, kb) -> dict:
    result = run_cli(["refresh", "--site", site + "/", "--delay", "0", "--json"], kb)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _records(kb) -> list[tuple[str, str | None, int | None]]:
    """(type, target URI, HTTP status) of every record, read as any WARC client would."""
    found = []
    for path in sorted((kb.home / "archive").glob("*.warc.gz")):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                status = record.http_headers.get_statuscode() if record.http_headers else None
                found.append(
                    (
                        record.rec_type,
                        record.rec_headers.get_header("WARC-Target-URI"),
                        int(status) if status and record.rec_type != "request" else None,
                    )
                )
    return found


def _pages(kb) -> list[Page]:
    with Session(open_database(kb.db_url)) as session:
        return list(session.scalars(select(Page)))


def _site_files(records: list, origin: str) -> list[tuple[str, str, int | None]]:
    """(type, path, status) of the records of robots.txt and the sitemaps, in file order."""
    return [
        (kind, uri.removeprefix(origin), status)
        for kind, uri, status in records
        if uri and uri.endswith(("/robots.txt", ".xml"))
    ]


def test_one_response_per_downloaded_page_and_none_when_nothing_changed(site, new_kb) -> None:
    kb = new_kb
    first = _refresh(site, kb)
    records = _records(kb)
    types = Counter(kind for kind, _, _ in records)
    pages = [page for page in _pages(kb) if page.status == 200 and page.kind != "skipped"]
    responses = [(uri, status) for kind, uri, status in records if kind == "response"]
    ok = [uri for uri, status in responses if status == 200]
    # One response per page read, each under the URL it was read at, none twice; and one for
    # robots.txt and one for the sitemap, which are no pages.
    assert sorted(ok) == sorted({page.final_url for page in pages if page.archive_file})
    assert sorted(set(ok) - {site + "/robots.txt", site + "/sitemap.xml"}) == sorted(
        page.final_url for page in pages if page.archive_file and page.kind not in SITE_FILE_KINDS
    )
    assert len(ok) == len(set(ok)) == first["fetched"] - first["counts"].get("not_html", 0) + 2
    assert types["request"] == types["response"]  # every response with its request
    assert types["warcinfo"] == len(list((kb.home / "archive").glob("*.warc.gz"))) >= 1

    second = _refresh(site, kb)
    assert second["fetched"] == 0
    # No page downloaded, nothing added; robots.txt and the sitemap, asked for again with the
    # same bytes, add nothing either: the archive grows with what changed, not with each run.
    assert _records(kb) == records


def test_robots_txt_and_the_sitemap_are_kept_once_with_their_requests(site, new_kb) -> None:
    _refresh(site, new_kb)
    assert _site_files(_records(new_kb), site) == [
        ("request", "/robots.txt", None),
        ("response", "/robots.txt", 200),
        ("request", "/sitemap.xml", None),
        ("response", "/sitemap.xml", 200),
    ]
    (robots,) = (
        capture
        for path in sorted((new_kb.home / "archive").glob("*.warc.gz"))
        for capture in captures(path)
        if capture.url == site + "/robots.txt"
    )
    assert b"Disallow: /zoeken/" in robots.body and robots.content_type.startswith("text/plain")
    # The pages table remembers them for the next run; a reparse does not read them as pages.
    kinds = {page.url.removeprefix(site): page.kind for page in _pages(new_kb)}
    assert (kinds["/robots.txt"], kinds["/sitemap.xml"]) == ("robots", "sitemap")
    reparsed = json.loads(run_cli(["reparse", "--json"], new_kb).stdout)
    pages = [page for page in _pages(new_kb) if page.status == 200 and page.archive_file]
    assert reparsed["pages"] == len(pages) - 2 and reparsed["failed"] == 0
    kinds = {page.url.removeprefix(site): page.kind for page in _pages(new_kb)}
    assert (kinds["/robots.txt"], kinds["/sitemap.xml"]) == ("robots", "sitemap")


def test_every_sitemap_is_kept_and_only_a_changed_one_again(tmp_path, new_kb) -> None:
    """A site without robots.txt whose /sitemap.xml is an index of two sitemaps: the 404 and
    the three sitemaps are kept once; after one sitemap changed, only it is kept again, with
    its request, and the unchanged ones and the same 404 add nothing."""
    root = tmp_path / "site"
    root.mkdir()
    (root / "index.html").write_text('<html><body><a href="/a/">A</a></body></html>')
    (root / "a").mkdir()
    (root / "a" / "index.html").write_text("<html><body><p>A</p></body></html>")
    real = "https://www.werkenmantelzorg.nl"
    (root / "sitemap.xml").write_text(
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{real}/sitemap-1.xml</loc></sitemap>"
        f"<sitemap><loc>{real}/sitemap-2.xml</loc></sitemap></sitemapindex>"
    )
    urlset = '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{}</urlset>'
    (root / "sitemap-1.xml").write_text(urlset.format(f"<url><loc>{real}/</loc></url>"))
    (root / "sitemap-2.xml").write_text(urlset.format(f"<url><loc>{real}/a/</loc></url>"))
    with serve_folder(root) as origin:
        _refresh(origin, new_kb)
        first = _records(new_kb)
        kept = [record for record in _site_files(first, origin) if record[0] == "response"]
        assert kept == [
            ("response", "/robots.txt", 404),
            ("response", "/sitemap.xml", 200),
            ("response", "/sitemap-1.xml", 200),
            ("response", "/sitemap-2.xml", 200),
        ]
        (root / "sitemap-2.xml").write_text(
            urlset.format(f"<url><loc>{real}/a/</loc><lastmod>2026-12-01</lastmod></url>")
        )
        _refresh(origin, new_kb)
    added = _site_files(_records(new_kb)[len(first) :], origin)
    assert added == [("request", "/sitemap-2.xml", None), ("response", "/sitemap-2.xml", 200)]


def test_redirects_and_the_404_that_withdraws_are_kept(tmp_path, new_kb) -> None:
    root = tmp_path / "site"
    (root / "org" / "kleiveen").mkdir(parents=True)
    profile = FIXTURE_SITE / "erkende-organisaties" / "gemeente-kleiveen" / "index.html"
    shutil.copy(profile, root / "org" / "kleiveen" / "index.html")
    # A link without its trailing slash: the server redirects it.
    (root / "index.html").write_text('<html><body><a href="/org/kleiveen">K</a></body></html>')
    with serve_folder(root) as origin:
        _refresh(origin, new_kb)
        shutil.rmtree(root / "org")
        _refresh(origin, new_kb)
    responses = [(uri, status) for kind, uri, status in _records(new_kb) if kind == "response"]
    kleiveen = [(uri.removeprefix(origin), status) for uri, status in responses if "/org/" in uri]
    assert kleiveen == [("/org/kleiveen", 301), ("/org/kleiveen/", 200), ("/org/kleiveen", 404)]
    # The withdrawn organisation is still traced to the last page it was read from.
    source = json.loads(run_cli(["show", "Gemeente Kleiveen", "--json"], new_kb).stdout)
    assert source["status"] == "withdrawn"
    place = source["provenance"]
    (capture,) = captures_at(
        new_kb.home / "archive", [(place["archive_file"], place["archive_offset"])]
    )
    assert (capture.url, capture.status) == (origin + "/org/kleiveen/", 200)


def test_every_page_points_at_the_record_of_its_bytes(site, new_kb) -> None:
    kb = new_kb
    _refresh(site, kb)
    pages = [page for page in _pages(kb) if page.kind == "profile"]
    assert pages
    places = sorted((page.archive_file, page.archive_offset) for page in pages)
    read = {capture.url: capture for capture in captures_at(kb.home / "archive", places)}
    for page in pages:
        capture = read[page.final_url]
        assert capture.status == 200 and capture.body.startswith(b"<!")
        assert capture.date == page.archived_at


def test_the_same_bytes_again_are_a_revisit_not_a_second_copy(site, new_kb) -> None:
    kb = new_kb
    _refresh(site, kb)
    before = _records(kb)
    result = run_cli(["refresh", "--site", site + "/", "--delay", "0", "--full", "--json"], kb)
    assert result.exit_code == 0, result.output
    added = Counter(kind for kind, _, _ in _records(kb)[len(before) :])
    assert added["response"] == 0
    # Every page read again with the same bytes; a 404 that still answers 404, and robots.txt
    # and the sitemap with the same bytes, add nothing.
    site_files = {site + "/robots.txt", site + "/sitemap.xml"}
    assert added["revisit"] == sum(
        1
        for kind, uri, status in before
        if kind == "response" and status == 200 and uri not in site_files
    )
    revisits = [
        capture
        for path in sorted((kb.home / "archive").glob("*.warc.gz"))
        for capture in captures(path)
        if capture.kind == "revisit"
    ]
    assert revisits and all(capture.digest.startswith("sha1:") for capture in revisits)


def test_wmkb_archive_counts_files_records_and_bytes(site, new_kb) -> None:
    kb = new_kb
    _refresh(site, kb)
    shown = json.loads(run_cli(["archive", "--json"], kb).stdout)
    files = sorted((kb.home / "archive").glob("*.warc.gz"))
    assert [entry["name"] for entry in shown["files"]] == [path.name for path in files]
    assert shown["bytes"] == sum(path.stat().st_size for path in files)
    assert shown["records"] == dict(sorted(Counter(kind for kind, _, _ in _records(kb)).items()))
    text = run_cli(["archive"], kb).stdout
    assert text.splitlines()[-1].startswith(f"{len(files)} files, {shown['bytes']:,} bytes; ")


def test_a_record_is_traced_to_its_page_its_time_and_its_archive_record(site, new_kb) -> None:
    kb = new_kb
    _refresh(site, kb)
    shown = json.loads(run_cli(["show", "Gemeente Amersfoort", "--json"], kb).stdout)
    source = shown["provenance"]
    with (kb.home / "archive" / source["archive_file"]).open("rb") as stream:
        stream.seek(source["archive_offset"])
        record = next(iter(ArchiveIterator(stream)))
        body = record.content_stream().read().decode("utf-8")
    assert record.rec_type == "response"
    assert record.rec_headers.get_header("WARC-Target-URI") == source["page_url"]
    captured = datetime.fromisoformat(source["captured_at"].removesuffix("Z"))
    date = parse_warc_date(record.rec_headers.get_header("WARC-Date"))
    assert date.replace(microsecond=0) == captured
    assert source["page_url"].startswith(site) and source["fetched_at"] >= source["captured_at"]
    assert shown["sections"]["awareness"][0][:40] in " ".join(body.split())

    exported = run_cli(["export", "--format", "json"], kb)
    row = next(row for row in json.loads(exported.stdout) if row["slug"] == shown["slug"])
    assert {name: row[name] for name in source} == source


def test_files_are_rotated_by_size_each_opening_with_the_run(tmp_path) -> None:
    writer = ArchiveWriter(tmp_path, run_id=7, site="https://www.werkenmantelzorg.nl/", max_file_bytes=2_000)
    body = (FIXTURE_SITE / "erkende-organisaties" / "gemeente-kleiveen" / "index.html").read_bytes()
    places = []
    for number in range(3):
        url = f"https://www.werkenmantelzorg.nl/p{number}/"
        response = Response(url, url, 200, body, "text/html", None, None)
        places.append(writer.response(response, at=datetime(2026, 1, 1 + number)))
    writer.close()
    files = sorted(tmp_path.glob("*.warc.gz"))
    assert [place.file for place in places] == [path.name for path in files]  # one page each
    for path in files:
        with path.open("rb") as stream:
            first = next(iter(ArchiveIterator(stream)))
            info = first.content_stream().read().decode()
        assert first.rec_type == "warcinfo" and "isPartOf: wmkb refresh 7" in info
    assert [c.date.day for c in captures_at(tmp_path, [(p.file, p.offset) for p in places])] == [1, 2, 3]


def test_pages_fetched_before_the_archive_are_archived_when_next_downloaded(site, new_kb) -> None:
    kb = new_kb
    _refresh(site, kb)
    engine = open_database(kb.db_url)
    with engine.begin() as connection:  # as a knowledge base from before the archive
        connection.execute(update(Page).values(archive_file=None, archive_offset=None, archived_at=None))
    engine.dispose()
    shutil.rmtree(kb.home / "archive")
    result = run_cli(["refresh", "--site", site + "/", "--delay", "0", "--full", "--json"], kb)
    assert result.exit_code == 0, result.output
    kinds = Counter(kind for kind, _, _ in _records(kb))
    assert kinds["revisit"] == 0 and kinds["response"] >= json.loads(result.stdout)["fetched"]
    profiles = [page for page in _pages(kb) if page.kind == "profile"]
    assert profiles and all(page.archive_file for page in profiles)
