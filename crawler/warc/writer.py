"""WARC files on disk: naming, one gzip member per record, ``.open`` while written, rotation.

Pure code: no Scrapy. A file is ``PREFIX-TIMESTAMP-SERIAL-HOST.warc.gz`` (Heritrix/IIPC style),
written as ``<name>.open`` and renamed when closed, so a reader never mistakes a file still
being written for a finished one. Rotation happens between exchanges, never inside one.
"""

from __future__ import annotations

import os
import re
import socket
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .records import (
    Exchange,
    Original,
    exchange_records,
    new_record_id,
    revisit_records,
    warcinfo_record,
)

OPEN_SUFFIX = ".open"
# .open: being written (or left by a dead run); .damaged: a dead run's file with nothing whole
_SERIAL_RE = re.compile(
    r"^(?P<prefix>.+)-(?P<ts>\d{17})-(?P<serial>\d{5,})-.+\.warc\.gz(\.open|\.damaged)?$"
)


def safe_name_part(text: str) -> str:
    """A string usable inside one file name: nothing that can make a path or hide a file."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip(".-")
    return cleaned or "unknown"


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class RecordLocation:
    """Where a record landed: enough to read it back with one seek."""

    filename: str
    offset: int
    length: int
    record_id: str
    payload_digest: str | None


def next_serial(directory: Path, prefix: str) -> int:
    """One past the highest serial of this prefix in the folder, ``.open`` leftovers included."""
    highest = -1
    if directory.is_dir():
        for entry in directory.iterdir():
            m = _SERIAL_RE.match(entry.name)
            if m and m.group("prefix") == prefix:
                highest = max(highest, int(m.group("serial")))
    return highest + 1


class WarcWriter:
    """Writes request/response pairs into rotating ``.warc.gz`` files."""

    def __init__(
        self,
        directory: str | os.PathLike,
        *,
        prefix: str = "analyst",
        max_size: int = 1_000_000_000,
        info: Sequence[tuple[str, str]] = (),
        hostname: str | None = None,
        gzip_level: int = 6,
        clock: Callable[[], datetime] = utc_now,
        make_id: Callable[[], str] = new_record_id,
    ):
        self.directory = Path(directory)
        self.prefix = safe_name_part(prefix)
        self.max_size = max_size
        self.info = list(info)
        self.hostname = safe_name_part(hostname or socket.gethostname())
        self.gzip_level = gzip_level
        self.clock = clock
        self.make_id = make_id
        self._file = None
        self._name: str | None = None
        self._warcinfo_id: str | None = None
        self._serial: int | None = None
        self.files_closed: list[Path] = []
        self.records_written = 0
        self.bytes_written = 0

    @property
    def current_name(self) -> str | None:
        return self._name

    def _gzip(self, data: bytes) -> bytes:
        comp = zlib.compressobj(self.gzip_level, zlib.DEFLATED, 31)
        return comp.compress(data) + comp.flush()

    def _write(self, data: bytes) -> tuple[int, int]:
        member = self._gzip(data)
        offset = self._file.tell()
        view = memoryview(member)
        while view:  # an unbuffered write may be partial (e.g. just before the disk fills)
            view = view[self._file.write(view) :]
        self.records_written += 1
        self.bytes_written += len(member)
        return offset, len(member)

    def _open(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        if self._serial is None:
            self._serial = next_serial(self.directory, self.prefix)
        now = self.clock()
        stamp = now.astimezone(UTC).strftime("%Y%m%d%H%M%S%f")[:17]
        self._name = f"{self.prefix}-{stamp}-{self._serial:05d}-{self.hostname}.warc.gz"
        self._serial += 1
        # "x" mode: never overwrite a file another run left behind
        # unbuffered: a failed write (disk full) must not leave bytes behind in a buffer
        path = self.directory / (self._name + OPEN_SUFFIX)
        self._file = open(path, "xb", buffering=0)  # noqa: SIM115
        self._warcinfo_id = self.make_id()
        try:
            record = warcinfo_record(
                self.info, filename=self._name, date=now, record_id=self._warcinfo_id
            )
            self._write(record.data)
        except Exception:
            # no file without its warcinfo record: an empty or headless WARC helps no one
            self._file.close()
            self._file = None
            self._name = None
            path.unlink(missing_ok=True)
            raise

    def write_exchange(
        self, exchange: Exchange, revisit_of: Original | None = None
    ) -> RecordLocation:
        """Write the response (or, given the original, revisit) and request records of one
        exchange; returns where the first of the two is."""
        if self._file is None:
            self._open()
        if revisit_of is not None:
            response, request = revisit_records(
                exchange, revisit_of, warcinfo_id=self._warcinfo_id, make_id=self.make_id
            )
        else:
            response, request = exchange_records(
                exchange, warcinfo_id=self._warcinfo_id, make_id=self.make_id
            )
        whole = self._file.tell()
        try:
            offset, length = self._write(response.data)
            self._write(request.data)
            self._file.flush()
        except Exception:
            self._abandon(whole)
            raise
        location = RecordLocation(
            self._name, offset, length, response.record_id, response.payload_digest
        )
        if self._file.tell() >= self.max_size:
            self.close()
        return location

    def _abandon(self, whole: int) -> None:
        """A write failed (disk full, read-only): cut the file back to its last whole exchange
        and close it, so that every file on disk stays valid; the error goes up."""
        try:
            self._file.truncate(whole)
            self.close()
        except OSError:
            # cannot even close it: leave it .open, the next run repairs it
            self._file = None
            self._name = None

    def close(self) -> None:
        if self._file is None:
            return
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        self._file = None
        final = self.directory / self._name
        os.replace(self.directory / (self._name + OPEN_SUFFIX), final)
        self.files_closed.append(final)
        self._name = None

    def __enter__(self) -> WarcWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
