"""`scrapy extract INPUT... -o FILE`: the article records, read again from WARC, ARC and WACZ files.

The archive is the source of truth and extraction improves over time, so records can be made
again from any archive (ours or another tool's) without fetching anything. The work is in
``crawler.records`` and ``crawler.warc``; this is option handling and the terminal.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from scrapy.commands import ScrapyCommand

from crawler.errors import PreflightError
from crawler.preflight import RULES, check_value
from crawler.warc.inputs import find_warc_files, sniff

if TYPE_CHECKING:  # Scrapy imports every command for any command: the extraction on use only
    from crawler.records import Tally

#: what -o may be named: the one format written is JSON Lines
OUTPUT_SUFFIXES = (".jsonl", ".jl", ".ndjson")


def fail(message: str) -> NoReturn:
    print(f"error: {message}", file=sys.stderr, flush=True)
    sys.exit(2)


class Progress:
    """One self-rewriting line on a terminal; nothing at all when stderr is a file or pipe."""

    def __init__(self, stream, interval: float = 0.2):
        self.stream = stream
        self.enabled = stream.isatty()
        self.interval = interval
        self.started = time.monotonic()
        self.shown = 0.0
        self.width = 0

    def __call__(self, tally: Tally) -> None:
        now = time.monotonic()
        if not self.enabled or now - self.shown < self.interval:
            return
        self.shown = now
        rate = tally.records / max(now - self.started, 1e-6)
        line = (
            f"{tally.records} records read, {tally.articles} articles written, {rate:.0f} records/s"
        )
        self.stream.write("\r" + line.ljust(self.width))
        self.stream.flush()
        self.width = len(line)

    def clear(self) -> None:
        if self.enabled and self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
            self.width = 0


def summary(tally: Tally, output: str, all_pages: bool = False) -> str:
    files = f"{tally.files} file{'' if tally.files == 1 else 's'}"
    written = "pages" if all_pages else "articles"
    return (
        f"extract: {files}, {tally.records} records, {tally.articles} {written} written to "
        f"{output}; skipped {tally.revisit} revisit, {tally.truncated} truncated, "
        f"{tally.not_article} other responses, {tally.no_text} without text, "
        f"{tally.too_large} over EXTRACT_MAX_PAGE_BYTES, {tally.invalid} invalid; "
        f"{tally.errors} errors"
    )


# --- --cluster: the work is in crawler.cluster; this is options and the terminal -----------


def prepare_cluster(
    args: list[str], output: str, cluster: str, settings, fail: Callable[[str], NoReturn]
):
    """The inputs and output of a cluster run, checked before anything is written."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        fail("--cluster needs Dask: pip install 'caci-analyst-archiver[cluster]'")
    from crawler.cluster.client import address_problem
    from crawler.cluster.output import OutputError, open_output
    from crawler.cluster.sources import InputError, expand_inputs
    from crawler.preflight import RULES, PreflightError, check_value

    if problem := address_problem(cluster):
        fail(f"--cluster {cluster}: {problem} (give tcp://HOST:PORT)")
    try:
        for name in ("EXTRACT_CLUSTER_UNIT_BYTES", "EXTRACT_CLUSTER_CONNECT_TIMEOUT"):
            check_value(name, RULES[name], settings.get(name))
    except PreflightError as exc:
        fail(str(exc))
    try:
        sources = expand_inputs(args)
    except InputError as exc:
        fail(str(exc))
    if output != "-" and str(Path(output).resolve()) in {s.location for s in sources}:
        fail(f"-o {output} would overwrite a WARC file being read")
    try:
        return sources, open_output(output)
    except OutputError as exc:
        fail(str(exc))


def run_on_cluster(prepared, opts, settings, report, progress) -> Tally:
    from crawler.cluster.client import ClusterError, extract_on_cluster

    sources, output = prepared
    try:
        return extract_on_cluster(
            opts.cluster,
            sources,
            output,
            all_pages=opts.all_pages,
            max_body=settings.getint("EXTRACT_MAX_PAGE_BYTES"),  # as the local run's
            unit_bytes=settings.getint("EXTRACT_CLUSTER_UNIT_BYTES"),
            connect_timeout=settings.getfloat("EXTRACT_CLUSTER_CONNECT_TIMEOUT"),
            report=report,
            progress=progress,
            announce=report,
        )
    except ClusterError as exc:
        progress.clear()
        print(f"error: {exc}", file=sys.stderr, flush=True)
        sys.exit(1)
    except KeyboardInterrupt:
        progress.clear()
        print("interrupted", file=sys.stderr, flush=True)
        sys.exit(130)


class Command(ScrapyCommand):
    requires_crawler_process = False

    def syntax(self) -> str:
        return "INPUT... -o FILE.jsonl [-j N] [--all-pages] [--cluster ADDRESS]"

    def short_desc(self) -> str:
        return "Extract article records again from WARC, ARC or WACZ files (ours or any archive's)"

    def long_desc(self) -> str:
        return (
            "Read WARC, ARC and WACZ files (and folders of them, recursively) and write one "
            "JSON record per article page capture, the same records the crawl writes, as JSON "
            "Lines. --all-pages writes a record for every HTML page, with item_id null where "
            "the page is no K2 item."
        )

    def add_options(self, parser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "-o",
            "--output",
            metavar="FILE",
            help="write JSON Lines to FILE (.jsonl, .jl or .ndjson; '-' for stdout)",
        )
        parser.add_argument(
            "-j", "--jobs", metavar="N", default="1", help="worker processes (default: 1)"
        )
        parser.add_argument(
            "--all-pages",
            action="store_true",
            help="a record for every HTML page, not only articles",
        )
        parser.add_argument(
            "--cluster",
            metavar="ADDRESS",
            help="run on the Dask cluster whose scheduler is at ADDRESS (tcp://HOST:8786); "
            "inputs may then be URLs, and -o DIR/ writes part files",
        )

    def process_options(self, args: list[str], opts) -> None:
        super().process_options(args, opts)
        # Bad input costs one line and exit code 2, before anything is read or written.
        unknown = [a for a in args if a.startswith("-") and a != "-"]
        if unknown:
            fail(f"unknown option {unknown[0]}")
        if not args:
            fail("give at least one WARC, ARC or WACZ file or folder to read")
        if not opts.output:
            fail("give an output file with -o FILE.jsonl (or -o - for standard output)")
        part_files = opts.cluster and opts.output.endswith("/")  # a folder of part files
        if (
            opts.output != "-"
            and not part_files
            and not opts.output.lower().endswith(OUTPUT_SUFFIXES)
        ):
            fail(
                f"-o {opts.output}: scrapy extract writes JSON Lines only; name the output "
                f"{', '.join(OUTPUT_SUFFIXES[:-1])} or {OUTPUT_SUFFIXES[-1]} (or - for "
                "standard output; with --cluster, DIR/ for part files)"
            )
        try:
            self.jobs = int(opts.jobs)
        except ValueError:
            self.jobs = 0
        if self.jobs < 1:
            fail(f"-j needs a positive number of worker processes, got {opts.jobs!r}")
        try:
            check_value("EXTRACT_MAX_PAGE_BYTES", RULES["EXTRACT_MAX_PAGE_BYTES"],
                        self.settings.get("EXTRACT_MAX_PAGE_BYTES"))  # fmt: skip
        except PreflightError as exc:
            fail(str(exc))
        if opts.cluster:  # --- the cluster's inputs and output: crawler.cluster ---
            self.output_name = opts.output
            self.cluster = prepare_cluster(args, opts.output, opts.cluster, self.settings, fail)
            return
        try:
            self.paths = find_warc_files(args)
        except FileNotFoundError as exc:
            fail(f"no such file or folder: {exc}")
        except OSError as exc:
            fail(f"cannot read {exc.filename}: {exc.strerror or exc}")
        if not self.paths:
            fail(f"no WARC, ARC or WACZ files in {', '.join(args)}")
        problems = [(path, sniff(path).problem) for path in self.paths]
        if all(problem for _, problem in problems):
            # nothing at all can be read: a usage error, not a run with nothing in it
            path, problem = problems[0]
            others = len(problems) - 1
            more = f" (and {others} more files, none readable)" if others else ""
            fail(f"{path}: {problem}{more}")
        self.output_name = opts.output
        if opts.output != "-" and Path(opts.output).resolve() in {p.resolve() for p in self.paths}:
            fail(f"-o {opts.output} would overwrite a WARC file being read")
        if opts.output == "-":
            self.out = sys.stdout.buffer
            return
        try:
            Path(opts.output).parent.mkdir(parents=True, exist_ok=True)
            self.out = open(opts.output, "wb")  # noqa: SIM115 - closed at the end of run()
        except OSError as exc:
            fail(f"cannot write {opts.output}: {exc.strerror or exc}")

    def run(self, args: list[str], opts) -> None:
        progress = Progress(sys.stderr)

        def report(line: str) -> None:
            progress.clear()
            print(line, file=sys.stderr, flush=True)

        if opts.cluster:
            tally = run_on_cluster(self.cluster, opts, self.settings, report, progress)
            progress.clear()
            print(summary(tally, self.output_name, opts.all_pages), file=sys.stderr, flush=True)
            return
        try:
            from crawler.records import extract_files

            tally = extract_files(
                self.paths,
                self.out,
                all_pages=opts.all_pages,
                jobs=self.jobs,
                report=report,
                progress=progress,
                max_body=self.settings.getint("EXTRACT_MAX_PAGE_BYTES"),
            )
            self.out.flush()
        except KeyboardInterrupt:
            progress.clear()
            print("interrupted", file=sys.stderr, flush=True)
            sys.exit(130)
        except BrokenPipeError:
            # the reader of stdout went away (`| head`): stop quietly, as Unix tools do
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)
        finally:
            if self.out is not sys.stdout.buffer:
                self.out.close()
        progress.clear()
        print(summary(tally, self.output_name, opts.all_pages), file=sys.stderr, flush=True)
