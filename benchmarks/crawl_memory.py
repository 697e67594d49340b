"""Whether memory stays flat: peak memory of a large crawl against a small one.

``python -m benchmarks.crawl_memory [--small 1000] [--large 10000] [--no-backlog-check]``

Two full crawls (project defaults, no delay) of scaled replicas on 127.0.0.1; the figure is
the ``ru_maxrss`` of the large crawl's own process over the small one's (RUSAGE_SELF, written
by the process itself at exit: ``benchmarks/scrapy_rusage.py``). The extraction workers'
peak and the whole process tree's peak RSS are sampled from /proc and printed beside it.

Then the back-pressure check: a crawl whose extraction is made slower than fetching (one
worker, ``PROBE_EXTRACT_DELAY`` of sleep per page, ``benchmarks/probe.py``), sampled every
0.25 s. If the pipeline's waiting did not reach the spider, responses would pile up in
Scrapy without bound; they must stay bounded (by ``SCRAPER_SLOT_MAX_ACTIVE_SIZE``, Scrapy's
own limit on response bytes held by the scraper), with the engine holding requests back and
the RSS flat while the crawl goes on.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from benchmarks.common import crawl, line, with_extension
from benchmarks.scaled_replica import ScaledReplica

TARGET = 1.2
PROBE = "benchmarks.probe.Probe"


def probed_crawl(articles: int, tmp: Path, **settings: str):
    probe_file = tmp / f"probe-{articles}.jsonl"
    with ScaledReplica(articles) as site:
        run = crawl(
            site.base_url,
            tmp / f"out-{articles}",
            {
                "EXTENSIONS": with_extension(PROBE, 990),
                "PROBE_ENABLED": "True",
                "PROBE_FILE": str(probe_file),
                **settings,
            },
        )
    rows = [json.loads(row) for row in probe_file.read_text().splitlines()]
    stats = rows.pop()["stats"] if rows and "stats" in rows[-1] else {}
    return run, rows, stats


def describe(name: str, run, rows, stats) -> None:
    held = max((r["scraper_responses"] for r in rows), default=0)
    print(
        f"  {name}: {stats.get('item_scraped_count', 0)} articles, "
        f"{stats.get('downloader/response_count', 0)} responses in {run.wall:.0f} s; "
        f"crawl process peak {run.maxrss_kb / 1024:.0f} MB, each worker <= "
        f"{run.worker_peak_kb / 1024:.0f} MB, whole tree <= {run.tree_peak_kb / 1024:.0f} MB; "
        f"at most {held} responses held by the scraper",
        flush=True,
    )


def backlog_check(tmp: Path, articles: int, delay: float) -> None:
    run, rows, stats = probed_crawl(
        articles,
        tmp,
        ITEM_PIPELINES=json.dumps(
            {
                "benchmarks.probe.SlowExtractionPipeline": 300,
                "crawler.pipelines.ValidationPipeline": 800,
            }
        ),
        PROBE_EXTRACT_DELAY=str(delay),
        EXTRACT_WORKERS="1",
    )
    describe(f"slow extraction ({delay * 1000:.0f} ms/page, 1 worker)", run, rows, stats)
    in_pipelines = max(r["items_in_pipelines"] for r in rows)
    in_workers = max(r["in_workers"] for r in rows)
    held_bytes = max(r["scraper_bytes"] for r in rows)
    backout = sum(r["backout"] for r in rows) / len(rows)
    # RSS over the middle half of the crawl: flat if back-pressure works
    mid = rows[len(rows) // 4 : 3 * len(rows) // 4]
    first, last = mid[0], mid[-1]
    print(
        f"  back-pressure: at most {in_pipelines} articles in the pipelines at once, "
        f"{in_workers} of them in the workers' hands, {held_bytes / 1e6:.1f} MB of response "
        f"bodies held by the scraper (Scrapy's limit: 5.0 MB), the engine holding "
        f"requests back {backout:.0%} of the time; from t={first['t']:.0f}s to "
        f"t={last['t']:.0f}s responses went {first['responses']} -> {last['responses']} and "
        f"RSS {first['rss_kb'] / 1024:.0f} -> {last['rss_kb'] / 1024:.0f} MB"
    )
    rss_growth = last["rss_kb"] / first["rss_kb"]
    print(line("crawl_memory_backlog_rss_growth", rss_growth, "<= 1.20x, flat"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--large", type=int, default=10_000)
    parser.add_argument("--no-backlog-check", action="store_true")
    parser.add_argument("--backlog-articles", type=int, default=3000)
    parser.add_argument("--backlog-delay", type=float, default=0.05)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        results = {}
        for n in (args.small, args.large):
            results[n] = probed_crawl(n, Path(tmp))
            describe(f"{n} articles", *results[n])
        small, large = results[args.small][0], results[args.large][0]
        print(
            line(
                "crawl_memory",
                large.maxrss_kb / small.maxrss_kb,
                f"<= {TARGET:.2f}x",
                f"ru_maxrss {args.large} articles / {args.small} articles",
            ),
            flush=True,
        )
        if not args.no_backlog_check:
            backlog_check(Path(tmp), args.backlog_articles, args.backlog_delay)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
