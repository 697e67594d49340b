"""`scrapy extract --cluster` on a real Dask cluster (scheduler and workers on 127.0.0.1).

Whatever the cluster does (files cut into byte ranges, units on either worker, a worker killed
mid-run, inputs read over HTTP), the records and the lines on stderr must be those of the local
run over the same files, byte for byte. Skipped only when Dask is not installed.
"""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

pytest.importorskip("distributed")

from tests.dask_cluster import DaskCluster  # noqa: E402
from tests.helpers import BIN, ROOT  # noqa: E402
from tests.static_server import StaticServer  # noqa: E402

# small units, so that the test's files are cut into many
UNIT = ["-s", "EXTRACT_CLUSTER_UNIT_BYTES=150000"]


def extract(*args, cluster: str | None = None, timeout: int = 600, env=None):
    cmd = [str(BIN / "scrapy"), "extract", *map(str, args)]
    if cluster:
        cmd += ["--cluster", cluster, *UNIT]
    return subprocess.run(
        cmd, cwd=ROOT, capture_output=True, timeout=timeout, env={**os.environ, **(env or {})}
    )


def stderr_lines(proc) -> list[str]:
    lines = proc.stderr.decode().splitlines()
    return [line for line in lines if line.strip() and "Dask dashboard at" not in line]


def large_warc(crawl_warc: Path, dest: Path, copies: int = 5) -> Path:
    """The crawl's WARC file several times over in one file, with a damaged stretch in it."""
    data = crawl_warc.read_bytes()
    with open(dest, "wb") as f:
        for k in range(copies):
            f.write(data)
            if k == 1:
                # a gzip member cut short: one error line, reading goes on after it
                f.write(gzip.compress(b"WARC/1.1\r\nWARC-Type: response\r\n" + b"x" * 5000)[:900])
    return dest


@pytest.fixture(scope="module")
def inputs(replica_crawl, tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("cluster-inputs")
    crawl = replica_crawl["out"]
    (warc,) = (crawl / "warc").glob("*.warc.gz")
    (folder / "big").mkdir()
    big = large_warc(warc, folder / "big" / "large.warc.gz")
    plain = folder / "big" / "plain.warc"
    plain.write_bytes(gzip.decompress(warc.read_bytes()))
    # the crawl's folder has its CDXJ index beside the WARC files (indexes/index.cdxj)
    return {"crawl_warc": crawl / "warc", "big": big, "plain": plain, "folder": folder}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    with DaskCluster(tmp_path_factory.mktemp("dask"), workers=2) as running:
        yield running


@pytest.fixture(scope="module")
def local(inputs, tmp_path_factory) -> dict:
    """The local run's output and stderr, for every input set the tests use."""
    out = tmp_path_factory.mktemp("local")
    runs = {}
    sets = {
        "all": [inputs["crawl_warc"], inputs["big"], inputs["plain"], "--all-pages"],
        "articles": [inputs["crawl_warc"], inputs["big"]],
    }
    for name, args in sets.items():
        target = out / f"{name}.jsonl"
        proc = extract(*args, "-o", target, "-j", "2")
        assert proc.returncode == 0, proc.stderr.decode()[-2000:]
        lines = [line.replace(str(target), "OUT") for line in stderr_lines(proc)]
        runs[name] = (target.read_bytes(), lines)
    return runs


def test_cluster_output_is_the_local_runs_byte_for_byte(inputs, cluster, local, tmp_path):
    out = tmp_path / "cluster.jsonl"
    proc = extract(
        inputs["crawl_warc"], inputs["big"], inputs["plain"], "--all-pages", "-o", out,
        cluster=cluster.address,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr.decode()[-3000:]
    data, lines = local["all"]
    assert out.read_bytes() == data
    assert len(data.splitlines()) > 500
    # the same damaged-record line and the same summary, apart from the output's name
    assert [line.replace(str(out), "OUT") for line in stderr_lines(proc)] == lines
    assert any("large.warc.gz: offset" in line for line in lines)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cluster.jsonl"]  # no temporary left


def test_part_files_and_manifest(inputs, cluster, local, tmp_path):
    out = tmp_path / "parts"
    proc = extract(inputs["crawl_warc"], inputs["big"], "-o", f"{out}/", cluster=cluster.address)
    assert proc.returncode == 0, proc.stderr.decode()[-3000:]
    data, lines = local["articles"]
    parts = sorted(out.glob("part-*.jsonl"))
    assert len(parts) > 5  # the large file was cut
    assert b"".join(p.read_bytes() for p in parts) == data
    manifest = json.loads((out / "manifest.json").read_text())
    assert [p["name"] for p in manifest["parts"]] == [p.name for p in parts]
    assert manifest["records"] == len(data.splitlines())
    assert manifest["tally"]["errors"] == 1
    for entry in manifest["parts"]:
        assert (out / entry["name"]).stat().st_size == entry["bytes"]
        assert entry["inputs"]
    assert sorted(os.listdir(tmp_path)) == ["parts"]


def test_a_worker_killed_mid_run_costs_a_retry_not_a_record(inputs, cluster, local, tmp_path):
    victim = cluster.add_worker()
    cluster.wait_for_workers(3)
    out = tmp_path / "killed.jsonl"
    cmd = [
        str(BIN / "scrapy"), "extract", inputs["crawl_warc"], inputs["big"], inputs["plain"],
        "--all-pages", "-o", str(out), "--cluster", cluster.address, *UNIT,
    ]  # fmt: skip
    proc = subprocess.Popen(list(map(str, cmd)), cwd=ROOT, stderr=subprocess.PIPE)
    killed = False
    with cluster.client() as client:
        deadline = time.monotonic() + 300
        workers = client.scheduler_info()["workers"]
        (address,) = [a for a, w in workers.items() if w["name"] == f"w{len(cluster.workers) - 1}"]
        while proc.poll() is None and time.monotonic() < deadline:
            if any("extract-" in str(key) for key in client.processing().get(address, ())):
                victim.send_signal(signal.SIGKILL)
                killed = True
                break
            time.sleep(0.05)
    _, err = proc.communicate(timeout=600)
    victim.wait()
    assert killed, "the extra worker never got a unit to work on"
    assert proc.returncode == 0, err.decode()[-3000:]
    data, _ = local["all"]
    assert out.read_bytes() == data


def test_inputs_read_over_http(inputs, cluster, local, tmp_path):
    pytest.importorskip("aiohttp")  # fsspec's HTTP file system; part of the cluster extra
    site = inputs["folder"]
    os.symlink(inputs["crawl_warc"], site / "crawl")
    with StaticServer(site) as server:
        out = tmp_path / "http.jsonl"
        # a folder (its listing page) and a file, as the local run names them
        proc = extract(
            server.origin + "/crawl/", server.origin + "/big/large.warc.gz", "-o", out,
            cluster=cluster.address,
        )  # fmt: skip
    assert proc.returncode == 0, proc.stderr.decode()[-3000:]
    data, lines = local["articles"]
    assert out.read_bytes() == data
    ours = stderr_lines(proc)
    assert len(ours) == len(lines)
    assert ours[0].startswith(server.origin + "/big/large.warc.gz: offset ")
    assert ours[0].split(": offset ")[1] == lines[0].split(": offset ")[1]


def test_unreachable_scheduler_one_line_and_nothing_written(inputs, tmp_path):
    out = tmp_path / "never.jsonl"
    proc = extract(
        inputs["crawl_warc"], "-o", out, "-s", "EXTRACT_CLUSTER_CONNECT_TIMEOUT=2",
        cluster="tcp://127.0.0.1:9",
    )  # fmt: skip
    assert proc.returncode == 1
    (line,) = stderr_lines(proc)
    assert line.startswith("error: cannot reach the Dask scheduler at tcp://127.0.0.1:9")
    assert os.listdir(tmp_path) == []
    # an address that is none: a usage error, before anything is tried
    proc = extract(inputs["crawl_warc"], "-o", out, cluster="scheduler-without-port")
    assert proc.returncode == 2
    (line,) = stderr_lines(proc)
    assert line.startswith("error: --cluster scheduler-without-port: missing port")
    assert os.listdir(tmp_path) == []


def test_without_dask_cluster_says_so(inputs, tmp_path):
    # an interpreter where `import distributed` fails, as it does without the extra
    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "distributed.py").write_text("raise ImportError('no dask here')\n")
    env = {"PYTHONPATH": f"{shim}{os.pathsep}{ROOT}"}
    proc = extract(inputs["crawl_warc"], "-o", tmp_path / "x.jsonl", cluster="tcp://h:1", env=env)
    assert proc.returncode == 2
    assert stderr_lines(proc) == [
        "error: --cluster needs Dask: pip install 'caci-analyst-archiver[cluster]'"
    ]
    assert not (tmp_path / "x.jsonl").exists()


def pages_warc(folder: Path, urls: list[str]) -> Path:
    from crawler.warc import Exchange, WarcWriter

    date = datetime(2024, 5, 1, tzinfo=UTC)
    with WarcWriter(folder, prefix="pages") as writer:
        for n, url in enumerate(urls):
            body = (
                f"<html><head><title>Page {n}</title></head><body><article><h1>Page {n}</h1>"
                + f"<p>Paragraph {n} of a page read on the cluster, with enough words.</p>" * 20
                + "</article></body></html>"
            ).encode()
            headers = [(b"Content-Type", b"text/html; charset=utf-8")]
            headers.append((b"Content-Length", b"%d" % len(body)))
            writer.write_exchange(
                Exchange(url, date, "GET", "/", [], "HTTP/1.1", 200, headers, body)
            )
    (path,) = folder.glob("*.warc.gz")
    return path


def test_a_record_that_kills_every_worker_is_reported_and_the_run_goes_on(tmp_path):
    urls = [f"http://example.org/page-{n}.html" for n in range(12)]
    urls[7] = "http://example.org/kill-the-worker.html"
    warc = pages_warc(tmp_path / "in", urls)
    local_out = tmp_path / "local.jsonl"
    proc = extract(warc, "--all-pages", "-o", local_out)
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    env = {
        "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "1",
        # one task per worker at a time: no innocent record dies beside the guilty one, which
        # would make this test depend on where the scheduler puts tasks
        "DASK_DISTRIBUTED__SCHEDULER__WORKER_SATURATION": "1.0",
    }
    poison = str(Path(__file__).with_name("cluster_poison.py"))
    with DaskCluster(tmp_path / "dask", workers=2, nanny=True, env=env, preload=[poison]) as c:
        out = tmp_path / "cluster.jsonl"
        ours = extract(warc, "--all-pages", "-o", out, cluster=c.address)
    assert ours.returncode == 0, ours.stderr.decode()[-3000:]
    expected = [line for line in lines_of(local_out) if b"kill-the-worker" not in line]
    assert lines_of(out) == expected and len(expected) == 11
    skipped, summary = stderr_lines(ours)
    offset = next(json.loads(x)["warc"]["offset"] for x in lines_of(local_out) if b"kill-" in x)
    assert skipped.startswith(f"{warc}: offset {offset}: skipped: its extraction killed")
    assert " 11 pages written " in summary and summary.endswith("; 1 errors")


def lines_of(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


def test_scheduler_gone_mid_run_one_line_and_nothing_written(inputs, tmp_path):
    with DaskCluster(tmp_path / "dask", workers=1) as doomed:
        out = tmp_path / "out" / "gone.jsonl"
        cmd = [
            str(BIN / "scrapy"), "extract", inputs["big"], "--all-pages", "-o", out,
            "--cluster", doomed.address, *UNIT, "-s", "EXTRACT_CLUSTER_CONNECT_TIMEOUT=3",
        ]  # fmt: skip
        proc = subprocess.Popen(list(map(str, cmd)), cwd=ROOT, stderr=subprocess.PIPE)
        with doomed.client() as client:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and proc.poll() is None:
                if any(client.processing().values()):
                    break
                time.sleep(0.05)
        doomed.scheduler.send_signal(signal.SIGKILL)
        _, err = proc.communicate(timeout=300)
    lines = [line for line in err.decode().splitlines() if "Dask dashboard" not in line]
    assert proc.returncode == 1, err.decode()[-3000:]
    assert len(lines) == 1 and lines[0].startswith("error: lost the Dask scheduler at "), lines
    assert os.listdir(tmp_path / "out") == []


def test_progress_is_fed_from_the_cluster(inputs, cluster, local, tmp_path):
    from crawler.cluster.client import extract_on_cluster
    from crawler.cluster.output import open_output
    from crawler.cluster.sources import expand_inputs

    seen = []
    tally = extract_on_cluster(
        cluster.address,
        expand_inputs([str(inputs["crawl_warc"]), str(inputs["big"])]),
        open_output(str(tmp_path / "p.jsonl")),
        all_pages=False,
        max_body=200_000_000,
        unit_bytes=150_000,
        connect_timeout=10,
        report=lambda line: None,
        progress=lambda t: seen.append((t.records, t.articles)),
        announce=lambda line: None,
    )
    assert len(seen) > 5  # a line per unit done, not one at the end
    assert seen == sorted(seen) and seen[-1] == (tally.records, tally.articles)
    assert (tmp_path / "p.jsonl").read_bytes() == local["articles"][0]
