"""HTTP bodies as a browser sees them: de-chunked, every content coding undone, step by step.

Pure code (no Scrapy). A body is decoded as it is read, in blocks, so its cost is bounded by
what the caller keeps: a 250 MB body is never held whole, and a small body that decodes to
gigabytes stops at the limit. Content codings are those browsers accept: gzip, deflate, br and
zstd, with whichever module of each is installed (Google's ``brotli``, ``brotlicffi`` or the old
``brotlipy``, which installs itself as ``brotli`` too; ``compression.zstd``, its backport or
``zstandard``): they are told apart by what they can do, never by their names.
"""

from __future__ import annotations

import base64
import importlib
import re
import zlib
from collections.abc import Iterable

from .records import sha1_digest

DEFAULT_MAX_BODY = 200_000_000
_SHA1_B32 = re.compile(r"^[A-Za-z2-7]{32}$")
_SHA1_HEX = re.compile(r"^[0-9A-Fa-f]{40}$")
# input fed to a decoder that cannot bound its output: one step yields at most ~ratio x this
_SMALL_STEP = 1 << 12
_TINY_STEP = 16
# output per input byte beyond which a body is fed in tiny steps (HTML compresses 5-20x)
_BOMB_RATIO = 100


class BodyError(Exception):
    """The record is sound but its HTTP body cannot be decoded."""


class BodyTooLarge(BodyError):
    """The decoded body is larger than the limit it was read with."""


def _first_module(names: tuple[str, ...], needs: str):
    """The first of ``names`` that imports and has ``needs``."""
    for name in names:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        if hasattr(module, needs):
            return module
    return None


brotli = _first_module(("brotli", "brotlicffi"), "Decompressor")
zstd = _first_module(("compression.zstd", "backports.zstd", "zstandard"), "ZstdDecompressor")


# --- One coding at a time ------------------------------------------------------------------


class _Stage:
    """Decodes one coding incrementally: ``feed`` what came, ``finish`` at the end."""

    def __init__(self, limit: int):
        self.limit = limit
        self.total = 0

    def _count(self, out: bytes) -> bytes:
        self.total += len(out)
        if self.total > self.limit:
            raise BodyTooLarge(f"decoded body larger than {self.limit} bytes")
        return out

    def feed(self, data: bytes) -> bytes:
        raise NotImplementedError

    def finish(self) -> bytes:
        return b""


class _Passthrough(_Stage):
    def feed(self, data: bytes) -> bytes:
        return self._count(data)


class _Dechunk(_Stage):
    """Chunked transfer framing. A body that does not start with a chunk size line is kept as
    it is: several tools store the body already de-chunked but keep the header."""

    def __init__(self, limit: int):
        super().__init__(limit)
        self.buffer = b""
        self.remaining = None  # bytes left in the current chunk; None: a size line is next
        self.started = False
        self.plain = False
        self.done = False

    def feed(self, data: bytes) -> bytes:
        if self.plain:
            return self._count(data)
        if self.done:
            return b""
        self.buffer += data
        out = []
        while True:
            if self.remaining is None:
                eol = self.buffer.find(b"\n")
                if eol < 0:
                    if len(self.buffer) > 1024:  # no size line is that long
                        return self._not_chunked(out)
                    break
                line = self.buffer[:eol].split(b";", 1)[0].strip()
                try:
                    size = int(line, 16) if line else -1
                except ValueError:
                    size = -1
                if size < 0:
                    if not self.started:
                        return self._not_chunked(out)
                    raise BodyError("bad chunked framing")
                self.started = True
                self.buffer = self.buffer[eol + 1 :]
                if size == 0:
                    self.done = True
                    self.buffer = b""
                    break
                self.remaining = size
            else:
                if not self.buffer:
                    break
                piece = self.buffer[: self.remaining]
                self.buffer = self.buffer[len(piece) :]
                self.remaining -= len(piece)
                out.append(self._count(piece))
                if self.remaining:
                    break
                self.remaining = None
                # the line end after the chunk's data
                if self.buffer[:1] == b"\r":
                    if len(self.buffer) < 2:
                        self.remaining = 0  # wait for the "\n"
                        self.buffer = self.buffer[1:]
                        continue
                    self.buffer = self.buffer[2:] if self.buffer[1:2] == b"\n" else self.buffer
                elif self.buffer[:1] == b"\n":
                    self.buffer = self.buffer[1:]
        return b"".join(out)

    def _not_chunked(self, out: list[bytes]) -> bytes:
        self.plain = True
        data, self.buffer = self.buffer, b""
        return self._count(data)

    def finish(self) -> bytes:
        if self.plain or self.done:
            return b""
        if not self.started:  # shorter than a size line: not chunked at all
            self.plain = True
            data, self.buffer = self.buffer, b""
            return self._count(data)
        raise BodyError("chunked body ends before its last chunk")


class _Inflate(_Stage):
    """gzip (several members one after the other, as gzip allows) and deflate (zlib-wrapped or
    raw, as some servers send it)."""

    def __init__(self, limit: int, coding: str):
        super().__init__(limit)
        self.coding = coding
        self.d = None
        self.head = b""
        self.ended = False
        self.junk = False

    def _start(self, data: bytes) -> zlib._Decompress | None:
        if self.coding != "deflate":
            return zlib.decompressobj(31)
        for wbits in (15, -15):
            d = zlib.decompressobj(wbits)
            try:
                d.decompress(data[:64], 1)
                return zlib.decompressobj(wbits)
            except zlib.error:
                continue
        raise zlib.error("neither zlib nor raw deflate data")

    def feed(self, data: bytes) -> bytes:
        if self.d is None:
            self.d = self._start(data)
        out = []
        while data and not self.junk:
            if self.ended:
                # gzip members may follow each other; anything else after them is junk
                if self.coding != "deflate" and data[:2] == b"\x1f\x8b":
                    self.d, self.ended = zlib.decompressobj(31), False
                else:
                    self.junk = True
                    break
            room = self.limit - self.total + 1
            chunk = self.d.decompress(data, room)
            out.append(self._count(chunk))
            data = self.d.unconsumed_tail
            if self.d.eof:
                self.ended = True
                data = self.d.unused_data + data
            elif not data:
                break
        return b"".join(out)

    def finish(self) -> bytes:
        if self.d is not None and not self.ended:
            raise BodyError(f"damaged {self.coding} body: compressed body ends early")
        return b""


class _Brotli(_Stage):
    def __init__(self, limit: int):
        super().__init__(limit)
        if brotli is None:
            raise BodyError("unsupported: Content-Encoding br needs the brotli package")
        self.d = brotli.Decompressor()
        # Google's brotli: process(data, output_buffer_limit=...); brotlicffi and brotlipy:
        # decompress(data), unbounded, so they are fed small steps
        self.bounded = hasattr(self.d, "can_accept_more_data")
        self.step = getattr(self.d, "process", None) or self.d.decompress
        self.fed = 0

    def feed(self, data: bytes) -> bytes:
        out = []
        if self.bounded:
            room = self.limit - self.total + 1
            out.append(self._count(self.step(data, output_buffer_limit=room)))
            while not self.d.can_accept_more_data():
                room = self.limit - self.total + 1
                out.append(self._count(self.step(b"", output_buffer_limit=room)))
            return b"".join(out)
        start = 0
        while start < len(data):
            # the first bytes, and a body that expands like a bomb, are fed in tiny steps:
            # each yields at most a few meta-blocks (16 MB each) before the limit is checked
            careful = self.fed < _SMALL_STEP or self.total > _BOMB_RATIO * self.fed
            step = _TINY_STEP if careful else _SMALL_STEP
            piece = data[start : start + step]
            start += len(piece)
            self.fed += len(piece)
            out.append(self._count(self.step(piece)))
        return b"".join(out)

    def finish(self) -> bytes:
        if hasattr(self.d, "is_finished"):
            if not self.d.is_finished():
                raise BodyError("damaged br body: compressed body ends early")
            return b""
        return self._count(self.d.finish() or b"")  # brotlipy: raises when incomplete


class _Zstd(_Stage):
    def __init__(self, limit: int):
        super().__init__(limit)
        if zstd is None:
            raise BodyError("unsupported: Content-Encoding zstd needs the zstandard package")
        d = zstd.ZstdDecompressor()
        # compression.zstd and its backport: decompress(data, max_length); zstandard: through
        # a decompressobj, unbounded, fed small steps
        self.bounded = hasattr(d, "needs_input")
        self.d = d if self.bounded else d.decompressobj()

    def feed(self, data: bytes) -> bytes:
        out = []
        if self.bounded:
            while True:
                if self.d.eof:
                    return b"".join(out)  # a second frame or trailing junk: ignored
                room = self.limit - self.total + 1
                out.append(self._count(self.d.decompress(data, room)))
                data = b""
                if self.d.needs_input:
                    return b"".join(out)
        for start in range(0, len(data), _SMALL_STEP):
            out.append(self._count(self.d.decompress(data[start : start + _SMALL_STEP])))
        return b"".join(out)

    def finish(self) -> bytes:
        if self.bounded and not self.d.eof:
            raise BodyError("damaged zstd body: compressed body ends early")
        return b""


def _looks_decoded(head: bytes) -> bool:
    """Text where compressed data was announced: the archive stored the body already decoded
    (a known habit of some capture tools, which keep the Content-Encoding header)."""
    sample = head[:512].lstrip()
    if not sample:
        return True
    if sample[:1] in (b"<", b"{", b"["):
        return True
    return not re.search(rb"[\x00-\x08\x0e-\x1f]", sample)


class _Coding(_Stage):
    """One content coding; bytes that fail at their very start are taken as stored decoded."""

    def __init__(self, limit: int, coding: str):
        super().__init__(limit)
        self.coding = coding
        self.inner: _Stage | None = None
        self.head = b""

    def _make(self) -> _Stage:
        if self.coding in ("gzip", "x-gzip"):
            return _Inflate(self.limit, "gzip")
        if self.coding == "deflate":
            return _Inflate(self.limit, "deflate")
        if self.coding == "br":
            return _Brotli(self.limit)
        if self.coding == "zstd":
            return _Zstd(self.limit)
        return _Unknown(self.limit, self.coding)

    def _plain_start(self, head: bytes) -> bool:
        if self.coding in ("gzip", "x-gzip"):
            return head[:2] != b"\x1f\x8b"
        if self.coding == "zstd":
            return head[:4] != b"\x28\xb5\x2f\xfd"
        return False

    def feed(self, data: bytes) -> bytes:
        if self.inner is None:
            self.head += data
            if len(self.head) < 4:
                return b""
            data, self.head = self.head, b""
            if self._plain_start(data):
                self.inner = _Passthrough(self.limit)
            else:
                try:
                    self.inner = self._make()
                    return self.inner.feed(data)
                except BodyTooLarge:
                    raise
                except BodyError as exc:
                    if _looks_decoded(data):
                        self.inner = _Passthrough(self.limit)
                    elif str(exc).startswith("unsupported:"):
                        raise
                    else:
                        raise BodyError(f"damaged {self.coding} body: {exc}") from None
                except Exception as exc:
                    if not _looks_decoded(data):
                        raise BodyError(f"damaged {self.coding} body: {exc}") from None
                    self.inner = _Passthrough(self.limit)
        try:
            return self.inner.feed(data)
        except BodyError:
            raise
        except Exception as exc:
            raise BodyError(f"damaged {self.coding} body: {exc}") from None

    def finish(self) -> bytes:
        if self.inner is None:  # fewer than 4 bytes in all
            data, self.head = self.head, b""
            if not data:
                return b""
            self.inner = _Passthrough(self.limit)
            return self.inner.feed(data)
        try:
            return self.inner.finish()
        except BodyError:
            raise
        except Exception as exc:
            raise BodyError(f"damaged {self.coding} body: {exc}") from None


class _Unknown(_Stage):
    def __init__(self, limit: int, coding: str):
        super().__init__(limit)
        raise BodyError(f"unsupported: Content-Encoding {coding!r}")


class BodyDecoder:
    """Transfer and content codings undone in the order they were applied (the last listed is
    undone first), ``feed`` block after block, ``finish`` at the end of the body.

    ``limit`` bounds every step's output: BodyTooLarge is raised as soon as it is passed.
    """

    def __init__(
        self,
        transfer_encoding: str | None,
        content_encodings: Iterable[str],
        limit: int = DEFAULT_MAX_BODY,
    ):
        self.limit = limit
        stages: list[_Stage] = []
        if "chunked" in (transfer_encoding or "").lower():
            stages.append(_Dechunk(limit))
        codings = [c.strip().lower() for v in content_encodings for c in v.split(",")]
        for coding in reversed([c for c in codings if c and c != "identity"]):
            stages.append(_Coding(limit, coding))
        self.stages = stages
        self.codings = codings
        self.total = 0

    @property
    def encoded(self) -> bool:
        return bool(self.stages)

    def _through(self, data: bytes, index: int) -> bytes:
        for stage in self.stages[index:]:
            if not data:
                return b""
            data = stage.feed(data)
        return data

    def feed(self, data: bytes) -> bytes:
        out = self._through(data, 0)
        self.total += len(out)
        if self.total > self.limit:
            raise BodyTooLarge(f"body larger than {self.limit} bytes")
        return out

    def finish(self) -> bytes:
        out = []
        for i, stage in enumerate(self.stages):
            tail = stage.finish()
            out.append(self._through(tail, i + 1) if tail else b"")
            # whatever later stages still hold
        flushed = b"".join(out)
        self.total += len(flushed)
        if self.total > self.limit:
            raise BodyTooLarge(f"body larger than {self.limit} bytes")
        return flushed


def dechunk(data: bytes) -> bytes:
    """Remove chunked transfer framing (a body that does not start with a chunk is kept as it
    is; one that stops before its last, empty chunk raises BodyError)."""
    stage = _Dechunk(len(data) + 1)
    return stage.feed(data) + stage.finish()


def decode_body(
    raw: bytes,
    transfer_encoding: str | None,
    content_encodings: Iterable[str],
    max_size: int = DEFAULT_MAX_BODY,
) -> bytes:
    """The body as a browser sees it: de-chunked, then every content coding undone in reverse.

    A coding that fails on the very first bytes means the archive stored the body already
    decoded: the bytes are kept as they are. Failing later means a damaged body, and raises
    BodyError (BodyTooLarge past ``max_size``).
    """
    decoder = BodyDecoder(transfer_encoding, content_encodings, max_size)
    return decoder.feed(raw) + decoder.finish()


# --- What a body is ------------------------------------------------------------------------

#: WHATWG MIME sniffing: the tags that make an unlabelled resource HTML
_HTML_SNIFF = re.compile(
    rb"<(?:!doctype html|html|head|script|iframe|h1|div|font|table|a|style|title|b|body|br|p"
    rb"|!--)[ >]",
    re.I,
)
_SNIFFED_TYPES = frozenset(
    {"", "application/octet-stream", "unknown/unknown", "application/unknown"}
)
#: decoded bytes that are enough to sniff a body (WHATWG reads the first 1445 at most)
SNIFF_BYTES = 1445
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def is_sniffed(content_type: str | None) -> bool:
    """Whether the type says nothing, so that the body's first bytes decide what it is."""
    return media_type(content_type) in _SNIFFED_TYPES


def is_html(content_type: str | None, body: bytes | None) -> bool:
    """HTML by its Content-Type; sniffed from the body's first bytes when the type says nothing."""
    kind = media_type(content_type)
    if kind in HTML_TYPES:
        return True
    if kind not in _SNIFFED_TYPES or not body:
        return False
    head = body[:SNIFF_BYTES].lstrip(b"\xef\xbb\xbf \t\r\n\x0c")
    return bool(_HTML_SNIFF.match(head + b" "))


def may_be_html(content_type: str | None) -> bool:
    """Before the body is read: can this response turn out to be HTML?"""
    kind = media_type(content_type)
    return kind in HTML_TYPES or kind in _SNIFFED_TYPES


def payload_digest(header: str | None, raw: bytes | None = None, sha1=None) -> str | None:
    """The record's sha1 payload digest in base32: the header's when it is sha1 (base32 or hex),
    else computed from ``raw`` (or taken from ``sha1``, a hashlib object fed the raw payload)."""
    label, _, value = (header or "").strip().partition(":")
    if label.lower() == "sha1":
        if _SHA1_B32.match(value):
            return "sha1:" + value.upper()
        if _SHA1_HEX.match(value):
            return "sha1:" + base64.b32encode(bytes.fromhex(value)).decode("ascii")
    if sha1 is not None:
        return "sha1:" + base64.b32encode(sha1.digest()).decode("ascii")
    if raw is None:
        return None
    return sha1_digest(raw)
