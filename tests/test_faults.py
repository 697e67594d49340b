"""A hostile network and bad pages: the crawl keeps going, archives what it got, reports the rest.

One crawl of the faulty replica (tests/replica/faults.py) for the page and network faults, one
test per fault; small crawls for robots.txt variants and a full disk.
"""

from __future__ import annotations

import json
import re
import resource
import signal
import subprocess
import time
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.site import Kind, Site
from tests.helpers import ROOT, crawl_command, run_crawl, warcio_check
from tests.replica import ReplicaServer
from tests.replica.content import BY_ID
from tests.replica.faults import FAULTS, NOISY_LINKS, FaultyReplica, exported_ids

SETTINGS = ("-s", "DOWNLOAD_TIMEOUT=1.5", "-s", "RETRY_TIMES=2",
            "-s", "WARC_MAX_BODY_SIZE=1000000", "-s", "WARC_MAX_DECODED_SIZE=20000000")  # fmt: skip


def warc_responses(out: Path) -> list:
    found = []
    for path in sorted((out / "warc").glob("*.warc.gz")):
        with open(path, "rb") as f:
            for rec in ArchiveIterator(f):
                if rec.rec_type == "response":
                    found.append((dict(rec.rec_headers.headers), rec.http_headers))
    return found


def requests_for(log, item_id: int) -> list[dict]:
    return [e for e in log if f"/item/{item_id}-" in e["path"]]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    out = tmp_path_factory.mktemp("hostile")
    other = ReplicaServer(host="127.0.0.2")
    with other, FaultyReplica(other_host=other.base_url) as site:
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        proc = run_crawl(site.base_url, out, *SETTINGS)
        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        log, other_log = site.log, other.log
    articles = {}
    for path in out.glob("articles-*.jsonl"):
        for line in path.read_text("utf-8").splitlines():
            record = json.loads(line)
            articles[record["item_id"]] = record
    report = json.loads(next((out / "reports").glob("*.json")).read_text())
    return {
        "proc": proc, "out": out, "log": log, "other_log": other_log, "articles": articles,
        "report": report, "peak_mb": max(peak_kb, before) / 1024, "base": site.base_url,
    }  # fmt: skip


def failed(hostile, item_id: int) -> list[str]:
    return [f["reason"] for f in hostile["report"]["failures"] if f"/item/{item_id}-" in f["url"]]


def test_the_crawl_goes_on_and_exports_everything_it_could(hostile):
    proc = hostile["proc"]
    # pages that fail on every try (resets, time-outs) are worth another run later: status 9
    assert proc.returncode == 9, proc.stderr[-3000:]
    assert "failed after every retry" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert set(hostile["articles"]) == exported_ids()
    assert warcio_check(*(hostile["out"] / "warc").glob("*.warc.gz")).returncode == 0


def test_429_with_retry_after_is_waited_for_and_retried(hostile):
    tries = requests_for(hostile["log"], FAULTS["429-once"])
    assert [t["status"] for t in tries] == [429, 200]
    assert tries[1]["time"] - tries[0]["time"] >= 0.9


def test_503_with_retry_after_date_is_waited_for(hostile):
    tries = requests_for(hostile["log"], FAULTS["503-retry-after-once"])
    assert [t["status"] for t in tries] == [503, 200]
    assert tries[1]["time"] - tries[0]["time"] >= 0.9


def test_timeouts_are_retried_then_reported(hostile):
    assert FAULTS["slow-once"] in hostile["articles"]
    slow = FAULTS["slow-always"]
    assert len(requests_for(hostile["log"], slow)) == 3  # first try and two retries
    assert any("Timeout" in r or "timeout" in r for r in failed(hostile, slow))


def test_connection_reset_mid_body(hostile):
    assert FAULTS["reset-once"] in hostile["articles"]
    reset = FAULTS["reset-always"]
    assert reset not in hostile["articles"]
    assert failed(hostile, reset)
    truncated = [
        h for h, _ in warc_responses(hostile["out"])
        if f"/item/{reset}-" in h["WARC-Target-URI"] and h.get("WARC-Truncated")
    ]  # fmt: skip
    assert truncated, "what came before the reset is archived, marked truncated"


def test_body_shorter_than_content_length(hostile):
    item = FAULTS["short-once"]
    assert item in hostile["articles"]
    marks = [
        h.get("WARC-Truncated")
        for h, _ in warc_responses(hostile["out"])
        if f"/item/{item}-" in h["WARC-Target-URI"]
    ]
    assert marks == ["disconnect", None]  # the cut capture, then the whole one that was exported
    record = hostile["articles"][item]
    assert record["warc"]["payload_digest"]


def test_page_over_the_size_limit_is_cut_and_marked(hostile):
    item = FAULTS["huge"]
    marks = [
        h.get("WARC-Truncated")
        for h, _ in warc_responses(hostile["out"])
        if f"/item/{item}-" in h["WARC-Target-URI"]
    ]
    assert marks == ["length"]
    assert any("size limit" in r for r in failed(hostile, item))


def test_gzip_bomb_is_refused_without_blowing_up_memory(hostile):
    item = FAULTS["gzip-bomb"]
    assert item not in hostile["articles"]
    assert failed(hostile, item)
    assert hostile["peak_mb"] < 400, f"crawl peaked at {hostile['peak_mb']:.0f} MB"


@pytest.mark.parametrize("fault", ["empty", "not-html"])
def test_empty_and_non_html_bodies_are_reported(hostile, fault):
    item = FAULTS[fault]
    assert item not in hostile["articles"]
    assert failed(hostile, item)


def test_malformed_html_still_gives_the_article(hostile):
    record = hostile["articles"][FAULTS["malformed"]]
    assert record["title"].startswith(BY_ID[FAULTS["malformed"]].title)
    assert record["word_count"] > 100


def test_missing_charset_is_sniffed(hostile):
    record = hostile["articles"][FAULTS["no-charset"]]
    assert record["authors"] == list(BY_ID[FAULTS["no-charset"]].authors)


def test_wrong_charset_does_not_stop_anything(hostile):
    record = hostile["articles"][FAULTS["wrong-charset"]]
    assert record["authors"] and record["word_count"] > 100


def test_redirect_loop_is_bounded_and_reported(hostile):
    item = FAULTS["redirect-loop"]
    assert 2 <= len(requests_for(hostile["log"], item)) <= 6
    assert any("redirect" in r for r in failed(hostile, item))


def test_redirect_to_another_host_is_recorded_not_followed(hostile):
    item = FAULTS["offsite-redirect"]
    statuses = [
        http.get_statuscode()
        for h, http in warc_responses(hostile["out"])
        if f"/item/{item}-" in h["WARC-Target-URI"]
    ]
    assert statuses == ["301"]
    assert hostile["other_log"] == []
    skipped = hostile["report"]["skipped_urls"]
    assert any(f"/item/{item}-" in s.get("redirected_from", "") for s in skipped)


def test_tracking_parameters_and_host_variants_are_fetched_once(hostile):
    for item_id in NOISY_LINKS:
        tries = requests_for(hostile["log"], item_id)
        assert len(tries) == 1, tries
        assert "?" not in tries[0]["path"]
    assert not [e for e in hostile["log"] if re.search(r"utm_|fbclid", e["path"])]


def test_traps_are_never_entered(hostile):
    for entry in hostile["log"]:
        kind = Site.classify(hostile["base"] + entry["path"])
        assert kind not in (Kind.TAG, Kind.SEARCH, Kind.PRINT, Kind.MAIL), entry["path"]


def test_report_lists_every_failure_with_a_reason(hostile):
    report = hostile["report"]
    never = {"slow-always", "reset-always", "huge", "gzip-bomb", "empty", "not-html",
             "redirect-loop"}  # fmt: skip
    for fault in never:
        assert failed(hostile, FAULTS[fault]), fault
    assert all(f["reason"] for f in report["failures"])
    stats_line = hostile["proc"].stderr
    assert "Failures:" in stats_line


# --- robots.txt ----------------------------------------------------------------------------


def test_crawl_delay_is_honoured(tmp_path):
    robots = "User-agent: *\nCrawl-delay: 0.5\nDisallow: /administrator/\n"
    with FaultyReplica(faults={}, robots=robots) as site:
        proc = run_crawl(site.base_url, tmp_path, "-a", "sections=news-digest",
                         "-s", "REQUISITES_ENABLED=False")  # fmt: skip
        times = [e["time"] for e in site.log if e["path"] != "/robots.txt"]
    assert proc.returncode == 0, proc.stderr[-2000:]
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert len(gaps) > 5 and min(gaps) >= 0.45, gaps


def test_robots_5xx_means_disallow_everything(tmp_path):
    with FaultyReplica(faults={}, robots_status=503) as site:
        proc = run_crawl(site.base_url, tmp_path)
        paths = [e["path"] for e in site.log]
    assert set(paths) == {"/robots.txt"}  # retried as any 503, then nothing else
    assert proc.returncode == 10 and "No article was archived" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_robots_404_means_no_restrictions(tmp_path):
    with FaultyReplica(faults={}, robots_status=404, robots="") as site:
        proc = run_crawl(site.base_url, tmp_path, "-a", "sections=feature-articles")
        paths = [e["path"] for e in site.log]
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert any("/resources/pdf/drafts/" in p for p in paths)  # disallowed only by the real file


# --- the output disk ---------------------------------------------------------------------


def test_disk_full_mid_crawl_stops_cleanly(tmp_path):
    limit = 300_000  # bytes any one file may grow to: the first WARC file fills up

    def small_disk():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails: EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    with ReplicaServer() as site:
        cmd = crawl_command(site.base_url, tmp_path)
        started = time.monotonic()
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300,
                              preexec_fn=small_disk)  # fmt: skip
    assert time.monotonic() - started < 120
    assert proc.returncode != 0
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error: ")]
    assert errors and "WARC" in errors[0], proc.stderr[-2000:]
    warcs = sorted((tmp_path / "warc").glob("*.warc.gz"))
    assert warcs and not list((tmp_path / "warc").glob("*.open"))
    assert warcio_check(*warcs).returncode == 0
