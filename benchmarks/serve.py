"""Serve a site folder on loopback for the benchmark, in a process of its own so that the server
never shares a GIL with the crawler being measured. Prints the origin on its first line, then
serves until its standard input closes (the benchmark closes it, or dies).

    python -m benchmarks.serve /tmp/site --latency 0.05

It answers as harvester.sitehost does (the site's origin rewritten to its own in text files,
ETag, Last-Modified, 304 to a conditional request, 301 to a folder without its slash, 404) but
on one asyncio loop, so it can carry the load the crawlers are measured against.
harvester.sitehost (`--server sitehost`) cannot: measured with a minimal keep-alive client at
50 ms latency, it delivered c=4: 43, c=16: 180 pages/s (limits 80 and 320), because
http.server sends headers and body in two writes without TCP_NODELAY, so each body waits for
the client's delayed ACK (~40 ms); with TCP_NODELAY it reached c=16: 256 pages/s, its threads
then contending for the GIL (~4 ms of CPU a response). This server: see `check` in run.py.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email.utils import formatdate
from pathlib import Path
from urllib.parse import unquote, urlsplit

from wmkb.harvester.sitehost import not_modified, serve_folder, served_file

_REASONS = {200: "OK", 301: "Moved Permanently", 304: "Not Modified", 400: "Bad Request",
            404: "Not Found"}


class _Site:
    def __init__(self, root: Path, origin: bytes, latency_s: float) -> None:
        self.root = root.resolve()
        self.origin = origin
        self.latency_s = latency_s

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                    return
                keep_alive = await self._answer(head, writer)
                await writer.drain()
                if not keep_alive:
                    return
        finally:
            writer.close()

    async def _answer(self, head: bytes, writer: asyncio.StreamWriter) -> bool:
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        keep_alive = headers.get("connection", "").lower() != "close"
        if len(parts) != 3 or parts[0] not in ("GET", "HEAD"):
            writer.write(_response(400, b"bad request", "text/plain"))
            return False
        if self.latency_s:
            await asyncio.sleep(self.latency_s)
        writer.write(self._respond(parts[1], headers, head_only=parts[0] == "HEAD"))
        return keep_alive

    def _respond(self, raw_path: str, headers: dict[str, str], *, head_only: bool) -> bytes:
        path = unquote(urlsplit(raw_path).path)
        target = (self.root / path.lstrip("/")).resolve()
        if not target.is_relative_to(self.root):
            return _response(404, b"not found", "text/plain")
        if target.is_dir():
            if not path.endswith("/"):
                return _response(301, b"", None, extra={"Location": path + "/"})
            target = target / "index.html"
        try:
            page = served_file(target, self.origin)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return _response(404, b"<h1>Pagina niet gevonden</h1>", "text/html")
        body = page.body
        validators = {"ETag": page.etag, "Last-Modified": formatdate(page.modified, usegmt=True)}
        conditions = headers.get("if-none-match"), headers.get("if-modified-since")
        if not_modified(*conditions, page.etag, page.modified):
            return _response(304, b"", None, extra=validators)
        return _response(200, b"" if head_only else body, page.content_type, extra=validators,
                         length=len(body))


def _response(
    status: int,
    body: bytes,
    content_type: str | None,
    *,
    extra: dict[str, str] | None = None,
    length: int | None = None,
) -> bytes:
    lines = [f"HTTP/1.1 {status} {_REASONS.get(status, '')}", "Server: wmkb-bench"]
    if content_type:
        lines.append(f"Content-Type: {content_type}")
    lines += [f"{name}: {value}" for name, value in (extra or {}).items()]
    if status != 304:
        lines.append(f"Content-Length: {len(body) if length is None else length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


@contextmanager
def serve(root: Path, *, latency_s: float = 0.05, host: str = "127.0.0.1") -> Iterator[str]:
    """Serve `root` on a free port of `host` from a thread's event loop; yields the origin."""
    loop = asyncio.new_event_loop()
    started = threading.Event()
    state: dict = {}

    async def start() -> None:
        site = _Site(root, b"", latency_s)
        server = await asyncio.start_server(site.handle, host, 0, backlog=1024)
        port = server.sockets[0].getsockname()[1]
        site.origin = f"http://{host}:{port}".encode()
        state.update(server=server, origin=site.origin.decode())
        started.set()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(start())
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    started.wait()
    try:
        yield state["origin"]
    finally:
        loop.call_soon_threadsafe(state["server"].close)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=5)


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve a folder as a website on loopback.")
    parser.add_argument("root", type=Path)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds added per response")
    parser.add_argument(
        "--server", choices=("asyncio", "sitehost"), default="asyncio",
        help="asyncio (default): this module's server; sitehost: harvester.sitehost as it is",
    )
    args = parser.parse_args()
    if args.server == "sitehost":
        context = serve_folder(args.root, latency_s=args.latency)
    else:
        context = serve(args.root, latency_s=args.latency)
    with context as origin:
        print(origin, flush=True)
        sys.stdin.read()  # EOF: the parent is done with us (or gone)


if __name__ == "__main__":
    main()
