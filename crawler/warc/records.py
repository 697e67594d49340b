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
    "line, the headers sent (Host included) and the body."
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


def exchange_records(
    ex: Exchange,
    *,
    warcinfo_id: str,
    make_id: Callable[[], str] = new_record_id,
) -> tuple[Record, Record]:
    """The response record and its request record, linked both ways by WARC-Concurrent-To."""
    resp_id, req_id = make_id(), make_id()
    date = warc_date(ex.date)

    reason = ex.reason if ex.reason is not None else reason_phrase(ex.status)
    status_line = f"{ex.protocol} {ex.status} {reason}".rstrip().encode("latin-1", "replace")
    resp_head = status_line + b"\r\n" + _header_lines(archive_response_headers(ex.response_headers))
    resp_block = resp_head + b"\r\n" + ex.body
    resp_payload = sha1_digest(ex.body)
    resp_fields = [
        ("WARC-Record-ID", resp_id),
        ("WARC-Date", date),
        ("WARC-Target-URI", ex.url),
    ]
    if ex.ip_address:
        resp_fields.append(("WARC-IP-Address", ex.ip_address))
    resp_fields += [
        ("WARC-Concurrent-To", req_id),
        ("WARC-Warcinfo-ID", warcinfo_id),
        ("WARC-Block-Digest", sha1_digest(resp_block)),
        ("WARC-Payload-Digest", resp_payload),
    ]
    if ex.truncated:
        resp_fields.append(("WARC-Truncated", ex.truncated))
    response = Record(
        resp_id,
        "response",
        build_record("response", resp_fields, resp_block, "application/http;msgtype=response"),
        payload_digest=resp_payload,
    )

    req_line = f"{ex.method} {ex.target} HTTP/1.1".encode("latin-1", "replace")
    req_block = _clean(req_line) + b"\r\n" + _header_lines(ex.request_headers) + b"\r\n"
    req_block += ex.request_body
    req_fields = [
        ("WARC-Record-ID", req_id),
        ("WARC-Date", date),
        ("WARC-Target-URI", ex.url),
    ]
    if ex.ip_address:
        req_fields.append(("WARC-IP-Address", ex.ip_address))
    req_fields += [
        ("WARC-Concurrent-To", resp_id),
        ("WARC-Warcinfo-ID", warcinfo_id),
        ("WARC-Block-Digest", sha1_digest(req_block)),
        ("WARC-Payload-Digest", sha1_digest(ex.request_body)),
    ]
    request = Record(
        req_id,
        "request",
        build_record("request", req_fields, req_block, "application/http;msgtype=request"),
    )
    return response, request
