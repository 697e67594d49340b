"""Helpers shared by the tests: running the real crawl, checking WARC files with warcio."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
# The replica's Field Reports listing shows an item that answers 404 (content.DELETED_ITEMS):
# a crawl of the whole replica ends "finished, but items the site lists are not archived".
REPLICA_EXIT = 4


def project_settings(*prefixes: str) -> dict:
    """The project's settings whose names start with one of ``prefixes``: a component's own,
    for a crawler built in the test process (not the reactor and components: nothing runs)."""
    from scrapy.utils.project import get_project_settings

    project = get_project_settings().copy_to_dict()
    return {k: v for k, v in project.items() if k.startswith(prefixes)}


def packages_imported_by(code: str) -> set[str]:
    """The top-level packages a fresh interpreter has loaded after running ``code`` (in the
    project's folder): what a module costs whoever imports it."""
    probe = f"import sys; {code}; print(' '.join(sorted(sys.modules)))"
    out = subprocess.run(
        [str(BIN / "python"), "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return {name.split(".")[0] for name in out.stdout.split()}


def crawl_command(base_url: str, out: Path, *extra: str) -> list[str]:
    """`scrapy crawl analyst` with fast settings for loopback, output in ``out``."""
    return [
        str(BIN / "scrapy"), "crawl", "analyst", "-a", f"base_url={base_url}",
        "-s", f"OUTPUT_DIR={out}", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
        "-s", "DOWNLOAD_DELAY_JITTER=0", "-s", "LOG_LEVEL=INFO", *extra,
    ]  # fmt: skip


def run_crawl(base_url: str, out: Path, *extra: str, timeout: int = 300):
    """Run the crawl to its end; returns the CompletedProcess."""
    cmd = crawl_command(base_url, out, *extra)
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def warcio_check(*paths) -> subprocess.CompletedProcess:
    """Run warcio's own validator (`warcio check -v`) on the files."""
    return subprocess.run(
        [str(BIN / "warcio"), "check", "-v", *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
    )


def read_articles(out: Path, exclude=()) -> list[dict]:
    """Every record of the crawl's JSON Lines files in ``out`` (but those in ``exclude``)."""
    import json

    files = sorted(set(out.glob("articles-*.jsonl")) - set(exclude))
    return [json.loads(line) for f in files for line in f.read_text("utf-8").splitlines()]


def wait_until(check, timeout: float, what: str):
    """``check()``'s first result that is not None, polled; TimeoutError after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (result := check()) is not None:
            return result
        time.sleep(0.1)
    raise TimeoutError(f"{what} did not happen within {timeout:.0f} s")


def assert_one_line_error(proc, *needles) -> str:
    """Bad input: exit status 2 and one ``error:`` line on stderr (text or bytes), naming
    what was wrong; the line."""
    err = proc.stderr.decode() if isinstance(proc.stderr, bytes) else proc.stderr
    assert proc.returncode == 2, (proc.returncode, err[-2000:])
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]
