"""Helpers shared by the tests: running the real crawl, checking WARC files with warcio."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def run_crawl(base_url: str, out: Path, *extra: str, timeout: int = 300):
    """`scrapy crawl analyst` in a subprocess, fast settings for loopback, output in ``out``."""
    cmd = [
        str(BIN / "scrapy"), "crawl", "analyst", "-a", f"base_url={base_url}",
        "-s", f"OUTPUT_DIR={out}", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
        "-s", "DOWNLOAD_DELAY_JITTER=0", "-s", "LOG_LEVEL=INFO", *extra,
    ]  # fmt: skip
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def warcio_check(*paths) -> subprocess.CompletedProcess:
    """Run warcio's own validator (`warcio check -v`) on the files."""
    return subprocess.run(
        [str(BIN / "warcio"), "check", "-v", *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
    )
