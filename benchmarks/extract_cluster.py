"""`scrapy extract --cluster` against the local run, and one Dask worker against two.

``python -m benchmarks.extract_cluster [--warc DIR] [--articles 300] [--repeat 3] [--rounds 1]``

The input: the WARC files in ``--warc``, or those of a crawl of a scaled replica of
``--articles`` articles that the script makes itself, copied ``--repeat`` times into one folder
(in a temporary folder; nothing is kept). The work units are made small
(``EXTRACT_CLUSTER_UNIT_BYTES``, ``--unit-bytes``) so that input of a few MB spreads over the
workers as a large collection does with the default 32 MB.

Measured in each round, one after the other, each the whole command from start to exit, with
``--all-pages``:

- the local run, ``-j 2`` (two worker processes on this machine's two cores);
- the cluster with one worker process (``dask worker --nthreads 1``), then with two, on the
  same machine: scheduler and workers are started before the round (as a user has them
  running) and are not timed; the command's connection, planning, record-start scans,
  transfers and output are.

Figures: pages/s of each; (two workers pages/s) / (one worker pages/s), target >= 1.8x; and the
cluster's overhead on the same cores, (local -j 2 pages/s) / (two workers pages/s), target
<= 1.15x. Last, the measured per-core rate (MB of WARC per second with one worker) and, on
paper, what a 1 TB collection costs on N worker cores at that rate.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import ROOT, crawl, line
from benchmarks.scaled_replica import ScaledReplica

TARGET_SCALING = 1.8
TARGET_OVERHEAD = 1.15


def run(args: list[str], out: Path) -> tuple[float, int, str]:
    """``scrapy extract ARGS -o OUT --all-pages``: wall seconds, pages written, summary."""
    if out.exists():
        out.unlink()
    cmd = [sys.executable, "-m", "scrapy", "extract", "--all-pages", *args, "-o", str(out)]
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"scrapy extract failed ({done.returncode}): {done.stderr[-2000:]}")
    pages = out.read_bytes().count(b"\n")
    return wall, pages, done.stderr.strip().splitlines()[-1]


def _spin(_: int) -> float:
    started = time.perf_counter()
    x = 0
    for i in range(20_000_000):
        x += i
    return time.perf_counter() - started


def parallel_capacity() -> float:
    """How many times one CPU-bound process's speed two of them get together, right now: 2.0
    on two idle cores, less when other work holds the machine's cores."""
    import multiprocessing

    with multiprocessing.get_context("spawn").Pool(2) as pool:
        one = pool.map(_spin, [0])[0]
        two = max(pool.map(_spin, [0, 1]))
    return 2 * one / two


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warc", type=Path, help="a folder of WARC files to read")
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--unit-bytes", type=int, default=400_000)
    args = parser.parse_args(argv)

    from tests.dask_cluster import DaskCluster  # the tests' cluster: real `dask` processes

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        warc_dir = tmp_path / "warc"
        warc_dir.mkdir()
        if args.warc:
            source = str(args.warc)
            sources = sorted(args.warc.rglob("*.warc.gz")) + sorted(args.warc.rglob("*.warc"))
        else:
            crawled = tmp_path / "crawled"
            with ScaledReplica(args.articles) as site:
                crawl(site.base_url, tmp_path / "crawl", {"WARC_DIR": str(crawled)})
            sources = sorted(crawled.glob("*.warc.gz"))
            source = f"the WARC files of a {args.articles}-article replica crawl"
        for k in range(args.repeat):
            for path in sources:
                shutil.copyfile(path, warc_dir / f"copy{k}-{path.name}")
        size = sum(p.stat().st_size for p in warc_dir.iterdir())
        print(f"  {size / 1e6:.1f} MB of WARC ({source} x {args.repeat})", flush=True)
        unit = ["-s", f"EXTRACT_CLUSTER_UNIT_BYTES={args.unit_bytes}"]

        rates: dict[str, list[float]] = {"local": [], "one": [], "two": []}
        mb_per_s_one: list[float] = []
        summaries = {}
        capacity: list[float] = []
        for i in range(args.rounds):
            before = parallel_capacity()
            wall, pages, summaries["local"] = run([str(warc_dir), "-j", "2"], tmp_path / "l.jsonl")
            rates["local"].append(pages / wall)
            expected = (tmp_path / "l.jsonl").read_bytes()
            for name, workers in (("one", 1), ("two", 2)):
                with DaskCluster(tmp_path / f"dask-{name}-{i}", workers=workers) as cluster:
                    out = tmp_path / f"{name}.jsonl"
                    wall, pages, summaries[name] = run(
                        [str(warc_dir), "--cluster", cluster.address, *unit], out
                    )
                if out.read_bytes() != expected:
                    raise SystemExit(f"the cluster ({name} worker) wrote other records")
                rates[name].append(pages / wall)
                if name == "one":
                    mb_per_s_one.append(size / 1e6 / wall)
            capacity.append((before + parallel_capacity()) / 2)
            print(
                f"  round {i + 1}: local -j 2 {rates['local'][-1]:.1f}, cluster 1 worker "
                f"{rates['one'][-1]:.1f}, 2 workers {rates['two'][-1]:.1f} pages/s "
                f"(outputs identical); two CPU-bound processes get {capacity[-1]:.2f}x one's speed "
                "on this machine right now",
                flush=True,
            )
        print(f"  scrapy extract said: {summaries['two']}")
    scaling = statistics.median(t / o for t, o in zip(rates["two"], rates["one"], strict=True))
    overhead = statistics.median(
        loc / t for loc, t in zip(rates["local"], rates["two"], strict=True)
    )
    print(
        line(
            "extract_cluster_two_vs_one_worker",
            scaling,
            f">= {TARGET_SCALING:.2f}x",
            "pages/s with 2 worker processes / with 1",
        )
    )
    print(
        line(
            "extract_cluster_overhead",
            overhead,
            f"<= {TARGET_OVERHEAD:.2f}x",
            "local -j 2 pages/s / cluster with 2 workers pages/s, same 2 cores",
        )
    )
    print(
        f"  the machine: two CPU-bound processes got {statistics.median(capacity):.2f}x the "
        "speed of one (2.00x on two idle cores); two workers vs one, scaled to two idle cores: "
        f"{scaling / statistics.median(capacity) * 2:.2f}x"
    )
    per_core = statistics.median(mb_per_s_one)
    print(f"  per core: {per_core:.2f} MB of WARC/s, {statistics.median(rates['one']):.1f} pages/s")
    for cores in (16, 64, 256, 1024):
        hours = 1e12 / (per_core * 1e6 * cores) / 3600
        print(f"  1 TB of such WARC files on {cores} worker cores: {hours:.1f} h")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
