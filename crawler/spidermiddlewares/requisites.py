"""Page requisites: what a page loads by itself (stylesheets, scripts, images, fonts, and what
stylesheets load through ``url()`` and ``@import``), archived so that pages replay as they
looked. A spider middleware: after the spider's own output for a page, it asks, once per
crawl, for each requisite on the site's hosts. Requisites go to the WARC files only.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from scrapy.exceptions import NotConfigured
from scrapy.http import Response, TextResponse

from crawler.pages.parsed import let_go, page_root
from crawler.pages.requisites import css_requisites, tree_requisites
from crawler.site import Kind

# a requisite is never a listing, article, menu page, tag or search
FOLLOWED = (Kind.OTHER, Kind.PDF, Kind.IMAGE)


class Requisites:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("REQUISITES_ENABLED"):
            raise NotConfigured("REQUISITES_ENABLED is off: pages will replay unstyled")
        return cls(crawler)

    def _requests(self, response: Response) -> Iterable[Any]:
        if response.meta.get("kind") == "requisite":
            self.stats.inc_value("crawl/requisites")
        if not isinstance(response, TextResponse):
            return
        spider = self.crawler.spider
        site = spider.site
        content_type = (response.headers.get("Content-Type") or b"").decode("latin-1").lower()
        if "css" in content_type:
            found = css_requisites(response.text, response.url)
        elif "html" in content_type or not content_type:
            # the page's one parse; references resolved once per folder of the site
            found = tree_requisites(page_root(response), response.url, site.join)
        else:
            return
        for ref in found:
            url = site.canonical(ref)
            if url and site.classify(url) in FOLLOWED and spider.first_visit(url):
                yield spider.request_for(url, "requisite")

    def process_spider_output(self, response, result, spider=None):
        yield from result
        yield from self._requests(response)
        let_go(response)  # the page's last reader: its tree goes now, not with the response

    async def process_spider_output_async(self, response, result, spider=None):
        async for obj in result:
            yield obj
        for obj in self._requests(response):
            yield obj
        let_go(response)
