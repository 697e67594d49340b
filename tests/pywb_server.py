"""pywb (`wb-manager`, `wayback`) on a loopback port, for the replay tests: run from its own
virtualenv (tests/tool_cache.py), never the project's."""

from __future__ import annotations

import socket
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

from tests.helpers import wait_until
from tests.tool_cache import pywb_bin

COLL = "coll"


def ts14(iso: str) -> str:
    return "".join(c for c in iso if c.isdigit())[:14]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Wayback:
    """``wayback`` serving ``root``'s collections on 127.0.0.1, on a port of its own."""

    def __init__(self, root: Path):
        self.root = root
        self.proc: subprocess.Popen | None = None
        self.log = root / "wayback.log"

    def start(self) -> Wayback:
        for _ in range(3):  # the free port may be taken between asking and binding
            self.port = free_port()
            with open(self.log, "wb") as log:
                self.proc = subprocess.Popen(
                    [str(pywb_bin() / "wayback"), "-b", "127.0.0.1", "-p", str(self.port)],
                    cwd=self.root,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                )
            try:
                wait_until(self._answers, 60, "wayback answering")
                return self
            except TimeoutError:
                self.stop()
        raise RuntimeError(f"wayback did not start:\n{self.log.read_text()[-3000:]}")

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _answers(self):
        if self.proc.poll() is not None:
            raise TimeoutError("wayback exited")
        try:
            with urllib.request.urlopen(f"{self.origin}/", timeout=2) as resp:
                return resp.status
        except (OSError, urllib.error.URLError):
            return None

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.proc = None


def run(*cmd: str, cwd: Path) -> None:
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, (cmd, proc.stdout[-2000:], proc.stderr[-2000:])


def new_collection(root: Path) -> Path:
    root.mkdir()
    run(str(pywb_bin() / "wb-manager"), "init", COLL, cwd=root)
    return root / "collections" / COLL


def collection_from_wacz(root: Path, wacz: Path, flat_index: Path) -> Path:
    """A pywb collection of a WACZ's WARC files and the crawl's flat CDXJ index (pywb reads
    ``.cdx``/``.cdxj`` indexes, not the WACZ's ZipNum pair)."""
    import shutil
    import zipfile

    coll = new_collection(root)
    with zipfile.ZipFile(wacz) as zf:
        zf.extractall(coll, members=[n for n in zf.namelist() if n.startswith("archive/")])
    (coll / "indexes").mkdir(exist_ok=True)
    shutil.copyfile(flat_index, coll / "indexes" / "index.cdxj")
    return coll
