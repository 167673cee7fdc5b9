"""`wmkb backfill --wayback` against a loopback server that answers like the Wayback Machine's CDX
API and serves the captures' original bytes at /web/TIMESTAMPid_/URL. No test reaches a real
archive."""

from __future__ import annotations

import hashlib
import json
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import make_kb, run_cli
from tests.test_imports import (
    APPEARS,
    CHANGES,
    GONE,
    KLEIVEEN,
    NOORDWIJK,
    _history,
    _show,
    _z,
    page,
    three_dates,
)
from wmkb.harvester.wayback import CdxCapture, collapse, parse_cdx

HOST = "www.werkenmantelzorg.nl"
STILL_THE_SAME = datetime(2017, 5, 2, 12, 0, 0)  # Kleiveen captured again, unchanged


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%d%H%M%S")


def _captures() -> dict[tuple[str, str], tuple[int, bytes]]:
    """(timestamp, original URL) → (status, bytes) of what the archive holds."""
    old_kleiveen = page(KLEIVEEN, before_verlof_kopen=True)
    return {
        (_stamp(APPEARS), f"https://{HOST}{KLEIVEEN}"): (200, old_kleiveen),
        (_stamp(STILL_THE_SAME), f"http://{HOST}:80{KLEIVEEN}"): (200, old_kleiveen),
        (_stamp(CHANGES), f"https://{HOST}{KLEIVEEN}"): (200, page(KLEIVEEN)),
        (_stamp(GONE), f"https://{HOST}{KLEIVEEN}"): (404, b"<h1>Pagina niet gevonden</h1>"),
        (_stamp(APPEARS), f"https://{HOST}{NOORDWIJK}"): (200, page(NOORDWIJK)),
        (_stamp(GONE), f"https://{HOST}{NOORDWIJK}"): (200, page(NOORDWIJK)),
    }


@contextmanager
def wayback(captures: dict, *, busy_once: str | None = None) -> Iterator[tuple[str, list[str]]]:
    """A loopback archive; yields its CDX URL and the paths asked for. `busy_once`: a capture
    path that first answers 503 with Retry-After, as an archive under load does."""
    asked: list[str] = []
    busy = {busy_once} if busy_once else set()

    class Archive(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
            asked.append(self.path)
            parts = urlsplit(self.path)
            if parts.path == "/cdx":
                return self._cdx(parse_qs(parts.query))
            if self.path in busy:
                busy.discard(self.path)
                return self._send(503, b"", "text/plain", [("Retry-After", "0")])
            stamp, _, original = self.path.removeprefix("/web/").partition("id_/")
            if (stamp, original) not in captures:
                return self._send(404, b"not in the archive", "text/plain")
            status, body = captures[(stamp, original)]
            self._send(status, body, "text/html; charset=utf-8")

        def _cdx(self, query: dict[str, list[str]]) -> None:
            assert query["url"] == [f"{HOST}/*"] and query["output"] == ["json"]
            low, high = query.get("from", ["0000"])[0], query.get("to", ["9999"])[0] + "~"
            rows = [["timestamp", "original", "statuscode", "mimetype", "digest"]]
            for (stamp, original), (status, body) in sorted(captures.items()):
                if low <= stamp <= high:
                    digest = hashlib.sha1(body).hexdigest().upper()
                    rows.append([stamp, original, str(status), "text/html", digest])
            rows.append([stamp, f"https://{HOST}/oud/", "301", "text/html", "X"])  # no page
            self._send(200, json.dumps(rows).encode(), "application/json")

        def _send(self, status: int, body: bytes, kind: str, extra=()) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            for name, value in extra:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Archive)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/cdx", asked
    finally:
        server.shutdown()
        server.server_close()


def _backfill(kb, cdx: str, *extra: str):
    return run_cli(["backfill", "--wayback", "--cdx", cdx, "--delay", "0", "--json", *extra], kb)


def test_the_wayback_machine_gives_the_same_history_as_warc_files(tmp_path, new_kb) -> None:
    kb = new_kb
    busy = f"/web/{_stamp(CHANGES)}id_/https://{HOST}{KLEIVEEN}"
    with wayback(_captures(), busy_once=busy) as (cdx, asked):
        result = _backfill(kb, cdx)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    # Kleiveen's 2017 capture and Noordwijk's 2021 one are the captures before them again.
    assert (summary["listed"], summary["collapsed"], summary["fetched"]) == (6, 2, 4)
    fetched = Counter(path for path in asked if path.startswith("/web/"))
    assert fetched[busy] == 2  # answered 503 with Retry-After, then tried again
    assert not any(_stamp(STILL_THE_SAME) in path for path in fetched)
    from_wayback = _show(kb, "Gemeente Kleiveen")

    warcs = make_kb(tmp_path / "warcs-kb")  # the same captures, from WARC files
    assert run_cli(["import-warc", *map(str, three_dates(tmp_path / "w"))], warcs).exit_code == 0
    from_files = _show(warcs, "Gemeente Kleiveen")
    assert _history(from_wayback) == _history(from_files)
    assert _history(from_wayback)[0] == (_z(APPEARS), "status", None, "active", "archive")
    assert _history(from_wayback)[-1] == (_z(GONE), "status", "active", "withdrawn", "archive")
    noordwijk = _show(kb, "Gemeente Noordwijk")
    assert (noordwijk["first_seen"], noordwijk["status"]) == (_z(APPEARS), "active")

    with wayback(_captures()) as (cdx, asked):
        again = _backfill(kb, cdx)
    assert json.loads(again.stdout)["imported"]["already_imported"] == 4
    assert _show(kb, "Gemeente Kleiveen") == from_wayback


def test_from_and_to_narrow_the_years(new_kb) -> None:
    with wayback(_captures()) as (cdx, asked):
        result = _backfill(new_kb, cdx, "--from", "2017", "--to", "2018")
    assert result.exit_code == 0, result.output
    assert "from=2017" in asked[0] and "to=2018" in asked[0]
    history = _history(_show(new_kb, "Gemeente Kleiveen"))
    assert history == [
        (_z(STILL_THE_SAME), "status", None, "active", "archive"),
        (_z(CHANGES), "sections.custom_solutions", [], ["Verlof kopen"], "archive"),
        (_z(CHANGES), "regulations", [], ["verlof_kopen"], "archive"),
    ]


def test_an_archive_that_does_not_answer_is_one_line_and_changes_nothing(new_kb) -> None:
    result = run_cli(
        ["backfill", "--wayback", "--cdx", "http://127.0.0.1:9/cdx", "--delay", "0"], new_kb
    )
    assert result.exit_code == 1
    assert (
        result.stderr.startswith("Error: http://127.0.0.1:9/cdx?url=")
        and result.stderr.count("\n") == 1
    )
    assert run_cli(["backfill", "--cdx", "http://127.0.0.1:9/cdx"], new_kb).exit_code == 2


@pytest.mark.parametrize(
    ("rows", "kept"),
    [
        ([["a", "b"]], None),  # not the fields asked for
        ([["timestamp", "original", "statuscode", "mimetype", "digest"], [], ["x"]], []),
    ],
)
def test_read_cdx_takes_only_what_it_understands(rows, kept) -> None:
    body = json.dumps(rows).encode()
    if kept is None:
        with pytest.raises(Exception, match="not a CDX answer"):
            parse_cdx(body)
    else:
        assert parse_cdx(body) == kept


def test_collapse_keeps_a_return_to_an_earlier_version() -> None:
    a, b = "A" * 32, "B" * 32
    rows = [
        CdxCapture("20160101000000", "https://x/p/", 200, "text/html", a),
        CdxCapture("20170101000000", "http://x:80/p/", 200, "text/html", a),
        CdxCapture("20180101000000", "https://x/p/", 200, "text/html", b),
        CdxCapture("20190101000000", "https://x/p/", 200, "text/html", a),
    ]
    assert [c.timestamp[:4] for c in collapse(rows)] == ["2016", "2018", "2019"]
