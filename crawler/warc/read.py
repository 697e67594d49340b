"""Read WARC and ARC files back: every record, with the HTTP body of the responses we want.

Pure code (warcio, no Scrapy). Reads our own files and anyone else's: WARC/0.17 to 1.1 and ARC
v1 and v2, plain, with one gzip member per record, or a whole file gzipped as one stream (which
warcio itself refuses), and the WARC files inside a WACZ, streamed from the ZIP. A record that
cannot be read is reported as a ``ReadError`` and reading goes on at the next record that can
be; a file is never given up for one bad record. A file of a kind we cannot read gets one
``ReadError`` that says what it is ("unsupported: LZ4-compressed WARC").

Offsets and lengths are those of warcio's ``ArchiveIterator``: for ``.warc.gz`` the compressed
gzip member (what a reader seeks to), for plain files the record without its trailing blank
lines. A whole-file gzip cannot be seeked into, so there they count bytes of the decompressed
stream. In a WACZ they are those of the WARC file inside the ZIP.

A body is read block by block and decoded as it comes (``bodies``): a page over the size limit
stops being read at the limit and is reported as skipped, a body whose type says nothing is
sniffed from its first bytes and left unread if it is no HTML, so memory stays flat whatever
the size of a record.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import os
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator, WARCIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.limitreader import LimitReader
from warcio.recordloader import ARC2WARCHeadersParser

from .bodies import (
    DEFAULT_MAX_BODY,
    SNIFF_BYTES,
    BodyDecoder,
    BodyError,
    BodyTooLarge,
    is_html,
    is_sniffed,
    payload_digest,
)
from .inputs import Kind, sniff_stream, wacz_members

_GZIP_MAGIC = b"\x1f\x8b\x08"
_WARC_START = re.compile(rb"WARC/(?:1\.0|1\.1|0\.1[78])\r?\n")
_ARC_START = re.compile(rb"\n\n(?=[a-z][a-z0-9+.-]*:[^ \n]* )", re.I)
_ARC_HEADER = re.compile(rb"[a-z][a-z0-9+.-]*:.* \d{14} .*\d\r?\n?$", re.I)
_SCAN_BLOCK = 1 << 20
_NO_LENGTH = "missing or bad Content-Length"
_LENGTH_LINE = re.compile(rb"(?im)^content-length:[^\n]*\n")
_READ_BLOCK = 1 << 16
# warcio's notes that are no damage: it repairs the URI itself
_HARMLESS = ("Replacing spaces in invalid WARC-Target-URI",)


@dataclass(slots=True)
class Capture:
    """One record; for a response (or resource), its status, type and (if asked) its body."""

    rec_type: str
    url: str  # WARC-Target-URI, angle brackets some tools add removed
    fetched_at: str | None  # WARC-Date
    status: int | None = None
    content_type: str | None = None  # the last Content-Type header, as HTTP clients read it
    truncated: str | None = None  # WARC-Truncated
    body: bytes | None = None  # decoded of transfer and content encodings; None when not read
    warc: dict = field(default_factory=dict)  # filename, offset, length, record_id, digest
    skipped: str | None = None  # why a wanted body was left unread ("30 MB page over ...")


@dataclass(frozen=True, slots=True)
class ReadError:
    """A record (or file) that could not be read; ``offset`` is None for the whole file."""

    path: str
    offset: int | None
    reason: str


class _CorruptRecord(Exception):
    pass


class _DamagedEnd(Exception):
    """A record whose end is damaged (cut short, a wrong Content-Length) after its page was
    read: the page is kept as stored, and the damage reported all the same."""

    def __init__(self, capture: Capture, reason: str):
        super().__init__(reason)
        self.capture = capture
        self.reason = reason


def megabytes(size: int) -> str:
    return f"{size / 1e6:.0f} MB" if size >= 10e6 else f"{size / 1e6:.1f} MB"


class _Iterator(WARCIterator):
    """WARC only: warcio would read any line of junk with five words as an ARC record."""

    # warcio prints this warning itself; we turn the condition into a ReadError instead
    INC_RECORD = ""


class _ArcHeaders(ARC2WARCHeadersParser):
    """ARC v1 as warcio reads it, and ARC v2 (10 fields a line, the length last), which it
    does not: the v2 fields warcio needs are picked out of the line."""

    v2 = False

    def parse(self, stream, headerline=None):
        if headerline is None:
            headerline = stream.readline()
        if isinstance(headerline, bytes):
            headerline = headerline.decode("latin-1")
        fields = headerline.rstrip("\r\n").split(" ")
        if headerline.startswith("filedesc://"):
            self.v2 = len(fields) == 10
        if self.v2 and len(fields) == 10:
            headerline = " ".join([*fields[:4], fields[9]]) + "\n"
        return super().parse(stream, headerline)


class _ArcIterator(ArchiveIterator):
    INC_RECORD = ""

    def __init__(self, fileobj):
        super().__init__(fileobj, arc2warc=True)
        self.loader.arc_parser = _ArcHeaders()

    def _consume_blanklines(self):
        # ARC writers often leave out the newline between records (Heritrix counts it in the
        # length): a record header right after a record is the next record, not damage
        empty_size = 0
        first = True
        while True:
            line = self.reader.readline()
            if not line:
                return None, empty_size
            if line.strip() and (not first or _ARC_HEADER.match(line)):
                return line, empty_size
            if line.strip():
                self.err_count += 1  # as warcio: what follows the record is no record
            empty_size += len(line)
            first = False


@contextlib.contextmanager
def _warcio_messages() -> Iterator[io.StringIO]:
    """warcio reports damaged gzip data on stderr and carries on with less data: catch that."""
    buffer = io.StringIO()
    with contextlib.redirect_stderr(buffer):
        yield buffer


def _damage(messages: str) -> str:
    lines = [line for line in messages.splitlines() if line.strip()]
    return "\n".join(line for line in lines if not line.strip().startswith(_HARMLESS))


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
    record its header announces.
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
                limit = _first_record_end(head)
                if limit == -1 or (limit is None and len(head) > 1 << 16):
                    return False
            if limit is not None and seen > limit:
                return True
        return False
    except zlib.error:
        return False
    finally:
        fh.seek(0)


def _first_record_end(head: bytes) -> int | None:
    """Where the first record of a decompressed file ends (plus a little slack), -1 if that
    cannot be told, None if more bytes are needed."""
    if head.startswith(b"filedesc://"):  # ARC: the length is the last field of the first line
        eol = head.find(b"\n")
        if eol < 0:
            return None
        try:
            return eol + 1 + int(head[:eol].split()[-1]) + 64
        except (ValueError, IndexError):
            return -1
    end = head.find(b"\r\n\r\n")
    if end < 0:
        return None
    m = re.search(rb"(?im)^content-length:\s*(\d+)\s*$", head[:end])
    if not m:
        return -1
    # a second record's header alone is longer than this slack
    return end + 4 + int(m.group(1)) + 64


def _next_start(stream, after: int, gzipped: bool, arc: bool) -> int | None:
    """Where the next record may begin: a gzip member, a WARC version line, an ARC header."""
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
            m = (_ARC_START if arc else _WARC_START).search(data)
            found = (m.end() if arc else m.start()) if m else -1
        if found >= 0:
            return base + found
        carry = data[-16:]
        pos += len(block)


def _last_header(headers, name: str) -> str | None:
    values = [v for k, v in headers.headers if k.lower() == name]
    return values[-1] if values else None


def _all_headers(headers, name: str) -> list[str]:
    return [v for k, v in headers.headers if k.lower() == name]


def _read_body(rec, capture: Capture, http, max_page: int, sha1) -> str | None:
    """Read and decode the body into ``capture``, block by block: a body whose type says
    nothing stops at its first bytes unless they are HTML; a page over ``max_page`` stops at
    the limit and is marked skipped. BodyError when it cannot be decoded; a coding that stops
    early leaves what decoded in ``capture.body`` and returns why."""
    stream = rec.raw_stream
    if http is not None:
        decoder = BodyDecoder(
            _last_header(http, "transfer-encoding"),
            _all_headers(http, "content-encoding"),
            max_page,
        )
    else:  # a resource record: the block is the document itself
        decoder = BodyDecoder(None, [], max_page)
    sniff = is_sniffed(capture.content_type)
    unfinished = None
    out: list[bytes] = []
    size = 0
    raw_read = 0
    try:
        while True:
            raw = stream.read(_READ_BLOCK)
            if not raw:
                try:
                    out.append(decoder.finish())
                except BodyTooLarge:
                    raise
                except BodyError as exc:
                    # a coding that stops early: damage of the body, unless the record itself
                    # turns out to be damaged at its end (the caller knows once it has ended)
                    unfinished = str(exc)
                break
            raw_read += len(raw)
            if sha1 is not None:
                sha1.update(raw)
            chunk = decoder.feed(raw)
            out.append(chunk)
            size += len(chunk)
            if sniff and size >= SNIFF_BYTES:
                sniff = False
                if not is_html(capture.content_type, b"".join(out)):
                    return None  # no page: the rest stays unread
    except BodyTooLarge:
        left = stream.limit if isinstance(stream, LimitReader) else 0
        if decoder.encoded:
            what = f"page of more than {megabytes(max_page)} decoded"
        else:
            what = f"{megabytes(raw_read + left)} page"
        capture.skipped = f"skipped: {what} over EXTRACT_MAX_PAGE_BYTES"
        return None
    body = b"".join(out)
    if sniff and not is_html(capture.content_type, body):
        return None
    capture.body = body
    return unfinished


def _read_record(
    rec,
    it,
    filename: str,
    want: Callable[[Capture], bool],
    max_page: int,
    arc: bool,
) -> tuple[Capture, str | None]:
    """The capture of one record, and why its body could not be decoded (if it could not)."""
    rh = rec.rec_headers
    if not (rh.get_header("Content-Length") or "").strip().isdigit():
        # warcio would read on to the end of the file
        raise _CorruptRecord(_NO_LENGTH)
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
    body_error = unfinished = None
    readable = False
    if capture.rec_type == "response" and http is not None:
        with contextlib.suppress(TypeError, ValueError):
            capture.status = int(http.get_statuscode())
        capture.content_type = _last_header(http, "content-type")
        readable = True
    elif capture.rec_type == "resource":
        capture.content_type = rh.get_header("Content-Type")
        readable = True
    declared = payload_digest(digest)  # None unless the record gives a sha1 digest
    if readable and want(capture):
        sha1 = None if declared else hashlib.sha1()
        try:
            unfinished = _read_body(rec, capture, http, max_page, sha1)
        except BodyError as exc:
            body_error = str(exc)
        if capture.body is not None and sha1 is not None:
            declared = payload_digest(None, sha1=sha1)
    digest = declared
    warnings = it.err_count
    offset, length = it.get_record_offset(), it.get_record_length()
    end_damage = None
    if it.err_count != warnings:
        end_damage = "record not followed by a blank line (wrong Content-Length?)"
    if isinstance(rec.raw_stream, LimitReader) and rec.raw_stream.limit > 0:
        end_damage = "record ends before its Content-Length (file cut short?)"
    capture.warc = {
        "filename": filename,
        "offset": offset,
        "length": length,
        # an ARC record has no id: warcio's conversion makes a random one up
        "record_id": None if arc else rh.get_header("WARC-Record-ID"),
        "payload_digest": digest,
    }
    if end_damage:
        if capture.body is None:
            raise _CorruptRecord(end_damage)
        raise _DamagedEnd(capture, end_damage)
    if unfinished:
        capture.body, body_error = None, unfinished
    return capture, body_error


def _up_to_next(stream, begin: int, stop: int | None, filename: str, want, max_body: int):
    """A plain file's record without a usable Content-Length, read as the bytes up to the next
    record (or the end of the file), as a reader of the file by eye would: the capture, or None
    when that does not make a record either."""
    try:
        stream.seek(begin)
        block = stream.read((stop - begin) if stop is not None else max_body + (1 << 20))
        head_end = block.find(b"\r\n\r\n")
        if head_end < 0 or (stop is None and stream.read(1)):
            return None
        content = block[head_end + 4 :]
        if content.endswith(b"\r\n\r\n"):
            content = content[:-4]
        head = _LENGTH_LINE.sub(b"", block[: head_end + 2])
        fixed = head + b"Content-Length: %d\r\n\r\n" % len(content) + content + b"\r\n\r\n"
        with _warcio_messages():
            it = _Iterator(io.BytesIO(fixed))
            capture, body_error = _read_record(next(it), it, filename, want, max_body, False)
    except Exception:
        return None
    if body_error or capture.body is None:
        return None
    capture.warc["offset"], capture.warc["length"] = begin, len(block)
    return capture


def iter_records(
    path: str | os.PathLike,
    want: Callable[[Capture], bool] = lambda capture: True,
    max_body: int = DEFAULT_MAX_BODY,
    *,
    start: int = 0,
    end: int | None = None,
) -> Iterator[Capture | ReadError]:
    """Every record of one WARC, ARC or WACZ file in order, and a ReadError for each one that
    is damaged (or one for the whole file when it cannot be read at all).

    ``want`` sees a response's (or resource's) URL, status, type and truncation before its body
    is read; the body is read and decoded only when it says yes, so large PDFs pass by unread,
    and only up to ``max_body`` decoded bytes (a larger page has ``skipped`` set instead).
    ``start`` and ``end`` bound the records read to those that begin in ``[start, end)`` of a
    plain or per-record gzip file (``start`` must be a record's offset): one byte range of a
    large file.
    """
    path = Path(path)
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed below, the generator may pause long
    except OSError as exc:
        yield ReadError(str(path), None, exc.strerror or _reason(exc))
        return
    with fh:
        try:
            kind = sniff_stream(fh)
        except OSError as exc:
            yield ReadError(str(path), None, exc.strerror or _reason(exc))
            return
        if kind.problem:
            yield ReadError(str(path), None, kind.problem)
            return
        if kind.name == Kind.WACZ:
            yield from _iter_wacz(fh, path, want, max_body)
            return
        yield from iter_stream(fh, str(path), path.name, want, max_body, start=start, end=end)


def _iter_wacz(fh, path: Path, want, max_body: int) -> Iterator[Capture | ReadError]:
    try:
        members = wacz_members(fh)
    except Exception as exc:
        yield ReadError(str(path), None, f"unreadable WACZ: {_reason(exc)}")
        return
    if isinstance(members, str):
        yield ReadError(str(path), None, members)
        return
    for zf, info in members:
        where = f"{path}#{info.filename}"
        with zf.open(info) as member:
            kind = sniff_stream(member)
            if kind.problem:
                yield ReadError(where, None, kind.problem)
                continue
            for event in iter_stream(member, where, Path(info.filename).name, want, max_body):
                if isinstance(event, Capture):
                    event.warc["container"] = path.name
                yield event


def iter_stream(
    fh: BinaryIO,
    where: str,
    filename: str,
    want: Callable[[Capture], bool] = lambda capture: True,
    max_body: int = DEFAULT_MAX_BODY,
    *,
    start: int = 0,
    end: int | None = None,
) -> Iterator[Capture | ReadError]:
    """The records of one seekable WARC or ARC stream (a file, a member of a ZIP...): ``where``
    names it in errors, ``filename`` in the records' pointers."""
    kind = sniff_stream(fh)
    if kind.problem:
        yield ReadError(where, None, kind.problem)
        return
    try:
        whole = _whole_file_gzip(fh)
    except OSError as exc:
        yield ReadError(where, None, exc.strerror or _reason(exc))
        return
    if whole and start:
        raise ValueError("a whole-file gzip can only be read from its start")
    stream = gzip.GzipFile(fileobj=fh) if whole else fh
    fh.seek(0)
    gzipped = not whole and fh.read(3) == _GZIP_MAGIC
    arc = kind.name == Kind.ARC
    yield from _iter_stream(
        stream, where, filename, gzipped, whole, arc, want, max_body, start, end
    )


def _iter_stream(
    stream,
    where: str,
    filename: str,
    gzipped: bool,
    whole: bool,
    arc: bool,
    want: Callable[[Capture], bool],
    max_body: int,
    position: int | None,
    end: int | None,
) -> Iterator[Capture | ReadError]:
    in_damage = False  # one line per damaged stretch, not one per false restart inside it
    while position is not None:
        try:
            stream.seek(position)
            it = _ArcIterator(stream) if arc else _Iterator(stream)
        except Exception as exc:
            yield ReadError(where, position, _reason(exc))
            return
        while True:
            begin = it.offset
            if end is not None and begin >= end:
                return
            rec = None
            try:
                with _warcio_messages() as messages:
                    rec = next(it, None)
                    if rec is None:
                        if damage := _damage(messages.getvalue()):
                            # warcio took a member's damaged gzip data for the end of the
                            # file: the records after it were silently left unread
                            if whole:
                                raise zlib.error(damage)
                            raise _CorruptRecord(damage)
                        if whole:
                            stream.read(1)  # warcio takes a cut-off gzip stream for the end
                        position = None
                        break
                    try:
                        capture, body_error = _read_record(rec, it, filename, want, max_body, arc)
                    finally:
                        damage = _damage(messages.getvalue())
                if damage:
                    if capture.body is not None:
                        raise _DamagedEnd(capture, _printable(damage))
                    raise _CorruptRecord(damage)
            except Exception as exc:
                if whole and isinstance(exc, (EOFError, zlib.error, gzip.BadGzipFile)):
                    # the file's one gzip stream is damaged here: nothing after it can be read
                    yield ReadError(where, begin, _reason(exc))
                    return
                if isinstance(exc, _DamagedEnd):
                    # what warcio would hand over as the page: kept, and the damage said
                    yield ReadError(where, begin, f"{exc.reason}; its page is read as stored")
                    yield exc.capture
                try:
                    position = _next_start(stream, begin + 1, gzipped, arc)
                except Exception as scan_error:  # the file itself fails (I/O error, cut gzip)
                    yield ReadError(where, begin, _reason(scan_error))
                    return
                salvaged = None
                if str(exc) == _NO_LENGTH and not (gzipped or whole or arc):
                    salvaged = _up_to_next(stream, begin, position, filename, want, max_body)
                if salvaged is not None:
                    yield ReadError(where, begin, f"{_NO_LENGTH}; its page is read up to the "
                                                  "next record")  # fmt: skip
                    yield salvaged
                # a header that parsed was a record, not a false restart: always worth a line
                elif not isinstance(exc, _DamagedEnd) and (rec is not None or not in_damage):
                    yield ReadError(where, begin, _reason(exc))
                in_damage = True
                break
            in_damage = False
            if body_error:
                yield ReadError(where, capture.warc["offset"], body_error)
                continue
            yield capture
