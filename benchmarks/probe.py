"""Scrapy components for the benchmarks only, enabled with ``-s``.

``Probe`` (``PROBE_ENABLED``, ``PROBE_FILE``): every quarter second, one JSON line of how much
work is in flight where (responses downloaded, items through the pipelines, what the scraper
holds, what the extraction workers hold, whether the engine is holding requests back), and the
process's RSS; at the end, Scrapy's stats.

``SlowExtractionPipeline``: the crawl's extraction with ``PROBE_EXTRACT_DELAY`` seconds of sleep
added in the worker per page, to make extraction the bottleneck and see the back-pressure work.
"""

from __future__ import annotations

import json
import os
import time

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from crawler.pipelines import ExtractionPipeline
from crawler.records import article_from_capture

INTERVAL = 0.25  # seconds between samples
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _rss_kb() -> int:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * _PAGE // 1024
    except OSError:
        return 0


class Probe:
    def __init__(self, crawler, path: str):
        self.crawler = crawler
        self.file = open(path, "w", encoding="utf-8")  # noqa: SIM115 - closed on spider_closed
        self.loop = task.LoopingCall(self.sample)
        self.started = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler):
        s = crawler.settings
        if not s.getbool("PROBE_ENABLED"):
            raise NotConfigured("PROBE_ENABLED is off")
        if not s.get("PROBE_FILE"):
            raise NotConfigured("PROBE_FILE is not set")
        probe = cls(crawler, s.get("PROBE_FILE"))
        crawler.signals.connect(probe.opened, signal=signals.spider_opened)
        crawler.signals.connect(probe.closed, signal=signals.spider_closed)
        return probe

    def _extraction(self):
        for pipe in self.crawler.engine.scraper.itemproc.middlewares:
            if isinstance(pipe, ExtractionPipeline):
                return pipe
        return None

    def sample(self) -> None:
        stats = self.crawler.stats
        engine = self.crawler.engine
        slot = engine.scraper.slot
        pipe = self._extraction()
        done = (stats.get_value("item_scraped_count") or 0) + (
            stats.get_value("item_dropped_count") or 0
        )
        record = {
            "t": round(time.monotonic() - self.started, 3),
            "responses": stats.get_value("downloader/response_count") or 0,
            "items_done": done,
            "scraper_responses": len(slot.active) + len(slot.queue) if slot else 0,
            "scraper_bytes": slot.active_size if slot else 0,
            "items_in_pipelines": slot.itemproc_size if slot else 0,
            "in_workers": pipe.max_pending - pipe._slots._value if pipe and pipe.pool else 0,
            "backout": bool(engine.needs_backout()),
            "rss_kb": _rss_kb(),
        }
        self.file.write(json.dumps(record) + "\n")

    def opened(self, spider=None) -> None:
        self.loop.start(INTERVAL)

    def closed(self, spider=None, reason=None) -> None:
        if self.loop.running:
            self.loop.stop()
        stats = self.crawler.stats.get_stats()
        self.file.write(json.dumps({"stats": stats}, default=str) + "\n")
        self.file.close()


def slow_article_from_capture(capture):
    time.sleep(float(os.environ.get("PROBE_EXTRACT_DELAY", "0")))
    return article_from_capture(capture)


class SlowExtractionPipeline(ExtractionPipeline):
    extract = staticmethod(slow_article_from_capture)

    @classmethod
    def from_crawler(cls, crawler):
        # the environment, because the workers (forked from a server started later) inherit it
        os.environ["PROBE_EXTRACT_DELAY"] = str(crawler.settings.getfloat("PROBE_EXTRACT_DELAY"))
        return super().from_crawler(crawler)
