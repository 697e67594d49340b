"""Serialise WARC/1.1 records (ISO 28500:2017) from captured HTTP exchanges.

Pure code: no Scrapy, no I/O. The writer (``writer.py``) decides where the bytes go.
"""

from __future__ import annotations

import base64
import hashlib
import re
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus

WARC_VERSION = b"WARC/1.1"
CONFORMS_TO = "http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"

# The stored body is de-chunked (the HTTP client removes the chunk framing before we see it),
# so a stored "Transfer-Encoding: chunked" would lie about the block. Replay tools would try to
# de-chunk it again. The original header survives under this name.
RENAMED_HEADER_PREFIX = b"X-Archive-Orig-"
RENAMED_RESPONSE_HEADERS = frozenset({b"transfer-encoding"})

FIDELITY_POLICY = (
    "Response blocks hold the status line and header lines as received (names, order, "
    "repeated headers and reason phrase kept; whitespace after the colon normalised to one "
    "space) and the body bytes as the server sent them, still content-encoded (gzip, br, ...). "
    "The HTTP client removes chunked transfer framing before capture, so a Transfer-Encoding "
    "header is stored renamed as X-Archive-Orig-Transfer-Encoding. Header values containing "
    "CR, LF or NUL are stored with those bytes percent-encoded. Request blocks hold the request "
    "line, the headers sent (Host included) and the body. A 304 answer to a revalidation is a "
    "server-not-modified revisit record without a block (its request record shows the "
    "conditional request), so that replay serves the original 200."
)

Headers = Sequence[tuple[bytes, bytes]]

_UNSAFE = re.compile(rb"[\r\n\x00]")


def sha1_digest(data: bytes) -> str:
    """WARC digest label: ``sha1:`` and the base32 of the SHA-1, as Heritrix and warcio write it."""
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode("ascii")


def warc_date(moment: datetime) -> str:
    """WARC 1.1 date with microseconds, always UTC."""
    moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def new_record_id() -> str:
    return f"<urn:uuid:{uuid.uuid4()}>"


def _clean(value: bytes) -> bytes:
    """Never let CR, LF or NUL from the network split a header line inside the record."""
    if _UNSAFE.search(value):
        return _UNSAFE.sub(lambda m: b"%%%02X" % m.group()[0], value)
    return value


def _header_lines(headers: Iterable[tuple[bytes, bytes]]) -> bytes:
    return b"".join(_clean(name) + b": " + _clean(value) + b"\r\n" for name, value in headers)


def archive_response_headers(headers: Headers) -> list[tuple[bytes, bytes]]:
    """Apply the fidelity policy: rename headers that no longer describe the stored body."""
    out = []
    for name, value in headers:
        if name.lower() in RENAMED_RESPONSE_HEADERS:
            name = RENAMED_HEADER_PREFIX + name
        out.append((name, value))
    return out


def reason_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


@dataclass(slots=True)
class Exchange:
    """One HTTP request and its response, as captured."""

    url: str
    date: datetime
    method: str
    target: str  # request-target: path and query, as sent
    request_headers: Headers
    protocol: str  # "HTTP/1.1"
    status: int
    response_headers: Headers
    body: bytes
    request_body: bytes = b""
    ip_address: str | None = None
    truncated: str | None = None  # WARC-Truncated reason: length, time, disconnect, unspecified
    reason: str | None = None  # reason phrase when the client kept it


@dataclass(slots=True)
class Record:
    """A serialised, uncompressed record and what the index and JSON need to know of it."""

    record_id: str
    rec_type: str
    data: bytes
    payload_digest: str | None = None
    extra: dict = field(default_factory=dict)


def build_record(
    rec_type: str,
    fields: Sequence[tuple[str, str]],
    block: bytes,
    content_type: str,
) -> bytes:
    head = [(b"WARC-Type", rec_type.encode())]
    head += [(k.encode(), v.encode("utf-8")) for k, v in fields]
    head += [(b"Content-Type", content_type.encode()), (b"Content-Length", b"%d" % len(block))]
    return WARC_VERSION + b"\r\n" + _header_lines(head) + b"\r\n" + block + b"\r\n\r\n"


def warcinfo_record(
    info: Sequence[tuple[str, str]],
    *,
    filename: str,
    date: datetime,
    record_id: str,
) -> Record:
    block = "".join(f"{k}: {v}\r\n" for k, v in info if v).encode("utf-8")
    fields = [
        ("WARC-Record-ID", record_id),
        ("WARC-Date", warc_date(date)),
        ("WARC-Filename", filename),
        ("WARC-Block-Digest", sha1_digest(block)),
    ]
    return Record(
        record_id, "warcinfo", build_record("warcinfo", fields, block, "application/warc-fields")
    )


PROFILE_IDENTICAL = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
PROFILE_NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"


@dataclass(frozen=True, slots=True)
class Original:
    """The earlier capture a revisit record refers to (never itself a revisit)."""

    uri: str
    date: str  # its WARC-Date, as written
    record_id: str
    payload_digest: str


def _response_head(ex: Exchange) -> bytes:
    reason = ex.reason if ex.reason is not None else reason_phrase(ex.status)
    status_line = f"{ex.protocol} {ex.status} {reason}".rstrip().encode("latin-1", "replace")
    return status_line + b"\r\n" + _header_lines(archive_response_headers(ex.response_headers))


def _common_fields(ex: Exchange, record_id: str, date: str) -> list[tuple[str, str]]:
    fields = [("WARC-Record-ID", record_id), ("WARC-Date", date), ("WARC-Target-URI", ex.url)]
    if ex.ip_address:
        fields.append(("WARC-IP-Address", ex.ip_address))
    return fields


def _request_record(ex: Exchange, req_id: str, resp_id: str, date: str, warcinfo_id: str):
    req_line = f"{ex.method} {ex.target} HTTP/1.1".encode("latin-1", "replace")
    req_block = _clean(req_line) + b"\r\n" + _header_lines(ex.request_headers) + b"\r\n"
    req_block += ex.request_body
    fields = [
        *_common_fields(ex, req_id, date),
        ("WARC-Concurrent-To", resp_id),
        ("WARC-Warcinfo-ID", warcinfo_id),
        ("WARC-Block-Digest", sha1_digest(req_block)),
        ("WARC-Payload-Digest", sha1_digest(ex.request_body)),
    ]
    data = build_record("request", fields, req_block, "application/http;msgtype=request")
    return Record(req_id, "request", data)


def exchange_records(
    ex: Exchange,
    *,
    warcinfo_id: str,
    make_id: Callable[[], str] = new_record_id,
) -> tuple[Record, Record]:
    """The response record and its request record, linked both ways by WARC-Concurrent-To."""
    resp_id, req_id = make_id(), make_id()
    date = warc_date(ex.date)
    resp_block = _response_head(ex) + b"\r\n" + ex.body
    resp_payload = sha1_digest(ex.body)
    fields = [
        *_common_fields(ex, resp_id, date),
        ("WARC-Concurrent-To", req_id),
        ("WARC-Warcinfo-ID", warcinfo_id),
        ("WARC-Block-Digest", sha1_digest(resp_block)),
        ("WARC-Payload-Digest", resp_payload),
    ]
    if ex.truncated:
        fields.append(("WARC-Truncated", ex.truncated))
    data = build_record("response", fields, resp_block, "application/http;msgtype=response")
    response = Record(resp_id, "response", data, payload_digest=resp_payload)
    return response, _request_record(ex, req_id, resp_id, date, warcinfo_id)


def revisit_records(
    ex: Exchange,
    original: Original,
    *,
    warcinfo_id: str,
    make_id: Callable[[], str] = new_record_id,
) -> tuple[Record, Record]:
    """A revisit instead of a second copy: the server said 304, or sent the same payload again.

    Same payload: the block is the new response's HTTP head (WARC 1.1, 6.7.2). A 304: no block,
    because replay tools serve a revisit's own HTTP head when it has one, and a replayed
    stylesheet must come back as the original 200, not as an empty 304."""
    not_modified = ex.status == 304
    profile = PROFILE_NOT_MODIFIED if not_modified else PROFILE_IDENTICAL
    rev_id, req_id = make_id(), make_id()
    date = warc_date(ex.date)
    block = b"" if not_modified else _response_head(ex) + b"\r\n"
    fields = [
        *_common_fields(ex, rev_id, date),
        ("WARC-Concurrent-To", req_id),
        ("WARC-Warcinfo-ID", warcinfo_id),
        ("WARC-Profile", profile),
        ("WARC-Refers-To-Target-URI", original.uri),
        ("WARC-Refers-To-Date", original.date),
        ("WARC-Refers-To", original.record_id),
        ("WARC-Block-Digest", sha1_digest(block)),
        ("WARC-Payload-Digest", original.payload_digest),
    ]
    data = build_record("revisit", fields, block, "application/http;msgtype=response")
    revisit = Record(rev_id, "revisit", data, payload_digest=original.payload_digest)
    return revisit, _request_record(ex, req_id, rev_id, date, warcinfo_id)
