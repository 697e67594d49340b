"""The CDXJ index of a set of WARC files, written by Webrecorder's ``cdxj-indexer``.

Pure code: no Scrapy. The indexer streams each WARC record by record and sorts its lines in
memory only up to 32 MB, spilling sorted runs to temporary files beyond that.

Lines are made for the records a replay tool looks a URL up in (``response``, ``revisit``,
``resource``, ``metadata``), not for ``request`` or ``warcinfo`` records: a request record
shares its response's URL and WARC-Date, and pywb 2.10 then picks the request and answers
500 instead of the page.
"""

from __future__ import annotations

import json
import os
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

# the package's own default, spelled out: importing py-wacz appends "warcinfo" to it in place
INDEXED_RECORD_TYPES = "response,revisit,resource,metadata"


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """One CDXJ line: the SURT key, the 14-digit timestamp and the JSON fields."""

    urlkey: str
    timestamp: str
    fields: dict

    @property
    def url(self) -> str:
        return self.fields.get("url", "")

    @property
    def status(self) -> str | None:
        return self.fields.get("status")


def indexer_version() -> str:
    return version("cdxj-indexer")


class UnreadableWarc(Exception):
    """A file named .warc.gz that the indexer cannot read as WARC records."""


def check_starts_as_warc(path: Path) -> None:
    """Refuse a file whose first record is not WARC before warcio guesses at it (it would read
    random bytes as an ARC record and print warnings full of binary garbage)."""
    with open(path, "rb") as f:
        head = f.read(64 * 1024)
    if head[:2] == b"\x1f\x8b":
        try:
            head = zlib.decompressobj(31).decompress(head, 16)
        except zlib.error as exc:
            raise UnreadableWarc(f"{path.name} is not a readable WARC file: {exc}") from None
    if not head.startswith(b"WARC/"):
        raise UnreadableWarc(
            f"{path.name} is not a readable WARC file: no WARC record at its start"
        )


def write_cdxj(warcs: Sequence[Path], dest: Path) -> int:
    """Index ``warcs`` into ``dest`` (sorted CDXJ); returns the number of lines written.

    Written beside ``dest`` and renamed, so ``dest`` is always a whole index or the old one.
    """
    from cdxj_indexer.main import CDXJIndexer  # only the indexing run needs it loaded
    from warcio.exceptions import ArchiveLoadFailed

    current: list[Path] = []

    def inputs():
        # the indexer takes its inputs lazily: the last one handed out is the one it reads
        for path in warcs:
            current[:] = [path]
            check_starts_as_warc(path)
            yield str(path)

    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(dest.name + ".open")
    try:
        with open(partial, "w", encoding="utf-8", newline="\n") as out:
            try:
                CDXJIndexer(out, inputs(), sort=True, records=INDEXED_RECORD_TYPES).process_all()
            except (ArchiveLoadFailed, zlib.error, EOFError, ValueError) as exc:
                name = current[0].name if current else "?"
                reason = " ".join(str(exc).split())[:200]  # one line, even for binary garbage
                raise UnreadableWarc(f"{name} is not a readable WARC file: {reason}") from exc
        lines = count_lines(partial)
        os.replace(partial, dest)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return lines


def count_lines(path: Path) -> int:
    with open(path, "rb") as f:
        return sum(1 for _ in f)


def parse_line(line: str) -> IndexEntry:
    urlkey, timestamp, fields = line.rstrip("\n").split(" ", 2)
    return IndexEntry(urlkey, timestamp, json.loads(fields))


def read_cdxj(path: Path) -> Iterator[IndexEntry]:
    """The entries of a CDXJ file, one at a time."""
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip() and not line.startswith("!"):
                yield parse_line(line)
