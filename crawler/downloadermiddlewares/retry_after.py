"""A 429 or 503 with ``Retry-After`` is retried after the time the server asked for, with the
whole host paused meanwhile (Scrapy's RetryMiddleware retries at once)."""

from __future__ import annotations

import logging
import time
from email.utils import parsedate_to_datetime

from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import NotConfigured

from crawler.downloadermiddlewares.slots import pause_slot

logger = logging.getLogger(__name__)


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
