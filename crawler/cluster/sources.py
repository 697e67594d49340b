"""The inputs of a cluster run as the workers reach them: paths and fsspec URLs.

Pure code: no Scrapy, no Dask. A local path is read with ``open()`` (fsspec is not needed for
it); anything with a scheme (``http(s)://``, ``s3://``, ``file://``...) through fsspec, which a
worker imports only then. Folders and globs expand as the local run expands folders: the files
with a WARC suffix, recursively, sorted by path.
"""

from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass
from pathlib import Path

from warcio.utils import BUFF_SIZE

from crawler.warc.inputs import SUFFIXES, find_warc_files

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_GLOB = re.compile(r"[*?\[]")


EXTRA = "caci-analyst-archiver[cluster]"


class InputError(Exception):
    """An input that names nothing readable; the message is the user's line."""


@dataclass(frozen=True, slots=True)
class Source:
    """One input file.

    ``location`` is what a worker opens (an absolute path, or a URL); ``label`` what the
    messages call it (the path as the local run would print it); ``name`` the ``warc.filename``
    of its records; ``size`` its length in bytes.
    """

    location: str
    label: str
    name: str
    size: int

    @property
    def is_url(self) -> bool:
        return is_url(self.location)


def is_url(text: str) -> bool:
    return bool(_SCHEME.match(text))


def open_source(location: str):
    """A seekable binary file for a path or an fsspec URL (closed by the caller)."""
    if not is_url(location):
        return open(location, "rb")  # noqa: SIM115 - the caller closes it
    import fsspec

    return fsspec.open(location, "rb").open()


def _url_sources(url: str) -> list[Source]:
    try:
        from fsspec.core import url_to_fs
    except ImportError:
        raise InputError(f"reading {url} needs fsspec: pip install '{EXTRA}'") from None

    try:
        fs, path = url_to_fs(url)
    except (ImportError, ValueError) as exc:
        raise InputError(f"cannot read {url}: {exc}") from None
    protocol = fs.protocol if isinstance(fs.protocol, str) else fs.protocol[0]
    http = protocol in ("http", "https")

    def unstrip(p: str) -> str:
        # fsspec drops the scheme for most file systems; http paths keep it
        return p if is_url(p) else fs.unstrip_protocol(p)

    try:
        if _GLOB.search(path.split("://", 1)[-1]):
            found = sorted(p for p in fs.glob(path) if not fs.isdir(p))
        # over http a folder is a page of links: only a trailing slash says "folder" (asking
        # whether a file is one would fetch the whole file)
        elif path.endswith("/") if http else fs.isdir(path):
            base = path.rstrip("/") + "/"
            found = sorted(
                (p for p in fs.find(path) if p.lower().endswith(SUFFIXES)),
                key=lambda p: p[len(base) :].split("/") if p.startswith(base) else [p],
            )
        else:
            found = [path]
        sources = []
        for p in found:
            full = unstrip(p)
            size = fs.size(p)
            if size is None:
                raise InputError(f"cannot read {full}: the server gives no size (no ranges)")
            sources.append(Source(full, full, full.rstrip("/").rsplit("/", 1)[-1], int(size)))
    except FileNotFoundError:
        raise InputError(f"no such file or folder: {url}") from None
    except InputError:
        raise
    except Exception as exc:  # fsspec back-ends raise their own kinds (aiohttp, botocore...)
        raise InputError(f"cannot read {url}: {exc}") from None
    if not found:
        raise InputError(f"no WARC files at {url}")
    return sources


def expand_inputs(inputs: list[str]) -> list[Source]:
    """Every input file, in the local run's order, each file once."""
    sources: list[Source] = []
    seen: set[str] = set()
    for item in inputs:
        if is_url(item):
            found = _url_sources(item)
        else:
            try:
                paths = find_warc_files([item])
            except FileNotFoundError as exc:
                raise InputError(f"no such file or folder: {exc}") from None
            except OSError as exc:
                raise InputError(f"cannot read {exc.filename}: {exc.strerror or exc}") from None
            found = [Source(str(p.resolve()), str(p), p.name, p.stat().st_size) for p in paths]
        for source in found:
            if source.location not in seen:
                seen.add(source.location)
                sources.append(source)
    return sources


class Window(io.RawIOBase):
    """Bytes ``start`` to ``end`` of a seekable file, seen as a file of their own.

    A work unit's records lie whole inside its window, so any reader of WARC files reads the
    window as it would a small WARC file; offsets it reports are counted from ``start``.
    """

    def __init__(self, fh, start: int, end: int):
        super().__init__()
        self.fh, self.start, self.end = fh, start, end
        self.pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.pos

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        if whence == os.SEEK_CUR:
            offset += self.pos
        elif whence == os.SEEK_END:
            offset += self.end - self.start
        self.pos = max(0, offset)
        return self.pos

    def readinto(self, buffer) -> int:
        # Reads end where reads of the whole file from its start end (warcio reads blocks of
        # BUFF_SIZE): a reader is fed the very same chunks as over the whole file, so even a
        # damaged gzip member (where what zlib gives before its error depends on the chunk)
        # reads the same in a window as in the whole file.
        here = self.start + self.pos
        to_block = BUFF_SIZE - here % BUFF_SIZE
        want = min(len(buffer), self.end - here, to_block)
        if want <= 0:
            return 0
        self.fh.seek(self.start + self.pos)
        data = self.fh.read(want)
        buffer[: len(data)] = data
        self.pos += len(data)
        return len(data)


def local_path(source: Source) -> Path | None:
    return None if source.is_url else Path(source.location)
