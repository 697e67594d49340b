"""Where a cluster run's records go: one JSON Lines file, or part files and a manifest.

Pure code: no Scrapy, no Dask. Nothing appears under the output's name before the run is
complete: the file (or folder) is written under a temporary name beside it and renamed at the
end; a failed run removes what it wrote. Part files are written by the workers themselves (the
output may be larger than the machine that runs the command), so the folder must be one that
the workers can write: a shared file system, or an fsspec URL.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import uuid
from dataclasses import asdict
from pathlib import Path

from crawler.cluster.plan import Unit, describe
from crawler.cluster.work import UnitResult, part_name, write_atomically
from crawler.records import Tally

MANIFEST = "manifest.json"


class OutputError(Exception):
    """The output cannot be written; the message is the user's line."""


def wants_parts(output: str) -> bool:
    """``-o DIR/`` (a trailing slash, or a folder that exists) asks for part files."""
    return output.endswith(("/", os.sep)) or (output != "-" and Path(output).is_dir())


class SingleFile:
    """The JSON lines of every unit, in order, in one file (or on standard output)."""

    parts_dir = None

    def __init__(self, output: str):
        self.output = output
        if output == "-":
            self.tmp = None
            self.out = sys.stdout.buffer
            return
        target = Path(output)
        self.tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.partial")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            self.out = open(self.tmp, "wb")  # noqa: SIM115 - closed by commit() or abort()
        except OSError as exc:
            raise OutputError(f"cannot write {output}: {exc.strerror or exc}") from None

    def add(self, unit: Unit, result: UnitResult) -> None:
        self.out.write(result.data or b"")

    def add_lines(self, unit: Unit, data: bytes, records: int) -> None:
        self.out.write(data)

    def commit(self, tally: Tally, extractor: dict) -> None:
        self.out.flush()
        if self.tmp is None:
            return
        os.fsync(self.out.fileno())
        self.out.close()
        os.replace(self.tmp, self.output)

    def abort(self) -> None:
        if self.tmp is None:
            return
        self.out.close()
        self.tmp.unlink(missing_ok=True)


class PartFiles:
    """``DIR/part-00000.jsonl``... one per unit, written by the workers, and ``manifest.json``.

    The parts in name order, concatenated, are byte for byte the single file of the same run.
    """

    def __init__(self, output: str):
        self.output = output.rstrip("/" + os.sep) or output
        self.url = "://" in output
        hidden = f".{{}}.{uuid.uuid4().hex[:8]}.partial"
        if self.url:
            name = self.output.rsplit("/", 1)[-1]
            self.parts_dir = self.output[: len(self.output) - len(name)] + hidden.format(name)
        else:
            # absolute: the workers do not share the command's working directory
            target = Path(self.output).absolute()
            self.parts_dir = str(target.with_name(hidden.format(target.name)))
        self.parts: list[dict] = []
        try:
            if self.url:
                import fsspec

                self.fs, self.root = fsspec.core.url_to_fs(self.output)
                _, self.tmp_root = fsspec.core.url_to_fs(self.parts_dir)
                if self.fs.exists(self.root) and self.fs.ls(self.root):
                    raise OutputError(f"-o {output}: the folder is not empty")
                self.fs.makedirs(self.tmp_root, exist_ok=True)
            else:
                target = Path(self.output)
                if target.is_dir() and any(target.iterdir()):
                    raise OutputError(f"-o {output}: the folder is not empty")
                if target.exists() and not target.is_dir():
                    raise OutputError(f"-o {output}: not a folder")
                os.makedirs(self.parts_dir)
        except OutputError:
            raise
        except Exception as exc:
            why = getattr(exc, "strerror", None) or exc
            raise OutputError(f"cannot write {output}: {why}") from None

    def add(self, unit: Unit, result: UnitResult) -> None:
        self.parts.append({**(result.part or {}), "inputs": describe(unit)})

    def add_lines(self, unit: Unit, data: bytes, records: int) -> None:
        """A unit the client put together itself (its records were extracted one by one)."""
        name = part_name(unit.index)
        write_atomically(self.parts_dir, name, data)
        digest = hashlib.sha256(data).hexdigest()
        part = {"name": name, "records": records, "bytes": len(data), "sha256": digest}
        self.parts.append({**part, "inputs": describe(unit)})

    def commit(self, tally: Tally, extractor: dict) -> None:
        manifest = {
            "parts": self.parts,
            "records": sum(p["records"] for p in self.parts),
            "tally": asdict(tally),
            "extractor": extractor,
        }
        write_atomically(
            self.parts_dir, MANIFEST, json.dumps(manifest, indent=1).encode("utf-8") + b"\n"
        )
        if self.url:
            if self.fs.exists(self.root):
                self.fs.rm(self.root, recursive=True)
            self.fs.mv(self.tmp_root, self.root, recursive=True)
            return
        target = Path(self.output)
        if target.is_dir():
            target.rmdir()  # empty: checked at the start
        os.replace(self.parts_dir, target)

    def abort(self) -> None:
        try:
            if self.url:
                self.fs.rm(self.tmp_root, recursive=True)
            else:
                shutil.rmtree(self.parts_dir, ignore_errors=True)
        except Exception:  # the run failed already; that is the error worth reporting
            pass


def open_output(output: str) -> SingleFile | PartFiles:
    if wants_parts(output):
        return PartFiles(output)
    if "://" in output:
        raise OutputError(
            f"-o {output}: one file is written on this machine; to a URL, part files are "
            "(end it with /)"
        )
    return SingleFile(output)
