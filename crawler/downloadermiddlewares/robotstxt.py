"""Scrapy's robots.txt middleware, plus RFC 9309's rule for an unreachable robots.txt (5xx:
assume everything is disallowed) and the ``Crawl-delay`` the site asks for, which Scrapy
otherwise ignores."""

from __future__ import annotations

import logging

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from crawler.downloadermiddlewares.slots import pause_slot

logger = logging.getLogger(__name__)

DISALLOW_ALL = b"User-agent: *\nDisallow: /\n"


class PoliteRobotsTxtMiddleware(RobotsTxtMiddleware):
    def __init__(self, crawler):
        super().__init__(crawler)
        self._crawl_delays: dict[str, float] = {}
        self._max_crawl_delay = crawler.settings.getfloat("ROBOTSTXT_MAX_CRAWL_DELAY")

    async def _parse_robots(self, response, netloc, request) -> None:
        if response.status >= 500:
            logger.error(
                "robots.txt of %s answered %d: treating the whole site as disallowed (RFC 9309)",
                netloc, response.status,
            )  # fmt: skip
            self._stats.inc_value("robotstxt/unreachable")
            response = response.replace(body=DISALLOW_ALL)
        elif response.status >= 400:
            # RFC 9309: no robots.txt (4xx) means no restrictions
            response = response.replace(body=b"")
        await super()._parse_robots(response, netloc, request)
        parser = self._parsers.get(netloc)
        agent = self._robotstxt_useragent or self._default_useragent
        delay = parser.crawl_delay(agent) if parser is not None else None
        if delay:
            self._crawl_delays[netloc] = min(float(delay), self._max_crawl_delay)
            logger.info("robots.txt of %s asks for a Crawl-delay of %ss", netloc, delay)

    async def process_request(self, request, spider=None) -> None:
        await super().process_request(request)
        if request.meta.get("dont_obey_robotstxt"):
            return
        # Seen with Scrapy 2.19: the request that triggers the robots.txt download can come
        # back from super() unchecked. Check it against the parser that now exists.
        rp = self._parsers.get(urlparse_cached(request).netloc)
        if rp is not None and not isinstance(rp, Deferred):
            self.process_request_2(rp, request)

    def process_request_2(self, rp, request) -> None:
        super().process_request_2(rp, request)
        delay = self._crawl_delays.get(urlparse_cached(request).netloc)
        if delay:
            # AutoThrottle would lower the delay below what the site asked for
            request.meta["autothrottle_dont_adjust_delay"] = True
            pause_slot(self.crawler, request, 0, floor=delay)
