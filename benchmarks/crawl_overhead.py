"""What archiving costs: the full crawl against plain Scrapy fetching the same pages.

``python -m benchmarks.crawl_overhead [--articles N] [--rounds N] [--in-process] [--concurrency N]``

One scaled replica (``benchmarks/scaled_replica.py``) on 127.0.0.1, crawled with no delay,
alternately by

- plain: ``scrapy crawl analyst`` with ``WARC_ENABLED``, ``EXTRACT_ENABLED``,
  ``VALIDATE_ENABLED`` off and ``FEEDS={}``: Scrapy, the spider and its link following only;
- full: the project's defaults: WARC capture, extraction (in worker processes), validation and
  the JSON Lines feed.

Both crawl the same pages: nothing the spider requests depends on what is archived or
extracted (requisites and PDFs are followed in both), and the replica's own log of every
response it sent is compared between runs: the script stops if any run fetched a different
multiset of URLs. Packaging (CDXJ + WACZ, ``PACKAGE_ENABLED``) is a separate step after the
crawl and is off in both. The figure is the median over rounds of full wall time / plain wall
time, each a whole ``scrapy crawl`` process from start to exit.

``--in-process`` adds a third crawl per round, the full one with ``EXTRACT_WORKERS=0``
(extraction in the crawl process, on the reactor's thread), for comparison. ``--concurrency``
sets ``CONCURRENT_REQUESTS_PER_DOMAIN`` (and ``CONCURRENT_REQUESTS``) for all crawls; the
default, 1, is the project's: one request at a time, so the crawl process waits for the
replica between pages and can extract meanwhile; with more, fetching alone keeps it busy.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
from collections import Counter
from pathlib import Path

from benchmarks.common import PLAIN, crawl, line
from benchmarks.scaled_replica import ScaledReplica

TARGET = 1.25


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--in-process", action="store_true")
    parser.add_argument("--concurrency", type=int, default=1)
    args = parser.parse_args(argv)

    common = {}
    if args.concurrency != 1:
        common = {
            "CONCURRENT_REQUESTS_PER_DOMAIN": str(args.concurrency),
            "CONCURRENT_REQUESTS": str(max(args.concurrency, 4)),
        }
    variants = {"plain": {**PLAIN, **common}, "full": common}
    if args.in_process:
        variants["in-process"] = {"EXTRACT_WORKERS": "0", **common}
    walls: dict[str, list[float]] = {kind: [] for kind in variants}
    cpus: dict[str, list[float]] = {kind: [] for kind in variants}
    fetched: Counter | None = None
    with ScaledReplica(args.articles) as site, tempfile.TemporaryDirectory() as tmp:
        for i in range(args.rounds):
            for kind, settings in variants.items():
                site.reset()
                out = Path(tmp) / f"{kind}-{i}"
                run = crawl(site.base_url, out, settings)
                shutil.rmtree(out)
                pages = Counter(f"{e['method']} {e['path']}" for e in site.log)
                if fetched is None:
                    fetched = pages
                elif pages != fetched:
                    diff = (pages - fetched) + (fetched - pages)
                    raise SystemExit(f"{kind} run {i} fetched other pages: {sorted(diff)[:10]}")
                walls[kind].append(run.wall)
                cpus[kind].append(run.cpu)
                print(
                    f"  round {i + 1} {kind}: {run.wall:.1f} s wall, {run.cpu:.1f} s CPU",
                    flush=True,
                )
    ratios = [f / p for f, p in zip(walls["full"], walls["plain"], strict=True)]
    items = sum(n for page, n in fetched.items() if "/item/" in page)
    print(
        f"  {sum(fetched.values())} responses per crawl ({items} article pages), the same "
        f"in all {len(variants) * args.rounds} crawls"
    )
    for kind in variants:
        print(
            f"  {kind}: median {statistics.median(walls[kind]):.1f} s wall, "
            f"{statistics.median(cpus[kind]):.1f} s CPU in the crawl process"
        )
    print(
        line(
            "crawl_overhead",
            statistics.median(ratios),
            f"<= {TARGET:.2f}x",
            "full / plain wall time, per round: " + ", ".join(f"{r:.2f}" for r in ratios),
        )
    )
    if args.in_process:
        ratios = [f / p for f, p in zip(walls["in-process"], walls["plain"], strict=True)]
        print(
            line(
                "crawl_overhead_in_process",
                statistics.median(ratios),
                "none: for comparison",
                "EXTRACT_WORKERS=0 / plain, per round: " + ", ".join(f"{r:.2f}" for r in ratios),
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
