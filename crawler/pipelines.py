"""Item pipelines: a captured article page becomes a clean record, and the record is checked."""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict
from functools import partial

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.utils.asyncio import is_asyncio_available

from crawler.extract.errors import ExtractionError
from crawler.extract.workers import cpu_count, worker_pool
from crawler.extraction_jobs import extract_and_check, extract_capture
from crawler.items import Article, ArticleCapture, CheckedArticle

logger = logging.getLogger(__name__)

__all__ = ["ExtractionPipeline", "ValidationPipeline"]

# what the workers import once, before the first page: everything article_from_capture needs
WORKER_PRELOAD = ("crawler.records", "crawler.extraction_jobs")


def __getattr__(name: str):
    # the records module's names, as this module has always offered them, imported on use
    if name in ("article_from_capture", "load_schema"):
        import crawler.records

        return getattr(crawler.records, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _start_workers(pool: ProcessPoolExecutor, workers: int) -> None:
    # one trivial task per worker: all of them exist before the first page is handed over
    for future in [pool.submit(int) for _ in range(workers)]:
        future.result()


class ExtractionPipeline:
    """Capture -> record, in worker processes.

    trafilatura costs far more CPU per page than fetching and archiving it, and the reactor is
    one thread: extracting there would hold every download up. The reactor only hands the page
    over and waits (asynchronously) for the record.
    """

    # what runs in the workers; an attribute, so a subclass (the benchmarks') can wrap it
    extract = staticmethod(extract_capture)

    def __init__(self, stats, workers: int, max_pending: int, check: bool = False):
        self.stats = stats
        self.workers = workers
        self.check = check  # the record checked against the schema in the worker too
        # fewer pages in flight than workers would leave some of them idle
        self.max_pending = max(max_pending, workers, 1)
        self.pool: ProcessPoolExecutor | None = None
        self._ready: asyncio.Future | None = None
        self._slots = asyncio.Semaphore(self.max_pending)

    @classmethod
    def from_crawler(cls, crawler):
        s = crawler.settings
        if not s.getbool("EXTRACT_ENABLED"):
            raise NotConfigured("EXTRACT_ENABLED is off")
        workers = s.getint("EXTRACT_WORKERS")
        return cls(
            crawler.stats,
            cpu_count() if workers < 0 else workers,
            s.getint("EXTRACT_MAX_PENDING"),
            # ValidationPipeline's check, done where the record is made, off the reactor
            check=s.getbool("VALIDATE_ENABLED"),
        )

    async def open_spider(self) -> None:
        if self.workers and not is_asyncio_available():
            logger.warning("EXTRACT_WORKERS needs the asyncio reactor: extracting in-process")
            self.workers = 0
        if self.workers:
            self.pool = worker_pool(self.workers, WORKER_PRELOAD)
            # not awaited: the forkserver imports trafilatura (seconds on a busy machine) while
            # robots.txt and the first listings download; submit() would block the reactor
            self._ready = asyncio.ensure_future(self._start())

    async def _start(self) -> None:
        try:
            await asyncio.to_thread(_start_workers, self.pool, self.workers)
        except (OSError, BrokenProcessPool) as exc:
            logger.error("extraction workers did not start (%s): extracting in-process", exc)
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = None

    async def process_item(self, item):
        if not isinstance(item, ArticleCapture):
            return item
        try:
            article, method = await self._extract(item)
        except ExtractionError as exc:
            self.stats.inc_value("extract/failed")
            raise DropItem(f"no article in {item.url}: {exc}") from None
        self.stats.inc_value("extract/ok" if method == "k2" else "extract/fallback")
        if not article.text:
            self.stats.inc_value("extract/empty_text")
        return article

    async def _extract(self, capture: ArticleCapture) -> tuple[Article, str]:
        if self._ready is not None:
            await self._ready
        job = partial(extract_and_check, self.extract) if self.check else self.extract
        if self.pool is None:
            return job(capture)
        # At the bound this waits, and so does the item: Scrapy keeps its response in the
        # scraper, counted against SCRAPER_SLOT_MAX_ACTIVE_SIZE, and once that is full the
        # engine sends no new request. Pages in memory stay bounded however fast they arrive.
        async with self._slots:
            pool = self.pool
            try:
                return await asyncio.wrap_future(pool.submit(job, capture))
            except BrokenProcessPool:
                self._replace(pool)
            # A worker died (out of memory, a crash in C code) and took the pool with it. Each
            # page the pool held is tried again alone, in a worker of its own: a page that kills
            # workers then takes no other page down with it.
            alone = worker_pool(1, WORKER_PRELOAD)
            try:
                return await asyncio.wrap_future(alone.submit(job, capture))
            except BrokenProcessPool:
                raise ExtractionError("the extraction worker died on it") from None
            finally:
                alone.shutdown(wait=False)

    def _replace(self, pool: ProcessPoolExecutor) -> None:
        if self.pool is not pool:  # another page saw it die first
            return
        logger.error("an extraction worker died: starting new workers")
        self.stats.inc_value("extract/worker_restarts")
        pool.shutdown(wait=False, cancel_futures=True)
        self.pool = worker_pool(self.workers, WORKER_PRELOAD)

    async def close_spider(self) -> None:
        if self._ready is not None:
            await self._ready
        pool, self.pool = self.pool, None
        if pool is not None:
            # nothing is in flight any more (Scrapy closes pipelines once the scraper is idle)
            await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)


class ValidationPipeline:
    """Each record checked against the documented schema: counted, and dropped or logged when
    it does not match. An article the extraction workers checked already (CheckedArticle)
    carries the outcome; anything else is checked here."""

    def __init__(self, stats, drop_invalid: bool):
        self.stats = stats
        self.drop_invalid = drop_invalid

    @classmethod
    def from_crawler(cls, crawler):
        s = crawler.settings
        if not s.getbool("VALIDATE_ENABLED"):
            raise NotConfigured("VALIDATE_ENABLED is off")
        return cls(crawler.stats, s.getbool("VALIDATE_DROP_INVALID"))

    def process_item(self, item):
        if isinstance(item, CheckedArticle):
            message = item.schema_errors
        else:
            from crawler.records import schema_errors  # the workers checked the crawl's own

            data = asdict(item) if isinstance(item, Article) else ItemAdapter(item).asdict()
            message = schema_errors(data, all_pages=True)
        if message is None:
            self.stats.inc_value("validate/ok")
            return item
        self.stats.inc_value("validate/invalid")
        url = ItemAdapter(item).get("url")
        if self.drop_invalid:
            raise DropItem(f"invalid record {url}: {message}")
        logger.warning("invalid record %s: %s", url, message)
        return item
