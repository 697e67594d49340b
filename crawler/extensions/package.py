"""Index and package the output folder once the crawl has closed everything it wrote.

It runs on ``engine_stopped``: by then the WARC capture has closed (and renamed) its files on
``spider_closed`` and the feed exporter has closed the article JSON, so the CDXJ index sees
whole WARC files and the WACZ's pages see every article.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.archive import PackageError, default_name, find_warcs, package_folder
from crawler.site import entry_urls

logger = logging.getLogger(__name__)


class WaczPackage:
    def __init__(
        self,
        crawler,
        output_dir: Path,
        warc_dir: Path,
        name: str,
        prefix: str,
        title: str,
        description: str,
        search_text_budget: int = 0,
    ):
        self.crawler = crawler
        self.stats = crawler.stats
        self.output_dir = output_dir
        self.warc_dir = warc_dir
        self.name = name
        self.prefix = prefix
        self.title = title
        self.description = description
        self.search_text_budget = search_text_budget
        self.feeds: list[Path] = []

    @classmethod
    def from_crawler(cls, crawler):
        s = crawler.settings
        if not s.getbool("PACKAGE_ENABLED"):
            raise NotConfigured("PACKAGE_ENABLED is off: no CDXJ index or WACZ at the end")
        if not s.getbool("WARC_ENABLED"):
            raise NotConfigured("WARC_ENABLED is off: there are no WARC files to package")
        try:
            import cdxj_indexer  # noqa: F401
        except ImportError:
            raise NotConfigured("cdxj-indexer is not installed: pip install cdxj-indexer") from None
        name = s.get("PACKAGE_NAME") or ""
        if name and Path(name).name != name:
            raise NotConfigured(f"PACKAGE_NAME is a file name in OUTPUT_DIR, not a path: {name!r}")
        output_dir = Path(s.get("OUTPUT_DIR") or ".")
        ext = cls(
            crawler,
            output_dir=output_dir,
            warc_dir=Path(s.get("WARC_DIR") or output_dir / "warc"),
            name=name,
            prefix=s.get("WARC_PREFIX") or "",
            title=s.get("PACKAGE_TITLE") or "",
            description=s.get("PACKAGE_DESCRIPTION") or "",
            search_text_budget=s.getint("PACKAGE_SEARCH_TEXT_BYTES"),
        )
        crawler.signals.connect(ext.feed_slot_closed, signal=signals.feed_slot_closed)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    def feed_slot_closed(self, slot) -> None:
        # an article feed sent elsewhere with -o/-O still gives the WACZ its pages
        uri = slot.uri.removeprefix("file://")
        if slot.format == "jsonlines" and "://" not in uri:
            self.feeds.append(Path(uri))

    def engine_stopped(self) -> None:
        warcs = find_warcs(self.warc_dir)
        if not warcs:
            logger.warning("no WARC files in %s: nothing to index or package", self.warc_dir)
            return
        start = self.stats.get_value("start_time")
        name = self.name or default_name(self.prefix, warcs, start)
        dest = self.output_dir / f"{name.removesuffix('.wacz')}.wacz"
        began = time.monotonic()
        try:
            result = package_folder(
                self.output_dir,
                dest,
                warc_dir=self.warc_dir,
                article_files=self.feeds,
                title=self.title,
                description=self.description,
                search_text_budget=self.search_text_budget,
                entries=entry_urls,
            )
        except (OSError, PackageError, ValueError) as exc:
            # the WARC files are whole and stay; `scrapy package` can build this later
            logger.error("could not index and package %s: %s", self.output_dir, exc)
            self.stats.set_value("package/error", str(exc))
            return
        seconds = time.monotonic() - began
        self.stats.set_value("package/wacz", str(result.wacz.path))
        self.stats.set_value("package/wacz_bytes", result.wacz.size)
        self.stats.set_value("package/index", str(result.index))
        self.stats.set_value("package/index_lines", result.index_lines)
        self.stats.set_value("package/warc_files", len(result.warcs))
        self.stats.set_value("package/pages", result.wacz.pages)
        self.stats.set_value("package/pages_without_capture", len(result.pages_without_capture))
        self.stats.set_value("package/failed_captures_unindexed", result.failed_captures_unindexed)
        self.stats.set_value("package/page_text", result.text)
        if result.search_collection:
            self.stats.set_value("package/search_collection", str(result.search_collection))
        self.stats.set_value("package/seconds", round(seconds, 3))
        logger.info(
            "WACZ %s: %d pages, %d WARC files, %d index lines (%.1f s)",
            result.wacz.path, result.wacz.pages, len(result.warcs), result.index_lines, seconds,
        )  # fmt: skip
