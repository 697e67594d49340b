"""`scrapy extract --cluster` against the local run, and one Dask worker against two.

``python -m benchmarks.extract_cluster [--warc DIR] [--articles 300] [--repeat 3] [--rounds 3]``

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
<= 1.15x. Wall-clock ratios need the two cores free: on a machine shared with other work they
say as much about the neighbours as about the code. So the script also measures how much
parallel speed the machine gives right now (two CPU-bound processes against one: 2.00x when
both cores are free) and the CPU seconds per page of each run (the command and its worker
processes; for the cluster also the scheduler and the workers), whose ratio is the cluster's
overhead whatever else runs. Last, the measured per-core rate (MB of WARC per second with one
worker) and, on paper, what a 1 TB collection costs on N worker cores at that rate.
"""

from __future__ import annotations

import argparse
import os
import resource
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


def _cpu_of(pid: int) -> float:
    """User + system CPU seconds of a live process (Linux)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


BALANCE: list[float] = []  # per two-worker run: the smaller worker's share of the workers' CPU


def run(args: list[str], out: Path, others: list[int] = ()) -> tuple[float, float, int, str]:
    """``scrapy extract ARGS -o OUT --all-pages``: wall seconds, CPU seconds (the command, its
    worker processes, and the ``others``: the cluster's scheduler and workers), pages written,
    and the summary line."""
    if out.exists():
        out.unlink()
    cmd = [sys.executable, "-m", "scrapy", "extract", "--all-pages", *args, "-o", str(out)]
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    each = [_cpu_of(pid) for pid in others]
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
    each = [_cpu_of(pid) - before for pid, before in zip(others, each, strict=True)]
    cpu += sum(each)
    if len(others) == 3:  # scheduler and two workers
        BALANCE.append(min(each[1:]) / max(sum(each[1:]), 1e-9))
    if done.returncode != 0:
        raise SystemExit(f"scrapy extract failed ({done.returncode}): {done.stderr[-2000:]}")
    pages = out.read_bytes().count(b"\n")
    return wall, cpu, pages, done.stderr.strip().splitlines()[-1]


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
    parser.add_argument("--rounds", type=int, default=3)
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
        cpu_per_page: dict[str, list[float]] = {"local": [], "one": [], "two": []}
        mb_per_s_one: list[float] = []
        mb_per_cpu_s: list[float] = []
        capacity: list[float] = []
        expected = None
        for i in range(args.rounds):
            before = parallel_capacity()
            # the order turns from round to round: a machine shared with other work is not
            # equally busy all the time
            order = ["local", "one", "two"]
            order = order[i % 3 :] + order[: i % 3]
            for name in order:
                out = tmp_path / f"{name}.jsonl"
                if name == "local":
                    wall, cpu, pages, summary = run([str(warc_dir), "-j", "2"], out)
                else:
                    workers = 1 if name == "one" else 2
                    with DaskCluster(tmp_path / f"dask-{name}-{i}", workers=workers) as cluster:
                        pids = [p.pid for p in [cluster.scheduler, *cluster.workers]]
                        wall, cpu, pages, summary = run(
                            [str(warc_dir), "--cluster", cluster.address, *unit], out, pids
                        )
                expected = expected or out.read_bytes()
                if out.read_bytes() != expected:
                    raise SystemExit(f"{name}: other records than the first run's")
                rates[name].append(pages / wall)
                cpu_per_page[name].append(cpu / pages)
                if name == "one":
                    mb_per_s_one.append(size / 1e6 / wall)
                    mb_per_cpu_s.append(size / 1e6 / cpu)
            capacity.append((before + parallel_capacity()) / 2)
            print(
                f"  round {i + 1}: local -j 2 {rates['local'][-1]:.1f}, cluster 1 worker "
                f"{rates['one'][-1]:.1f}, 2 workers {rates['two'][-1]:.1f} pages/s "
                f"(outputs identical); two CPU-bound processes got {capacity[-1]:.2f}x one's "
                "speed on this machine meanwhile",
                flush=True,
            )
        print(f"  scrapy extract said: {summary}")
    scaling = statistics.median(t / o for t, o in zip(rates["two"], rates["one"], strict=True))
    overhead = statistics.median(
        loc / t for loc, t in zip(rates["local"], rates["two"], strict=True)
    )
    cpu_overhead = statistics.median(cpu_per_page["two"]) / statistics.median(cpu_per_page["local"])
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
        line(
            "extract_cluster_cpu_overhead",
            cpu_overhead,
            f"<= {TARGET_OVERHEAD:.2f}x",
            "CPU seconds per page, cluster with 2 workers (command, scheduler, workers) / "
            "local -j 2 (command and its workers): the overhead whatever else runs",
        )
    )
    print(
        f"  with two workers, the one that did less did {100 * statistics.median(BALANCE):.0f}% "
        "of the workers' CPU work (50% is an even split: on two free cores, half the time)"
    )
    print(
        f"  the machine: two CPU-bound processes got {statistics.median(capacity):.2f}x the "
        "speed of one during the runs (2.00x on two free cores)"
    )
    per_core = statistics.median(mb_per_cpu_s)
    print(
        f"  per core: {per_core:.2f} MB of WARC per CPU second with one worker "
        f"({1 / statistics.median(cpu_per_page['one']):.1f} pages per CPU second; wall clock: "
        f"{statistics.median(mb_per_s_one):.2f} MB/s, {statistics.median(rates['one']):.1f} "
        "pages/s)"
    )
    for cores in (16, 64, 256, 1024):
        hours = 1e12 / (per_core * 1e6 * cores) / 3600
        print(f"  1 TB of such WARC files on {cores} worker cores: {hours:.1f} h")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
