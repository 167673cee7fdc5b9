"""Serve a folder as a website on loopback: the fixture site for tests, `wmkb demo` and the
benchmarks.

Files are written as the real site serves them, with absolute links to SITE_ORIGIN; this server
rewrites that origin to its own in every text file it serves, so that the copy links to itself.
It sends ETag and Last-Modified and answers conditional requests with 304, like a real server.

    with serve_folder(Path("fixtures/site")) as origin:
        ...  # origin is "http://127.0.0.1:PORT"
"""

from __future__ import annotations

import hashlib
import mimetypes
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

SITE_ORIGIN = b"https://www.werkenmantelzorg.nl"
TEXT_TYPES = {".html": "text/html", ".xml": "application/xml", ".txt": "text/plain"}


@dataclass(frozen=True)
class ServedFile:
    body: bytes
    content_type: str
    etag: str
    modified: float  # the file's mtime, for Last-Modified


def served_file(target: Path, origin: bytes) -> ServedFile:
    """A file as the fixture site serves it from `origin`: its links to the real site point
    there. Raises OSError for a file that cannot be read."""
    body = target.read_bytes()
    modified = target.stat().st_mtime
    content_type = TEXT_TYPES.get(target.suffix) or (
        mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    )
    if target.suffix in TEXT_TYPES:
        body = body.replace(SITE_ORIGIN, origin)
    return ServedFile(body, content_type, '"' + hashlib.sha1(body).hexdigest() + '"', modified)


def not_modified(
    if_none_match: str | None, if_modified_since: str | None, etag: str, modified: float
) -> bool:
    """Whether a conditional request's validators say the client's copy is current."""
    if if_none_match is not None:
        return etag in [tag.strip() for tag in if_none_match.split(",")]
    if if_modified_since:
        try:
            return int(modified) <= parsedate_to_datetime(if_modified_since).timestamp()
        except (TypeError, ValueError):
            return False
    return False


class _SiteHandler(BaseHTTPRequestHandler):
    root: Path
    origin: bytes
    latency_s: float
    redirects: Mapping[str, str]  # path → where it moved, answered with 301
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without this each body waits for the client's
    # delayed ACK (~40 ms a response).
    disable_nagle_algorithm = True

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        if self.latency_s:
            time.sleep(self.latency_s)
        path = unquote(urlsplit(self.path).path)
        if path in self.redirects:
            return self._redirect(self.redirects[path])
        target = (self.root / path.lstrip("/")).resolve()
        if not target.is_relative_to(self.root):
            return self._send(404, b"not found", "text/plain")
        if target.is_dir():
            if not path.endswith("/"):
                return self._redirect(path + "/")
            target = target / "index.html"
        if not target.is_file():
            return self._send(404, b"<h1>Pagina niet gevonden</h1>", "text/html")
        page = served_file(target, self.origin)
        validators = {"etag": page.etag, "modified": page.modified}
        if not_modified(
            self.headers.get("If-None-Match"),
            self.headers.get("If-Modified-Since"),
            page.etag,
            page.modified,
        ):
            return self._send(304, b"", None, **validators)
        self._send(200, page.body, page.content_type, **validators)

    def _redirect(self, location: str) -> None:
        self.send_response(301)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str | None,
        *,
        etag: str | None = None,
        modified: float | None = None,
    ) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        if etag:
            self.send_header("ETag", etag)
        if modified is not None:
            self.send_header("Last-Modified", formatdate(modified, usegmt=True))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if status != 304:
            self.wfile.write(body)

    def log_message(self, format: str, *_args) -> None:  # noqa: A002 - http.server's signature
        pass  # tests and the demo read the crawler's summary, not an access log


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, _request, _client_address) -> None:
        pass  # a crawler that closes its keep-alive connections is not an error worth a trace


@contextmanager
def serve_folder(
    root: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    latency_s: float = 0.0,
    redirects: Mapping[str, str] | None = None,
) -> Iterator[str]:
    """Serve `root` on `port` of `host` (0: a free one) while the block runs; yields the
    origin. `redirects` maps paths to where they moved, as a site that moved its pages does."""
    handler = type(
        "Handler",
        (_SiteHandler,),
        {"root": root.resolve(), "latency_s": latency_s, "redirects": dict(redirects or {})},
    )
    server = _QuietServer((host, port), handler)
    origin = f"http://{host}:{server.server_address[1]}"
    handler.origin = origin.encode()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield origin
    finally:
        server.shutdown()
        server.server_close()
