"""Run from cron for years: the same command, whatever happened before, archives what is new,
loses nothing, and its exit status says what happened (the README's table).

Each test is one finding of a user's trial, reproduced as they did it: a real `scrapy crawl`
(or `caci-archiver`) subprocess against the replica, real signals, real unwritable paths.
"""

from __future__ import annotations

import gzip
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest

from tests.helpers import (
    BIN,
    REPLICA_EXIT,
    ROOT,
    assert_one_line_error,
    crawl_command,
    read_articles,
    run_crawl,
    warcio_check,
)
from tests.replica import ReplicaServer, expected_records
from tests.replica.later import two_weeks_later


def start(cmd: list[str], **kw) -> subprocess.Popen:
    return subprocess.Popen(
        cmd, cwd=kw.pop("cwd", ROOT), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        **kw,
    )  # fmt: skip


def ids(out: Path) -> list[int]:
    return [a["item_id"] for a in read_articles(out)]


def wait_for(condition, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        if proc.poll() is not None:
            raise AssertionError("the crawl ended before the point of the test")
        time.sleep(0.005)
    proc.kill()
    raise AssertionError("the crawl never reached the point of the test")


def article_fetches(log: list[dict], since: int = 0) -> list[str]:
    return [e["path"] for e in log[since:] if "/item/" in e["path"]]


@pytest.fixture
def site():
    with ReplicaServer() as server:
        yield server


# --- 1. a finished JOBDIR is set aside, never replayed --------------------------------------


def test_same_jobdir_command_after_a_finished_crawl_archives_exactly_the_new(site, tmp_path):
    job = ("-s", f"JOBDIR={tmp_path / 'job'}")
    first = run_crawl(site.base_url, tmp_path, *job)
    assert first.returncode == REPLICA_EXIT, first.stderr[-2000:]
    want = {r["item_id"] for r in expected_records(site.base_url)}
    assert set(ids(tmp_path)) == want
    assert list((tmp_path / "job").glob("finished-*/analyst-journal.jsonl"))

    # the next run, site unchanged: the listings are read again, nothing new, a success
    served = len(site.log)
    again = run_crawl(site.base_url, tmp_path, *job)
    assert again.returncode == REPLICA_EXIT, again.stderr[-2000:]
    assert "nothing new since" in again.stderr
    assert len(site.log) - served > 1, "the listings must be fetched again"
    assert not article_fetches(site.log, served)

    # two weeks later: exactly the new articles
    with two_weeks_later() as (added, _fixed):
        served = len(site.log)
        later = run_crawl(site.base_url, tmp_path, *job)
        new_ids = {a.item_id for a in added}
    assert later.returncode == REPLICA_EXIT, later.stderr[-2000:]
    got = ids(tmp_path)
    assert len(got) == len(set(got)), "an article was exported twice"
    assert set(got) == want | new_ids
    fetched = {int(p.split("/item/")[1].split("-")[0]) for p in article_fetches(site.log, served)}
    assert fetched == new_ids


# --- 2. a forced stop loses no JSON ---------------------------------------------------------


def test_double_ctrl_c_then_the_same_command_exports_every_article_once(site, tmp_path):
    cmd = crawl_command(site.base_url, tmp_path, "-s", "DOWNLOAD_DELAY=0.02")
    proc = start(cmd)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stderr), daemon=True)
    reader.start()
    wait_for(lambda: len(article_fetches(site.log)) >= 12, proc)
    proc.send_signal(signal.SIGINT)
    # the second one as a person's: once the crawl says it is stopping, before it has stopped
    wait_for(lambda: any("shutting down gracefully" in line for line in lines), proc, 60)
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=120)
    reader.join(timeout=30)
    err = "".join(lines)
    assert proc.returncode == 13, err[-2000:]
    assert "run the same command to continue" in err
    assert "Traceback" not in err

    again = run_crawl(site.base_url, tmp_path)
    assert again.returncode == REPLICA_EXIT, again.stderr[-2000:]
    got = ids(tmp_path)
    assert len(got) == len(set(got)), "an article was exported twice"
    assert set(got) == {r["item_id"] for r in expected_records(site.base_url)}
    assert warcio_check(*(tmp_path / "warc").glob("*.warc.gz")).returncode == 0


def test_articles_in_the_warc_but_in_no_json_are_re_extracted_not_fetched(site, tmp_path):
    first = run_crawl(site.base_url, tmp_path)
    assert first.returncode == REPLICA_EXIT, first.stderr[-2000:]
    (jsonl,) = tmp_path.glob("articles-*.jsonl")
    lines = jsonl.read_text("utf-8").splitlines(keepends=True)
    lost = [json.loads(line) for line in lines[:3]]
    jsonl.write_text("".join(lines[3:]), "utf-8")  # what a crash before the export leaves

    served = len(site.log)
    again = run_crawl(site.base_url, tmp_path)
    assert again.returncode == REPLICA_EXIT, again.stderr[-2000:]
    assert "Re-extracted:      3 " in again.stderr
    fetched = "".join(article_fetches(site.log, served))
    assert all(f"/item/{a['item_id']}-" not in fetched for a in lost), "fetched again"
    got = ids(tmp_path)
    assert sorted(got) == sorted({r["item_id"] for r in expected_records(site.base_url)})
    back = {
        a["item_id"]: a
        for a in read_articles(tmp_path)
        if a["item_id"] in {x["item_id"] for x in lost}
    }
    for before in lost:  # the same record, read from the same WARC record
        assert back[before["item_id"]]["text"] == before["text"]
        assert back[before["item_id"]]["warc"] == before["warc"]


# --- 3. an unwritable -o path is refused before anything is written -------------------------


@pytest.mark.parametrize("where", ["proc", "under-a-file"])
def test_unwritable_feed_path_is_refused_up_front(site, tmp_path, where):
    if where == "proc":
        target = "/proc/caci-test/articles.jsonl"  # read-only even for root
    else:
        (tmp_path / "a-file").write_text("x")
        target = str(tmp_path / "a-file" / "articles.jsonl")
    out = tmp_path / "out"
    served = len(site.log)
    proc = run_crawl(site.base_url, out, "-o", target)
    assert_one_line_error(proc, "JSON output", "not writable")
    assert len(site.log) == served, "nothing may be fetched"
    assert not (out / "warc").exists()


# --- 4. every setting is checked: see test_settings_preflight.py ----------------------------

# --- 5. a WARC write that fails stops the crawl at once -------------------------------------


def limit_file_size(limit: int):
    def preexec():  # as a full disk would: writes past the limit fail with EFBIG
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return preexec


def test_a_failing_warc_write_stops_the_crawl_with_status_3(site, tmp_path):
    cmd = crawl_command(site.base_url, tmp_path, "-s", "EXTRACT_WORKERS=0")
    proc = subprocess.run(
        cmd, cwd=ROOT, capture_output=True, text=True, timeout=300,
        preexec_fn=limit_file_size(120_000),
    )  # fmt: skip
    assert proc.returncode == 3, proc.stderr[-3000:]
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "WARC" in errors[0], proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    total = len(site.log)
    assert total < 60, f"{total} requests: the crawl went on after the failure"
    # what was closed before the failure is valid
    warcs = [p for p in (tmp_path / "warc").glob("*.warc.gz") if p.stat().st_size]
    assert warcs and warcio_check(*warcs).returncode == 0


# --- 6. machine-readable output stays clean -------------------------------------------------


def test_json_lines_on_stdout_and_nothing_else(site, tmp_path):
    proc = run_crawl(site.base_url, tmp_path, "-o", "-:jsonl", "-s", "LOG_LEVEL=INFO")
    assert proc.returncode == REPLICA_EXIT, proc.stderr[-2000:]
    lines = proc.stdout.splitlines()
    records = [json.loads(line) for line in lines]  # every line is JSON
    assert {r["item_id"] for r in records} == {
        r["item_id"] for r in expected_records(site.base_url)
    }
    assert "Articles archived:" in proc.stderr


# --- 7. exit statuses -----------------------------------------------------------------------


def test_ctrl_c_once_is_status_11_and_the_same_command_continues(site, tmp_path):
    cmd = crawl_command(site.base_url, tmp_path, "-s", "DOWNLOAD_DELAY=0.02")
    proc = start(cmd)
    wait_for(lambda: len(article_fetches(site.log)) >= 8, proc)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 11, err[-2000:]
    assert "run the same command to continue" in err
    again = run_crawl(site.base_url, tmp_path)
    assert again.returncode == REPLICA_EXIT, again.stderr[-2000:]
    got = ids(tmp_path)
    assert len(got) == len(set(got))
    assert set(got) == {r["item_id"] for r in expected_records(site.base_url)}


def test_host_going_down_mid_crawl_is_status_9(tmp_path):
    site = ReplicaServer().start()
    try:
        proc = start(crawl_command(site.base_url, tmp_path, "-s", "DOWNLOAD_DELAY=0.02",
                                   "-s", "RETRY_TIMES=1"))  # fmt: skip
        wait_for(lambda: len(article_fetches(site.log)) >= 10, proc)
    finally:
        site.stop()
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 9, err[-3000:]
    assert "failed after every retry" in err
    report = json.loads(next((tmp_path / "reports").glob("*.json")).read_text())
    assert report["outcome"]["exit_status"] == 9
    assert any(f.get("retryable") for f in report["failures"])
    missing = report["completeness"]["missing"]
    assert missing and any(m["retryable"] for m in missing), "listed items it could not get"

    # the host is back: the same command gets every listed item, the deleted one aside
    with ReplicaServer(port=site.port) as back:
        again = run_crawl(back.base_url, tmp_path)
    assert again.returncode == REPLICA_EXIT, again.stderr[-3000:]
    assert set(ids(tmp_path)) == {r["item_id"] for r in expected_records(back.base_url)}
    reports = sorted((tmp_path / "reports").glob("*.json"))
    result = json.loads(reports[-1].read_text())["completeness"]
    assert [m["item_id"] for m in result["missing"]] == [12199]
    assert result["totals"]["listed"] == 61


def test_the_demo_runs_twice(tmp_path):
    out = tmp_path / "demo"
    cmd = [sys.executable, "-m", "tests.replica.demo", "--output", str(out)]
    first = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert first.returncode == REPLICA_EXIT, first.stdout[-3000:]
    second = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert second.returncode == REPLICA_EXIT, second.stdout[-3000:]
    assert "nothing new since" in second.stdout
    (wacz,) = out.glob("*.wacz")
    with zipfile.ZipFile(wacz) as z:
        index = gzip.decompress(z.read("indexes/index.cdx.gz")).decode()  # ZipNum blocks
    hosts = {line.split(")", 1)[0] for line in index.splitlines()}
    assert len(hosts) == 1, f"one replica address, got {hosts}"


# --- 8. from any folder ---------------------------------------------------------------------


def test_caci_archiver_runs_from_any_folder(site, tmp_path):
    home = tmp_path / "archive"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
    tool = str(BIN / "caci-archiver")
    crawl = subprocess.run(
        [tool, "crawl", "-a", f"base_url={site.base_url}", "-s", "DOWNLOAD_DELAY=0",
         "-s", "AUTOTHROTTLE_ENABLED=False"],
        cwd=home, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert crawl.returncode == REPLICA_EXIT, crawl.stderr[-3000:]
    assert (home / "output" / "warc").is_dir()  # OUTPUT_DIR is relative to where it runs
    assert list((home / "output").glob("*.wacz"))
    extract = subprocess.run(
        [tool, "extract", "output/warc", "-o", "again.jsonl"],
        cwd=home, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert extract.returncode == 0, extract.stderr[-3000:]
    again = [json.loads(x) for x in (home / "again.jsonl").read_text("utf-8").splitlines()]
    assert {a["item_id"] for a in again} == set(ids(home / "output"))
    shutil.rmtree(home / "output" / "indexes")
    for wacz in (home / "output").glob("*.wacz"):
        wacz.unlink()
    package = subprocess.run(
        [tool, "package", "output"], cwd=home, env=env, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    assert package.returncode == 0, package.stderr[-3000:]
    assert list((home / "output").glob("*.wacz"))
    usage = subprocess.run([tool, "frobnicate"], cwd=home, env=env, capture_output=True,
                           text=True)  # fmt: skip
    assert usage.returncode == 2 and usage.stderr.startswith("error: unknown command")
