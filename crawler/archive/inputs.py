"""Which files of a folder go into a package, and whether each is whole enough to go.

Pure code: no Scrapy. Any layout other tools leave is accepted: our own ``DIR/warc/*.warc.gz``,
or WARC and ARC files anywhere under the folder, uncompressed, gzipped record by record, or
gzipped as one stream around the whole file. Each file is read through once before anything
is written: a file cut short (a gzip stream or a record that ends before its length says) or
one that is not WARC/ARC at all is refused with a one-line reason, so a package never points
at records that are not there.

A file gzipped as a whole cannot be read at a record's offset (which is how a replay tool
fetches a record), so it goes into the package decompressed: the same records, byte for
byte, without the outer gzip.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gzip
import io
import logging
import os
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)
SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
GZIP_MAGIC = b"\x1f\x8b"
CHUNK = 1 << 20
# frictionless' pattern for a resource name: WARC names may hold capitals, "~" (Heritrix) ...
_NAME_BAD = re.compile(r"[^-a-z0-9._/]+")


@contextlib.contextmanager
def quiet_warcio() -> Iterator[None]:
    """warcio writes its notes (a record not followed by a newline, spaces replaced in a URI)
    straight to stderr, raw bytes included: they go to the debug log, one printable line each,
    so a refused file costs exactly one readable line."""
    notes = io.StringIO()
    with contextlib.redirect_stderr(notes):
        yield
    for line in notes.getvalue().splitlines():
        if line.strip():
            logger.debug("warcio: %s", _printable(line, 300))


class BadInput(Exception):
    """A file that cannot go into a package; the message is one line naming it."""


@dataclass(frozen=True, slots=True)
class ArchiveFile:
    """A WARC or ARC file as the package will hold it."""

    path: Path  # the file on disk
    kind: str  # "warc" | "arc"
    layout: str  # "plain" | "gzip-per-record" | "gzip-whole-file"
    records: int
    member_name: str = ""  # its name under ``archive/`` (see member_names)


def resource_name(file_name: str, taken: set[str]) -> str:
    """A datapackage resource name (lower case, ``[-a-z0-9._/]``) for any file name; unique."""
    base = _NAME_BAD.sub("-", file_name.lower()).strip("-") or "file"
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}-{n}"
    taken.add(name)
    return name


def is_archive_name(name: str) -> bool:
    return name.lower().endswith(SUFFIXES)


def find_archive_files(folder: Path) -> list[Path]:
    """Our ``warc/`` folder when it has files, else WARC/ARC files anywhere under ``folder``
    (sorted; ``.open`` files are still being written and never match)."""
    ours = folder / "warc"
    if ours.is_dir():
        found = sorted(p for p in ours.iterdir() if p.is_file() and is_archive_name(p.name))
        if found:
            return found
    return sorted(
        (Path(top) / name for top, _, names in os.walk(folder) for name in names
         if is_archive_name(name)),
        key=lambda p: p.relative_to(folder).parts,
    )  # fmt: skip


def same_names(files: Iterable[Path]) -> set[Path]:
    """Files whose name an earlier file (in another subfolder) already has: the index names
    files by their base name, so only the first of them can go in."""
    seen: set[str] = set()
    clashes = set()
    for path in files:
        if path.name in seen:
            clashes.add(path)
        seen.add(path.name)
    return clashes


def member_names(archives: list[ArchiveFile]) -> list[ArchiveFile]:
    """Each file with its name under ``archive/``: its own, but a whole-file gzip, which goes
    in decompressed: ``NAME.warc.gz`` becomes ``NAME.warc`` (``NAME.gunzipped.warc`` if the
    folder also has a ``NAME.warc``)."""
    taken = {a.path.name for a in archives if a.layout != "gzip-whole-file"}
    named = []
    for archive in archives:
        name = archive.path.name
        if archive.layout == "gzip-whole-file":
            stem = name[: -len(".gz")] if name.lower().endswith(".gz") else name
            name = stem
            if name in taken:
                base, dot, ext = stem.rpartition(".")
                name = f"{base}.gunzipped.{ext}" if dot else f"{stem}.gunzipped"
            taken.add(name)
        named.append(dataclasses.replace(archive, member_name=name))
    return named


def _scan_gzip(path: Path) -> tuple[int, bytes]:
    """The number of gzip members of a file and the first bytes of its data; BadInput when
    the gzip data is damaged or cut short. Zero padding after the last member is allowed."""
    members, head, read, start = 0, b"", 0, 0
    d = None
    with open(path, "rb") as f:
        buf = b""
        while True:
            if not buf:
                buf = f.read(CHUNK)
                read += len(buf)
                if not buf:
                    break
            if d is None:
                buf = buf.lstrip(b"\x00")
                if not buf:
                    continue
                d, start = zlib.decompressobj(31), read - len(buf)
            try:
                out = d.decompress(buf)
            except zlib.error as exc:
                raise BadInput(f"damaged gzip data at byte {start}: {exc}") from None
            if len(head) < 64:
                head += out[: 64 - len(head)]
            if d.eof:
                members += 1
                buf, d = d.unused_data, None
            else:
                buf = b""
    if d is not None:
        raise BadInput(f"cut short: the gzip member that starts at byte {start} never ends")
    return members, head


def _printable(text: str, limit: int = 160) -> str:
    """One line of plain text, whatever bytes an error message quotes."""
    text = "".join(c if c.isprintable() else " " for c in str(text))
    return " ".join(text.split())[:limit] or "unreadable"


def _count_records(stream, kind: str) -> int:
    """Read every record to its end; BadInput for one whose content stops short."""
    from warcio.archiveiterator import ArchiveIterator  # only an inspection needs it
    from warcio.timeutils import iso_date_to_timestamp

    records = 0
    # no HTTP parsing: the raw stream is then the whole record block, all of Content-Length
    it = ArchiveIterator(stream, arc2warc=False, check_digests=False, no_record_parse=True)
    for record in it:
        records += 1
        if kind == "warc":
            # the index's 14-digit time comes from it: a date that is no date cannot be indexed
            date = record.rec_headers.get_header("WARC-Date") or ""
            try:
                iso_date_to_timestamp(date)
            except (ValueError, TypeError, IndexError):
                raise BadInput(
                    f"WARC record {records} has a WARC-Date that is not a date: "
                    f"{_printable(date, 40)}"
                ) from None
        declared = record.length
        got = 0
        while chunk := record.raw_stream.read(CHUNK):
            got += len(chunk)
        if declared is not None and got < int(declared):
            url = record.rec_headers.get_header("WARC-Target-URI") or (
                record.rec_headers.get_header("uri") or ""
            )
            raise BadInput(
                f"cut short: {kind.upper()} record {records} ({_printable(url, 80)}) holds "
                f"{got} of its {declared} bytes"
            )
    return records


def inspect(path: Path) -> ArchiveFile:
    """Read ``path`` through and say what it is; BadInput (one line, no file name) if it
    cannot be packaged."""
    from warcio.exceptions import ArchiveLoadFailed

    with open(path, "rb") as f:
        magic = f.read(2)
    if not magic:
        raise BadInput("empty file")
    gzipped = magic == GZIP_MAGIC
    if gzipped:
        members, head = _scan_gzip(path)
    else:
        members = 0
        with open(path, "rb") as f:
            head = f.read(64)
    if head.startswith(b"WARC/"):
        kind = "warc"
    elif head.startswith(b"filedesc://"):
        kind = "arc"
    else:
        raise BadInput("not a WARC or ARC file: no WARC record at its start")
    errors = (ArchiveLoadFailed, EOFError, OSError, ValueError, zlib.error)
    records = None
    try:
        with quiet_warcio():
            records = _read_through(path, kind, gzipped, members)
    except BadInput:
        raise
    except errors as exc:
        raise BadInput(f"not a readable {kind.upper()} file: {_printable(exc)}") from None
    if not records:
        raise BadInput(f"no {kind.upper()} records")
    if not gzipped:
        layout = "plain"
    else:
        layout = "gzip-per-record" if records == members else "gzip-whole-file"
    return ArchiveFile(path, kind, layout, records)


def _read_through(path: Path, kind: str, gzipped: bool, members: int) -> int:
    """The number of records, every one read to its end."""
    if not gzipped:
        with open(path, "rb") as f:
            return _count_records(f, kind)
    if members > 1:
        try:  # a gzip member per record, as WARC writers should: offsets work as they are
            with open(path, "rb") as f:
                records = _count_records(f, kind)
            if records == members:
                return records
        except Exception:  # noqa: BLE001 - read again decompressed, which says what is wrong
            pass
    # one gzip stream around several records: read (and package) it decompressed
    with gzip.open(path, "rb") as f:
        return _count_records(f, kind)


def decompressed_copy(source: ArchiveFile, folder: Path) -> Path:
    """The records of a whole-file gzip, byte for byte, as a plain file in ``folder``."""
    dest = folder / source.member_name
    with gzip.open(source.path, "rb") as src, open(dest, "wb") as out:
        while chunk := src.read(CHUNK):
            out.write(chunk)
    return dest
