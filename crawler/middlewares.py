"""Downloader middlewares that make the crawl behave as a polite archiver must.

- ``PoliteRobotsTxtMiddleware``: Scrapy's robots.txt middleware, plus RFC 9309's rule for an
  unreachable robots.txt (5xx: assume everything is disallowed) and the ``Crawl-delay`` the
  site asks for, which Scrapy otherwise ignores.
- ``RetryAfterMiddleware``: a 429 or 503 with ``Retry-After`` is retried after the time the
  server asked for, with the whole host paused meanwhile (Scrapy retries at once).
"""

from __future__ import annotations

import logging
import time
from email.utils import parsedate_to_datetime

from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import call_later
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

logger = logging.getLogger(__name__)

DISALLOW_ALL = b"User-agent: *\nDisallow: /\n"


def pause_slot(crawler, request, seconds: float, floor: float | None = None) -> None:
    """Hold every request to the request's host for ``seconds`` (and keep its delay >= floor)."""
    downloader = crawler.engine.downloader
    slot = downloader.slots.get(downloader.get_slot_key(request))
    if slot is None:
        return
    if floor is not None and slot.delay < floor:
        slot.delay = floor
    if seconds > 0:
        # the downloader leaves a slot alone while it has a pending latercall: make it ours
        if slot.latercall is not None:
            slot.latercall.cancel()
        slot.latercall = call_later(seconds, downloader._latercall, slot)


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


def retry_after_seconds(value: bytes | None) -> float | None:
    """Retry-After as seconds: delta-seconds or an HTTP-date."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        return max(0.0, parsedate_to_datetime(text).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


class RetryAfterMiddleware:
    def __init__(self, crawler, statuses: set[int], max_wait: float):
        self.crawler = crawler
        self.statuses = statuses
        self.max_wait = max_wait

    @classmethod
    def from_crawler(cls, crawler):
        s = crawler.settings
        if not s.getbool("RETRY_AFTER_ENABLED"):
            raise NotConfigured("RETRY_AFTER_ENABLED is off")
        if not s.getbool("RETRY_ENABLED"):
            raise NotConfigured("RETRY_ENABLED is off: nothing is retried")
        statuses = {int(x) for x in s.getlist("RETRY_AFTER_HTTP_CODES")}
        return cls(crawler, statuses, s.getfloat("RETRY_AFTER_MAX_WAIT"))

    def process_response(self, request, response):
        if response.status not in self.statuses or request.meta.get("dont_retry"):
            return response
        wait = retry_after_seconds(response.headers.get("Retry-After"))
        if wait is None:
            return response  # RetryMiddleware retries it the usual way
        if wait > self.max_wait:
            logger.warning("%s asks to come back in %.0fs: too long, not retried", request, wait)
            return response
        retry = get_retry_request(
            request, spider=self.crawler.spider, reason=f"{response.status} Retry-After"
        )
        if retry is None:
            return response
        self.crawler.stats.inc_value("retry_after/waited_seconds", wait)
        pause_slot(self.crawler, request, wait)
        return retry
