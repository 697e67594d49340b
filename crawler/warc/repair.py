"""Repair WARC files a dead run left ``.open``: keep every whole exchange, drop the torn tail.

Pure code. A killed crawl can leave a gzip member cut in the middle, or a response whose request
record never got written. The file is cut back to the last point where it was consistent (after
its warcinfo record, or after a complete response/request pair), then renamed to its final name.
Its serial is never reused: the writer numbers new files after every file in the folder.
"""

from __future__ import annotations

import os
import zlib
from dataclasses import dataclass
from pathlib import Path

from .writer import OPEN_SUFFIX

_READ = 1 << 16


@dataclass(frozen=True)
class Repaired:
    path: Path  # the final name
    kept_bytes: int
    dropped_bytes: int
    records: int


def _members(f):
    """(start, end, decompressed bytes) of each complete gzip member, in order."""
    pos = 0
    while True:
        f.seek(pos)
        d = zlib.decompressobj(31)
        out = bytearray()
        consumed = 0
        while not d.eof:
            chunk = f.read(_READ)
            if not chunk:
                return  # the member is cut short: stop before it
            try:
                out += d.decompress(chunk)
            except zlib.error:
                return
            consumed += len(chunk) - len(d.unused_data)
        yield pos, pos + consumed, bytes(out)
        pos += consumed


def _record_type(data: bytes) -> str | None:
    head, sep, rest = data.partition(b"\r\n\r\n")
    if not sep or not head.startswith(b"WARC/"):
        return None
    fields = {}
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        fields[name.strip().lower()] = value.strip()
    try:
        length = int(fields.get(b"content-length", b"-1"))
    except ValueError:
        return None
    if len(rest) != length + 4 or not rest.endswith(b"\r\n\r\n"):
        return None
    return fields.get(b"warc-type", b"").decode("latin-1")


def consistent_length(path: Path) -> tuple[int, int]:
    """Bytes of ``path`` that hold whole exchanges, and how many records they are."""
    good, records, pending = 0, 0, 0
    with open(path, "rb") as f:
        for _, end, data in _members(f):
            rec_type = _record_type(data)
            if rec_type is None:
                break
            pending += 1
            # our writer puts the response first and its request second
            if rec_type in ("warcinfo", "request", "metadata", "revisit", "resource"):
                good, records, pending = end, records + pending, 0
    return good, records


def repair_open_warcs(directory: str | os.PathLike) -> list[Repaired]:
    directory = Path(directory)
    if not directory.is_dir():
        return []
    results = []
    for path in sorted(directory.glob("*" + OPEN_SUFFIX)):
        size = path.stat().st_size
        keep, records = consistent_length(path)
        final = path.with_name(path.name[: -len(OPEN_SUFFIX)])
        if keep == 0:
            # not even a warcinfo record: nothing worth keeping, but keep the bytes for a human
            final = path.with_name(path.name[: -len(OPEN_SUFFIX)] + ".damaged")
        else:
            with open(path, "r+b") as f:
                f.truncate(keep)
                f.flush()
                os.fsync(f.fileno())
        os.replace(path, final)
        results.append(Repaired(final, keep, size - keep, records))
    for path in sorted(directory.glob("*.warc.gz")):
        if path.stat().st_size == 0:
            # an empty "WARC file" (an old writer's failure) breaks every reader: set it aside
            final = path.with_name(path.name + ".empty")
            os.replace(path, final)
            results.append(Repaired(final, 0, 0, 0))
    return results
