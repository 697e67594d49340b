"""One work unit on a worker: its records through the local run's own extraction.

Pure code: no Scrapy, no Dask (a worker calls these as plain functions). A unit's pieces go
through ``crawler.records.extract_files`` with a reader of byte ranges, so each record meets
the very triage, extraction, schema check and JSON serialisation of a local run, and its
outcome lines come out in record order. The result is plain data; the same unit run twice
(a retry after a worker died) gives the same bytes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import uuid
from dataclasses import dataclass, field

from crawler.cluster.plan import Piece, Unit, scan_record_starts
from crawler.cluster.sources import Window, open_source
from crawler.records import Tally, extract_files
from crawler.warc.read import Capture, ReadError, iter_records, iter_stream


@dataclass
class UnitResult:
    index: int
    tally: Tally  # ``files`` is not counted here: a file may be cut into several units
    reports: list[str] = field(default_factory=list)  # the lines for stderr, in order
    data: bytes | None = None  # the JSON lines (None when written to a part file)
    part: dict | None = None  # the part file written: name, records, bytes, sha256


def read_piece(piece: Piece, want, max_body: int):
    """The records of one piece, as the local run reads them from the whole file."""
    source = piece.source
    if piece.end is None and not source.is_url:
        # a whole local file: the local run's own reader, whatever formats it knows
        for event in iter_records(source.location, want, max_body):
            if isinstance(event, ReadError) and event.path == source.location:
                event = ReadError(source.label, event.offset, event.reason)
            yield event
        return
    try:
        fh = open_source(source.location)
    except Exception as exc:
        yield ReadError(source.label, None, getattr(exc, "strerror", None) or str(exc))
        return
    with fh:
        view = fh if piece.end is None else Window(fh, piece.start, piece.end)
        for event in iter_stream(view, source.label, source.name, want, max_body):
            if piece.start:
                event = _shifted(event, piece.start)
            yield event


def _shifted(event: Capture | ReadError, by: int) -> Capture | ReadError:
    if isinstance(event, ReadError):
        offset = None if event.offset is None else event.offset + by
        return ReadError(event.path, offset, event.reason)
    event.warc = {**event.warc, "offset": event.warc["offset"] + by}
    return event


def run_unit(
    unit: Unit, all_pages: bool, max_body: int, parts_dir: str | None = None
) -> UnitResult:
    """Extract one unit; with ``parts_dir``, write its lines to ``part-NNNNN.jsonl`` there."""
    out = io.BytesIO()
    reports: list[str] = []
    tally = extract_files(
        unit.pieces,
        out,
        all_pages=all_pages,
        jobs=1,
        report=reports.append,
        max_body=max_body,
        read=read_piece,
    )
    tally = dataclasses.replace(tally, files=0)
    data = out.getvalue()
    if parts_dir is None:
        return UnitResult(unit.index, tally, reports, data=data)
    name = part_name(unit.index)
    write_atomically(parts_dir, name, data)
    part = {
        "name": name,
        "records": tally.articles,
        "bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    return UnitResult(unit.index, tally, reports, part=part)


def part_name(index: int) -> str:
    return f"part-{index:05d}.jsonl"


def write_atomically(folder: str, name: str, data: bytes) -> None:
    """``folder/name`` whole or not at all: a worker killed while writing leaves a temporary
    file, never a short part, and the retry writes the same bytes again."""
    tmp = f".{name}.{uuid.uuid4().hex}.tmp"
    if "://" in folder:
        import fsspec

        fs, root = fsspec.core.url_to_fs(folder)
        with fs.open(f"{root}/{tmp}", "wb") as f:
            f.write(data)
        fs.mv(f"{root}/{tmp}", f"{root}/{name}")
        return
    path = os.path.join(folder, tmp)
    with open(path, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(path, os.path.join(folder, name))


def scan_task(location: str) -> list[int] | None:
    """Record starts of a file, as a task (workers read the inputs; the client may not)."""
    return scan_record_starts(location)
