"""Item pipelines: a captured article page becomes a clean record, and the record is checked."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict
from importlib import resources

from itemadapter import ItemAdapter
from jsonschema import Draft202012Validator
from scrapy.exceptions import DropItem, NotConfigured

from crawler.extract.article import ExtractionError, extract_article, extractor_info
from crawler.items import Article, ArticleCapture
from crawler.site import SECTIONS

logger = logging.getLogger(__name__)


def article_from_capture(capture: ArticleCapture) -> tuple[Article, str]:
    """The record of one capture, and which path read it ("k2" or "generic")."""
    ex = extract_article(capture.body, capture.url, capture.content_type)
    section = ex.section or SECTIONS.get(capture.section_hint or "")
    return (
        Article(
            url=capture.url,
            item_id=capture.item_id,
            section=section,
            title=ex.title,
            authors=ex.authors,
            published=ex.published,
            issue_date=ex.issue_date,
            summary=ex.summary,
            text=ex.text,
            images=ex.images,
            tags=ex.tags,
            pdf_urls=ex.pdf_urls,
            hits=ex.hits,
            language=ex.language,
            word_count=ex.word_count,
            fetched_at=capture.fetched_at,
            warc=capture.warc,
            extractor=extractor_info(),
        ),
        ex.method,
    )


class ExtractionPipeline:
    def __init__(self, stats):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("EXTRACT_ENABLED"):
            raise NotConfigured("EXTRACT_ENABLED is off")
        return cls(crawler.stats)

    def process_item(self, item):
        if not isinstance(item, ArticleCapture):
            return item
        try:
            article, method = article_from_capture(item)
        except ExtractionError as exc:
            self.stats.inc_value("extract/failed")
            raise DropItem(f"no article in {item.url}: {exc}") from None
        self.stats.inc_value("extract/ok" if method == "k2" else "extract/fallback")
        if not article.text:
            self.stats.inc_value("extract/empty_text")
        return article


def load_schema() -> dict:
    return json.loads(
        resources.files("crawler").joinpath("schema/article.schema.json").read_text("utf-8")
    )


class ValidationPipeline:
    def __init__(self, stats, drop_invalid: bool):
        self.stats = stats
        self.drop_invalid = drop_invalid
        self.validator = Draft202012Validator(load_schema())

    @classmethod
    def from_crawler(cls, crawler):
        s = crawler.settings
        if not s.getbool("VALIDATE_ENABLED"):
            raise NotConfigured("VALIDATE_ENABLED is off")
        return cls(crawler.stats, s.getbool("VALIDATE_DROP_INVALID"))

    def process_item(self, item):
        data = asdict(item) if isinstance(item, Article) else ItemAdapter(item).asdict()
        errors = sorted(self.validator.iter_errors(data), key=lambda e: list(e.path))
        if not errors:
            self.stats.inc_value("validate/ok")
            return item
        self.stats.inc_value("validate/invalid")
        message = "; ".join(
            f"{'/'.join(map(str, e.path)) or '(record)'}: {e.message}" for e in errors
        )
        if self.drop_invalid:
            raise DropItem(f"invalid record {data.get('url')}: {message}")
        logger.warning("invalid record %s: %s", data.get("url"), message)
        return item
