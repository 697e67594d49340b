"""The end-of-crawl report: a short human summary on stdout and a JSON report on disk."""

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

logger = logging.getLogger(__name__)


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"


class CrawlReport:
    def __init__(self, crawler, output_dir: Path, stream=None, interval: float = 0):
        self.crawler = crawler
        self.output_dir = output_dir
        self.interval = interval
        self.task = None
        self._last = (time.monotonic(), 0)
        self.stream = stream or sys.stdout
        self.feeds: list[str] = []
        self.reason: str | None = None
        self.summary: dict | None = None

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("REPORT_ENABLED"):
            raise NotConfigured("REPORT_ENABLED is off")
        ext = cls(
            crawler,
            Path(crawler.settings.get("OUTPUT_DIR") or "."),
            interval=crawler.settings.getfloat("REPORT_PROGRESS_INTERVAL"),
        )
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.feed_slot_closed, signal=signals.feed_slot_closed)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    def spider_opened(self, spider) -> None:
        if self.interval > 0:
            self.task = create_looping_call(self.progress, spider)
            self.task.start(self.interval, now=False)

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
            len(getattr(spider, "failures", ())),
        )

    def feed_slot_closed(self, slot) -> None:
        uri = slot.uri
        self.feeds.append(uri.removeprefix("file://"))

    def spider_closed(self, spider, reason) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()
        self.reason = reason
        self.failures = list(getattr(spider, "failures", []))
        self.skipped = list(getattr(spider, "skipped", []))

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
            "articles_dropped": stats.get("item_dropped_count", 0),
            "pages_fetched": stats.get("downloader/response_count", 0),
            "exchanges_archived": stats.get("warc/exchanges", 0),
            "failures": getattr(self, "failures", []),
            "skipped_urls": getattr(self, "skipped", []),
            "error": stats.get("warc/write_failed"),
            "skipped": stats.get("crawl/skipped", 0),
            "extract": {
                k.split("/", 1)[1]: v for k, v in stats.items() if k.startswith("extract/")
            },
            "warc_dir": stats.get("warc/dir"),
            "warc_files": stats.get("warc/files_written", 0),
            "warc_bytes": stats.get("warc/bytes_written", 0),
            "json": self.feeds,
        }
        self._write_json()
        self._print()

    def _write_json(self) -> None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        path = self.output_dir / "reports" / f"crawl-{stamp}.json"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(self.summary, indent=2, default=str) + "\n")
            self.summary["report"] = str(path)
        except OSError as exc:
            logger.error("could not write the crawl report %s: %s", path, exc)

    def _print(self) -> None:
        s = self.summary
        lines = [f"Crawl finished ({s['finish_reason']})."]
        if s["error"]:
            lines.append(f"  ERROR: {s['error']}")
        if s["articles_archived"] or s["articles_archived_before"]:
            lines.append(f"  Articles archived: {s['articles_archived']}")
            if s["articles_archived_before"]:
                lines.append(f"    (resumed: {s['articles_archived_before']} before this run)")
        else:
            lines.append("  No article was archived.")
        lines.append(
            f"  Pages fetched:     {s['pages_fetched']} "
            f"({s['exchanges_archived']} exchanges in WARC)"
        )
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
        if s.get("report"):
            lines.append(f"  Report:            {s['report']}")
        print("\n".join(lines), file=self.stream, flush=True)
