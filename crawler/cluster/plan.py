"""Where a WARC file may be cut, and the work units of a run.

Pure code: no Scrapy, no Dask. A cut is only ever made where a record starts, so the records of
a unit are read exactly as a reader of the whole file reads them. Record starts come from the
file's CDXJ index when one sits beside it (checked at every cut before it is trusted), or from
a scan: gzip members decompressed one after the other (the only sure way to find where a member
ends), or, for an uncompressed file, headers read and bodies stepped over by Content-Length.
Where a scan meets something it cannot read it stops, and the rest of the file stays one
piece, read with the damage recovery of the reader.

A file that cannot be cut (a whole-file gzip, or any format not known here: ARC, WACZ) is one
piece, read by the reader as the local run reads it.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from warcio.utils import BUFF_SIZE

from crawler.cluster.sources import Source, open_source

_GZIP_MAGIC = b"\x1f\x8b\x08"
_WARC_HEAD = re.compile(rb"WARC/(?:1\.0|1\.1|0\.1[78])\r?\n")
_CONTENT_LENGTH = re.compile(rb"(?im)^content-length:[ \t]*(\d+)[ \t]*\r?$")
_BLOCK = 1 << 20


@dataclass(frozen=True, slots=True)
class Piece:
    """Bytes ``start`` to ``end`` of a source (``end`` None: the whole file, read as one)."""

    source: Source
    start: int = 0
    end: int | None = None
    # record starts inside the piece beyond ``start`` (where it may be cut again)
    cuts: tuple[int, ...] = ()

    @property
    def size(self) -> int:
        return (self.source.size if self.end is None else self.end) - self.start

    def split(self) -> list[Piece]:
        """One piece per record start known inside this one."""
        if not self.cuts or self.end is None:
            return [self]
        edges = [self.start, *self.cuts, self.end]
        return [Piece(self.source, a, b) for a, b in zip(edges, edges[1:], strict=False)]


@dataclass(frozen=True, slots=True)
class Unit:
    """What one task reads: pieces in input order. ``index`` is its place in the output."""

    index: int
    pieces: tuple[Piece, ...]

    @property
    def size(self) -> int:
        return sum(p.size for p in self.pieces)


# --- Record starts -------------------------------------------------------------------------


def file_kind(head: bytes) -> str:
    """ "gzip" (a member per record, or one for the file), "warc" (uncompressed) or "other"."""
    if head.startswith(_GZIP_MAGIC):
        return "gzip"
    if _WARC_HEAD.match(head):
        return "warc"
    return "other"


def scan_record_starts(location: str) -> list[int] | None:
    """Offsets where records start, from a scan of the whole file; the first is 0.

    None when the file cannot be cut: a whole-file gzip, or not WARC at all. A scan that meets
    damage returns the starts found before it.
    """
    with open_source(location) as fh:
        head = fh.read(64)
        fh.seek(0)
        kind = file_kind(head)
        if kind == "gzip":
            return _gzip_member_starts(fh)
        if kind == "warc":
            return _warc_record_starts(fh)
        return None


def _gzip_member_starts(fh) -> list[int] | None:
    starts: list[int] = []
    base = 0  # file offset of buf[0]
    buf = fh.read(_BLOCK)
    while True:
        if len(buf) < 3:
            buf += fh.read(_BLOCK)
            if not buf:
                return starts
        if not buf.startswith(_GZIP_MAGIC):
            return starts  # junk or damage: from the last start on, one piece for the reader
        starts.append(base)
        d = zlib.decompressobj(31)
        head = b""
        total = 0
        while not d.eof:
            try:
                # bounded steps: a small member may inflate to gigabytes
                out = d.decompress(buf, _BLOCK)
            except zlib.error:
                return starts  # a damaged member: the reader reports it in its place
            total += len(out)
            if len(head) < 1 << 16:
                head += out[: (1 << 16) - len(head)]
            consumed = len(buf) - len(d.unconsumed_tail)
            if d.eof:
                consumed = len(buf) - len(d.unused_data)
                base += consumed
                buf = d.unused_data
                break
            base += consumed
            buf = d.unconsumed_tail
            if not buf and not out:
                buf = fh.read(_BLOCK)
                if not buf:
                    return starts  # cut short inside this member
        if not _WARC_HEAD.match(head):
            # not WARC (ARC, or junk): no cut here; the reader reads on into it
            return starts[:-1] if len(starts) > 1 else None
        if len(starts) == 1 and _holds_more_than_one_record(head, total):
            return None  # one gzip stream around many records: it cannot be cut


def _holds_more_than_one_record(head: bytes, total: int) -> bool:
    end = re.search(rb"\r?\n\r?\n", head)
    length = _CONTENT_LENGTH.search(head[: end.start() if end else 0])
    if not end or not length:
        return True  # no way to tell where the first record ends: do not cut
    # a second record's header alone is longer than this slack
    return total > end.end() + int(length.group(1)) + 64


def _warc_record_starts(fh) -> list[int]:
    starts: list[int] = []
    pos = 0
    while True:
        fh.seek(pos)
        head = fh.read(1 << 14)
        blank = len(head) - len(head.lstrip(b"\r\n"))
        pos += blank
        head = head[blank:]
        if not head or not _WARC_HEAD.match(head):
            return starts
        starts.append(pos)
        end = re.search(rb"\r?\n\r?\n", head)
        while end is None and len(head) < 1 << 20:
            more = fh.read(1 << 14)
            if not more:
                break
            head += more
            end = re.search(rb"\r?\n\r?\n", head)
        length = _CONTENT_LENGTH.search(head[: end.start()]) if end else None
        if not length:
            return starts
        pos += end.end() + int(length.group(1))


# --- Record starts from a CDXJ index -------------------------------------------------------

_OFFSET = re.compile(r'"offset":\s*"?(\d+)')
_FILENAME = re.compile(r'"filename":\s*"([^"]+)"')
_indexes: dict[Path, dict[str, list[int]]] = {}


def _read_index(path: Path) -> dict[str, list[int]]:
    if path not in _indexes:
        offsets: dict[str, list[int]] = {}
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                name, offset = _FILENAME.search(line), _OFFSET.search(line)
                if name and offset:
                    key = name.group(1).rsplit("/", 1)[-1]
                    offsets.setdefault(key, []).append(int(offset.group(1)))
        _indexes[path] = offsets
    return _indexes[path]


def index_candidates(path: Path) -> Iterator[Path]:
    """CDXJ files that may index ``path``: ``FILE.cdxj``, any ``*.cdxj`` in its folder, and
    ``../indexes/*.cdxj`` (the layout of our crawl's output folder and of a WACZ)."""
    own = path.with_name(path.name + ".cdxj")
    if own.is_file():
        yield own
    for folder in (path.parent, path.parent.parent / "indexes"):
        if folder.is_dir():
            yield from sorted(p for p in folder.glob("*.cdxj") if p != own)


def indexed_record_starts(source: Source) -> list[int] | None:
    """Record starts of a local file from a CDXJ index beside it, or None when there is none.

    Request and warcinfo records are not indexed: the starts are those of the records that
    are, which is all a cut needs.
    """
    if source.is_url:
        return None
    path = Path(source.location)
    for index in index_candidates(path):
        try:
            offsets = _read_index(index).get(path.name)
        except OSError:
            continue
        if offsets:
            return sorted({0, *(o for o in offsets if 0 <= o < source.size)})
    return None


def check_starts(source: Source, starts: Iterable[int]) -> bool:
    """Whether a record begins at each of ``starts`` (an index may be stale or another file's)."""
    with open_source(source.location) as fh:
        kind = None
        for start in starts:
            fh.seek(start)
            head = fh.read(1 << 12)
            kind = kind or file_kind(head)
            if kind == "gzip":
                if not head.startswith(_GZIP_MAGIC):
                    return False
                try:
                    head = zlib.decompressobj(31).decompress(head, 64)
                except zlib.error:
                    return False
            if not _WARC_HEAD.match(head):
                return False
    return True


# --- Work units ----------------------------------------------------------------------------


def _edges(starts: list[int], size: int, unit_bytes: int) -> list[int]:
    edges = [0]
    for start in starts[1:]:
        # no sliver of a last piece: it would cost a task for a few records; and no cut at a
        # block boundary of warcio's reads, where its reading of the whole file goes another
        # way (a member that ends there is not followed into the next by the same path)
        if (
            start - edges[-1] >= unit_bytes
            and size - start >= unit_bytes // 4
            and start % BUFF_SIZE
        ):
            edges.append(start)
    return [*edges, size]


def pieces_of(source: Source, starts: list[int] | None, unit_bytes: int) -> list[Piece]:
    """A large file as pieces of about ``unit_bytes``, each cut where a record starts."""
    if not starts or starts[0] != 0:
        return [Piece(source)]
    edges = _edges(starts, source.size, unit_bytes)
    return [
        Piece(source, a, b, tuple(s for s in starts if a < s < b))
        for a, b in zip(edges, edges[1:], strict=False)
    ]


def make_units(sources: Iterable[Source], starts_of, unit_bytes: int) -> Iterator[Unit]:
    """Units in output order: small files batched up to ``unit_bytes``, large ones cut.

    ``starts_of(source)`` gives the record starts of a file larger than ``unit_bytes`` (or
    None: one piece); it is asked in input order, so it may wait on a scan running elsewhere.
    """
    index = 0
    batch: list[Piece] = []
    size = 0
    for source in sources:
        if source.size <= unit_bytes:
            batch.append(Piece(source))
            size += source.size
            if size >= unit_bytes:
                yield Unit(index, tuple(batch))
                index, batch, size = index + 1, [], 0
            continue
        if batch:
            yield Unit(index, tuple(batch))
            index, batch, size = index + 1, [], 0
        for piece in pieces_of(source, starts_of(source), unit_bytes):
            yield Unit(index, (piece,))
            index += 1
    if batch:
        yield Unit(index, tuple(batch))


def starts_for(source: Source, unit_bytes: int) -> list[int] | None:
    """Record starts from the index beside the file when its cuts check out, else a scan's."""
    starts = indexed_record_starts(source)
    if starts is not None and check_starts(source, _edges(starts, source.size, unit_bytes)[:-1]):
        return starts
    return scan_record_starts(source.location)


def describe(unit: Unit) -> list[dict]:
    """The inputs of a unit, for the manifest."""
    return [
        {"input": p.source.label, "start": p.start, "end": p.start + p.size} for p in unit.pieces
    ]
