"""The CDXJ index of a set of WARC files, written by Webrecorder's ``cdxj-indexer``.

Pure code: no Scrapy. The indexer streams each WARC record by record and sorts its lines in
memory only up to 32 MB, spilling sorted runs to temporary files beyond that.

Lines are made for the records a replay tool looks a URL up in (``response``, ``revisit``,
``resource``, ``metadata``), not for ``request`` or ``warcinfo`` records: a request record
shares its response's URL and WARC-Date, and pywb 2.10 then picks the request and answers
500 instead of the page.

The replay index leaves out a failed capture (a 5xx or 429 answer, or a record whose body was
cut short: ``WARC-Truncated``) of a URL for which the collection also holds a good capture:
a replay tool serves the capture nearest in time, and a reader arriving from a page captured
before a retry would otherwise see the "503 Service Unavailable". The failed capture stays in
its WARC file byte for byte; only the index does not point at it. A URL that only ever failed
keeps its failed captures (they are what there is).

Besides the flat, sorted ``index.cdxj`` (pywb and command-line tools read it whole), the same
lines are written as a ZipNum index, as Webrecorder's tools do: ``index.cdx.gz``, gzip blocks
of 300 lines, and ``index.idx``, one line per block with its first key, offset and length. A
replay tool binary-searches the small ``.idx`` and fetches only the blocks it needs, so the
first page of a large collection shows as soon as that of a small one.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import TextIO

from .in_place import replacing

# the package's own default, spelled out: importing py-wacz appends "warcinfo" to it in place
INDEXED_RECORD_TYPES = "response,revisit,resource,metadata"
# the one header field added to the indexer's defaults: marks a body cut short
EXTRA_FIELDS = "warc-truncated"
ZIPNUM_LINES = 300  # lines per gzip block, the indexer's (and pywb's) default


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

    @property
    def failed(self) -> bool:
        """A capture that shows the server's or the transfer's failure, not the resource."""
        status = self.status or ""
        return status.startswith("5") or status == "429" or "warc-truncated" in self.fields


def indexer_version() -> str:
    return version("cdxj-indexer")


class UnreadableWarc(Exception):
    """A file the indexer cannot read as WARC or ARC records."""


@dataclass
class IndexCounts:
    lines: int = 0  # lines of the replay index
    failed_left_out: int = 0  # failed captures of URLs that also have a good capture


def write_cdxj(archives: Sequence[Path], dest: Path) -> IndexCounts:
    """Index ``archives`` into ``dest``: the sorted CDXJ replay index (failed captures of a
    URL with a good one left out). Written beside ``dest`` and renamed, so ``dest`` is always
    a whole index or the old one. The files must have been inspected (crawler.archive.inputs).
    """
    from cdxj_indexer.main import CDXJIndexer  # only the indexing run needs it loaded
    from warcio.exceptions import ArchiveLoadFailed

    current: list[str] = []

    def named():
        # the indexer takes its inputs lazily: the last one handed out is the one it reads
        for path in archives:
            current[:] = [path.name]
            yield str(path)

    dest.parent.mkdir(parents=True, exist_ok=True)
    raw = dest.with_name(dest.name + ".all.open")
    try:
        with open(raw, "w", encoding="utf-8", newline="\n") as out:
            try:
                CDXJIndexer(
                    out,
                    named(),
                    sort=True,
                    records=INDEXED_RECORD_TYPES,
                    fields=EXTRA_FIELDS,
                ).process_all()
            except (ArchiveLoadFailed, zlib.error, EOFError, ValueError) as exc:
                reason = " ".join(str(exc).split())[:200]  # one line, even for binary garbage
                name = current[0] if current else "a file"
                raise UnreadableWarc(f"{name} could not be indexed: {reason}") from exc
        with (
            open(raw, encoding="utf-8") as src,
            replacing(dest) as partial,
            open(partial, "w", encoding="utf-8", newline="\n") as out,
        ):
            counts = _replay_lines(src, out)
    finally:
        raw.unlink(missing_ok=True)
    return counts


def _replay_lines(src: Iterable[str], out: TextIO) -> IndexCounts:
    """Copy sorted CDXJ lines, leaving out failed captures of URLs with a good capture. Lines
    of one URL key are adjacent in a sorted index: one key's lines are held at a time."""
    counts = IndexCounts()

    def flush(group: list[tuple[str, IndexEntry]]) -> None:
        good = {e.url for _, e in group if not e.failed and _shows_resource(e)}
        for line, entry in group:
            if entry.failed and entry.url in good:
                counts.failed_left_out += 1
            else:
                out.write(line)
                counts.lines += 1

    group: list[tuple[str, IndexEntry]] = []
    for line in src:
        if not line.strip():
            continue
        entry = parse_line(line)
        if group and group[0][1].urlkey != entry.urlkey:
            flush(group)
            group = []
        group.append((line, entry))
    if group:
        flush(group)
    return counts


def _shows_resource(entry: IndexEntry) -> bool:
    status = entry.status or ""
    return status[:1] in ("2", "3") or entry.fields.get("mime") == "warc/revisit"


def write_zipnum(cdxj: Path, cdx_gz: Path, idx: Path) -> int:
    """The ZipNum form of a sorted CDXJ file, by the indexer's own block writer; returns the
    number of blocks. ``idx`` names ``cdx_gz`` by its base name, as a WACZ holds both in
    ``indexes/``."""
    from cdxj_indexer.main import CompressedWriter

    # the index's summary is renamed into place last: it never names blocks not yet there
    with (
        open(cdxj, encoding="utf-8") as src,
        replacing(idx) as idx_part,
        replacing(cdx_gz) as data_part,
        open(data_part, "wb") as data,
        open(idx_part, "w", encoding="utf-8", newline="\n") as summary,
    ):
        writer = CompressedWriter(summary, data, num_lines=ZIPNUM_LINES, data_out_name=cdx_gz.name)
        for line in src:
            if line.strip() and not line.startswith("!"):
                writer.write(line)
        if writer.block:
            writer.flush()
    return max(count_lines(idx) - 1, 0)


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
