"""`scrapy crawl analyst`: the section listings, their pagination, every article once, its PDFs,
the home page and the pages of the site's menus, and the full-size images articles link to.

The spider only walks the site: what the Analyst's pages are and which of their links to
follow. What earlier runs did (journal, re-crawls, recovery) is the crawl state middleware's
(``crawler.spidermiddlewares.crawl_state``), stylesheets and images are the requisites
middleware's, and failures travel as signals (``crawler.signals``) to whoever keeps count.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

import scrapy
from lxml import etree
from parsel.csstranslator import HTMLTranslator
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.settings import SETTINGS_PRIORITIES
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.response import get_base_url
from twisted.python.failure import Failure

from crawler import __version__, signals
from crawler.errors import PreflightError
from crawler.items import ArticleCapture
from crawler.offline import use_bundled_public_suffix_list
from crawler.pages.parsed import page_root
from crawler.site import SECTIONS, Kind, Site

use_bundled_public_suffix_list()

LISTING_LIMIT = 4  # items per listing page: ?start= moves in steps of it


def _xpath(css: str) -> etree.XPath:
    """A CSS selector as an XPath lxml runs directly (no Selector object per link), compiled
    once (``root.xpath(string)`` compiles it again on every page)."""
    return etree.XPath(HTMLTranslator().css_to_xpath(css), smart_strings=False)


REDIRECTS = [301, 302, 303, 307, 308]
PRIORITIES = {
    "item": 10,  # finish the articles of a listing page before walking further
    "requisite": 5,  # a page's stylesheets and images soon after the page itself
    "image": 5,  # likewise the full-size image an article links to
    "alias": 5,  # another address of an archived article, soon after it
}
# Where a page's menus are: Joomla's menu module renders <ul class="menu"> (2.5) or
# <ul class="nav menu"> (3.x), <ul class="mod-menu"> (4.x); templates wrap it in <nav>.
MENU_LINKS = _xpath("nav a::attr(href), ul.menu a::attr(href), ul.mod-menu a::attr(href)")
# What an article shows: K2's item view (div.itemView) holds its image and body; a link to an
# image file in it is the full-size copy (the _XL.jpg K2 opens in its lightbox, or a
# "full size" link an editor put beside an inline image).
ITEM_LINKS = _xpath("div.itemView a::attr(href)")
# Plain strings (smart_strings=False): lxml's default "smart" ones keep a reference to their
# element, so every href the crawl remembers (Site's caches, once per crawl) would keep its
# whole page's tree alive: 180 kB an article, 1.9 GB at 10,000 articles.
ALL_LINKS = etree.XPath("//a/@href", smart_strings=False)
ANCHORS = etree.XPath("//a[@href]")
# a listing's RSS and Atom feeds, as its <head> announces them
FEED_LINKS = _xpath(
    'link[rel="alternate"][type*="rss"]::attr(href), '
    'link[rel="alternate"][type*="atom"]::attr(href)'
)
ANCHOR_TEXT = etree.XPath("descendant-or-self::text()", smart_strings=False)
# statuses and errors that may well go away when tried again later
RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504, 522, 524})


def cut_short(response: Response) -> str | None:
    if "dataloss" in response.flags:
        return "data loss"
    if "download_stopped" in response.flags:
        return "size limit"
    return None


def parse_sections(value: str | Iterable[str] | None) -> list[str]:
    """Section slugs from ``-a sections=a,b``; every section when empty."""
    if not value:
        return list(SECTIONS)
    names = value.split(",") if isinstance(value, str) else list(value)
    names = [n.strip().lower() for n in names if n.strip()]
    unknown = [n for n in names if n not in SECTIONS]
    if unknown:
        raise PreflightError(
            f"unknown section {', '.join(unknown)}; valid sections: {', '.join(SECTIONS)}"
        )
    return list(dict.fromkeys(names))


def parse_refresh(value: str | None) -> str:
    value = (value or "new").strip().lower()
    if value not in ("new", "all"):
        raise PreflightError(f"refresh must be 'new' or 'all', got {value!r}")
    return value


def parse_base_url(value: str) -> Site:
    try:
        return Site(value)
    except ValueError as exc:
        raise PreflightError(str(exc)) from None


class AnalystSpider(scrapy.Spider):
    name = "analyst"
    arguments = ("base_url", "sections", "refresh")
    listing_step = LISTING_LIMIT

    def __init__(
        self,
        base_url: str | None = None,
        sections: str | None = None,
        refresh: str | None = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self._base_url_arg = base_url
        self._sections_arg = sections
        self._refresh_arg = refresh
        self.seen_urls: set[str] = set()  # every URL requested once per crawl, whatever links it
        self.seen_items: set[int] = set()  # K2 ids: one article, many paths

    @classmethod
    def update_settings(cls, settings) -> None:
        super().update_settings(settings)
        template = settings.get("USER_AGENT") or ""
        if "{" in template:
            agent = template.format(version=__version__, contact_url=settings.get("CONTACT_URL"))
            # "spider" priority survives CrawlerProcess re-applying the project settings
            priority = max(settings.getpriority("USER_AGENT") or 0, SETTINGS_PRIORITIES["spider"])
            settings.set("USER_AGENT", agent, priority=priority)

    @classmethod
    def preflight(cls, settings, spargs: dict[str, str]) -> None:
        """Check arguments and reachability before anything is written; raises PreflightError."""
        site = parse_base_url(spargs.get("base_url") or settings.get("ANALYST_BASE_URL"))
        parse_sections(spargs.get("sections") or settings.get("ANALYST_SECTIONS"))
        unknown = set(spargs) - set(cls.arguments)
        if unknown:
            raise PreflightError(
                f"unknown spider argument {', '.join(sorted(unknown))}; "
                f"valid arguments: {', '.join(cls.arguments)}"
            )
        parse_refresh(spargs.get("refresh") or settings.get("ANALYST_REFRESH"))
        port = site.port or (443 if site.scheme == "https" else 80)
        timeout = settings.getfloat("ANALYST_PREFLIGHT_TIMEOUT")
        try:
            socket.create_connection((site.host, port), timeout=timeout).close()
        except OSError as exc:
            reason = exc.strerror or exc.__class__.__name__
            raise PreflightError(f"cannot reach {site.base_url}: {reason}") from None

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.site = parse_base_url(spider._base_url_arg or settings.get("ANALYST_BASE_URL"))
        spider.sections = parse_sections(spider._sections_arg or settings.get("ANALYST_SECTIONS"))
        spider.refresh = parse_refresh(spider._refresh_arg or settings.get("ANALYST_REFRESH"))
        spider.follow_pdfs = settings.getbool("ANALYST_FOLLOW_PDFS")
        spider.follow_menus = settings.getbool("ANALYST_FOLLOW_MENUS")
        spider.follow_images = settings.getbool("ANALYST_FOLLOW_FULL_IMAGES")
        spider.follow_aliases = settings.getbool("ANALYST_FOLLOW_ALIASES")
        spider.warc_required = settings.getbool("WARC_ENABLED")  # JSON only for what is archived
        spider.max_listing_start = settings.getint("ANALYST_MAX_LISTING_PAGES") * LISTING_LIMIT
        spider.output_dir = settings.get("OUTPUT_DIR")  # for FEEDS' %(output_dir)s
        spider.allowed_domains = [spider.site.host]
        return spider

    # --- requests -------------------------------------------------------------------------

    def first_visit(self, url: str) -> bool:
        """True the first time a URL comes up in this crawl (or in the run it resumes)."""
        if url in self.seen_urls:
            return False
        self.seen_urls.add(url)
        return True

    def forget(self, url: str) -> None:
        """A request dropped for now (a re-crawl stopping at a listing) may come up again."""
        self.seen_urls.discard(url)

    def request_for(
        self, url: str, kind: str, section: str | None = None, **kw: Any
    ) -> scrapy.Request:
        """The request for a page of the given kind (also used to resume a journal's)."""
        meta = {"kind": kind, "section": section, "journal_url": url, **kw.pop("meta", {})}
        if kind == "item":
            meta["item_id"] = self.site.item_id(url)
        elif kind == "listing":
            meta["listing_start"] = self.site.listing_start(url)
        elif kind == "alias":
            # a redirect (an old alias) is archived as the answer: its target is the
            # article's own address, requested already
            meta["dont_redirect"] = True
            meta["handle_httpstatus_list"] = REDIRECTS
        return scrapy.Request(
            url,
            callback=getattr(self, f"parse_{kind}"),
            errback=self.on_error,
            cb_kwargs={"section": section},
            meta=meta,
            priority=kw.pop("priority", PRIORITIES.get(kind, 0)),
            **kw,
        )

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for section in self.sections:
            url = self.site.listing_url(section)
            if self.first_visit(url):
                yield self.request_for(url, "listing", section)
        if self.follow_menus and self.first_visit(self.site.base_url):
            yield self.request_for(self.site.base_url, "page")  # where a reader comes in

    def _links(self, response: Response, xpath: etree.XPath = ALL_LINKS) -> list[str]:
        """The page's links that are on the site, canonical."""
        if not isinstance(response, TextResponse):
            return []
        hrefs = xpath(page_root(response))  # plain strings, no Selectors
        return [url for url in self._canonical(response, hrefs) if url]

    def _canonical(self, response: Response, hrefs: Iterable[str]) -> Iterator[str | None]:
        """Each href's canonical URL, or None off the site (resolved once per crawl where it
        means the same: Site.resolve_all)."""
        return self.site.resolve_all(get_base_url(response), hrefs)

    def _listed(self, response: Response) -> dict[int, dict]:
        """The items a listing page shows: id -> its URL and title (the first link text,
        K2's h3.catItemTitle, comes before "Read more...")."""
        listed: dict[int, dict] = {}
        if not isinstance(response, TextResponse):
            return listed
        anchors = ANCHORS(page_root(response))
        urls = self._canonical(response, (a.get("href") for a in anchors))
        for a, url in zip(anchors, urls, strict=True):
            if not url or self.site.classify(url) is not Kind.ITEM:
                continue
            entry = listed.setdefault(self.site.item_id(url), {"url": url, "title": None})
            text = " ".join(" ".join(ANCHOR_TEXT(a)).split())
            if text and entry["title"] is None and not text.lower().startswith("read more"):
                entry["title"] = text
        return listed

    def _menu_pages(self, response: Response) -> Iterable[scrapy.Request]:
        """The home page and the pages of the site's menus ("About", "Editorial Principles"),
        once per crawl; a menu's sections, tags or searches are not pages of their own."""
        if not self.follow_menus:
            return
        for url in self._links(response, MENU_LINKS):
            if self.site.classify(url) in (Kind.HOME, Kind.PAGE) and self.first_visit(url):
                yield self.request_for(url, "page")

    def _full_images(self, response: Response, section: str | None) -> Iterable[scrapy.Request]:
        if not self.follow_images:
            return
        for url in self._links(response, ITEM_LINKS):
            if self.site.classify(url) is Kind.IMAGE and self.first_visit(url):
                yield self.request_for(url, "image", section)

    def _follow(
        self, response: Response, section: str | None, links: Iterable[str] | None = None
    ) -> Iterable[scrapy.Request]:
        """Listings of the selected sections and their items; nothing else is ever requested."""
        for url in self._links(response) if links is None else links:
            if url in self.seen_urls:
                continue
            kind = self.site.classify(url)
            link_section = self.site.section_of(url)
            if kind is Kind.LISTING and link_section in self.sections:
                if self.site.listing_start(url) >= self.max_listing_start:
                    self.crawler.stats.inc_value("crawl/listing_pages_beyond_limit")
                    continue
                self.seen_urls.add(url)
                yield self.request_for(url, "listing", link_section)
            elif kind is Kind.ITEM:
                item_id = self.site.item_id(url)
                # /component/k2/item/... names no section: trust the page that linked it
                hint = link_section or section
                if hint not in self.sections:
                    continue
                own = url if link_section is not None else self.site.in_section(url, hint)
                if item_id not in self.seen_items:
                    self.seen_items.add(item_id)
                    self.seen_urls.add(own)
                    yield self.request_for(own, "item", hint)
                if url not in self.seen_urls:
                    # the same article under another address a reader follows (K2's
                    # /component/k2/item/..., another menu's prefix): archived as it answers,
                    # so the link replays; extracted once, from the article's own address
                    self.seen_urls.add(url)
                    if self.follow_aliases:
                        yield self.request_for(url, "alias", hint)

    def _feeds(self, response: Response, section: str | None) -> Iterable[scrapy.Request]:
        """The section's RSS/Atom feeds: the newest items in one request (a re-crawl's
        shortcut; the crawl state middleware drops them on a first crawl)."""
        if not isinstance(response, TextResponse):
            return
        for href in FEED_LINKS(page_root(response)):
            url = self.site.canonical(response.urljoin(href))
            if url and self.site.classify(url) is Kind.FEED and self.first_visit(url):
                yield self.request_for(url, "feed", section)

    # --- callbacks ------------------------------------------------------------------------

    def parse_feed(self, response: Response, section: str | None = None):
        self.crawler.stats.inc_value("recrawl/feeds")
        links = []
        if isinstance(response, TextResponse):
            response.selector.remove_namespaces()
            links = response.xpath("//item/link/text() | //entry/link/@href").getall()
        canonical = [self.site.canonical(response.urljoin(x.strip())) for x in links]
        yield from self._follow(response, section, links=[u for u in canonical if u])

    def parse_listing(self, response: Response, section: str | None = None):
        self.crawler.stats.inc_value("crawl/listing_pages")
        links = self._links(response)
        # what the listing shows, whether or not this crawl asks for it again: for re-crawls
        # (where to stop) and for the report's "did we get everything?"
        response.meta["listed_items"] = self._listed(response)
        yield from self._feeds(response, section)
        yield from self._follow(response, section, links)
        yield from self._menu_pages(response)

    def parse_page(self, response: Response, section: str | None = None):
        """The home page or a menu page: archived as it is; the articles and menus it shows
        are followed like any page's."""
        self.crawler.stats.inc_value("crawl/menu_pages")
        yield from self._follow(response, section)
        yield from self._menu_pages(response)

    def parse_item(self, response: Response, section: str | None = None):
        item_id = self.site.item_id(self.site.canonical(response.url) or response.url)
        if item_id is None:  # redirected somewhere that is not an item
            self._fail(response.request, "not an article page after redirect")
            return
        if cut := cut_short(response):
            # archived as it came (WARC-Truncated), but never exported as a whole article
            retry = None
            if cut == "data loss":  # a dropped connection may not drop next time
                retry = get_retry_request(response.request, spider=self, reason=cut)
            if retry is not None:
                yield retry
            else:
                retryable = cut == "data loss"  # our own size limit will not change
                self._fail(response.request, f"body cut short ({cut})", retryable=retryable)
            return
        if not isinstance(response, TextResponse):
            self._fail(response.request, f"not HTML ({response.headers.get('Content-Type')!r})")
            return
        record = response.meta.get("warc") or {}
        if self.warc_required and not record:
            self._fail(response.request, "not archived in a WARC file: not exported")
            return
        yield ArticleCapture(
            url=self.site.canonical(response.url) or response.url,
            item_id=item_id,
            body=response.body,
            content_type=(response.headers.get("Content-Type") or b"").decode("latin-1") or None,
            warc=record.get("location"),
            fetched_at=record.get("date"),
            section_hint=section,
        )
        links = self._links(response)
        if self.follow_pdfs:
            for url in links:
                if self.site.classify(url) is Kind.PDF and self.first_visit(url):
                    yield self.request_for(url, "pdf", section)
        yield from self._follow(response, section, links)
        yield from self._full_images(response, section)
        yield from self._menu_pages(response)

    def parse_pdf(self, response: Response, section: str | None = None):
        self.crawler.stats.inc_value("crawl/pdfs")
        return ()

    def parse_image(self, response: Response, section: str | None = None):
        self.crawler.stats.inc_value("crawl/full_images")
        return ()

    def parse_alias(self, response: Response, section: str | None = None):
        self.crawler.stats.inc_value("crawl/alias_pages")
        return ()

    def parse_requisite(self, response: Response, section: str | None = None):
        # archived by the WARC capture; the requisites middleware follows what it loads
        return ()

    # --- failures -------------------------------------------------------------------------

    def _fail(self, request: scrapy.Request, reason: str, retryable: bool = False) -> None:
        self.crawler.stats.inc_value("crawl/failed")
        if retryable:
            self.crawler.stats.inc_value("crawl/failed_retryable")
        self.logger.warning("failed: %s (%s)", request.url, reason)
        self.crawler.signals.send_catch_log(
            signals.page_failed, request=request, reason=reason, retryable=retryable
        )

    def _skip(self, request: scrapy.Request, reason: str, **extra: Any) -> None:
        self.crawler.stats.inc_value("crawl/skipped")
        self.logger.info("skipped: %s (%s)", request.url, reason)
        self.crawler.signals.send_catch_log(
            signals.page_skipped, request=request, reason=reason, extra=extra
        )

    def on_error(self, failure: Failure) -> None:
        request = failure.request
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            message = failure.getErrorMessage()
            if "robots.txt" in message or "offsite" in message.lower():
                return self._skip(request, message)  # a decision, not a failure
        if failure.check(HttpError):
            status = failure.value.response.status
            return self._fail(request, f"HTTP {status}", retryable=status in RETRYABLE_STATUSES)
        # connection refused, timeouts, DNS: the host went away, after every retry
        reason = f"{failure.type.__name__}: {failure.getErrorMessage()}"
        self._fail(request, reason, retryable=not failure.check(IgnoreRequest))
