"""The archive: every response a refresh downloads, kept as fetched in WARC files (ISO 28500).

    $WMKB_HOME/archive/wmkb-20261204T223000-run7-00001.warc.gz

Every record is a gzip member of its own, so one can be read from its offset alone: the pages
table keeps, for each page, the file and offset of the response that holds its current bytes.
Each file opens with a warcinfo record naming the run; a file is closed and the next one begun
once it has grown past `settings.ARCHIVE_FILE_BYTES`. A page downloaded again with the same bytes
is written as a revisit record (its headers only, pointing at the response that holds the
bytes), and nothing is written for a page the site answered 304 or the sitemap let us skip: the
archive grows with what changed, not with how often a refresh runs.

Reading works on WARC files made by anyone (gzipped or not, with or without request records);
a record that cannot be read is reported with its file and offset, and the reading goes on at
the next record.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from wmkb.harvester import settings
from wmkb.harvester.counters import Count, Counters
from wmkb.harvester.errors import ArchiveError
from wmkb.harvester.fetch import Response

WARC_VERSION = "WARC/1.1"
# Headers that describe the bytes on the wire, not the bytes kept: httpx hands us the body
# decoded and de-chunked, so a record keeps its real length and no encoding it no longer has.
_WIRE_HEADERS = frozenset({"content-encoding", "transfer-encoding", "content-length"})
# Where the next record may begin after one that could not be read.
_GZIP_MAGIC = b"\x1f\x8b\x08"
_WARC_MAGIC = b"WARC/"


def _software() -> str:
    try:
        return f"wmkb/{version('wmkb')}"
    except PackageNotFoundError:
        return "wmkb"


@dataclass(frozen=True)
class Place:
    """Where a record is: a file of the archive (its name), the record's offset, its WARC-Date."""

    file: str
    offset: int
    date: datetime  # naive UTC, as the knowledge base keeps times


def warc_date(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_warc_date(text: str) -> datetime:
    """A WARC-Date (with or without fractions, or a 14-digit Wayback timestamp) as naive UTC."""
    text = text.strip()
    if text.isdigit() and len(text) == 14:
        return datetime.strptime(text, "%Y%m%d%H%M%S")
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def payload_digest(body: bytes) -> str:
    """The digest WARC tools write for a payload: SHA-1 in base 32."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


class ArchiveWriter:
    """The WARC files of one run. Files are made on the first record: a run that downloads
    nothing new leaves none.

        writer = ArchiveWriter(archive_dir(), run_id=7, site="https://www.werkenmantelzorg.nl/")
        place = writer.response(response, at=now())
        writer.close()
    """

    def __init__(
        self,
        directory: Path,
        *,
        run_id: int,
        site: str,
        max_file_bytes: int = settings.ARCHIVE_FILE_BYTES,
        label: str = "refresh",
    ) -> None:
        self.directory = directory
        self.run_id = run_id
        self.site = site
        self.label = label
        self.max_file_bytes = max_file_bytes
        self.counters = Counters()  # records written, by type
        self._stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        self._number = 0
        self._stream: BinaryIO | None = None
        self._writer: WARCWriter | None = None
        self._name = ""

    def response(self, response: Response, *, at: datetime) -> Place:
        """Write the redirects that led to `response`, then its request and itself; the place
        of its response record."""
        for redirect in response.redirects:
            self._exchange(redirect, redirect.url, at)
        return self._exchange(response, response.final_url, at)

    def revisit(self, response: Response, *, refers_to: Place, at: datetime) -> Place:
        """Write that `response` brought the same bytes as the record at `refers_to`."""
        writer = self._open()
        record = writer.create_revisit_record(
            response.final_url,
            payload_digest(response.body),
            response.final_url,
            warc_date(refers_to.date),
            http_headers=_response_headers(response, len(response.body)),
            warc_headers_dict={"WARC-Date": warc_date(at)},
        )
        self._request(response, response.final_url, at)
        return self._write(record, "revisit", at)

    def capture(self, capture: Capture, *, url: str) -> Place:
        """Copy a capture imported from another archive, under its own date, as `url` (its URL
        on the site), so that it can be read again like any page a refresh downloaded."""
        writer = self._open()
        headers = [("Content-Length", str(len(capture.body)))]
        if capture.content_type:
            headers.append(("Content-Type", capture.content_type))
        if capture.location:
            headers.append(("Location", capture.location))
        record = writer.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(capture.body),
            length=len(capture.body),
            http_headers=StatusAndHeaders(
                f"{capture.status} {_phrase(capture.status)}".strip(), headers, "HTTP/1.1"
            ),
            warc_headers_dict={
                "WARC-Date": warc_date(capture.date),
                # Where it came from: an extension field, which WARC readers pass over.
                "WMKB-Imported-From": f"{capture.file}#{capture.offset} {capture.url}",
            },
        )
        return self._write(record, "response", capture.date)

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = self._writer = None

    def _exchange(self, response: Response, uri: str, at: datetime) -> Place:
        writer = self._open()
        self._request(response, uri, at)
        record = writer.create_warc_record(
            uri,
            "response",
            payload=io.BytesIO(response.body),
            length=len(response.body),
            http_headers=_response_headers(response, len(response.body)),
            warc_headers_dict={"WARC-Date": warc_date(at)},
        )
        return self._write(record, "response", at)

    def _request(self, response: Response, uri: str, at: datetime) -> None:
        parts = urlsplit(uri)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = StatusAndHeaders(
            f"GET {target} {response.http_version}",
            list(response.request_headers),
            is_http_request=True,
        )
        record = self._writer.create_warc_record(
            uri, "request", http_headers=headers, warc_headers_dict={"WARC-Date": warc_date(at)}
        )
        self._write(record, "request", at)

    def _write(self, record, kind: str, at: datetime) -> Place:
        offset = self._stream.tell()
        self._writer.write_record(record)
        self.counters.add(Count.ARCHIVE, reason=kind)
        return Place(self._name, offset, at)

    def _open(self) -> WARCWriter:
        if self._stream is not None and self._stream.tell() < self.max_file_bytes:
            return self._writer
        self.close()
        self._number += 1
        self._name = f"wmkb-{self._stamp}-run{self.run_id}-{self._number:05d}.warc.gz"
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._stream = (self.directory / self._name).open("xb")
        except OSError as error:
            raise ArchiveError(str(self.directory / self._name), 0, error.strerror) from error
        self._writer = WARCWriter(self._stream, gzip=True, warc_version=WARC_VERSION)
        info = {
            "software": _software(),
            "format": "WARC File Format 1.1",
            "isPartOf": f"wmkb {self.label} {self.run_id}",
            "description": f"pages of {self.site} as a {self.label} of wmkb downloaded them",
        }
        self._writer.write_record(self._writer.create_warcinfo_record(self._name, info))
        self.counters.add(Count.ARCHIVE, reason="warcinfo")
        return self._writer


def _phrase(status: int | None) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _response_headers(response: Response, length: int) -> StatusAndHeaders:
    phrase = _phrase(response.status)
    headers = [
        (name, value) for name, value in response.headers if name.lower() not in _WIRE_HEADERS
    ]
    headers.append(("Content-Length", str(length)))
    return StatusAndHeaders(
        f"{response.status} {phrase}".strip(), headers, protocol=response.http_version
    )


@dataclass(frozen=True)
class Capture:
    """A response (or revisit) record as read back: what the site answered, when."""

    url: str  # WARC-Target-URI
    date: datetime  # WARC-Date, naive UTC
    kind: str  # "response" or "revisit"
    status: int | None
    content_type: str | None
    location: str | None  # where a redirect points
    body: bytes  # the payload, de-chunked and decoded; empty for a revisit
    digest: str | None  # WARC-Payload-Digest
    file: str
    offset: int


@dataclass(frozen=True)
class BadRecord:
    """A record that could not be read: where it begins and why."""

    file: str
    offset: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file} at offset {self.offset}: {self.reason}"


def captures_at(directory: Path, places: Iterable[tuple[str, int]]) -> Iterator[Capture]:
    """The records at these places of the archive, in the order given (group them by file for
    speed: each file is opened once per run of places in it). Raises ArchiveError."""
    stream: BinaryIO | None = None
    current = None
    try:
        for file, offset in places:
            if file != current:
                if stream is not None:
                    stream.close()
                current = file
                try:
                    stream = (directory / file).open("rb")
                except OSError as error:
                    raise ArchiveError(str(directory / file), offset, error.strerror) from error
            stream.seek(offset)
            try:
                record = next(iter(ArchiveIterator(stream)))
                capture = _capture(record, file, offset)
            except Exception as error:  # noqa: BLE001 - warcio raises many kinds for a bad record
                raise ArchiveError(str(directory / file), offset, _reason(error)) from error
            if capture is None:
                raise ArchiveError(str(directory / file), offset, "not a response record")
            yield capture
    finally:
        if stream is not None:
            stream.close()


def captures(path: Path) -> Iterator[Capture | BadRecord]:
    """Every response and revisit record of a WARC file, in file order; a record that cannot
    be read is yielded as a BadRecord and the reading resumes at the next one. Raises
    ArchiveError for a file that cannot be opened."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ArchiveError(str(path), 0, error.strerror) from error
    magic = _GZIP_MAGIC if data.startswith(_GZIP_MAGIC) else _WARC_MAGIC
    start = 0
    while start < len(data):
        stream = io.BytesIO(data)
        stream.seek(start)
        iterator = ArchiveIterator(stream)
        records = iter(iterator)
        start = len(data)
        while (found := _next_record(iterator, records, path, data)) is not None:
            if isinstance(found, BadRecord):
                yield found
                resume = data.find(magic, found.offset + 1)
                start = resume if resume >= 0 else len(data)
                break
            if isinstance(found, Capture):
                yield found


_OTHER = "other"  # a record that is neither a response nor a revisit


def _next_record(
    iterator: ArchiveIterator, records: Iterator, path: Path, data: bytes
) -> Capture | BadRecord | str | None:
    """The next record: a Capture, a BadRecord, _OTHER, or None at the end of the file."""
    # warcio writes its own warnings to stderr; the caller reports the record instead.
    with contextlib.redirect_stderr(io.StringIO()):
        try:
            record = next(records)
        except StopIteration:
            # A gzip member cut short ends warcio's reading without a word.
            if data[iterator.offset :].strip():
                return BadRecord(str(path), iterator.offset, "record cut short")
            return None
        except Exception as error:  # noqa: BLE001 - warcio raises many kinds for a bad record
            return BadRecord(str(path), iterator.offset, _reason(error))
        offset = iterator.offset
        try:
            warnings = iterator.err_count
            capture = _capture(record, str(path), offset)
            iterator.read_to_end()
            if iterator.err_count > warnings:
                raise ValueError("its block is not as long as its Content-Length says")
        except Exception as error:  # noqa: BLE001 - warcio raises many kinds for a bad record
            return BadRecord(str(path), offset, _reason(error))
    return capture if capture is not None else _OTHER


def _capture(record, file: str, offset: int) -> Capture | None:
    if record.rec_type not in ("response", "revisit"):
        return None
    headers = record.rec_headers
    url = headers.get_header("WARC-Target-URI")
    date = headers.get_header("WARC-Date")
    if not url or not date:
        raise ValueError("no WARC-Target-URI or WARC-Date")
    http = record.http_headers
    status = None
    if http is not None and http.get_statuscode():
        status = int(http.get_statuscode())
    body = b""
    if record.rec_type == "response":
        body = record.content_stream().read()
        _check_length(record)
    return Capture(
        url=url,
        date=parse_warc_date(date),
        kind=record.rec_type,
        status=status,
        content_type=http.get_header("Content-Type") if http is not None else None,
        location=http.get_header("Location") if http is not None else None,
        body=body,
        digest=headers.get_header("WARC-Payload-Digest"),
        file=file,
        offset=offset,
    )


def _check_length(record) -> None:
    """A record cut short reads as a shorter body without complaint: the whole block it
    declared (Content-Length) must have been there."""
    missing = getattr(record.raw_stream, "limit", 0)
    if missing > 0:
        raise ValueError(f"record cut short: {missing} of its {record.length} bytes missing")


def _reason(error: Exception) -> str:
    # warcio quotes the bytes it could not read; a report keeps only their printable start.
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    text = text.split(", first line:")[0]
    text = "".join(char if char.isprintable() else "?" for char in text)[:120]
    return text or type(error).__name__


@dataclass
class ArchiveSummary:
    directory: Path
    files: list[dict] = field(default_factory=list)  # name, records by type, bytes

    def as_json(self) -> dict:
        records: Counter[str] = Counter()
        for entry in self.files:
            records.update(entry["records"])
        return {
            "directory": str(self.directory),
            "files": self.files,
            "records": dict(sorted(records.items())),
            "bytes": sum(entry["bytes"] for entry in self.files),
        }


def summarise(directory: Path) -> ArchiveSummary:
    """Files, records by type and bytes of the archive in `directory` (none if it is absent)."""
    summary = ArchiveSummary(directory)
    for path in sorted(directory.glob("*.warc*")) if directory.is_dir() else []:
        records: Counter[str] = Counter()
        try:
            with path.open("rb") as stream:
                for record in ArchiveIterator(stream):
                    records[record.rec_type] += 1
        except Exception as error:  # noqa: BLE001 - said with the file's name
            raise ArchiveError(str(path), 0, _reason(error)) from error
        summary.files.append(
            {
                "name": path.name,
                "records": dict(sorted(records.items())),
                "bytes": path.stat().st_size,
            }
        )
    return summary
