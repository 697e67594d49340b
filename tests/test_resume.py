"""Resume after Ctrl-C and after kill -9: nothing lost, nothing twice, every WARC valid."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.helpers import ROOT, crawl_command, warcio_check
from tests.replica import ReplicaServer, expected_records

SLOW = ("-s", "DOWNLOAD_DELAY=0.03")


def start(base: str, out: Path, *extra: str) -> subprocess.Popen:
    cmd = crawl_command(base, out, "-s", f"JOBDIR={out / 'job'}", *SLOW, *extra)
    return subprocess.Popen(
        cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def kill_when(proc: subprocess.Popen, condition, sig=signal.SIGKILL, timeout=120) -> bool:
    """Send ``sig`` as soon as ``condition()`` holds; False if the crawl ended first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        if condition():
            proc.send_signal(sig)
            proc.communicate(timeout=120)
            return True
        time.sleep(0.005)
    proc.kill()
    raise AssertionError("crawl neither ended nor reached the kill point")


def finish(proc: subprocess.Popen) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=300)
    return proc.returncode, out, err


def articles(out: Path) -> list[dict]:
    found = []
    for path in sorted(out.glob("articles-*.jsonl")):
        data = path.read_bytes()
        assert not data or data.endswith(b"\n"), f"half line left in {path.name}"
        found += [json.loads(line) for line in data.splitlines()]
    return found


def check_final(out: Path, base: str) -> None:
    warcs = sorted((out / "warc").glob("*.warc.gz"))
    assert not list((out / "warc").glob("*.open")), "nothing may stay .open"
    check = warcio_check(*warcs)
    assert check.returncode == 0, check.stdout[-2000:]
    got = [a["item_id"] for a in articles(out)]
    want = {r["item_id"] for r in expected_records(base)}
    assert len(got) == len(set(got)), "an article was exported twice"
    assert set(got) == want
    for article in articles(out):  # every record still points at its own capture
        ptr = article["warc"]
        with open(out / "warc" / ptr["filename"], "rb") as f:
            f.seek(ptr["offset"])
            rec = next(iter(ArchiveIterator(f)))
            assert rec.rec_headers["WARC-Record-ID"] == ptr["record_id"]


def responses_served(site: ReplicaServer) -> int:
    return len(site.log)


@pytest.fixture
def site():
    with ReplicaServer() as server:
        yield server


def test_resume_after_three_kills(site, tmp_path):
    out = tmp_path
    total = 120  # about what a whole crawl of the replica asks for

    # 1. early: a handful of responses in
    proc = start(site.base_url, out)
    assert kill_when(proc, lambda: responses_served(site) >= 6)
    # 2. in the middle
    served = responses_served(site)
    proc = start(site.base_url, out)
    assert kill_when(proc, lambda: responses_served(site) >= served + total // 3)
    # 3. right after a WARC rotation (small files so that it rotates often)
    proc = start(site.base_url, out, "-s", "WARC_MAX_SIZE=40000")
    before = set((out / "warc").glob("*.warc.gz"))

    def rotated():
        return len(set((out / "warc").glob("*.warc.gz")) - before) >= 1

    assert kill_when(proc, rotated)
    # and to the end
    code, stdout, stderr = finish(start(site.base_url, out, "-s", "WARC_MAX_SIZE=40000"))
    assert code == 0, stderr[-3000:]
    assert "Traceback" not in stderr
    assert "resumed:" in stderr
    check_final(out, site.base_url)


def test_resume_after_ctrl_c(site, tmp_path):
    proc = start(site.base_url, tmp_path)
    assert kill_when(proc, lambda: responses_served(site) >= 30, sig=signal.SIGINT)
    code, _, stderr = finish(start(site.base_url, tmp_path))
    assert code == 0, stderr[-3000:]
    check_final(tmp_path, site.base_url)


def test_resume_survives_damaged_scrapy_queue_files(site, tmp_path):
    proc = start(site.base_url, tmp_path)
    assert kill_when(proc, lambda: responses_served(site) >= 25)
    job = tmp_path / "job"
    damaged = 0
    for path in job.rglob("*"):
        if path.is_file() and path.name != "analyst-journal.jsonl":
            path.write_bytes(b"\x00garbage\xff" * 3)  # what a torn write can leave
            damaged += 1
    assert damaged
    code, _, stderr = finish(start(site.base_url, tmp_path))
    assert code == 0, stderr[-3000:]
    check_final(tmp_path, site.base_url)


def test_a_finished_journal_is_set_aside_and_the_next_run_finds_nothing_new(site, tmp_path):
    code, _, stderr = finish(start(site.base_url, tmp_path))
    assert code == 0, stderr[-2000:]
    served = responses_served(site)
    code, stdout, stderr = finish(start(site.base_url, tmp_path))
    assert code == 0, stderr[-2000:]
    assert "nothing new since" in stderr
    assert "resuming" not in stderr  # a finished journal is never replayed
    again = [e["path"] for e in site.log[served:]]
    assert any(p.startswith("/publications/") and "/item/" not in p for p in again)
    assert not [p for p in again if "/item/" in p]  # the listings, no article
    check_final(tmp_path, site.base_url)
