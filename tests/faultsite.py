"""A small site on loopback that misbehaves on purpose, over real sockets.

Each path's behaviour can be switched while the server runs, so a test can refresh from a
healthy site, break one page, and refresh again. The server records every request (path, time,
headers) so a test can check what the crawler sent.
"""

from __future__ import annotations

import gzip
import socket
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PROFILE = """<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8">
<title>{name} | Werk&amp;Mantelzorg</title></head><body>
<nav><a href="/">Home</a></nav>
<main><h1>{name}</h1>
<p>Erkend mantelzorgvriendelijk sinds: {since}</p>
<p>Bij {name} werken {employees} medewerkers.</p>
<h2>Welke concrete acties hebt u uitgevoerd om medewerkers bewust te maken van het thema?</h2>
<ul>{awareness}</ul>
<h2>Welke maatwerkoplossingen zijn in de organisatie mogelijk?</h2>
<ul><li>Thuiswerken</li><li>Kortdurend zorgverlof</li></ul>
</main><footer>KvK 30212345</footer></body></html>"""

FAULTS = (
    "500",
    "503",
    "429",
    "slow",
    "reset",
    "truncated",
    "badcharset",
    "huge",
    "gzipbomb",
    "loop",
    "offsite",
    "pdf",
)


def profile_html(
    name: str,
    *,
    since: str = "21 februari 2018",
    employees: int = 120,
    awareness: tuple[str, ...] = ("Workshop voor leidinggevenden",),
) -> str:
    items = "".join(f"<li>{item}</li>" for item in awareness)
    return PROFILE.format(name=name, since=since, employees=employees, awareness=items)


@dataclass
class FaultSite:
    origin: str = ""
    pages: dict[str, str] = field(default_factory=dict)  # path → HTML of a healthy page
    behaviour: dict[str, str] = field(default_factory=dict)  # path → a fault, or "404"/"410"
    unlinked: set[str] = field(default_factory=set)  # served, but no longer linked from "/"
    link_faults: bool = True  # False: "/" links only the healthy pages, a site that works
    robots: str = "User-agent: *\nDisallow: /private/\n"
    requests: list[tuple[str, float, dict[str, str]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start_page(self) -> str:
        pages = [path for path in self.pages if path not in self.unlinked]
        links = pages
        if self.link_faults:
            links = [
                *pages,
                *(f"/fault/{name}" for name in FAULTS),
                "/private/secret/",
                "/brochure.pdf",
                "mailto:info@example.nl",
            ]
        anchors = "".join(f'<li><a href="{link}">{link}</a></li>' for link in links if link != "/")
        return f"<html><body><main><h1>Start</h1><ul>{anchors}</ul></main></body></html>"

    def requested(self, path: str) -> list[tuple[float, dict[str, str]]]:
        with self.lock:
            return [(moment, headers) for seen, moment, headers in self.requests if seen == path]


class _Handler(BaseHTTPRequestHandler):
    site: FaultSite
    protocol_version = "HTTP/1.1"
    timeout_s = 0.5  # what the tests set as the crawler's read timeout

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:  # noqa: N802
        site = self.site
        path = self.path.split("?")[0]
        with site.lock:
            site.requests.append((path, time.monotonic(), dict(self.headers)))
        behaviour = site.behaviour.get(path) or (
            path.removeprefix("/fault/") if path.startswith("/fault/") else ""
        )
        if path == "/robots.txt" and not behaviour:
            return self._send(200, site.robots.encode(), "text/plain")
        if behaviour:
            return self._misbehave(behaviour)
        if path == "/":
            return self._send(200, site.start_page().encode(), "text/html; charset=utf-8")
        if path in site.pages:
            body = site.pages[path].encode()
            etag = f'"{hash(body) & 0xFFFFFFFF:x}"'
            if self.headers.get("If-None-Match") == etag:
                return self._send(304, b"", None, etag=etag)
            return self._send(200, body, "text/html; charset=utf-8", etag=etag)
        return self._send(404, b"<h1>Niet gevonden</h1>", "text/html")

    def _misbehave(self, behaviour: str) -> None:
        if behaviour in ("404", "410", "500"):
            return self._send(int(behaviour), b"<h1>Fout</h1>", "text/html")
        if behaviour == "503":
            return self._send(503, b"busy", "text/plain", extra={"Retry-After": "1"})
        if behaviour == "429":
            return self._send(429, b"slow down", "text/plain", extra={"Retry-After": "0"})
        if behaviour == "slow":
            time.sleep(self.timeout_s * 3)
            return self._send(200, b"<h1>Te laat</h1>", "text/html")
        if behaviour == "reset":
            self._headers_only(200, "text/html", 5000)
            self.wfile.write(b"<html><body><h1>Half")
            self.wfile.flush()
            # SO_LINGER 0: close with a TCP reset instead of a clean end.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return None
        if behaviour == "truncated":
            self._headers_only(200, "text/html", 5000)
            self.wfile.write(b"<html><body><h1>Afgebroken</h1>")
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_WR)
            self.close_connection = True
            return None
        if behaviour == "badcharset":
            body = b"<html><head><meta charset=utf-8></head><body><main><h1>Caf\xe9 \xff\xfe</h1></main></body></html>"
            return self._send(200, body, "text/html; charset=utf-8")
        if behaviour == "huge":
            return self._send(200, b"<p>" + b"x" * 300_000 + b"</p>", "text/html")
        if behaviour == "gzipbomb":
            bomb = gzip.compress(b"<p>" + b"0" * 20_000_000, compresslevel=9)
            return self._send(200, bomb, "text/html", extra={"Content-Encoding": "gzip"})
        if behaviour == "loop":
            return self._send(302, b"", None, extra={"Location": "/fault/loop-back"})
        if behaviour == "loop-back":
            return self._send(302, b"", None, extra={"Location": "/fault/loop"})
        if behaviour == "offsite":
            return self._send(301, b"", None, extra={"Location": "http://elsewhere.invalid/x/"})
        if behaviour == "pdf":
            return self._send(200, b"%PDF-1.4 ...", "application/pdf")
        raise ValueError(behaviour)

    def _headers_only(self, status: int, content_type: str, length: int) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(length))
        self.end_headers()

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str | None,
        *,
        etag: str | None = None,
        extra: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        if etag:
            self.send_header("ETag", etag)
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if status != 304:
            self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        pass


@contextmanager
def serve_faults(site: FaultSite) -> Iterator[FaultSite]:
    handler = type("Handler", (_Handler,), {"site": site})
    server = _Server(("127.0.0.1", 0), handler)
    site.origin = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
