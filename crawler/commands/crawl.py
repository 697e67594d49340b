"""`scrapy crawl`, with a preflight check and exit statuses a cron job can act on.

Replaces Scrapy's own command of the same name (COMMANDS_MODULE commands take precedence).
Before the crawl: every setting (``crawler.preflight``), the outputs (folders, JSON feeds) and
the spider's own ``preflight`` (arguments, reachability), each failing with one line and exit
status 2 before anything is written. After it: the status of ``crawler.report.outcome``.
"""

from __future__ import annotations

import atexit
import logging
import os
import sys
import threading
from pathlib import Path

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError
from scrapy.settings import SETTINGS_PRIORITIES, default_settings
from scrapy.spiderloader import get_spider_loader

from crawler import settings as project_settings
from crawler.errors import PreflightError
from crawler.preflight import RULES, check_feeds, check_settings, check_writable
from crawler.report.outcome import Exit, crawl_outcome

logger = logging.getLogger(__name__)


def inside_git_checkout(folder: Path) -> Path | None:
    for parent in [folder.resolve(), *folder.resolve().parents]:
        if (parent / ".git").exists():
            return parent
    return None


class Command(ScrapyCrawlCommand):
    def short_desc(self) -> str:
        return "Run a spider (with preflight checks and exit statuses for archiving)"

    def process_options(self, args: list[str], opts) -> None:
        # Here, before Scrapy sets up logging and the crawler, bad input costs one line.
        try:
            super().process_options(args, opts)
        except UsageError as exc:
            print(f"error: {self._bad_set_option(opts) or exc}", file=sys.stderr, flush=True)
            sys.exit(Exit.BAD_INPUT)
        if len(args) != 1:
            raise UsageError("give exactly one spider name, e.g. `scrapy crawl analyst`")
        if self.settings.getbool("REMOTE_CONTROL_ENABLED"):
            # left out of the project's EXTENSIONS_BASE for its import's cost; asked for, it is back
            self.settings.set(
                "EXTENSIONS_BASE", default_settings.EXTENSIONS_BASE, priority="cmdline"
            )
        try:
            self.preflight(args[0], opts.spargs)
        except PreflightError as exc:
            print(f"error: {exc}", file=sys.stderr, flush=True)
            sys.exit(Exit.BAD_INPUT)

    def _bad_set_option(self, opts) -> str | None:
        """Which ``-s NAME=VALUE`` Scrapy refused (it only says one was), and why."""
        for option in getattr(opts, "set", None) or ():
            name, sep, value = option.partition("=")
            if not sep:
                return f"-s {option!r} is not NAME=VALUE"
            try:
                self.settings.copy().set(name, value, priority="cmdline")
            except ValueError:
                rule = RULES.get(name)
                what = rule.describe() if rule else "a valid value"
                return f"{name} must be {what}, got {value!r}"
        return None

    def preflight(self, name: str, spargs: dict) -> None:
        try:
            spidercls = get_spider_loader(self.settings).load(name)
        except KeyError:
            raise PreflightError(f"no spider named {name!r}") from None
        settings = self.settings
        cmdline = SETTINGS_PRIORITIES["cmdline"]
        given = {name for name in settings if settings.getpriority(name) == cmdline}  # -s NAME=
        known = {n for n in dir(default_settings) + dir(project_settings) if n.isupper()}
        check_settings(settings, given=given, known=known)
        output_dir = settings.get("OUTPUT_DIR") or "."
        check_writable(Path(output_dir))
        if settings.get("WARC_DIR"):
            check_writable(Path(settings.get("WARC_DIR")), "WARC folder")
        if settings.get("JOBDIR"):
            check_writable(Path(settings.get("JOBDIR")), "JOBDIR")
        check_feeds(settings.getdict("FEEDS"), output_dir, name)
        check = getattr(spidercls, "preflight", None)
        if check:
            check(settings, spargs)

    def run(self, args: list[str], opts) -> None:
        assert self.crawler_process
        crawler = self._create_crawler(args[0])
        checkout = inside_git_checkout(Path(self.settings.get("OUTPUT_DIR") or "."))
        if checkout is not None:
            logger.warning(
                "OUTPUT_DIR is inside the git checkout %s, where `git clean -xdf` deletes it: "
                "keep archives elsewhere (run `caci-archiver crawl` from the archive's folder)",
                checkout,
            )
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = Exit.ERROR
            return
        stats = crawler.stats.get_stats()
        outcome = crawl_outcome(stats, stats.get("finish_reason"))
        if outcome.code is Exit.FORCED:
            # the spider never closed: no summary was printed, the next run repairs and recovers
            print(
                f"Crawl {outcome.message} (exit status {int(outcome.code)}); "
                f"{stats.get('item_scraped_count', 0)} articles archived in this run.",
                file=sys.stderr,
                flush=True,
            )
        if outcome.code is Exit.OUTPUT_FAILED:
            print(f"error: {outcome.message}", file=sys.stderr, flush=True)
        self.exitcode = int(outcome.code)
        if outcome.code is not Exit.FORCED:  # a forced stop ends the slow, ordinary way
            leave(self.exitcode)


def leave(code: int) -> None:
    """End the process with ``code`` once every file is written, synced and closed, as the
    interpreter would (threads' exit hooks and joins, then the exit handlers: logging,
    multiprocessing, any registered) but without its teardown, which after a long crawl is
    half a second of garbage collection over objects the exit frees anyway. Under a profiler
    or a tracer (coverage), which write their results at teardown, the process ends as usual."""
    if sys.getprofile() is not None or sys.gettrace() is not None:
        return
    threading._shutdown()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    os._exit(code)
