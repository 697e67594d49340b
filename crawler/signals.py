"""The crawl's own signals, sent by the spider beside Scrapy's (``crawler.signals.connect``).

Failures and skips are facts the spider finds while walking; the crawl state middleware
(journal), the report (summary, JSON) and the exit status each keep what they need of them.
"""

# a page that could not be archived or exported: request, reason, retryable (worth a later try)
page_failed = object()
# a page not fetched by decision (robots.txt, an off-site redirect): request, reason, extra
page_skipped = object()
