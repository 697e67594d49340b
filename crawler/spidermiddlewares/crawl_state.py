"""The crawl's state across runs: what earlier crawls into the folder archived, and the journal.

A spider middleware, so that the spider only walks the site. It sits next to the spider
(``process_spider_output`` sees the spider's requests first) and decides, for each request:

- handled by the run this one resumes (JOBDIR journal): dropped;
- an article archived before (``refresh=new``): dropped, whatever path links it;
- a re-crawl of a folder whose last crawl finished: a listing is walked only while it still
  shows something new, and the section feeds are read; what the last crawl's listings showed
  but it could not archive is asked for again;
- a stylesheet, image, PDF, the home page or a menu page archived before: asked for
  conditionally (a revisit record if unchanged), once per crawl;

and it writes every request it lets through to the journal. It also keeps count of what the
site's listings show against what the folder's archive holds (``crawler.state.completeness``)
and tells the report when the spider closes. When the crawl opens it also
re-extracts the articles that are in the WARC files but in no JSON file (a forced stop or a
crash lost their export), from their records, without fetching them again.

A journal is replayed only when its run did not finish: a finished one is set aside, with
Scrapy's own JOBDIR files, so the same command run again later crawls what is new.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any

from scrapy import Request, signals
from scrapy.exceptions import NotConfigured

from crawler import signals as crawl_signals
from crawler.items import ArticleCapture
from crawler.site import SECTIONS, Site
from crawler.state.completeness import Completeness
from crawler.state.journal import Journal, exported_index, repair_jsonl
from crawler.state.previous import PreviousCaptures
from crawler.state.recover import capture_from_warc, feed_files

logger = logging.getLogger(__name__)

JOURNAL_NAME = "analyst-journal.jsonl"
SCRAPY_JOB_FILES = ("requests.queue", "requests.seen", "spider.state")  # Scrapy's in JOBDIR
# fetched again on every crawl, but asked whether they changed (a revisit record if not):
# files, and the home and menu pages, which are not articles (refresh=new never drops them)
REVALIDATED = frozenset({"pdf", "requisite", "image", "page", "alias"})
DEFAULT_FEED_GLOB = "articles-*.jsonl"  # earlier crawls' default exports, whatever -o says now


def last_crawl(output_dir: Path) -> dict | None:
    """The JSON report of the last crawl into the folder, if any."""
    for path in sorted((output_dir / "reports").glob("crawl-*.json"), reverse=True):
        try:
            return json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            continue
    return None


def set_aside(jobdir: Path, names: Iterable[str], why: str) -> Path | None:
    """Move JOBDIR files into a dated folder beside them: kept for the record, never replayed."""
    present = [name for name in names if (jobdir / name).exists()]
    if not present:
        return None
    aside = jobdir / f"{why}-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}"
    aside.mkdir(parents=True)
    for name in present:
        os.replace(jobdir / name, aside / name)
    return aside


class CrawlState:
    def __init__(self, crawler, output_dir: Path, warc_dir: Path, jobdir: Path | None, sync: bool):
        self.crawler = crawler
        self.stats = crawler.stats
        self.output_dir = output_dir
        self.warc_dir = warc_dir
        self.jobdir = jobdir
        self.sync = sync
        self.feeds = crawler.settings.getdict("FEEDS")
        self.archive_warc = crawler.settings.getbool("WARC_ENABLED")
        self.journal: Journal | None = None
        self.previous = PreviousCaptures({})
        self.archived_ids: set[int] = set()
        self.incremental = False
        self.refresh = "new"
        self.spider = None
        self.completeness: Completeness | None = None

    @classmethod
    def from_crawler(cls, crawler):
        s = crawler.settings
        if not s.getbool("STATE_ENABLED"):
            raise NotConfigured("STATE_ENABLED is off: every run starts from nothing")
        output_dir = Path(s.get("OUTPUT_DIR") or ".")
        jobdir = Path(s["JOBDIR"]) if s.get("JOBDIR") else None
        mw = cls(
            crawler,
            output_dir,
            Path(s.get("WARC_DIR") or output_dir / "warc"),
            jobdir,
            s.getbool("STATE_JOURNAL_FSYNC"),
        )
        if jobdir is not None:
            # here, before Scrapy's scheduler opens its own JOBDIR files
            mw._open_journal()
        crawler.signals.connect(mw.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(mw.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(mw.request_scheduled, signal=signals.request_scheduled)
        crawler.signals.connect(mw.page_failed, signal=crawl_signals.page_failed)
        crawler.signals.connect(mw.page_skipped, signal=crawl_signals.page_skipped)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    # --- the journal ----------------------------------------------------------------------

    def _open_journal(self) -> None:
        path = self.jobdir / JOURNAL_NAME
        journal = Journal(path, sync=self.sync)
        if journal.state.finished:
            journal.close()
            aside = set_aside(self.jobdir, (JOURNAL_NAME, *SCRAPY_JOB_FILES), "finished")
            logger.info("the journal's crawl had finished: set aside in %s, starting anew", aside)
            journal = Journal(path, sync=self.sync)
        elif journal.resumed and set_aside(self.jobdir, SCRAPY_JOB_FILES, "scrapy-set-aside"):
            # a killed run can leave them unreadable, and they forget requests in flight
            logger.warning("resuming: Scrapy's own queue files were set aside")
        self.journal = journal

    def spider_closed(self, spider, reason) -> None:
        self._measure(reason == "finished")
        if self.journal is None:
            return
        if reason == "finished":
            self.journal.finish()
            self.journal.close()
            set_aside(self.jobdir, (JOURNAL_NAME, *SCRAPY_JOB_FILES), "finished")
        else:
            self.journal.close()

    def _done(self, request_or_response) -> None:
        if self.journal is not None:
            meta = request_or_response.meta
            self.journal.fetched(meta.get("journal_url") or request_or_response.url)

    def item_scraped(self, item, response=None, spider=None) -> None:
        item_id = getattr(item, "item_id", None)
        if not isinstance(item_id, int):
            return
        if self.completeness is not None:
            self.completeness.archived(item_id, getattr(item, "section", None),
                                       getattr(item, "published", None))  # fmt: skip
        if self.journal is not None:
            requested = response.meta.get("journal_url", item.url) if response else item.url
            self.journal.archived(item_id, requested, item.url, item.warc)

    def item_dropped(self, item, response=None, exception=None, spider=None) -> None:
        item_id = getattr(item, "item_id", None)
        if self.completeness is not None and isinstance(item_id, int):
            self.completeness.not_archived(item_id, f"not exported: {exception}")
        if response is not None:
            self._done(response)

    def page_failed(self, request, reason: str, retryable: bool = False, **kwargs) -> None:
        item_id = request.meta.get("item_id")
        if self.completeness is not None and isinstance(item_id, int):
            self.completeness.not_archived(item_id, reason, retryable)
        self._done(request)

    def page_skipped(self, request, reason: str, **kwargs) -> None:
        item_id = request.meta.get("item_id")
        if self.completeness is not None and isinstance(item_id, int):
            self.completeness.not_archived(item_id, f"not fetched: {reason}")
        self._done(request)

    # --- did we get everything? -----------------------------------------------------------

    def _measure(self, finished: bool) -> None:
        if self.completeness is None:
            return  # closed before it opened (an error at start): nothing to say
        result = self.completeness.result(finished)
        totals = result["totals"]
        self.stats.set_value("completeness/listed", totals["listed"])
        self.stats.set_value("completeness/archived", totals["archived"])
        self.stats.set_value("completeness/missing", totals["missing"])
        retryable = sum(1 for m in result["missing"] if m["retryable"])
        self.stats.set_value("completeness/missing_retryable", retryable)
        self.crawler.signals.send_catch_log(crawl_signals.completeness_measured, result=result)

    def _ask_again(self, spider) -> Iterable[Request]:
        """Items the last crawl's listings showed but it could not archive, on listing pages a
        re-crawl may not walk again: asked for directly."""
        count = 0
        for entry in self.completeness.missing_from_earlier():
            url = self.site.canonical(entry.url)
            if url is None or self.site.item_id(url) != entry.item_id:
                continue
            url = self.site.in_section(url, entry.section)
            if entry.item_id in spider.seen_items or not spider.first_visit(url):
                continue
            spider.seen_items.add(entry.item_id)
            request = self._admit(spider.request_for(url, "item", entry.section))
            if request is not None:
                count += 1
                yield request
        self.stats.set_value("completeness/asked_again", count)

    def request_scheduled(self, request, spider=None) -> None:
        # Scrapy's offsite filter drops a redirect to another host here, silently (no errback)
        if self.spider is None or not request.meta.get("redirect_urls"):
            return
        if self.site.canonical(request.url) is not None:
            return
        self.stats.inc_value("crawl/skipped")
        self.crawler.signals.send_catch_log(
            crawl_signals.page_skipped,
            request=request,
            reason="off-site: not followed",
            extra={"redirected_from": request.meta["redirect_urls"][0]},
        )

    # --- what earlier runs did ------------------------------------------------------------

    @property
    def site(self) -> Site:
        return self.spider.site

    def _read_archive(self, spider) -> None:
        self.spider = spider
        self.refresh = getattr(spider, "refresh", "new")
        self.previous = PreviousCaptures.scan(self.warc_dir)
        feeds = set(feed_files(self.feeds, str(self.output_dir)))
        feeds |= set(self.output_dir.glob(DEFAULT_FEED_GLOB))
        torn = sum(repair_jsonl(path) for path in sorted(feeds))
        if torn:
            logger.warning("dropped %d bytes of a torn last line in the JSON files", torn)
        index = exported_index(sorted(feeds))
        self.exported = set(index)
        in_warc = {self.site.item_id(u) for u in self.previous.urls()} - {None}
        self.archived_ids = self.exported | in_warc
        last = last_crawl(self.output_dir)
        if self.archived_ids and self.refresh == "new":
            # stopping at the first listing page with nothing new is only safe when the last
            # crawl got to its end; after a crash or an interruption, walk every page again
            self.incremental = bool(last) and last.get("finish_reason") == "finished"
            if not self.incremental:
                logger.warning(
                    "the last crawl into %s did not finish: walking every listing page "
                    "(articles already archived are still skipped)",
                    self.output_dir,
                )
        if last and last.get("finished"):
            self.stats.set_value("recrawl/last_crawl", last["finished"])
        self.completeness = Completeness(spider.sections, SECTIONS)
        self.completeness.archived_before(self.archived_ids, index)
        resumed = self.journal is not None and self.journal.resumed
        if last and (self.incremental or resumed):
            # listing pages this crawl will not walk again: what they showed last time
            self.completeness.carry(last.get("completeness"))
        self.stats.set_value("recrawl/archived_before", len(self.archived_ids))
        self.stats.set_value("recrawl/previous_captures", len(self.previous))
        if self.previous:
            logger.info(
                "re-crawl (%s): %d articles and %d captures already in %s",
                "new articles only" if self.incremental else "walking every listing",
                len(self.archived_ids), len(self.previous), self.warc_dir,
            )  # fmt: skip

    def _unexported(self) -> Iterable[ArticleCapture]:
        """Articles in the WARC files but in no JSON file: read back from their records."""
        if not self.archive_warc:
            return
        count = 0
        for url in list(self.previous.urls()):
            item_id = self.site.item_id(url)
            capture = self.previous.get(url)
            if item_id is None or item_id in self.exported or capture.pointer is None:
                continue
            article = capture_from_warc(self.warc_dir, capture.pointer, url, item_id)
            if article is None:
                continue
            article.section_hint = self.site.section_of(url)
            self.exported.add(item_id)  # once, even if two captures of it are missing
            count += 1
            yield article
        self.stats.set_value("recrawl/recovered_from_warc", count)
        if count:
            logger.warning(
                "%d articles archived before were in no JSON file: re-extracted from the WARC "
                "files",
                count,
            )

    # --- requests -------------------------------------------------------------------------

    def _admit(self, request: Request) -> Request | None:
        """The request as it should go out, or None when it is not needed."""
        meta = request.meta
        kind = meta.get("kind")
        url = meta.get("journal_url") or request.url
        if self.journal is not None and url in self.journal.state.fetched:
            return None  # handled by the run this one resumes
        if kind == "feed" and not self.incremental:
            return None
        if kind == "item" and self.refresh == "new" and meta.get("item_id") in self.archived_ids:
            return None
        if kind == "alias" and self.refresh == "new" and self.previous.get(url) is not None:
            return None  # an archived article's other address, archived before too
        if kind in REVALIDATED and (previous := self.previous.get(url)) is not None:
            # archived before: ask whether it changed (the WARC gets a revisit record if not)
            headers = {}
            if previous.etag:
                headers["If-None-Match"] = previous.etag
            if previous.last_modified:
                headers["If-Modified-Since"] = previous.last_modified
            request.headers.update(headers)  # the spider's own new request: ours to change
            meta["revisit_of"] = previous.original
            meta["handle_httpstatus_list"] = [*meta.get("handle_httpstatus_list", ()), 304]
        if self.journal is not None:
            self.journal.scheduled(url, kind or "", meta.get("section"))
        return request

    def _listing_filter(self, response, output: list) -> Iterable[Any]:
        """A re-crawl walks a listing only to the next page, and only while it shows news."""
        listed = set(response.meta.get("listed_items") or ()) - {None}
        news = listed - self.archived_ids
        next_start = response.meta.get("listing_start", 0) + self.spider.listing_step
        for obj in output:
            is_listing = isinstance(obj, Request) and obj.meta.get("kind") == "listing"
            if is_listing and (not news or obj.meta.get("listing_start") != next_start):
                self.spider.forget(obj.url)  # it may come up again from the next page
                if not news:
                    self.stats.inc_value("recrawl/listings_stopped")
                continue
            yield obj

    def _through(self, response, output: Iterable[Any]) -> Iterable[Any]:
        exported = False
        for obj in output:
            if isinstance(obj, Request):
                obj = self._admit(obj)
                if obj is None:
                    continue
            elif isinstance(obj, ArticleCapture):
                exported = True
            yield obj
        if not exported:  # an article's own journal line is written once it is exported
            self._done(response)

    def process_spider_output(self, response, result, spider=None):
        listed = response.meta.get("listed_items")
        if self.completeness is not None and isinstance(listed, dict):
            self.completeness.saw_listing(response.meta.get("section"), listed)
        if self.incremental and response.meta.get("kind") == "listing":
            result = self._listing_filter(response, list(result))
        yield from self._through(response, result)

    async def process_spider_output_async(self, response, result, spider=None):
        output = [obj async for obj in result]
        for obj in self.process_spider_output(response, output):
            yield obj

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        spider = self.crawler.spider
        self._read_archive(spider)
        for capture in self._unexported():
            yield capture
        if self.incremental:
            for request in self._ask_again(spider):
                yield request
        if self.journal is not None and self.journal.resumed:
            for item in self._resume(spider):
                yield item
            return
        async for obj in start:
            if isinstance(obj, Request):
                obj = self._admit(obj)
                if obj is None:
                    continue
            yield obj

    def _resume(self, spider) -> Iterable[Request]:
        state = self.journal.state
        archived_urls = {entry["u"] for entry in state.archived.values()}
        pending = [p for p in state.pending if p[0] not in archived_urls]
        # the spider must not ask again for what the journal already scheduled
        spider.seen_urls |= set(state.scheduled)
        spider.seen_items |= set(state.archived) | {
            spider.site.item_id(url) for url, (kind, _) in state.scheduled.items() if kind == "item"
        }
        self.stats.set_value("resume/archived_before", len(state.archived))
        self.stats.set_value("resume/pending", len(pending))
        logger.warning(
            "resuming: %d articles archived before, %d requests left",
            len(state.archived), len(pending),
        )  # fmt: skip
        for url, kind, section in pending:
            if not hasattr(spider, f"parse_{kind}"):
                continue
            request = self._admit(spider.request_for(url, kind, section))
            if request is not None:
                yield request
