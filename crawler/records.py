"""Captured pages to JSON records, without Scrapy: for the crawl's pipeline and `scrapy extract`.

``article_from_capture`` is the one place a capture becomes an ``Article``, so a page read
again from a WARC file gives the very record the crawl wrote. ``extract_files`` runs that over
WARC files (``crawler.warcread``), in worker processes if asked, and writes JSON Lines in input
order whatever the number of workers.
"""

from __future__ import annotations

import copy
import json
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from functools import cache
from importlib import resources
from typing import BinaryIO

from jsonschema import Draft202012Validator
from lxml import etree

from crawler.extract.article import (
    Extraction,
    ExtractionError,
    decode,
    extract_article,
    extractor_info,
    generic_extraction,
)
from crawler.extract.k2 import parse_html, read_k2_item
from crawler.items import Article, ArticleCapture
from crawler.site import SECTIONS, Kind, Site
from crawler.warcread import (
    DEFAULT_MAX_BODY,
    Capture,
    ReadError,
    is_html,
    iter_records,
    may_be_html,
)

# --- One record ----------------------------------------------------------------------------


def _article(ex: Extraction, capture: ArticleCapture) -> Article:
    return Article(
        url=capture.url,
        item_id=capture.item_id,
        section=ex.section or SECTIONS.get(capture.section_hint or ""),
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
    )


def article_from_capture(capture: ArticleCapture) -> tuple[Article, str]:
    """The record of one capture, and which path read it ("k2" or "generic")."""
    ex = extract_article(capture.body, capture.url, capture.content_type)
    return _article(ex, capture), ex.method


def trafilatura_extraction(html: str, url: str) -> Extraction:
    """trafilatura's generic reading, its text exactly as ``trafilatura.extract`` gives it.

    Unlike the crawl's fallback for article URLs, the lines are not normalised: on other sites'
    pages that would collapse preformatted text and rewrite tables, and our site knowledge must
    never make a page read worse than trafilatura alone would.
    """
    return generic_extraction(html, url, clean_lines=False)


def page_from_capture(capture: ArticleCapture) -> tuple[Article, str]:
    """Any HTML page: an article URL as the crawl reads it, a K2 item page through K2, and
    every other page through trafilatura alone."""
    if capture.item_id is not None:
        return article_from_capture(capture)
    if not capture.body or not capture.body.strip():
        raise ExtractionError("empty body")
    html = decode(capture.body, capture.content_type)
    try:
        item = read_k2_item(parse_html(html), capture.url)
    except (etree.ParserError, ValueError) as exc:
        raise ExtractionError(f"unparseable HTML: {exc}") from None
    if item is not None and (item.full is not None or item.intro is not None):
        return article_from_capture(capture)
    return _article(trafilatura_extraction(html, capture.url), capture), "generic"


def load_schema() -> dict:
    return json.loads(
        resources.files("crawler").joinpath("schema/article.schema.json").read_text("utf-8")
    )


@cache
def validator(all_pages: bool = False) -> Draft202012Validator:
    """The record schema; with ``all_pages``, pages that are no K2 item have ``item_id: null``."""
    schema = load_schema()
    if all_pages:
        schema = copy.deepcopy(schema)
        item_id = schema["properties"]["item_id"]
        schema["properties"]["item_id"] = {"anyOf": [item_id, {"type": "null"}]}
    return Draft202012Validator(schema)


def schema_errors(data: dict, all_pages: bool = False) -> str | None:
    errors = sorted(validator(all_pages).iter_errors(data), key=lambda e: list(e.path))
    if not errors:
        return None
    return "; ".join(f"{'/'.join(map(str, e.path)) or '(record)'}: {e.message}" for e in errors)


def record_line(article: Article) -> bytes:
    """One JSON Lines line, byte for byte what the crawl's feed export writes."""
    return json.dumps(asdict(article), ensure_ascii=False).encode("utf-8") + b"\n"


# --- Which captures are records ------------------------------------------------------------


def canonical_url(url: str) -> str:
    """The URL on its own host in canonical form (no tracking parameters, default port...)."""
    try:
        return Site(url).canonical(url) or url
    except ValueError:
        return url


def wanted(capture: Capture, all_pages: bool = False) -> bool:
    """Before the body is read: a whole 200 response that may be an article (or any page)."""
    if capture.rec_type != "response" or capture.truncated or capture.status != 200:
        return False
    if not may_be_html(capture.content_type):
        return False
    return all_pages or Site.classify(canonical_url(capture.url)) is Kind.ITEM


def article_capture(capture: Capture, all_pages: bool = False) -> ArticleCapture | None:
    """What the crawl's spider would have handed to the pipeline for this capture, if anything."""
    if capture.body is None or not wanted(capture, all_pages):
        return None
    if not is_html(capture.content_type, capture.body):
        return None
    url = canonical_url(capture.url)
    return ArticleCapture(
        url=url,
        item_id=Site.item_id(url) if Site.classify(url) is Kind.ITEM else None,
        body=capture.body,
        content_type=capture.content_type or None,
        warc=capture.warc,
        fetched_at=capture.fetched_at,
        # the crawl's hint is the listing's section, which is always the one in the item's URL
        section_hint=Site.section_of(url),
    )


# --- Many records, in worker processes -----------------------------------------------------


@dataclass
class Tally:
    files: int = 0
    records: int = 0
    articles: int = 0
    revisit: int = 0
    truncated: int = 0
    not_article: int = 0
    no_text: int = 0
    invalid: int = 0
    errors: int = 0


def _where(capture: ArticleCapture) -> str:
    warc = capture.warc or {}
    return f"{warc.get('filename')}: offset {warc.get('offset')}: {capture.url}"


def extract_batch(
    batch: list[ArticleCapture | str], all_pages: bool
) -> list[tuple[str, bytes | str]]:
    """Each capture's outcome: ("article", line) or (kind, line to report) for "no_text" (empty
    when not worth a line), "invalid" and "error". Runs in worker processes: plain data only.

    A string in the batch is a reading error, passed through so that it is reported in its
    place among the others whatever the number of workers.
    """
    read = page_from_capture if all_pages else article_from_capture
    out: list[tuple[str, bytes | str]] = []
    for capture in batch:
        if isinstance(capture, str):
            out.append(("error", capture))
            continue
        try:
            article, _ = read(capture)
            problem = schema_errors(asdict(article), all_pages)
            if problem:
                out.append(("invalid", f"{_where(capture)}: invalid record: {problem}"))
            else:
                out.append(("article", record_line(article)))
        except ExtractionError as exc:
            # an article URL without an article is news; a page elsewhere without text is not
            why = f"{_where(capture)}: no article: {exc}" if capture.item_id is not None else ""
            out.append(("no_text", why))
        except Exception as exc:  # one odd page must not end a run over a whole archive
            out.append(("error", f"{_where(capture)}: extraction failed: {exc!r}"))
    return out


def in_order(work: Callable, batches: Iterable[list], jobs: int, *args) -> Iterator[list]:
    """``work(batch, *args)`` for every batch, results in input order.

    With ``jobs`` > 1 the work runs in that many processes, with at most two batches per
    process in flight: memory stays flat however large the input.
    """
    if jobs <= 1:
        for batch in batches:
            yield work(batch, *args)
        return
    # spawn: workers start clean, whatever the parent process has loaded or started
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(jobs, mp_context=context) as pool:
        pending: deque = deque()
        try:
            for batch in batches:
                pending.append(pool.submit(work, batch, *args))
                while len(pending) >= 2 * jobs:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def extract_files(
    paths: Iterable[str | os.PathLike],
    out: BinaryIO,
    *,
    all_pages: bool = False,
    jobs: int = 1,
    report: Callable[[str], None] = lambda line: None,
    progress: Callable[[Tally], None] = lambda tally: None,
    max_body: int = DEFAULT_MAX_BODY,
    batch_size: int = 16,
    batch_bytes: int = 8_000_000,
    read: Callable[..., Iterable[Capture | ReadError]] = iter_records,
) -> Tally:
    """Re-extract every capture of ``paths`` (WARC files, in order) into JSON Lines on ``out``.

    ``read(path, want, max_body)`` gives the records of one input; a cluster's work unit
    (``crawler.cluster.work``) passes pieces of files and a reader of byte ranges.
    """
    tally = Tally()

    def batches() -> Iterator[list[ArticleCapture | str]]:
        batch: list[ArticleCapture | str] = []
        size = 0
        for path in paths:
            tally.files += 1
            for event in read(path, lambda c: wanted(c, all_pages), max_body):
                if isinstance(event, ReadError):
                    where = f"offset {event.offset}: " if event.offset is not None else ""
                    batch.append(f"{event.path}: {where}{event.reason}")
                    continue
                tally.records += 1
                progress(tally)
                if event.rec_type == "revisit":
                    tally.revisit += 1
                elif event.rec_type != "response":
                    continue
                elif event.truncated:
                    tally.truncated += 1  # archived as it came, never an article
                elif (capture := article_capture(event, all_pages)) is None:
                    tally.not_article += 1
                else:
                    batch.append(capture)
                    size += len(capture.body)
                    if len(batch) >= batch_size or size >= batch_bytes:
                        yield batch
                        batch, size = [], 0
        if batch:
            yield batch

    for results in in_order(extract_batch, batches(), jobs, all_pages):
        for outcome, value in results:
            if outcome == "article":
                out.write(value)
                tally.articles += 1
            elif outcome == "no_text":
                tally.no_text += 1
                if value:
                    report(value)
            elif outcome == "invalid":
                tally.invalid += 1
                report(value)
            else:
                tally.errors += 1
                report(value)
        progress(tally)
    return tally
