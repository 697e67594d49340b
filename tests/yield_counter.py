"""A spider middleware for tests: counts the requests the spider yields, per URL.

Enabled with ``-s SPIDER_MIDDLEWARES='{"tests.yield_counter.YieldCounter": 1000}'`` (next to the
spider, before any other middleware sees its output) and ``-s YIELD_COUNTER_FILE=PATH``; writes
``{url: times yielded}`` to PATH when the spider closes.
"""

from __future__ import annotations

import json
from collections import Counter

from scrapy import Request, signals


class YieldCounter:
    def __init__(self, path: str):
        self.path = path
        self.counts: Counter[str] = Counter()

    @classmethod
    def from_crawler(cls, crawler):
        mw = cls(crawler.settings.get("YIELD_COUNTER_FILE"))
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    def _count(self, obj):
        if isinstance(obj, Request):
            self.counts[obj.url] += 1
        return obj

    async def process_start(self, start):
        async for obj in start:
            yield self._count(obj)

    def process_spider_output(self, response, result):
        for obj in result:
            yield self._count(obj)

    async def process_spider_output_async(self, response, result):
        async for obj in result:
            yield self._count(obj)

    def spider_closed(self, spider, reason):
        with open(self.path, "w", encoding="utf-8") as f:
            json.dump(self.counts, f)
