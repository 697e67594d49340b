"""`scrapy crawl analyst`: the section listings, their pagination, every article once, its PDFs."""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any

import scrapy
from scrapy import signals
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.settings import SETTINGS_PRIORITIES
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler import __version__
from crawler.errors import PreflightError
from crawler.items import ArticleCapture
from crawler.journal import Journal, exported_ids, repair_jsonl
from crawler.offline import use_bundled_public_suffix_list
from crawler.previous import PreviousCaptures
from crawler.requisites import css_requisites, html_requisites
from crawler.resume import capture_from_warc, feed_files, set_aside_scrapy_queue
from crawler.site import SECTIONS, Kind, Site

use_bundled_public_suffix_list()

ITEM_PRIORITY = 10  # finish the articles of a listing page before walking further
LISTING_LIMIT = 4  # items per listing page: ?start= moves in steps of it
REQUISITE_PRIORITY = 5  # a page's stylesheets and images soon after the page itself
PRIORITIES = {"item": ITEM_PRIORITY, "requisite": REQUISITE_PRIORITY}
JOURNAL_NAME = "analyst-journal.jsonl"


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


def last_crawl_finished(output_dir: Path) -> bool:
    reports = sorted((output_dir / "reports").glob("crawl-*.json"))
    if not reports:
        return False
    try:
        return json.loads(reports[-1].read_text("utf-8")).get("finish_reason") == "finished"
    except (OSError, ValueError):
        return False


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
        self.previous = PreviousCaptures({})
        self.archived_ids: set[int] = set()  # archived by earlier crawls into this folder
        self.incremental = False
        self.failures: list[dict] = []
        self.skipped: list[dict] = []
        self.seen_items: set[int] = set()

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
        unknown = set(spargs) - {"base_url", "sections", "refresh"}
        if unknown:
            raise PreflightError(
                f"unknown spider argument {', '.join(sorted(unknown))}; "
                "valid arguments: base_url, sections, refresh"
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
        spider.follow_pdfs = settings.getbool("ANALYST_FOLLOW_PDFS")
        spider.requisites = settings.getbool("ANALYST_REQUISITES")
        spider.warc_required = settings.getbool("WARC_ENABLED")  # JSON only for what is archived
        spider.max_listing_start = settings.getint("ANALYST_MAX_LISTING_PAGES") * LISTING_LIMIT
        crawler.signals.connect(spider.extraction_failed, signal=signals.item_dropped)
        crawler.signals.connect(spider.request_scheduled, signal=signals.request_scheduled)
        spider.output_dir = settings.get("OUTPUT_DIR")  # for FEEDS' %(output_dir)s
        spider.refresh = parse_refresh(spider._refresh_arg or settings.get("ANALYST_REFRESH"))
        spider.warc_dir = Path(settings.get("WARC_DIR") or Path(spider.output_dir or ".") / "warc")
        spider.allowed_domains = [spider.site.host]
        spider.journal = None
        spider.recovered = []
        if jobdir := settings.get("JOBDIR"):
            spider.journal = Journal(
                Path(jobdir) / JOURNAL_NAME, sync=settings.getbool("ANALYST_JOURNAL_FSYNC")
            )
            crawler.signals.connect(spider.item_scraped, signal=signals.item_scraped)
            crawler.signals.connect(spider.item_dropped, signal=signals.item_dropped)
            crawler.signals.connect(spider.journal_close, signal=signals.spider_closed)
            # before Scrapy's scheduler opens them: the journal, not its queue, says what is left
            if spider.journal.resumed and set_aside_scrapy_queue(Path(jobdir)):
                spider.logger.warning("resuming: Scrapy's own queue files were set aside")
        return spider

    def _prepare_resume(self) -> None:
        """What is left to do, from the journal and the archive (the WARC files are repaired
        by now: the capture extension did it when the crawl opened)."""
        settings = self.crawler.settings
        state = self.journal.state
        feeds = feed_files(settings.getdict("FEEDS"), self.output_dir)
        torn = sum(repair_jsonl(path) for path in feeds)
        exported = exported_ids(feeds)
        warc_dir = self.warc_dir
        # exported before the kill, but the feed's buffer died with the process: re-read the
        # capture from the WARC instead of fetching the article a second time
        for item_id, entry in state.archived.items():
            if item_id not in exported and entry.get("w"):
                capture = capture_from_warc(warc_dir, entry["w"], entry["i"], item_id)
                if capture is not None:
                    self.recovered.append(capture)
        self.seen_items |= set(state.archived) | {
            self.site.item_id(url) for url, (kind, _) in state.scheduled.items() if kind == "item"
        }
        stats = self.crawler.stats
        stats.set_value("resume/archived_before", len(state.archived))
        stats.set_value("resume/recovered_from_warc", len(self.recovered))
        stats.set_value("resume/pending", len(self.pending()))
        self.logger.warning(
            "resuming: %d articles archived before, %d requests left, %d records recovered from "
            "the WARC files, %d torn JSON bytes dropped",
            len(state.archived), len(self.pending()), len(self.recovered), torn,
        )  # fmt: skip

    def pending(self) -> list[tuple[str, str, str | None]]:
        archived_urls = {entry["u"] for entry in self.journal.state.archived.values()}
        return [p for p in self.journal.state.pending if p[0] not in archived_urls]

    def _read_archive(self) -> None:
        """Earlier crawls into this folder: what is archived, and the captures to revalidate."""
        self.previous = PreviousCaptures.scan(self.warc_dir)
        settings = self.crawler.settings
        exported = exported_ids(feed_files(settings.getdict("FEEDS"), self.output_dir))
        in_warc = {self.site.item_id(u) for u in self.previous.urls()} - {None}
        self.archived_ids = exported | in_warc
        if self.archived_ids and self.refresh == "new":
            self.seen_items |= self.archived_ids
            # stopping at the first listing page with nothing new is only safe when the last
            # crawl got to its end; after a crash without JOBDIR, walk every page again
            self.incremental = last_crawl_finished(Path(self.output_dir or "."))
            if not self.incremental:
                self.logger.warning(
                    "the last crawl into %s did not finish: walking every listing page "
                    "(articles already archived are still skipped)",
                    self.output_dir,
                )
        self.crawler.stats.set_value("recrawl/archived_before", len(self.archived_ids))
        self.crawler.stats.set_value("recrawl/previous_captures", len(self.previous))
        if self.previous:
            self.logger.info(
                "re-crawl (%s): %d articles and %d captures already in %s",
                "new articles only" if self.incremental else "refreshing everything",
                len(self.archived_ids), len(self.previous), self.warc_dir,
            )  # fmt: skip

    async def start(self) -> AsyncIterator[scrapy.Request | ArticleCapture]:
        self._read_archive()
        if self.journal is not None and self.journal.resumed:
            self._prepare_resume()
            for capture in self.recovered:
                yield capture
            for url, kind, section in self.pending():
                callback = getattr(self, f"parse_{kind}", None)
                if callback is not None:
                    yield self._request(url, callback, section, priority=PRIORITIES.get(kind, 0))
            return
        for section in self.sections:
            yield self._request(self.site.listing_url(section), self.parse_listing, section)

    def _request(
        self, url: str, callback, section: str | None, meta: dict | None = None, **kw: Any
    ) -> scrapy.Request:
        if self.journal is not None:
            self.journal.scheduled(url, callback.__name__.removeprefix("parse_"), section)
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.on_error,
            cb_kwargs={"section": section},
            meta={"journal_url": url, **(meta or {})},
            **kw,
        )

    def _revalidating(self, url: str, callback, section: str | None, **kw: Any):
        """A file archived before: ask whether it changed (ETag, Last-Modified); the WARC gets
        a revisit record when it did not."""
        previous = self.previous.get(url)
        if previous is None:
            return self._request(url, callback, section, **kw)
        headers = {}
        if previous.etag:
            headers["If-None-Match"] = previous.etag
        if previous.last_modified:
            headers["If-Modified-Since"] = previous.last_modified
        meta = {"revisit_of": previous.original, "handle_httpstatus_list": [304]}
        return self._request(url, callback, section, meta=meta, headers=headers, **kw)

    def _handled_before(self, url: str) -> bool:
        """Handled by an earlier run of this job (Scrapy's dupefilter was set aside)."""
        return self.journal is not None and url in self.journal.state.fetched

    def _done(self, response_or_request) -> None:
        if self.journal is not None:
            self.journal.fetched(response_or_request.meta.get("journal_url", ""))

    def item_scraped(self, item, response=None, spider=None) -> None:
        requested = response.meta.get("journal_url", item.url) if response else item.url
        self.journal.archived(item.item_id, requested, item.url, item.warc)

    def item_dropped(self, item, response=None, exception=None, spider=None) -> None:
        if response is not None:
            self._done(response)

    def request_scheduled(self, request, spider=None) -> None:
        # Scrapy's offsite filter drops a redirect to another host here, silently (no errback)
        if request.meta.get("redirect_urls") and self.site.canonical(request.url) is None:
            self.crawler.stats.inc_value("crawl/skipped")
            self.skipped.append({"url": request.url, "reason": "off-site: not followed"})
            if redirected := request.meta.get("redirect_urls"):
                self.skipped[-1]["redirected_from"] = redirected[0]
            self._done(request)

    def extraction_failed(self, item, response=None, exception=None, spider=None) -> None:
        self._fail(getattr(item, "url", "?"), f"not exported: {exception}")

    def journal_close(self, spider=None, reason=None) -> None:
        self.journal.close()

    def _links(self, response: Response) -> Iterable[str]:
        if not isinstance(response, TextResponse):
            return
        for href in response.css("a::attr(href)").getall():
            url = self.site.canonical(response.urljoin(href))
            if url:
                yield url

    def _follow(
        self, response: Response, section: str | None, links: Iterable[str] | None = None
    ) -> Iterable[scrapy.Request]:
        """Listings of the selected sections and their items; nothing else is ever requested."""
        links = list(self._links(response) if links is None else links)
        next_start = None
        if self.incremental and self.site.classify(response.url) is Kind.LISTING:
            # a re-crawl walks a listing only while it still shows something new
            ids = {self.site.item_id(u) for u in links if self.site.classify(u) is Kind.ITEM}
            news = ids - self.archived_ids - {None}
            if news:
                next_start = self.site.listing_start(response.url) + LISTING_LIMIT
            else:
                self.crawler.stats.inc_value("recrawl/listings_stopped")
        for url in links:
            kind = self.site.classify(url)
            link_section = self.site.section_of(url)
            if self._handled_before(url):
                continue
            if kind is Kind.LISTING and link_section in self.sections:
                if self.incremental and self.site.listing_start(url) != next_start:
                    continue
                if self.site.listing_start(url) >= self.max_listing_start:
                    self.crawler.stats.inc_value("crawl/listing_pages_beyond_limit")
                    continue
                yield self._request(url, self.parse_listing, link_section)
            elif kind is Kind.ITEM:
                item_id = self.site.item_id(url)
                # /component/k2/item/... names no section: trust the page that linked it
                hint = link_section or section
                if item_id in self.seen_items or hint not in self.sections:
                    continue
                self.seen_items.add(item_id)
                if link_section is None:
                    url = self.site.in_section(url, hint)
                yield self._request(url, self.parse_item, hint, priority=ITEM_PRIORITY)

    def _requisites(self, response: Response) -> Iterable[scrapy.Request]:
        """Stylesheets, scripts, images, fonts: archived so the page replays as it looked."""
        if not self.requisites or not isinstance(response, TextResponse):
            return
        if "css" in (response.headers.get("Content-Type") or b"").decode("latin-1").lower():
            found = css_requisites(response.text, response.url)
        else:
            found = html_requisites(response.text, response.url)
        for ref in found:
            url = self.site.canonical(ref)
            if self._handled_before(url):
                continue
            if url and self.site.classify(url) in (Kind.OTHER, Kind.PDF):
                yield self._revalidating(
                    url, self.parse_requisite, None, priority=REQUISITE_PRIORITY
                )

    def parse_requisite(self, response: Response, section: str | None = None):
        self.crawler.stats.inc_value("crawl/requisites")
        yield from self._requisites(response)  # a stylesheet's own images and imports
        self._done(response)

    def _feeds(self, response: Response, section: str | None) -> Iterable[scrapy.Request]:
        """A re-crawl also reads the section's feeds: the newest items, in one request."""
        if not self.incremental or not isinstance(response, TextResponse):
            return
        for href in response.css(
            'link[rel="alternate"][type*="rss"]::attr(href), '
            'link[rel="alternate"][type*="atom"]::attr(href)'
        ).getall():
            url = self.site.canonical(response.urljoin(href))
            if url and self.site.classify(url) is Kind.FEED and not self._handled_before(url):
                yield self._request(url, self.parse_feed, section)

    def parse_feed(self, response: Response, section: str | None = None):
        self.crawler.stats.inc_value("recrawl/feeds")
        links = []
        if isinstance(response, TextResponse):
            response.selector.remove_namespaces()
            links = response.xpath("//item/link/text() | //entry/link/@href").getall()
        canonical = [u for u in (self.site.canonical(response.urljoin(x.strip())) for x in links)]
        yield from self._follow(response, section, links=[u for u in canonical if u])
        self._done(response)

    def parse_listing(self, response: Response, section: str | None = None):
        self.crawler.stats.inc_value("crawl/listing_pages")
        yield from self._feeds(response, section)
        yield from self._requisites(response)
        yield from self._follow(response, section)
        self._done(response)  # only now: every link it holds is in the journal

    def parse_item(self, response: Response, section: str | None = None):
        item_id = self.site.item_id(self.site.canonical(response.url) or response.url)
        if item_id is None:  # redirected somewhere that is not an item
            self._fail(response.url, "not an article page after redirect")
            self._done(response)
            return
        if cut := cut_short(response):
            # archived as it came (WARC-Truncated), but never exported as a whole article
            retry = None
            if cut == "data loss":  # a dropped connection may not drop next time
                retry = get_retry_request(response.request, spider=self, reason=cut)
            if retry is not None:
                yield retry
            else:
                self._fail(response.url, f"body cut short ({cut})")
                self._done(response)
            return
        if not isinstance(response, TextResponse):
            self._fail(response.url, f"not HTML ({response.headers.get('Content-Type')!r})")
            self._done(response)
            return
        record = response.meta.get("warc") or {}
        if self.warc_required and not record:
            self._fail(response.url, "not archived in a WARC file: not exported")
            self._done(response)
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
        yield from self._requisites(response)
        if self.follow_pdfs:
            for url in self._links(response):
                if self.site.classify(url) is Kind.PDF and not self._handled_before(url):
                    yield self._revalidating(url, self.parse_pdf, section)
        yield from self._follow(response, section)

    def parse_pdf(self, response: Response, section: str | None = None):
        self.crawler.stats.inc_value("crawl/pdfs")
        self._done(response)
        return []

    def _fail(self, url: str, reason: str) -> None:
        self.crawler.stats.inc_value("crawl/failed")
        self.failures.append({"url": url, "reason": reason})
        self.logger.warning("failed: %s (%s)", url, reason)

    def on_error(self, failure: Failure) -> None:
        request = failure.request
        self._done(request)
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            message = failure.getErrorMessage()
            if "robots.txt" in message or "offsite" in message.lower():
                # a decision, not a failure: listed in the report all the same
                self.crawler.stats.inc_value("crawl/skipped")
                self.skipped.append({"url": request.url, "reason": message})
                self.logger.info("skipped: %s (%s)", request.url, message)
                return
        if failure.check(HttpError):
            reason = f"HTTP {failure.value.response.status}"
        else:
            reason = f"{failure.type.__name__}: {failure.getErrorMessage()}"
        self._fail(request.url, reason)
