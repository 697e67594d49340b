"""What the benchmarks share: running a crawl as its own process and measuring it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from crawler import settings as project_settings

ROOT = Path(__file__).resolve().parents[1]

# loopback, no delay: what the tests use (tests/helpers.py), without the per-request log lines
FAST = {
    "DOWNLOAD_DELAY": "0",
    "DOWNLOAD_DELAY_JITTER": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "LOG_LEVEL": "WARNING",
    # CDXJ + WACZ after the crawl is a separate step, not part of fetching and archiving
    "PACKAGE_ENABLED": "False",
}
# the same spider fetching the same pages, with nothing archived, extracted or exported
PLAIN = {
    "WARC_ENABLED": "False",
    "EXTRACT_ENABLED": "False",
    "VALIDATE_ENABLED": "False",
    "FEEDS": "{}",
}


@dataclass
class Run:
    wall: float  # seconds, process start to exit
    returncode: int
    maxrss_kb: int  # ru_maxrss of the crawl process itself (RUSAGE_SELF at exit)
    cpu: float  # user + system seconds of the crawl process itself
    tree_peak_kb: int  # highest sum of RSS over the crawl process and its descendants
    worker_peak_kb: int  # highest VmHWM of any descendant (the extraction workers)
    stderr: str


def settings_args(settings: dict[str, str]) -> list[str]:
    return [arg for name, value in settings.items() for arg in ("-s", f"{name}={value}")]


def with_extension(path: str, order: int) -> str:
    """The project's EXTENSIONS plus one: ``-s EXTENSIONS=`` replaces the whole dict."""
    return json.dumps({**project_settings.EXTENSIONS, path: order})


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        tree.setdefault(ppid, []).append(int(entry))
    return tree


def _status_kb(pid: int, key: bytes) -> int:
    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            for line in f:
                if line.startswith(key):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class TreeMemory(threading.Thread):
    """Samples the RSS of a process and all its descendants (workers, forkserver) on Linux."""

    def __init__(self, pid: int, interval: float = 0.5):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.tree_peak_kb = 0
        self.worker_peak_kb = 0
        self.done = threading.Event()

    def run(self) -> None:
        if not os.path.isdir("/proc"):
            return
        while not self.done.wait(self.interval):
            tree = _children()
            pids, todo = [], [self.pid]
            while todo:
                pid = todo.pop()
                pids.append(pid)
                todo += tree.get(pid, [])
            rss = sum(_status_kb(p, b"VmRSS:") for p in pids)
            self.tree_peak_kb = max(self.tree_peak_kb, rss)
            for pid in pids[1:]:
                self.worker_peak_kb = max(self.worker_peak_kb, _status_kb(pid, b"VmHWM:"))


def run_scrapy(args: list[str], timeout: float = 1800, env: dict | None = None) -> Run:
    """``scrapy ARGS`` in its own process (cwd: the project), timed and measured."""
    with tempfile.TemporaryDirectory() as tmp:
        usage_file = Path(tmp) / "rusage.json"
        cmd = [sys.executable, "-m", "benchmarks.scrapy_rusage", str(usage_file), *args]
        started = time.perf_counter()
        proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        )
        memory = TreeMemory(proc.pid)
        memory.start()
        try:
            _, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            raise
        wall = time.perf_counter() - started
        memory.done.set()
        memory.join()
        usage = json.loads(usage_file.read_text()) if usage_file.exists() else {}
    return Run(
        wall=wall,
        returncode=proc.returncode,
        maxrss_kb=usage.get("maxrss_kb", 0),
        cpu=usage.get("cpu", 0.0),
        tree_peak_kb=memory.tree_peak_kb,
        worker_peak_kb=memory.worker_peak_kb,
        stderr=stderr,
    )


def crawl(base_url: str, out: Path, settings: dict[str, str], timeout: float = 1800) -> Run:
    """``scrapy crawl analyst`` of ``base_url`` into ``out``, fast loopback settings."""
    args = ["crawl", "analyst", "-a", f"base_url={base_url}", "-s", f"OUTPUT_DIR={out}"]
    run = run_scrapy(args + settings_args({**FAST, **settings}), timeout=timeout)
    if run.returncode != 0:
        raise SystemExit(f"crawl failed ({run.returncode}):\n{run.stderr[-3000:]}")
    return run


def line(name: str, value: float, target: str, detail: str = "") -> str:
    return f"{name}: {value:.2f}x (target {target})" + (f"  [{detail}]" if detail else "")
