"""Serve a site folder on loopback in a process of its own, so that the server's threads never
share a GIL with the crawler being measured. Prints the origin on its first line, then serves
until its standard input closes (the benchmark closes it, or dies).

    python -m benchmarks.serve /tmp/site --latency 0.05

It is harvester.sitehost's handler (origin rewriting, ETag, Last-Modified, 304) with one
change: TCP_NODELAY. http.server writes the headers and the body in two sends; with Nagle's
algorithm on, the body waits for the client's delayed ACK of the headers (40 ms on Linux), so
at 50 ms latency a keep-alive client saw ~92 ms per response and the server, not the crawler,
set the pace (c=16: 180 pages/s of the 320 limit; with TCP_NODELAY: ~310).
"""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from harvester import sitehost


@contextmanager
def serve(root: Path, *, latency_s: float = 0.05, host: str = "127.0.0.1") -> Iterator[str]:
    """sitehost.serve_folder with TCP_NODELAY on every connection; yields the origin."""
    handler = type(
        "Handler",
        (sitehost._SiteHandler,),  # noqa: SLF001 - the benchmark serves exactly what tests do
        {"root": root.resolve(), "latency_s": latency_s, "disable_nagle_algorithm": True},
    )
    server = sitehost._QuietServer((host, 0), handler)  # noqa: SLF001
    origin = f"http://{host}:{server.server_address[1]}"
    handler.origin = origin.encode()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield origin
    finally:
        server.shutdown()
        server.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve a folder as a website on loopback.")
    parser.add_argument("root", type=Path)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds added per response")
    parser.add_argument(
        "--nagle", action="store_true", help="serve with harvester.sitehost as it is (no NODELAY)"
    )
    args = parser.parse_args()
    context = (
        sitehost.serve_folder(args.root, latency_s=args.latency)
        if args.nagle
        else serve(args.root, latency_s=args.latency)
    )
    with context as origin:
        print(origin, flush=True)
        sys.stdin.read()  # EOF: the parent is done with us (or gone)


if __name__ == "__main__":
    main()
