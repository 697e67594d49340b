"""`scrapy crawl`, with a preflight check and honest exit codes.

Replaces Scrapy's own command of the same name (COMMANDS_MODULE commands take precedence).
Before the crawl: the spider's ``preflight`` (arguments, reachability) and a writable output
folder, each failing with one line and exit code 2 before anything is written. After it:
exit code 1 when no article was archived.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError
from scrapy.spiderloader import get_spider_loader

from crawler.errors import PreflightError


def check_writable(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise PreflightError(
            f"output folder {folder} is not writable: {exc.strerror or exc}"
        ) from None


class Command(ScrapyCrawlCommand):
    def short_desc(self) -> str:
        return "Run a spider (with preflight checks and exit codes for archiving)"

    def process_options(self, args: list[str], opts) -> None:
        super().process_options(args, opts)
        # Here, before Scrapy sets up logging and the crawler, bad input costs one line.
        if len(args) != 1:
            raise UsageError("give exactly one spider name, e.g. `scrapy crawl analyst`")
        try:
            self.preflight(args[0], opts.spargs)
        except PreflightError as exc:
            print(f"error: {exc}", file=sys.stderr, flush=True)
            sys.exit(2)

    def preflight(self, name: str, spargs: dict) -> None:
        try:
            spidercls = get_spider_loader(self.settings).load(name)
        except KeyError:
            raise PreflightError(f"no spider named {name!r}") from None
        check_writable(Path(self.settings.get("OUTPUT_DIR") or "."))
        if self.settings.get("WARC_DIR"):
            check_writable(Path(self.settings.get("WARC_DIR")))
        check = getattr(spidercls, "preflight", None)
        if check:
            check(self.settings, spargs)

    def run(self, args: list[str], opts) -> None:
        assert self.crawler_process
        crawler = self._create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        archived = crawler.stats.get_value("item_scraped_count", 0)
        archived += crawler.stats.get_value("resume/archived_before", 0)
        broken = crawler.stats.get_value("warc/write_failed")
        if broken:
            print(f"error: {broken}", file=sys.stderr, flush=True)
        if self.crawler_process.bootstrap_failed or not archived or broken:
            self.exitcode = 1
