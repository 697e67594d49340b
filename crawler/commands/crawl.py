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

    def run(self, args: list[str], opts) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider name, e.g. `scrapy crawl analyst`")
        assert self.crawler_process and self.settings is not None
        try:
            spidercls = self.crawler_process.spider_loader.load(args[0])
        except KeyError:
            self._die(f"no spider named {args[0]!r}")
            return
        try:
            output = Path(self.settings.get("OUTPUT_DIR") or ".")
            check_writable(output)
            warc_dir = self.settings.get("WARC_DIR")
            if warc_dir:
                check_writable(Path(warc_dir))
            preflight = getattr(spidercls, "preflight", None)
            if preflight:
                preflight(self.settings, opts.spargs)
        except PreflightError as exc:
            self._die(str(exc))
            return

        crawler = self._create_crawler(spidercls)
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
        elif not crawler.stats.get_value("item_scraped_count"):
            self.exitcode = 1

    def _die(self, message: str) -> None:
        print(f"error: {message}", file=sys.stderr, flush=True)
        self.exitcode = 2
