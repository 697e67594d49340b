"""The full crawl against a bare Scrapy spider fetching exactly the same URLs.

``python -m benchmarks.crawl_vs_bare [--articles N] [--rounds N] [--concurrency C]``

One scaled replica (``benchmarks/scaled_replica.py``) on 127.0.0.1. Each round, alternately:

- full: ``scrapy crawl analyst`` with the project's defaults (WARC capture, extraction in worker
  processes, validation, the JSON Lines feed; packaging is a separate step, off), no delay,
  C requests at a time per host;
- bare: ``benchmarks/bare_spider.py``, a plain ``scrapy.Spider`` outside the project, same
  concurrency, no delay, whose start URLs are the exact list of URLs the full crawl fetched,
  read from the replica's log (and checked against the bare run's log: same multiset);
- links: the same bare spider also reading each HTML page's links (Scrapy's own parse, nothing
  followed): what any crawler that finds its URLs on the pages pays before it archives anything.

Prints, per round and as the median, the ratio of wall times (full / bare, each a whole process
from start to exit) and the crawl process's CPU time per response for both.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from benchmarks.common import FAST, ROOT, line, run_scrapy, settings_args
from benchmarks.scaled_replica import ScaledReplica

TARGET = 1.05


def machine_cpu() -> float:
    """CPU seconds every process of the machine has used (the crawl, its extraction workers
    under the forkserver, the replica): the machine is otherwise quiet while this runs."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def bare(urls: list[str], concurrency: int, tmp: Path, links: bool = False) -> tuple[float, float]:
    url_file, usage_file = tmp / "urls.txt", tmp / "usage.json"
    url_file.write_text("\n".join(urls) + "\n", "utf-8")
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bare_spider.py"), str(url_file),
         str(usage_file), str(concurrency), *(["links"] if links else [])],
        cwd=tmp, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    wall = time.perf_counter() - started
    return wall, json.loads(usage_file.read_text())["cpu"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE",
        help="a setting of the full crawl (e.g. EXTRACT_ENABLED=False, to see what is left)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    settings = {
        "CONCURRENT_REQUESTS_PER_DOMAIN": str(args.concurrency),
        "CONCURRENT_REQUESTS": str(max(args.concurrency, 4)),
        **dict(item.split("=", 1) for item in args.set),
    }
    # An installed project starts from bytecode, as Scrapy and the bare spider do here; this
    # machine may be told not to write it (PYTHONDONTWRITEBYTECODE): 70 ms of every start
    for package in ("crawler", "spiders"):
        compileall.compile_dir(ROOT / package, quiet=1)
    walls: dict[str, list[float]] = {"full": [], "bare": [], "links": []}
    cpus: dict[str, list[float]] = {"full": [], "bare": [], "links": []}
    # all the CPU a run costs the machine: crawl process, its workers, the replica
    machine: dict[str, list[float]] = {"full": [], "bare": []}
    cores = os.cpu_count() or 1
    responses = 0
    with ScaledReplica(args.articles) as site, tempfile.TemporaryDirectory() as tmp:
        for i in range(args.rounds):
            site.reset()
            before = machine_cpu()
            run = run_scrapy(
                ["crawl", "analyst", "-a", f"base_url={site.base_url}",
                 "-s", f"OUTPUT_DIR={Path(tmp) / f'full-{i}'}",
                 *settings_args({**FAST, **settings})]
            )  # fmt: skip
            if run.returncode not in (0, 10):  # 10: nothing exported, as with extraction off
                raise SystemExit(f"the crawl failed ({run.returncode}):\n{run.stderr[-3000:]}")
            machine["full"].append(machine_cpu() - before)
            fetched = Counter(e["path"] for e in site.log)
            urls = [site.base_url.rstrip("/") + p for p, n in fetched.items() if p != "/robots.txt"]
            site.reset()
            before = machine_cpu()
            wall, cpu = bare(urls, args.concurrency, Path(tmp))
            machine["bare"].append(machine_cpu() - before)
            again = Counter(e["path"] for e in site.log)
            if again != fetched:
                diff = (again - fetched) + (fetched - again)
                raise SystemExit(f"the bare spider fetched other pages: {sorted(diff)[:10]}")
            responses = sum(fetched.values())
            site.reset()
            links_wall, links_cpu = bare(urls, args.concurrency, Path(tmp), links=True)
            walls["links"].append(links_wall)
            cpus["links"].append(links_cpu)
            walls["full"].append(run.wall)
            cpus["full"].append(run.cpu)
            walls["bare"].append(wall)
            cpus["bare"].append(cpu)
            print(
                f"  round {i + 1}: full {run.wall:.1f} s wall, {run.cpu:.1f} s CPU "
                f"(machine {machine['full'][-1]:.1f} s); bare {wall:.1f} s wall, {cpu:.1f} s CPU "
                f"(machine {machine['bare'][-1]:.1f} s); links {links_wall:.1f} s wall, "
                f"{links_cpu:.1f} s CPU",
                flush=True,
            )
    ratios = [f / b for f, b in zip(walls["full"], walls["bare"], strict=True)]
    print(f"  {responses} responses per crawl, at {args.concurrency} per host")
    for kind in walls:
        cpu = statistics.median(cpus[kind])
        print(
            f"  {kind}: median {statistics.median(walls[kind]):.1f} s wall, "
            f"{cpu * 1000 / responses:.1f} ms CPU per response in the crawl process"
        )
    # the full crawl can take no less than its machine CPU spread over every core
    floor = statistics.median(machine["full"]) / cores / statistics.median(walls["bare"])
    full_cpu, bare_cpu = statistics.median(machine["full"]), statistics.median(machine["bare"])
    print(
        f"  machine CPU (crawl, workers, replica, all processes): full {full_cpu:.1f} s, "
        f"bare {bare_cpu:.1f} s; on {cores} cores the full crawl "
        f"cannot take less than {floor:.2f}x the bare spider's wall time"
    )
    reads = [r / b for r, b in zip(walls["links"], walls["bare"], strict=True)]
    print(
        f"  reading each page's links alone (links / bare): {statistics.median(reads):.2f}x "
        f"the bare spider's wall time (per round: {', '.join(f'{r:.2f}' for r in reads)})"
    )
    print(
        line(
            f"crawl_vs_bare_c{args.concurrency}",
            statistics.median(ratios),
            f"<= {TARGET:.2f}x",
            "full / bare wall time, per round: " + ", ".join(f"{r:.2f}" for r in ratios),
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
