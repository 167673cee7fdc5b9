"""`wmkb import-warc`: the site's past from WARC files that anyone wrote, as warcio writes them,
stored as history dated by the captures."""

from __future__ import annotations

import io
import json
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tests.conftest import FIXTURE_SITE, run_cli
from wmkb.harvester.archive import payload_digest, warc_date
from wmkb.harvester.models import ImportedCapture
from wmkb.harvester.store import open_database

ORIGIN = "https://www.werkenmantelzorg.nl"
KLEIVEEN = "/erkende-organisaties/gemeente-kleiveen/"
NOORDWIJK = "/erkende-organisaties/gemeente-noordwijk/"
APPEARS = datetime(2016, 3, 1, 10, 0, 0)
CHANGES = datetime(2018, 6, 1, 9, 30, 0)
GONE = datetime(2021, 1, 15, 8, 0, 0)
_DROPPED = "<br />\n- Verlof kopen"  # what Kleiveen's page did not say yet in 2016


def _z(moment: datetime) -> str:
    return moment.isoformat() + "Z"  # as wmkb shows times


def page(path: str, *, before_verlof_kopen: bool = False) -> bytes:
    body = (FIXTURE_SITE / path.strip("/") / "index.html").read_bytes()
    if before_verlof_kopen:
        assert _DROPPED.encode() in body
        body = body.replace(_DROPPED.encode(), b"")
    return body


def write_warc(
    path: Path, captures: list[tuple[str, datetime, int | str, bytes]], *, gzip: bool = True
) -> list[int]:
    """A WARC file as a crawler writes it: a request and a response per capture (the request
    left out for every other one: not every crawler writes them); the offset of each response."""
    offsets = []
    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=gzip)
        for number, (url, date, status, body) in enumerate(captures):
            stamp = {"WARC-Date": warc_date(date)}
            if number % 2:
                request = StatusAndHeaders(
                    "GET / HTTP/1.1", [("Host", "www.werkenmantelzorg.nl")], is_http_request=True
                )
                writer.write_record(
                    writer.create_warc_record(
                        url, "request", http_headers=request, warc_headers_dict=stamp
                    )
                )
            headers = StatusAndHeaders(
                f"{status} {'OK' if status == 200 else 'Not Found'}",
                [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))],
                protocol="HTTP/1.1",
            )
            offsets.append(stream.tell())
            if status == "revisit":  # the same payload as an earlier capture: headers only
                writer.write_record(
                    writer.create_revisit_record(
                        url,
                        payload_digest(body),
                        url,
                        warc_date(APPEARS),
                        http_headers=StatusAndHeaders("200 OK", [], protocol="HTTP/1.1"),
                        warc_headers_dict=stamp,
                    )
                )
                continue
            writer.write_record(
                writer.create_warc_record(
                    url,
                    "response",
                    payload=io.BytesIO(body),
                    length=len(body),
                    http_headers=headers,
                    warc_headers_dict=stamp,
                )
            )
    return offsets


def three_dates(folder: Path) -> list[Path]:
    """Kleiveen appears in 2016, adds "Verlof kopen" in 2018 and is gone in 2021; Noordwijk is
    there throughout; another host's page is in the files too. The 2016 file is plain WARC, the
    others gzipped, with the newest capture first."""
    folder.mkdir(exist_ok=True)
    first, later = folder / "2016.warc", folder / "later.warc.gz"
    write_warc(
        first,
        [
            (ORIGIN + KLEIVEEN, APPEARS, 200, page(KLEIVEEN, before_verlof_kopen=True)),
            (ORIGIN + NOORDWIJK, APPEARS, 200, page(NOORDWIJK)),
            ("https://example.org/elsewhere/", APPEARS, 200, b"<html><body>else</body></html>"),
        ],
        gzip=False,
    )
    write_warc(
        later,
        [
            (ORIGIN + KLEIVEEN, GONE, 404, b"<h1>Pagina niet gevonden</h1>"),
            # Archives keep the http:// captures of a site beside its https:// ones.
            # and revisits: the bytes of an earlier capture, by their digest.
            ("http://www.werkenmantelzorg.nl" + NOORDWIJK, GONE, "revisit", page(NOORDWIJK)),
            (ORIGIN + KLEIVEEN, CHANGES, 200, page(KLEIVEEN)),
        ],
    )
    return [later, first]


def _import(kb, *paths: Path, site: str | None = None):
    args = ["import-warc", *map(str, paths), "--json"] + (["--site", site] if site else [])
    return run_cli(args, kb)


def _show(kb, name: str) -> dict:
    result = run_cli(["show", name, "--json"], kb)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _history(shown: dict) -> list[tuple[str, str, object, object, str]]:
    return [
        (change["changed_at"], change["field"], change["old"], change["new"], change["source"])
        for change in shown["history"]
    ]


def test_three_dates_give_the_history_with_their_dates(tmp_path, new_kb) -> None:
    kb = new_kb
    result = _import(kb, *three_dates(tmp_path / "warcs"))
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["captures"], summary["other_hosts"], summary["bad_records"]) == (5, 1, [])
    assert (summary["new"], summary["changed"], summary["withdrawn"]) == (2, 1, 1)

    kleiveen = _show(kb, "Gemeente Kleiveen")
    assert _history(kleiveen) == [
        (_z(APPEARS), "status", None, "active", "archive"),
        (_z(CHANGES), "sections.custom_solutions", [], ["Verlof kopen"], "archive"),
        (_z(CHANGES), "regulations", [], ["verlof_kopen"], "archive"),
        (_z(GONE), "status", "active", "withdrawn", "archive"),
    ]
    assert (kleiveen["status"], kleiveen["withdrawn_on"]) == ("withdrawn", GONE.date().isoformat())
    assert kleiveen["first_seen"] == _z(APPEARS)
    # Withdrawn, it is still traced to the page its last record was read from.
    assert kleiveen["provenance"]["page_url"] == ORIGIN + KLEIVEEN
    assert kleiveen["provenance"]["captured_at"] == _z(CHANGES)
    assert kleiveen["provenance"]["fetched_at"] == _z(GONE)
    noordwijk = _show(kb, "Gemeente Noordwijk")
    # The bytes it was read from were captured in 2016, and seen again in 2021.
    assert noordwijk["provenance"]["captured_at"] == _z(APPEARS)
    assert noordwijk["provenance"]["fetched_at"] == _z(GONE)
    assert noordwijk["provenance"]["page_url"] == ORIGIN + NOORDWIJK
    assert (noordwijk["first_seen"], noordwijk["last_seen"]) == (
        _z(APPEARS),
        _z(GONE),
    )
    assert len(noordwijk["history"]) == 1  # the same page each time: seen, not changed
    assert "verlof_kopen" in kleiveen["regulations"]  # its last record before it left
    stats = json.loads(run_cli(["stats", "--json"], kb).stdout)
    assert (stats["organisations"], stats["last_refresh"]) == (2, None)  # nothing refreshed

    changes = run_cli(["changes", "--json"], kb).stdout
    again = _import(kb, *three_dates(tmp_path / "warcs"))
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["already_imported"] == 5
    assert run_cli(["changes", "--json"], kb).stdout == changes
    assert _show(kb, "Gemeente Kleiveen") == kleiveen
    text = run_cli(["import-warc", *map(str, three_dates(tmp_path / "warcs"))], kb).stdout
    assert text.splitlines()[:2] == ["5 captures of the site in 2 files", "  other_hosts               1"]
    assert "  already_imported          5" in text.splitlines()


def test_a_truncated_record_is_reported_and_skipped(tmp_path, new_kb) -> None:
    kb = new_kb
    path = tmp_path / "cut.warc.gz"
    offsets = write_warc(
        path,
        [
            (ORIGIN + NOORDWIJK, APPEARS, 200, page(NOORDWIJK)),
            (ORIGIN + KLEIVEEN, APPEARS, 200, page(KLEIVEEN)),
        ],
    )
    data = path.read_bytes()
    path.write_bytes(data[: offsets[1] + (len(data) - offsets[1]) // 2])  # the download broke off
    result = _import(kb, path)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"skipped: {path} at offset {offsets[1]}: record cut short")
    assert result.stderr.endswith("Error: 1 records could not be read; the rest is in\n")
    assert json.loads(result.stdout)["new"] == 1
    assert _show(kb, "Gemeente Noordwijk")["status"] == "active"
    assert run_cli(["show", "Gemeente Kleiveen"], kb).exit_code == 2


def test_older_captures_are_merged_before_what_is_stored_and_never_overwrite_it(
    tmp_path, site, new_kb
) -> None:
    kb = new_kb
    assert run_cli(["refresh", "--site", site + "/", "--delay", "0"], kb).exit_code == 0
    before = _show(kb, "Gemeente Kleiveen")
    first_sight = before["first_seen"]
    path = tmp_path / "old.warc.gz"
    write_warc(
        path,
        [
            (site + KLEIVEEN, APPEARS, 200, page(KLEIVEEN, before_verlof_kopen=True)),
            (site + KLEIVEEN, CHANGES, 200, page(KLEIVEEN)),
        ],
    )
    result = _import(kb, path, site=site)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["earlier"] == 2
    after = _show(kb, "Gemeente Kleiveen")
    assert {key: after[key] for key in ("sections", "regulations", "last_seen", "status")} == {
        key: before[key] for key in ("sections", "regulations", "last_seen", "status")
    }
    assert after["first_seen"] == _z(APPEARS)
    assert _history(after) == [
        (_z(APPEARS), "status", None, "active", "archive"),
        (_z(CHANGES), "sections.custom_solutions", [], ["Verlof kopen"], "archive"),
        (_z(CHANGES), "regulations", [], ["verlof_kopen"], "archive"),
    ]
    assert first_sight > _z(CHANGES)
    again = _import(kb, path, site=site)
    assert json.loads(again.stdout)["already_imported"] == 2
    assert _show(kb, "Gemeente Kleiveen") == after


def test_a_redirect_and_a_capture_from_within_the_known_history_are_counted_and_change_nothing(
    tmp_path, new_kb
) -> None:
    kb = new_kb
    assert _import(kb, *three_dates(tmp_path / "warcs")).exit_code == 0
    before = _show(kb, "Gemeente Kleiveen")
    between = datetime(2017, 5, 1, 12, 0, 0)  # after its first sight, before its change
    path = tmp_path / "2017.warc.gz"
    write_warc(
        path,
        [
            (ORIGIN + KLEIVEEN, between, 200, page(KLEIVEEN, before_verlof_kopen=True)),
            (ORIGIN + "/erkende-organisaties/oud-adres/", between, 301, b""),
        ],
    )
    result = _import(kb, path)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["captures"], summary["not_pages"], summary["within_known_history"]) == (2, 1, 1)
    assert (summary["new"], summary["changed"], summary["earlier"]) == (0, 0, 0)
    assert _show(kb, "Gemeente Kleiveen") == before
    # The capture is listed as brought in, so that importing the file again skips it; the
    # redirect, never a page, is not.
    with Session(open_database(kb.db_url)) as session:
        listed = session.scalars(
            select(ImportedCapture).where(ImportedCapture.captured_at == between)
        ).all()
    assert [(capture.url, capture.imported_at > between) for capture in listed] == [
        (ORIGIN + KLEIVEEN, True)
    ]
    assert json.loads(_import(kb, path).stdout)["already_imported"] == 1
