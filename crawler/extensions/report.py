"""The end-of-crawl report: a short human summary on stderr, a JSON report and an HTML report
(``crawler.report.html``, for a librarian's browser) on disk.

stderr, like Scrapy's log, so that ``-o -:jsonl`` leaves nothing but JSON Lines on stdout.
It runs last on ``engine_stopped`` (after packaging), so the summary says everything the crawl
wrote, and its first line is the outcome that the exit status encodes (``crawler.report.outcome``).
"""

from __future__ import annotations

import json
import logging
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import create_looping_call

from crawler import signals as crawl_signals
from crawler.report.html import render_report
from crawler.report.outcome import crawl_outcome

logger = logging.getLogger(__name__)


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"


class CrawlReport:
    def __init__(
        self, crawler, output_dir: Path, stream=None, interval: float = 0, html: bool = True
    ):
        self.crawler = crawler
        self.output_dir = output_dir
        self.html = html
        self.completeness: dict | None = None
        self.interval = interval
        self.task = None
        self._last = (time.monotonic(), 0)
        self.stream = stream or sys.stderr
        self.feeds: list[str] = []
        self.reason: str | None = None
        self.summary: dict | None = None
        self.failures: list[dict] = []
        self.skipped: list[dict] = []

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("REPORT_ENABLED"):
            raise NotConfigured("REPORT_ENABLED is off")
        ext = cls(
            crawler,
            Path(crawler.settings.get("OUTPUT_DIR") or "."),
            interval=crawler.settings.getfloat("REPORT_PROGRESS_INTERVAL"),
            html=crawler.settings.getbool("REPORT_HTML"),
        )
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.page_failed, signal=crawl_signals.page_failed)
        crawler.signals.connect(ext.page_skipped, signal=crawl_signals.page_skipped)
        crawler.signals.connect(ext.measured, signal=crawl_signals.completeness_measured)
        crawler.signals.connect(ext.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(ext.feed_slot_closed, signal=signals.feed_slot_closed)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    def spider_opened(self, spider) -> None:
        if self.interval > 0:
            self.task = create_looping_call(self.progress, spider)
            self.task.start(self.interval, now=False)

    def page_failed(self, request, reason: str, retryable: bool = False) -> None:
        self.failures.append({"url": request.url, "reason": reason, "retryable": retryable})

    def page_skipped(self, request, reason: str, extra: dict | None = None) -> None:
        self.skipped.append({"url": request.url, "reason": reason, **(extra or {})})

    def measured(self, result: dict) -> None:
        self.completeness = result

    def item_dropped(self, item, response=None, exception=None, spider=None) -> None:
        url = getattr(item, "url", None) or (response.url if response is not None else "?")
        self.failures.append({"url": url, "reason": f"not exported: {exception}"})

    def progress(self, spider) -> None:
        """One line for long crawls: articles archived of discovered, pages a minute, errors."""
        stats = self.crawler.stats
        pages = stats.get_value("downloader/response_count", 0)
        now = time.monotonic()
        then, pages_then = self._last
        self._last = (now, pages)
        rate = (pages - pages_then) * 60 / max(now - then, 1e-6)
        logger.info(
            "progress: %d articles archived of %d discovered, %.0f pages/min, %d errors",
            stats.get_value("item_scraped_count", 0) + stats.get_value("resume/archived_before", 0),
            len(getattr(spider, "seen_items", ())),
            rate,
            len(self.failures),
        )

    def feed_slot_closed(self, slot) -> None:
        self.feeds.append(slot.uri.removeprefix("file://"))

    def spider_closed(self, spider, reason) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()
        self.reason = reason

    def engine_stopped(self) -> None:
        stats = self.crawler.stats.get_stats()
        start = stats.get("start_time")
        finish = stats.get("finish_time") or datetime.now(UTC)
        self.summary = {
            "finish_reason": self.reason,
            "started": start.isoformat() if start else None,
            "finished": finish.isoformat(),
            "articles_archived": stats.get("item_scraped_count", 0),
            "articles_archived_before": stats.get("resume/archived_before", 0),
            "articles_in_folder_before": stats.get("recrawl/archived_before", 0),
            "articles_recovered_from_warc": stats.get("recrawl/recovered_from_warc", 0),
            "articles_dropped": stats.get("item_dropped_count", 0),
            "pages_fetched": stats.get("downloader/response_count", 0),
            "exchanges_archived": stats.get("warc/exchanges", 0),
            "failures": self.failures,
            "skipped_urls": self.skipped,
            "error": stats.get("warc/write_failed"),
            "skipped": stats.get("crawl/skipped", 0),
            "extract": {
                k.split("/", 1)[1]: v for k, v in stats.items() if k.startswith("extract/")
            },
            "warc_dir": stats.get("warc/dir"),
            "warc_files": stats.get("warc/files_written", 0),
            "warc_bytes": stats.get("warc/bytes_written", 0),
            "json": self.feeds,
            "wacz": stats.get("package/wacz"),
            "index": stats.get("package/index"),
            "package_error": stats.get("package/error"),
            "completeness": self.completeness,
        }
        self._write_json(stats)
        self._write_html(start)
        self._print()

    def _write_json(self, stats: dict) -> None:
        self.stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        path = self.output_dir / "reports" / f"crawl-{self.stamp}.json"
        outcome = crawl_outcome(stats, self.reason)
        self.summary["outcome"] = {"exit_status": int(outcome.code), "message": outcome.message}
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(self.summary, indent=2, default=str) + "\n")
            self.summary["report"] = str(path)
        except OSError as exc:
            message = f"could not write the crawl report {path}: {exc.strerror or exc}"
            logger.error(message)
            self.crawler.stats.set_value("report/write_failed", message)
            outcome = crawl_outcome(self.crawler.stats.get_stats(), self.reason)
        self.outcome = outcome

    def _files_written(self, start) -> list[str]:
        """WARC files this crawl wrote to (their names: the count is in the summary)."""
        folder = Path(self.summary["warc_dir"] or self.output_dir / "warc")
        since = start.timestamp() - 1 if start else 0
        try:
            return sorted(str(p) for p in folder.glob("*.warc.gz") if p.stat().st_mtime >= since)
        except OSError:
            return []

    def _write_html(self, start) -> None:
        if not self.html:
            return
        path = self.output_dir / "reports" / f"crawl-{self.stamp}.html"
        page = render_report(self.summary, warc_files=self._files_written(start))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(page, encoding="utf-8")
            self.summary["report_html"] = str(path)
        except OSError as exc:
            message = f"could not write the HTML report {path}: {exc.strerror or exc}"
            logger.error(message)
            self.crawler.stats.set_value("report/write_failed", message)
            self.outcome = crawl_outcome(self.crawler.stats.get_stats(), self.reason)

    def _print_completeness(self, lines: list[str]) -> None:
        result = self.summary.get("completeness")
        if not result or not result["sections"]:
            return
        lines.append("  Did we get everything? (items the listings show / archived, now + before)")
        for row in result["sections"]:
            lines.append(
                f"    {row['name']:<20} {row['listed']:>6} listed {row['archived']:>6} archived "
                f"({row['archived_now']} now + {row['archived_before']} before), "
                f"{row['missing']} missing"
            )
        missing = result["missing"]
        for m in missing[:20]:
            title = f' "{m["title"]}"' if m.get("title") else ""
            lines.append(f"    missing {m['item_id']}{title}: {m['reason']} ({m['url']})")
        if len(missing) > 20:
            lines.append(f"    ... and {len(missing) - 20} more missing (see the report)")

    def _print(self) -> None:
        s = self.summary
        lines = [f"Crawl {self.outcome.message} (exit status {int(self.outcome.code)})."]
        if s["error"]:
            lines.append(f"  ERROR: {s['error']}")
        lines.append(f"  Articles archived: {s['articles_archived']}")
        if s["articles_archived_before"]:
            lines.append(f"    (resumed: {s['articles_archived_before']} before this run)")
        if s["articles_in_folder_before"]:
            lines.append(f"    (in the folder before this crawl: {s['articles_in_folder_before']})")
        if s["articles_recovered_from_warc"]:
            lines.append(
                f"  Re-extracted:      {s['articles_recovered_from_warc']} archived before but "
                f"in no JSON file, read back from their WARC records"
            )
        if not s["articles_archived"] and not s["articles_in_folder_before"]:
            lines.append("  No article was archived.")
        lines.append(
            f"  Pages fetched:     {s['pages_fetched']} "
            f"({s['exchanges_archived']} exchanges in WARC)"
        )
        self._print_completeness(lines)
        lines.append(f"  Failures:          {len(s['failures'])}")
        lines += [f"    {f['reason']}: {f['url']}" for f in s["failures"][:20]]
        if len(s["failures"]) > 20:
            lines.append(f"    ... and {len(s['failures']) - 20} more (see the JSON report)")
        if s["warc_dir"]:
            lines.append(
                f"  WARC files:        {s['warc_files']} in {s['warc_dir']}/ "
                f"({_size(s['warc_bytes'])})"
            )
        for feed in s["json"]:
            lines.append(f"  Articles JSON:     {feed}")
        stats = self.crawler.stats
        if s["wacz"]:
            lines.append(
                f"  WACZ package:      {s['wacz']} ({stats.get_value('package/pages', 0)} pages)"
            )
            lines.append(
                f"  CDXJ index:        {stats.get_value('package/index')} "
                f"({stats.get_value('package/index_lines', 0)} lines)"
            )
            if search := stats.get_value("package/search_collection"):
                lines.append(
                    f"  Search collection: {search} (open this one in ReplayWeb.page at this "
                    "size: it opens fast and finds every article by title or body word)"
                )
        if s["package_error"]:
            lines.append(f"  Package failed:    {s['package_error']} (run `scrapy package`)")
        if s.get("report"):
            lines.append(f"  Report:            {s['report']}")
        if s.get("report_html"):
            lines.append(f"  Report (browser):  {s['report_html']}")
        print("\n".join(lines), file=self.stream, flush=True)
