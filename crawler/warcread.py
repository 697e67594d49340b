"""Read WARC files back: every record, with the HTTP body of the responses we want decoded.

Pure code (warcio, no Scrapy). Reads our own files and anyone else's: WARC/1.0 and 1.1, plain
``.warc``, ``.warc.gz`` with one gzip member per record, and a whole file gzipped as one
stream. A record that cannot be read is reported as a ``ReadError`` and reading goes on at the
next record that can be; a file is never given up for one bad record.

Offsets and lengths are those of warcio's ``ArchiveIterator``: for ``.warc.gz`` the compressed
gzip member (what a reader seeks to), for plain files the record without its trailing blank
lines. A whole-file gzip cannot be seeked into, so there they count bytes of the decompressed
stream.
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import io
import os
import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from warcio.archiveiterator import WARCIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.limitreader import LimitReader

from crawler.warc.records import sha1_digest

# optional, as for Scrapy: without them such bodies are reported, not read
try:
    import brotli
except ImportError:
    brotli = None
try:
    import zstandard
except ImportError:
    zstandard = None

#: what a directory contributes; files named on the command line are read whatever their name
WARC_SUFFIXES = (".warc", ".warc.gz")
DEFAULT_MAX_BODY = 200_000_000

_GZIP_MAGIC = b"\x1f\x8b\x08"
_WARC_START = re.compile(rb"WARC/(?:1\.0|1\.1|0\.1[78])\r?\n")
_SHA1_B32 = re.compile(r"^[A-Za-z2-7]{32}$")
_SHA1_HEX = re.compile(r"^[0-9A-Fa-f]{40}$")
_SCAN_BLOCK = 1 << 20


@dataclass(slots=True)
class Capture:
    """One WARC record; for a response, its HTTP status, type and (if asked for) its body."""

    rec_type: str
    url: str  # WARC-Target-URI, angle brackets some tools add removed
    fetched_at: str | None  # WARC-Date
    status: int | None = None
    content_type: str | None = None  # the last Content-Type header, as HTTP clients read it
    truncated: str | None = None  # WARC-Truncated
    body: bytes | None = None  # decoded of transfer and content encodings; None when not read
    warc: dict = field(default_factory=dict)  # filename, offset, length, record_id, digest


@dataclass(frozen=True, slots=True)
class ReadError:
    """A record (or file) that could not be read; ``offset`` is None for the whole file."""

    path: str
    offset: int | None
    reason: str


class BodyError(Exception):
    """The record is sound but its HTTP body cannot be decoded."""


class _CorruptRecord(Exception):
    pass


def find_warc_files(inputs: Iterable[str | os.PathLike]) -> list[Path]:
    """Files in the order given; directories walked recursively in sorted order.

    Raises FileNotFoundError for an input that is neither a file nor a directory.
    """
    found: list[Path] = []
    seen: set[Path] = set()

    def add(path: Path) -> None:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            found.append(path)

    for item in inputs:
        path = Path(item)
        if path.is_dir():
            inside = [
                Path(folder) / name
                for folder, _, files in os.walk(path)
                for name in files
                if name.lower().endswith(WARC_SUFFIXES)
            ]
            for file in sorted(inside, key=lambda p: p.relative_to(path).parts):
                add(file)
        elif path.is_file():
            add(path)
        else:
            raise FileNotFoundError(str(item))
    return found


# --- HTTP bodies ---------------------------------------------------------------------------


def dechunk(data: bytes) -> bytes:
    """Remove chunked transfer framing.

    A body that does not start with a chunk is returned as it is: several tools store the body
    already de-chunked but keep the header. A body that stops before its last (empty) chunk was
    cut short, and is refused.
    """
    out = []
    pos = 0
    while True:
        eol = data.find(b"\n", pos)
        try:
            size = int(data[pos:eol].split(b";", 1)[0].strip(), 16) if eol >= 0 else -1
        except ValueError:
            size = -1
        if size < 0:
            if pos == 0:
                return data
            if pos >= len(data):
                raise BodyError("chunked body ends before its last chunk")
            raise BodyError("bad chunked framing")
        if size == 0:
            return b"".join(out)
        start = eol + 1
        if start + size > len(data):
            raise BodyError("chunked body ends before its last chunk")
        out.append(data[start : start + size])
        pos = start + size
        if data[pos : pos + 2] == b"\r\n":
            pos += 2
        elif data[pos : pos + 1] == b"\n":
            pos += 1


def _inflate(data: bytes, wbits: int, max_size: int) -> bytes:
    out = []
    total = 0
    while data:
        d = zlib.decompressobj(wbits)
        while True:
            # bounded steps: a small body may decompress to gigabytes
            chunk = d.decompress(data, 1 << 20)
            data = d.unconsumed_tail
            total += len(chunk)
            if total > max_size:
                raise BodyError(f"decoded body larger than {max_size} bytes")
            out.append(chunk)
            if d.eof or not (data or chunk):
                break
        if not d.eof:
            raise zlib.error("compressed body ends early")
        # gzip allows several members one after the other; anything else after them is junk
        data = d.unused_data if wbits == 31 and d.unused_data[:2] == b"\x1f\x8b" else b""
    return b"".join(out)


def _unbrotli(data: bytes, max_size: int) -> bytes:
    d = brotli.Decompressor()
    # Google's brotli (what Scrapy installs) has process()/is_finished(); brotlicffi and
    # brotlipy have decompress()/finish()
    step = getattr(d, "process", None) or d.decompress
    out = []
    total = 0
    for start in range(0, len(data), 1 << 14):
        chunk = step(data[start : start + (1 << 14)])
        total += len(chunk)
        if total > max_size:
            raise BodyError(f"decoded body larger than {max_size} bytes")
        out.append(chunk)
    if hasattr(d, "finish"):
        d.finish()
    elif not d.is_finished():
        raise BodyError("brotli body ends early")
    return b"".join(out)


def _decode_one(data: bytes, coding: str, max_size: int) -> bytes:
    if coding in ("gzip", "x-gzip"):
        return _inflate(data, 31, max_size)
    if coding == "deflate":
        try:
            return _inflate(data, 15, max_size)
        except zlib.error:
            return _inflate(data, -15, max_size)  # raw deflate, as some servers send it
    if coding == "br":
        if brotli is None:
            raise BodyError("Content-Encoding br needs the brotli package")
        return _unbrotli(data, max_size)
    if coding == "zstd":
        if zstandard is None:
            raise BodyError("Content-Encoding zstd needs the zstandard package")
        return zstandard.ZstdDecompressor().decompressobj().decompress(data)
    return data  # unknown codings stay, as Scrapy leaves them


def decode_body(
    raw: bytes,
    transfer_encoding: str | None,
    content_encodings: Iterable[str],
    max_size: int = DEFAULT_MAX_BODY,
) -> bytes:
    """The body as a browser sees it: de-chunked, then every content coding undone in reverse.

    A coding that fails on the very first bytes means the archive stored the body already
    decoded (a known habit of some capture tools): the bytes are kept as they are. Failing
    later means a damaged body, and raises BodyError.
    """
    data = dechunk(raw) if "chunked" in (transfer_encoding or "").lower() else raw
    codings = [c.strip().lower() for v in content_encodings for c in v.split(",")]
    for coding in reversed([c for c in codings if c and c != "identity"]):
        try:
            data = _decode_one(data, coding, max_size)
        except BodyError:
            raise
        except Exception as exc:
            if _decodes_at_all(data, coding):
                raise BodyError(f"damaged {coding} body: {exc}") from None
    if len(data) > max_size:
        raise BodyError(f"body larger than {max_size} bytes")
    return data


def _decodes_at_all(data: bytes, coding: str) -> bool:
    """Whether the first bytes are valid in this coding (so a failure is damage, not a label)."""
    head = data[:4096]
    if coding in ("gzip", "x-gzip"):
        return head[:2] == b"\x1f\x8b"
    if coding == "zstd":
        return head[:4] == b"\x28\xb5\x2f\xfd"
    if coding == "deflate":
        for wbits in (15, -15):
            try:
                zlib.decompressobj(wbits).decompress(head, 1)
                return True
            except zlib.error:
                pass
        return False
    return True  # brotli has no magic number: any failure is damage


#: WHATWG MIME sniffing: the tags that make an unlabelled resource HTML
_HTML_SNIFF = re.compile(
    rb"<(?:!doctype html|html|head|script|iframe|h1|div|font|table|a|style|title|b|body|br|p"
    rb"|!--)[ >]",
    re.I,
)
_SNIFFED_TYPES = frozenset(
    {"", "application/octet-stream", "unknown/unknown", "application/unknown"}
)


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def is_html(content_type: str | None, body: bytes | None) -> bool:
    """HTML by its Content-Type; sniffed from the body only when the type says nothing."""
    kind = media_type(content_type)
    if kind in ("text/html", "application/xhtml+xml"):
        return True
    if kind not in _SNIFFED_TYPES or not body:
        return False
    head = body[:1024].lstrip(b"\xef\xbb\xbf \t\r\n\x0c")
    return bool(_HTML_SNIFF.match(head + b" "))


def may_be_html(content_type: str | None) -> bool:
    """Before the body is read: can this response turn out to be HTML?"""
    kind = media_type(content_type)
    return kind in ("text/html", "application/xhtml+xml") or kind in _SNIFFED_TYPES


def payload_digest(header: str | None, raw: bytes) -> str:
    """The record's sha1 payload digest in base32, computed from ``raw`` when not given so."""
    label, _, value = (header or "").strip().partition(":")
    if label.lower() == "sha1":
        if _SHA1_B32.match(value):
            return "sha1:" + value.upper()
        if _SHA1_HEX.match(value):
            return "sha1:" + base64.b32encode(bytes.fromhex(value)).decode("ascii")
    return sha1_digest(raw)


# --- WARC files ----------------------------------------------------------------------------


class _Iterator(WARCIterator):
    """WARC only: warcio would read any line of junk with five words as an ARC record."""

    # warcio prints this warning itself; we turn the condition into a ReadError instead
    INC_RECORD = ""


@contextlib.contextmanager
def _warcio_messages() -> Iterator[io.StringIO]:
    """warcio reports damaged gzip data on stderr and carries on with less data: catch that."""
    buffer = io.StringIO()
    with contextlib.redirect_stderr(buffer):
        yield buffer


def _printable(text: str, limit: int = 120) -> str:
    text = re.sub(r"[^\x20-\x7e]+", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _reason(exc: BaseException) -> str:
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if isinstance(exc, _CorruptRecord):
        return _printable(message)
    if isinstance(exc, EOFError):  # only a gzip stream raises it here
        return "gzip data ends early (file cut short?)"
    if isinstance(exc, ArchiveLoadFailed) and "first line:" in message:
        start = message.split("first line:", 1)[1].strip()
        if start and len(_printable(start)) >= 0.9 * len(start):
            return _printable(f"not a WARC record (starts with {start!r})")
        return "not a WARC record (unreadable bytes: damaged gzip data or not WARC at all)"
    return _printable(f"{type(exc).__name__}: {message}" if message else type(exc).__name__)


def _whole_file_gzip(fh) -> bool:
    """Whether the file is one gzip stream around several records (not a member per record).

    The first member is decompressed only until it either ends or holds more than the one
    record its WARC header announces.
    """
    fh.seek(0)
    if fh.read(3) != _GZIP_MAGIC:
        fh.seek(0)
        return False
    fh.seek(0)
    d = zlib.decompressobj(31)
    head = b""
    seen = 0
    limit = None
    try:
        while not d.eof:
            block = d.unconsumed_tail or fh.read(1 << 16)
            if not block:
                return False
            out = d.decompress(block, 1 << 16)
            seen += len(out)
            if limit is None:
                head += out
                end = head.find(b"\r\n\r\n")
                if end >= 0:
                    m = re.search(rb"(?im)^content-length:\s*(\d+)\s*$", head[:end])
                    if not m:
                        return False
                    # a second record's header alone is longer than this slack
                    limit = end + 4 + int(m.group(1)) + 64
                elif len(head) > 1 << 16:
                    return False
            if limit is not None and seen > limit:
                return True
        return False
    except zlib.error:
        return False
    finally:
        fh.seek(0)


def _next_start(stream, after: int, gzipped: bool) -> int | None:
    """Where the next record may begin: a gzip member, or a WARC version line."""
    stream.seek(after)
    pos = after
    carry = b""
    while True:
        block = stream.read(_SCAN_BLOCK)
        if not block:
            return None
        data = carry + block
        base = pos - len(carry)
        if gzipped:
            found = data.find(_GZIP_MAGIC)
        else:
            m = _WARC_START.search(data)
            found = m.start() if m else -1
        if found >= 0:
            return base + found
        carry = data[-16:]
        pos += len(block)


def _last_header(headers, name: str) -> str | None:
    values = [v for k, v in headers.headers if k.lower() == name]
    return values[-1] if values else None


def _all_headers(headers, name: str) -> list[str]:
    return [v for k, v in headers.headers if k.lower() == name]


def _read_record(
    rec,
    it: _Iterator,
    filename: str,
    want: Callable[[Capture], bool],
    max_body: int,
) -> tuple[Capture, str | None]:
    """The capture of one record, and why its body could not be decoded (if it could not)."""
    rh = rec.rec_headers
    if not (rh.get_header("Content-Length") or "").strip().isdigit():
        # warcio would read on to the end of the file
        raise _CorruptRecord("missing or bad Content-Length")
    url = (rh.get_header("WARC-Target-URI") or "").strip()
    if url.startswith("<") and url.endswith(">"):
        url = url[1:-1]
    capture = Capture(
        rec_type=rec.rec_type or "",
        url=url,
        fetched_at=rh.get_header("WARC-Date"),
        truncated=rh.get_header("WARC-Truncated"),
    )
    http = rec.http_headers
    digest = rh.get_header("WARC-Payload-Digest")
    body_error = None
    if http is not None and capture.rec_type == "response":
        with contextlib.suppress(TypeError, ValueError):
            capture.status = int(http.get_statuscode())
        capture.content_type = _last_header(http, "content-type")
        if want(capture):
            raw = rec.raw_stream.read(max_body + 1)
            digest = payload_digest(digest, raw)
            try:
                if len(raw) > max_body:
                    raise BodyError(f"body larger than {max_body} bytes")
                capture.body = decode_body(
                    raw,
                    _last_header(http, "transfer-encoding"),
                    _all_headers(http, "content-encoding"),
                    max_body,
                )
            except BodyError as exc:
                body_error = str(exc)
    warnings = it.err_count
    offset, length = it.get_record_offset(), it.get_record_length()
    if it.err_count != warnings:
        raise _CorruptRecord("record not followed by a blank line (wrong Content-Length?)")
    if isinstance(rec.raw_stream, LimitReader) and rec.raw_stream.limit > 0:
        raise _CorruptRecord("record ends before its Content-Length (file cut short?)")
    capture.warc = {
        "filename": filename,
        "offset": offset,
        "length": length,
        "record_id": rh.get_header("WARC-Record-ID"),
        "payload_digest": digest,
    }
    return capture, body_error


def iter_records(
    path: str | os.PathLike,
    want: Callable[[Capture], bool] = lambda capture: True,
    max_body: int = DEFAULT_MAX_BODY,
) -> Iterator[Capture | ReadError]:
    """Every record of one WARC file in order, and a ReadError for each one that is damaged.

    ``want`` sees a response's URL, status, type and truncation before its body is read; the
    body is read and decoded only when it says yes, so large PDFs pass by unread.
    """
    path = Path(path)
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed below, the generator may pause long
    except OSError as exc:
        yield ReadError(str(path), None, exc.strerror or _reason(exc))
        return
    with fh:
        try:
            whole = _whole_file_gzip(fh)
        except OSError as exc:
            yield ReadError(str(path), None, exc.strerror or _reason(exc))
            return
        stream = gzip.GzipFile(fileobj=fh) if whole else fh
        gzipped = not whole and fh.read(3) == _GZIP_MAGIC
        yield from _iter_stream(stream, path, gzipped, whole, want, max_body)


def _iter_stream(
    stream, path: Path, gzipped: bool, whole: bool, want: Callable[[Capture], bool], max_body: int
) -> Iterator[Capture | ReadError]:
    position: int | None = 0
    in_damage = False  # one line per damaged stretch, not one per false restart inside it
    while position is not None:
        try:
            stream.seek(position)
            it = _Iterator(stream)
        except Exception as exc:
            yield ReadError(str(path), position, _reason(exc))
            return
        while True:
            start = it.offset
            rec = None
            try:
                with _warcio_messages() as messages:
                    rec = next(it, None)
                    if rec is None:
                        if whole:
                            stream.read(1)  # warcio takes a cut-off gzip stream for the end
                        position = None
                        break
                    capture, body_error = _read_record(rec, it, path.name, want, max_body)
                if messages.getvalue().strip():
                    raise _CorruptRecord(messages.getvalue())
            except Exception as exc:
                if whole and isinstance(exc, (EOFError, zlib.error, gzip.BadGzipFile)):
                    # the file's one gzip stream is damaged here: nothing after it can be read
                    yield ReadError(str(path), start, _reason(exc))
                    return
                # a header that parsed was a record, not a false restart: always worth a line
                if rec is not None or not in_damage:
                    yield ReadError(str(path), start, _reason(exc))
                in_damage = True
                try:
                    position = _next_start(stream, start + 1, gzipped)
                except Exception as scan_error:  # the file itself fails (I/O error, cut gzip)
                    yield ReadError(str(path), start, _reason(scan_error))
                    return
                break
            in_damage = False
            if body_error:
                yield ReadError(str(path), capture.warc["offset"], body_error)
                continue
            yield capture


# --- An open file (a cluster's byte range, a URL) ---------------------------------------------


@dataclass(frozen=True, slots=True)
class _Named:
    """What ``_iter_stream`` needs of a path: ``str()`` for messages, ``.name`` for records."""

    label: str
    name: str

    def __str__(self) -> str:
        return self.label


def iter_open_file(
    fh,
    label: str,
    name: str,
    want: Callable[[Capture], bool] = lambda capture: True,
    max_body: int = DEFAULT_MAX_BODY,
) -> Iterator[Capture | ReadError]:
    """``iter_records`` of an open, seekable binary file: ``label`` is what ReadErrors call it,
    ``name`` each capture's ``warc["filename"]``. Offsets count from the file's start."""
    named = _Named(label, name)
    try:
        whole = _whole_file_gzip(fh)
    except OSError as exc:
        yield ReadError(label, None, exc.strerror or _reason(exc))
        return
    stream = gzip.GzipFile(fileobj=fh) if whole else fh
    gzipped = not whole and fh.read(3) == _GZIP_MAGIC
    yield from _iter_stream(stream, named, gzipped, whole, want, max_body)
