"""`scrapy extract` against bare trafilatura on the same HTML, and against itself on 2 workers.

``python -m benchmarks.extract_speed [--pages FILE_OR_GLOB...] [--repeat 5] [--articles 600]``

The pages: with ``--pages``, HTML files (``.html`` or ``.html.gz``; e.g. the 181 real article
pages of ``../shared/bench-data/zyte-aeb/html/*.html.gz``, with their URLs from the
``ground-truth.json`` beside that folder), written ``--repeat`` times each into a WARC file in a
temporary folder (they are evaluation data: nothing is kept); without it, the WARC files of a
crawl of a scaled replica of ``--articles`` articles that the script makes itself, copied
``--repeat`` times. Repeating makes each run long enough (tens of seconds) that the command's
start (about 0.7 s, and a second or so more for ``-j 2`` workers to import their modules)
does not decide the figures.

Measured, alternately, each in a process of its own:

- bare: ``trafilatura.extract(html)`` with its defaults, over the pages already decoded to
  text and in memory; the loop only (imports excluded);
- bare with the command's options: the same loop asking what ``scrapy extract`` asks of
  trafilatura for a page that is no K2 item (JSON with metadata, comments off), which tells
  what the command adds apart from the metadata it needs;
- ``scrapy extract --all-pages WARC_DIR -o FILE -j 1``, the whole command from start to exit:
  reading and decoding the WARC records, the K2 reading or trafilatura's, the schema check,
  the JSON Lines;
- the same with ``-j 2``.

Each is timed by the clock (pages/s) and, for the single-process runs, by the CPU time of
its process (user + system, from ``wait4``): on a machine shared with other work the clock
measures the neighbours too, the CPU time does not.

The pages are the HTML responses ``--all-pages`` turns into records, read back with
``crawler.warc.read`` exactly as the command reads them. Figures: median over rounds of
(command pages/s) / (bare pages/s), for both bare variants, by the clock and by CPU time, and
of (-j 2 pages/s) / (-j 1 pages/s) by the clock. The -j 2 figure needs two idle cores: with N
other busy processes on a 2-core machine, the scheduler's fair shares cap it at
2(N+1)/(N+2) (1.5x for N = 2), so each round prints the load average it ran under.
"""

from __future__ import annotations

import argparse
import glob
import gzip
import json
import os
import pickle
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.common import ROOT, crawl, line
from benchmarks.scaled_replica import ScaledReplica

TARGET_BARE = 0.9
TARGET_JOBS = 1.8


def page_files(patterns: list[str]) -> list[Path]:
    found: list[Path] = []
    for pattern in patterns:
        matches = sorted(glob.glob(pattern)) or [pattern]
        found += [Path(m) for m in matches if Path(m).is_file()]
    if not found:
        raise SystemExit(f"no page files in {patterns}")
    return found


def page_urls(files: list[Path]) -> dict[str, str]:
    """Each page's URL from a ground-truth.json beside its folder (the zyte-aeb layout)."""
    urls: dict[str, str] = {}
    for folder in {f.parent for f in files}:
        for truth in (folder / "ground-truth.json", folder.parent / "ground-truth.json"):
            if truth.is_file():
                for key, value in json.loads(truth.read_text("utf-8")).items():
                    if isinstance(value, dict) and value.get("url"):
                        urls[key] = value["url"]
    return urls


def warc_of_pages(files: list[Path], repeat: int, folder: Path) -> None:
    from crawler.warc import Exchange, WarcWriter

    urls = page_urls(files)
    date = datetime.now(UTC)
    with WarcWriter(folder, prefix="pages") as writer:
        for _ in range(repeat):
            for f in files:
                body = f.read_bytes()
                if f.name.endswith(".gz"):
                    body = gzip.decompress(body)
                name = f.name.split(".")[0]
                url = urls.get(name) or f"http://pages.invalid/{name}.html"
                writer.write_exchange(
                    Exchange(
                        url=url,
                        date=date,
                        method="GET",
                        target="/",
                        request_headers=[],
                        protocol="HTTP/1.1",
                        status=200,
                        response_headers=[
                            (b"Content-Type", b"text/html; charset=utf-8"),
                            (b"Content-Length", b"%d" % len(body)),
                        ],
                        body=body,
                    )
                )


def html_pages(folder: Path) -> list[str]:
    """The pages `scrapy extract --all-pages` makes records of, decoded as it decodes them."""
    from crawler.extract.article import decode
    from crawler.records import article_capture, wanted
    from crawler.warc.inputs import find_warc_files
    from crawler.warc.read import Capture, iter_records

    out = []
    for path in find_warc_files([folder]):
        for event in iter_records(path, lambda c: wanted(c, all_pages=True)):
            if isinstance(event, Capture):
                capture = article_capture(event, all_pages=True)
                if capture is not None:
                    out.append(decode(capture.body, capture.content_type))
    return out


# what `scrapy extract` asked of trafilatura for a page that is no K2 item before it read the
# page's declared metadata itself: the text and trafilatura's metadata pass, as JSON
COMMAND_OPTIONS = {
    "output_format": "json",
    "with_metadata": True,
    "include_comments": False,
    "include_tables": True,
    "deduplicate": False,
}


def bare_worker(pickled: str, options: str) -> None:
    """In its own process: trafilatura over the pages, the loop timed."""
    import trafilatura

    kwargs = COMMAND_OPTIONS if options == "command" else {}
    with open(pickled, "rb") as f:
        pages = pickle.load(f)
    started, cpu = time.perf_counter(), time.process_time()
    for html in pages:
        trafilatura.extract(html, **kwargs)
    print(time.perf_counter() - started, time.process_time() - cpu)


def run_bare(pickled: Path, options: str = "default") -> tuple[float, float]:
    """Seconds of the loop: by the clock, and of CPU."""
    cmd = [sys.executable, "-m", "benchmarks.extract_speed", "--bare-worker", str(pickled)]
    cmd += ["--bare-options", options]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True)
    wall, cpu = done.stdout.strip().splitlines()[-1].split()
    return float(wall), float(cpu)


def run_command(warc_dir: Path, out: Path, jobs: int) -> tuple[float, float, str]:
    """Seconds from start to exit, by the clock and of CPU (the command's own process), and
    the command's summary line."""
    cmd = [sys.executable, "-m", "scrapy", "extract", "--all-pages", str(warc_dir)]
    cmd += ["-o", str(out), "-j", str(jobs)]
    started = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        err.seek(0)
        said = err.read().decode("utf-8", "replace")
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"scrapy extract failed ({status}): {said[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, said.strip().splitlines()[-1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", nargs="+", metavar="FILE_OR_GLOB")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--articles", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--bare-worker", help=argparse.SUPPRESS)
    parser.add_argument("--bare-options", default="default", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.bare_worker:
        bare_worker(args.bare_worker, args.bare_options)
        return 0

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        warc_dir = tmp_path / "warc"
        if args.pages:
            files = page_files(args.pages)
            warc_of_pages(files, args.repeat, warc_dir)
            source = f"{len(files)} page files x {args.repeat}"
        else:
            crawled = tmp_path / "crawled"
            with ScaledReplica(args.articles) as site:
                crawl(site.base_url, tmp_path / "crawl", {"WARC_DIR": str(crawled)})
            warc_dir.mkdir()
            for k in range(args.repeat):
                for path in crawled.glob("*.warc.gz"):
                    shutil.copyfile(path, warc_dir / f"copy{k}-{path.name}")
            source = f"the WARC files of a {args.articles}-article replica crawl x {args.repeat}"
        pages = html_pages(warc_dir)
        pickled = tmp_path / "pages.pickle"
        pickled.write_bytes(pickle.dumps(pages))
        print(f"  {len(pages)} HTML pages ({source})", flush=True)

        names = ("bare", "bare_same", "j1", "j2", "bare_cpu", "bare_same_cpu", "j1_cpu")
        rates: dict[str, list[float]] = {name: [] for name in names}
        for i in range(args.rounds):
            for name, options in (("bare", "default"), ("bare_same", "command")):
                wall, cpu = run_bare(pickled, options)
                rates[name].append(len(pages) / wall)
                rates[f"{name}_cpu"].append(len(pages) / cpu)
            for jobs in (1, 2):
                wall, cpu, summary = run_command(warc_dir, tmp_path / f"out-{jobs}.jsonl", jobs)
                rates[f"j{jobs}"].append(len(pages) / wall)
                if jobs == 1:
                    rates["j1_cpu"].append(len(pages) / cpu)
            load = os.getloadavg()[0]
            print(
                f"  round {i + 1} (load average {load:.1f} on {os.cpu_count()} CPUs): "
                f"bare {rates['bare'][-1]:.1f}, bare with the command's "
                f"options {rates['bare_same'][-1]:.1f}, -j 1 {rates['j1'][-1]:.1f}, "
                f"-j 2 {rates['j2'][-1]:.1f} pages/s; by CPU time: bare "
                f"{rates['bare_cpu'][-1]:.1f}, -j 1 {rates['j1_cpu'][-1]:.1f} pages/s",
                flush=True,
            )
        print(f"  scrapy extract said: {summary}")
    vs_bare = [c / b for c, b in zip(rates["j1"], rates["bare"], strict=True)]
    vs_bare_cpu = [c / b for c, b in zip(rates["j1_cpu"], rates["bare_cpu"], strict=True)]
    vs_same = [c / b for c, b in zip(rates["j1"], rates["bare_same"], strict=True)]
    vs_j1 = [j2 / j1 for j2, j1 in zip(rates["j2"], rates["j1"], strict=True)]
    print(
        line(
            "extract_speed_vs_trafilatura",
            statistics.median(vs_bare),
            f">= {TARGET_BARE:.2f}x",
            "scrapy extract --all-pages -j 1 pages/s / bare trafilatura.extract pages/s",
        )
    )
    print(
        line(
            "extract_speed_vs_trafilatura_cpu",
            statistics.median(vs_bare_cpu),
            f">= {TARGET_BARE:.2f}x",
            "the same by CPU time of each process (what the neighbours on the machine leave)",
        )
    )
    print(
        line(
            "extract_speed_vs_trafilatura_same_options",
            statistics.median(vs_same),
            f">= {TARGET_BARE:.2f}x",
            "the same, bare trafilatura.extract with the command's options (JSON + metadata)",
        )
    )
    print(
        line(
            "extract_speed_j2_vs_j1",
            statistics.median(vs_j1),
            f">= {TARGET_JOBS:.2f}x",
            "scrapy extract -j 2 pages/s / -j 1 pages/s",
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
