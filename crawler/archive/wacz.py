"""WACZ 1.1.1 packages (https://specs.webrecorder.net/wacz/1.1.1/), written as a stream.

Pure code: no Scrapy. Our own writer rather than py-wacz's ``wacz create`` (0.6), which is a
command-line function that prints as it goes; it builds its ``index.idx`` in a BytesIO, drops
pages it cannot match to a record with only a print, gives every page a random id, and hashes
each member by reading the finished ZIP back a second time. The indexes it holds are the
ZipNum pair (``indexes/index.cdx.gz`` + ``indexes/index.idx``) only: wabac.js loads every
``.cdx``/``.cdxj`` member of a WACZ whole before the first page, which is what a ZipNum index
avoids; the flat ``index.cdxj`` stays beside the WARC files for pywb.

Here every member is copied from its file in 1 MiB chunks while its sha256 is taken, so
neither the ZIP nor a WARC is ever held in memory; WARCs are stored (``ZIP_STORED``), never
recompressed, so a replay tool can read a record with one range request.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from .in_place import replacing
from .inputs import resource_name

WACZ_VERSION = "1.1.1"
PAGES_HEADER = {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}
TEXT_HEADER = {**PAGES_HEADER, "hasText": True}
CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class Page:
    """One entry of ``pages/pages.jsonl``: an archived article."""

    url: str
    ts: str  # the capture's WARC-Date, RFC 3339
    title: str
    text: str | None = None  # for the search box; the article's JSON holds all of it

    def as_json(self) -> dict:
        page = {"url": self.url, "ts": self.ts, "title": self.title}
        if self.text is not None:
            page["text"] = self.text
        return page


@dataclass(frozen=True, slots=True)
class Resource:
    """A member of the ZIP as datapackage.json lists it."""

    name: str
    path: str
    hash: str
    bytes: int

    def as_json(self) -> dict:
        return {"name": self.name, "path": self.path, "hash": self.hash, "bytes": self.bytes}


@dataclass
class WaczResult:
    path: Path
    resources: list[Resource] = field(default_factory=list)
    pages: int = 0
    size: int = 0


def read_pages(article_files: Iterable[Path], with_text: bool = False) -> Iterator[Page]:
    """Pages from article JSON Lines files (fields url, fetched_at, title, and text when
    ``with_text``).

    One page per capture: the same url and time seen twice (a feed copied with ``-O``) is kept
    once. A line that is not an article record is skipped: it has no capture to point at.
    """
    seen: set[tuple[str, str]] = set()
    for path in article_files:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                    page = Page(str(record["url"]), str(record["fetched_at"]), record["title"])
                    if with_text:
                        page = Page(page.url, page.ts, page.title, str(record.get("text") or ""))
                except (ValueError, KeyError, TypeError):
                    continue
                if (page.url, page.ts) not in seen:
                    seen.add((page.url, page.ts))
                    yield page


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class _Hashing:
    """Counts and hashes what goes through ``write``; the ZIP member gets the same bytes."""

    def __init__(self, sink: BinaryIO):
        self.sink = sink
        self.sha256 = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        self.sha256.update(data)
        self.size += len(data)
        self.sink.write(data)

    @property
    def digest(self) -> str:
        return "sha256:" + self.sha256.hexdigest()


class WaczWriter:
    """Adds members one by one to a ZIP on disk and keeps what datapackage.json must say."""

    def __init__(self, zf: zipfile.ZipFile, date_time: tuple[int, ...]):
        self.zf = zf
        self.date_time = date_time
        self.resources: list[Resource] = []
        self.names: set[str] = set()

    def _info(self, path: str, compress: int, size: int = 0) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(path, self.date_time)
        info.compress_type = compress
        info.external_attr = 0o644 << 16  # rw-r--r-- once unzipped
        info.file_size = size  # known up front: zipfile then picks ZIP64 for members over 4 GiB
        return info

    def add_file(self, source: Path, path: str, compress: int = zipfile.ZIP_STORED) -> Resource:
        """A member copied from ``source`` (WARCs and the gzip index stay stored: a replay
        tool reads them at an offset)."""
        size = source.stat().st_size
        with open(source, "rb") as src, self.zf.open(self._info(path, compress, size), "w") as dst:
            sink = _Hashing(dst)
            while chunk := src.read(CHUNK):
                sink.write(chunk)
        if sink.size != size:
            raise OSError(f"{source} changed while it was packaged ({size} -> {sink.size} bytes)")
        return self._listed(path, sink)

    def add_lines(self, path: str, lines: Iterable[dict]) -> tuple[Resource, int]:
        """A JSON Lines member written line by line; returns it and how many lines it has."""
        count = 0
        with self.zf.open(self._info(path, zipfile.ZIP_DEFLATED), "w") as dst:
            sink = _Hashing(dst)
            for obj in lines:
                sink.write(json.dumps(obj, ensure_ascii=False).encode("utf-8") + b"\n")
                count += 1
        return self._listed(path, sink), count

    def add_bytes(self, path: str, data: bytes) -> str:
        """A small member (the datapackage files); returns its hash, not listed as a resource."""
        self.zf.writestr(self._info(path, zipfile.ZIP_DEFLATED, len(data)), data)
        return "sha256:" + hashlib.sha256(data).hexdigest()

    def add_datapackage(self, profile: str, **fields) -> None:
        """``datapackage.json`` (the profile, ``fields`` that are not None, every resource
        added so far) and ``datapackage-digest.json``: what closes any WACZ."""
        package = {"profile": profile, "wacz_version": WACZ_VERSION, **fields}
        package["resources"] = [r.as_json() for r in self.resources]
        package = {k: v for k, v in package.items() if v is not None}
        data = json.dumps(package, indent=2, ensure_ascii=False).encode("utf-8")
        digest = self.add_bytes("datapackage.json", data)
        self.add_bytes(
            "datapackage-digest.json",
            json.dumps({"path": "datapackage.json", "hash": digest}, indent=2).encode(),
        )

    def _listed(self, path: str, sink: _Hashing) -> Resource:
        # frictionless' name pattern is narrower than file names (capitals, Heritrix's "~"):
        # the name is made to fit, the path keeps the file's own name
        name = resource_name(Path(path).name, self.names)
        resource = Resource(name, path, sink.digest, sink.size)
        self.resources.append(resource)
        return resource


def write_wacz(
    dest: Path,
    *,
    archives: Iterable[tuple[Path, str]],
    indexes: Iterable[tuple[Path, str]],
    pages: Iterable[Page],
    software: str,
    title: str = "",
    description: str = "",
    has_text: bool = False,
    created: datetime | None = None,
) -> WaczResult:
    """Write the WACZ at ``dest`` (beside it as ``.open`` first, then renamed into place).

    ``archives``: (file, name under ``archive/``); ``indexes``: (file, path in the ZIP).
    """
    created = created or datetime.now(UTC)
    date_time = tuple(created.astimezone(UTC).timetuple()[:6])
    result = WaczResult(dest)
    # the ZIP is closed (its directory written) before it is renamed into place
    with replacing(dest) as partial, zipfile.ZipFile(partial, "w", allowZip64=True) as zf:
        out = WaczWriter(zf, date_time)
        for source, name in archives:
            out.add_file(source, f"archive/{name}")
        for source, path in indexes:
            compress = zipfile.ZIP_STORED if path.endswith(".gz") else zipfile.ZIP_DEFLATED
            out.add_file(source, path, compress)
        header = TEXT_HEADER if has_text else PAGES_HEADER
        header_and_pages = _chain(header, (page.as_json() for page in pages))
        _, lines = out.add_lines("pages/pages.jsonl", header_and_pages)
        result.pages = lines - 1
        out.add_datapackage(
            "data-package", **described(title, description), created=rfc3339(created),
            software=software,
        )  # fmt: skip
        result.resources = out.resources
    result.size = dest.stat().st_size
    return result


def described(title: str, description: str) -> dict:
    """The title and description of a datapackage.json, at the top level and under
    ``metadata``, which is what ReplayWeb.page shows a collection under."""
    metadata = {"title": title or None, "desc": description or None}
    return {
        "title": title or None,
        "description": description or None,
        "metadata": {k: v for k, v in metadata.items() if v is not None} or None,
    }


def _chain(first: dict, rest: Iterable[dict]) -> Iterator[dict]:
    yield first
    yield from rest
