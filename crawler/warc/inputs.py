"""What the inputs of a reading are: files and folders found, each file's kind told from its
first bytes (never from its name), and the WARC files inside a WACZ.

Pure code (no Scrapy). The kinds: WARC (0.17 to 1.1) and ARC, each plain or gzipped, and WACZ
(a ZIP whose ``archive/`` folder holds WARC files). Everything else is named for what it is, so
that a user learns why a file gives nothing: "unsupported: LZ4-compressed WARC", "not a WARC,
ARC or WACZ file (starts with 'hello')".
"""

from __future__ import annotations

import os
import re
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO

#: what a folder contributes (files named on the command line are read whatever their name);
#: compressions we cannot read are included so that they are reported, not silently passed by
SUFFIXES = (
    ".warc",
    ".warc.gz",
    ".arc",
    ".arc.gz",
    ".wacz",
    ".warc.lz4",
    ".warc.zst",
    ".warc.bz2",
    ".warc.xz",
)
# a few first bytes of a file that is none of ours, shown to the user
_SHOWN = 24
_SCAN = 1 << 20
_WARC_LINE = re.compile(rb"WARC/(?:1\.0|1\.1|0\.1[78])\r?\n")

_COMPRESSIONS = (
    (b"\x04\x22\x4d\x18", "LZ4"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
    (b"\x50\x2a\x4d\x18", "zstd"),  # a skippable frame: the dictionary of a .warc.zst
    (b"\x5d\x2a\x4d\x18", "zstd"),
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
)


class Kind(StrEnum):
    WARC = "WARC"
    ARC = "ARC"
    WACZ = "WACZ"


@dataclass(frozen=True, slots=True)
class Format:
    name: Kind | None
    problem: str | None = None  # why the file cannot be read, for a user


def _shown(data: bytes) -> str:
    text = data[:_SHOWN].decode("latin-1")
    return repr(re.sub(r"[^\x20-\x7e]", ".", text))


def _classify(data: bytes) -> Kind | None:
    text = data.lstrip(b"\r\n")
    if text.startswith(b"WARC/"):
        return Kind.WARC
    if text.startswith(b"filedesc://"):
        return Kind.ARC
    return None


def _read_up_to(fh: BinaryIO, size: int) -> bytes:
    """``size`` bytes or all there are: a stream may return fewer per read (a ZIP member, a
    byte range of a larger file)."""
    parts, left = [], size
    while left > 0:
        chunk = fh.read(left)
        if not chunk:
            break
        parts.append(chunk)
        left -= len(chunk)
    return b"".join(parts)


def sniff_stream(fh: BinaryIO) -> Format:
    """The kind of a seekable stream from its first bytes; the stream is left at its start."""
    fh.seek(0)
    head = _read_up_to(fh, 4096)
    fh.seek(0)
    if not head:
        return Format(None, "empty file")
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return Format(Kind.WACZ)
    for magic, name in _COMPRESSIONS:
        if head.startswith(magic):
            return Format(None, f"unsupported: {name}-compressed file (WARC readers other than "
                                f"FastWARC want gzip: recompress it with gzip)")  # fmt: skip
    if head.startswith(b"\x1f\x8b"):
        data = head + _read_up_to(fh, 1 << 16)
        fh.seek(0)
        try:
            out = zlib.decompressobj(31).decompress(data, 4096)
        except zlib.error:
            # a damaged first member: the reader reports it and reads on from the next one
            return Format(Kind.WARC)
        kind = _classify(out)
        if kind is None and len(out) >= 5:
            problem = f"not a WARC or ARC file (gzip data that starts with {_shown(out)})"
            return Format(None, problem)
        return Format(kind or Kind.WARC)
    kind = _classify(head)
    if kind is not None:
        return Format(kind)
    # junk before the first record: a reader recovers at the first WARC version line
    block = _read_up_to(fh, _SCAN)
    fh.seek(0)
    if _WARC_LINE.search(block):
        return Format(Kind.WARC)
    return Format(None, f"not a WARC, ARC or WACZ file (starts with {_shown(head)})")


def sniff(path: str | os.PathLike) -> Format:
    """The kind of a file, or why it cannot be read."""
    try:
        with open(path, "rb") as fh:
            found = sniff_stream(fh)
            if found.name == Kind.WACZ:
                members = wacz_members(fh)
                if isinstance(members, str):
                    return Format(None, members)
            return found
    except OSError as exc:
        return Format(None, exc.strerror or str(exc))
    except zipfile.BadZipFile as exc:
        return Format(None, f"unreadable ZIP file: {exc}")


def wacz_members(fh: BinaryIO) -> list[tuple[zipfile.ZipFile, zipfile.ZipInfo]] | str:
    """The WARC (and ARC) files of a WACZ, in name order, as (zip, member) to open one by one;
    or why there are none. Read from the ZIP as streams: nothing is unpacked to disk."""
    zf = zipfile.ZipFile(fh)
    files = [i for i in zf.infolist() if not i.is_dir()]
    found = [i for i in files if i.filename.startswith("archive/")]
    if not found:  # a plain ZIP of WARC files
        found = [i for i in files if i.filename.lower().endswith(SUFFIXES[:4])]
    if not found:
        return "a ZIP file without WARC files (a WACZ keeps them in archive/)"
    return [(zf, info) for info in sorted(found, key=lambda i: i.filename)]


def find_warc_files(inputs: Iterable[str | os.PathLike]) -> list[Path]:
    """Files in the order given; folders walked recursively in sorted order, taking the files
    whose names say WARC, ARC or WACZ.

    Raises FileNotFoundError for an input that is neither a file nor a folder.
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
                if name.lower().endswith(SUFFIXES)
            ]
            for file in sorted(inside, key=lambda p: p.relative_to(path).parts):
                add(file)
        elif path.is_file():
            add(path)
        else:
            raise FileNotFoundError(str(item))
    return found
