"""Captured pages to JSON records, without Scrapy: for the crawl's pipeline and `scrapy extract`.

``article_from_capture`` is the one place a capture becomes an ``Article``, so a page read
again from a WARC file gives the very record the crawl wrote. ``extract_input`` gives what one
input (a WARC, ARC or WACZ file, or a byte range of one) turns into, for any scheduler;
``extract_files`` runs that over many inputs (``crawler.warc.read``), in worker processes if
asked, and writes JSON Lines in input order whatever the number of workers.
"""

from __future__ import annotations

import copy
import json
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from functools import cache
from importlib import resources
from typing import BinaryIO

from jsonschema import Draft202012Validator
from trafilatura.utils import load_html

from crawler.extract.article import (
    Extraction,
    ExtractionError,
    decode,
    extract_article,
    extractor_info,
    page_extraction,
)
from crawler.extract.k2 import read_k2_item
from crawler.extract.workers import worker_pool
from crawler.items import Article, ArticleCapture, CheckedArticle
from crawler.site import SECTIONS, Kind, Site
from crawler.warc.bodies import DEFAULT_MAX_BODY, is_html, may_be_html
from crawler.warc.read import Capture, ReadError, iter_records

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


def page_from_capture(capture: ArticleCapture) -> tuple[Article, str]:
    """Any HTML page: an article URL as the crawl reads it, a K2 item page through K2, and
    every other page through trafilatura alone. The page is parsed once, as trafilatura parses
    it, for both the K2 check and trafilatura's reading."""
    if capture.item_id is not None:
        return article_from_capture(capture)
    if not capture.body or not capture.body.strip():
        raise ExtractionError("empty body")
    tree = load_html(decode(capture.body, capture.content_type))
    if tree is None:
        raise ExtractionError("unparseable HTML")
    # K2's item container: a page without its id cannot be an item page (and is not searched)
    if b"k2Container" in capture.body:
        item = read_k2_item(tree, capture.url)
        if item is not None and (item.full is not None or item.intro is not None):
            return article_from_capture(capture)
    return _article(page_extraction(tree, capture.url), capture), "generic"


def load_schema() -> dict:
    return json.loads(
        resources.files("crawler").joinpath("schema/article.schema.json").read_text("utf-8")
    )


@cache
def validator(all_pages: bool = False) -> Draft202012Validator:
    """The record schema. It allows what an ``--all-pages`` record of a page that is no K2 item
    may leave empty (``item_id`` null, an empty title); without ``all_pages`` every record must
    be an article, with its K2 item id."""
    schema = load_schema()
    if not all_pages:
        schema = copy.deepcopy(schema)
        schema["properties"]["item_id"]["type"] = "integer"
    return Draft202012Validator(schema)


def checked_article(
    extract: Callable[[ArticleCapture], tuple[Article, str]], capture: ArticleCapture
) -> tuple[CheckedArticle, str]:
    """``extract(capture)``, its record checked against the schema there and then (in the
    extraction worker: the check costs the crawl's reactor a millisecond an article)."""
    article, method = extract(capture)
    return CheckedArticle.of(article, schema_errors(asdict(article), all_pages=True)), method


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
    """Before the body is read: a whole 200 response (or a resource record: a document stored
    as it is, without HTTP) that may be an article, or any page."""
    if capture.truncated:
        return False
    if capture.rec_type == "response":
        if capture.status != 200:
            return False
    elif capture.rec_type != "resource":
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
    too_large: int = 0  # pages over the size limit, left unread


def _where(capture: ArticleCapture) -> str:
    warc = capture.warc or {}
    return f"{warc.get('filename')}: offset {warc.get('offset')}: {capture.url}"


Outcome = tuple[str, bytes | str]


def extract_batch(batch: list[ArticleCapture | Outcome], all_pages: bool) -> list[Outcome]:
    """Each capture's outcome: ("article", line) or (kind, line to report) for "no_text" (empty
    when not worth a line), "invalid", "too_large" and "error". Runs in worker processes: plain
    data only.

    An outcome already in the batch (a reading error, a page too large to read) is passed
    through, so that it is reported in its place among the others whatever the number of
    workers.
    """
    read = page_from_capture if all_pages else article_from_capture
    out: list[Outcome] = []
    for capture in batch:
        if isinstance(capture, tuple):
            out.append(capture)
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

    With ``jobs`` > 1 the work runs in that many processes (``crawler.extract.workers``: forked
    from a server that has imported the extraction once), with at most two batches per process
    in flight: memory stays flat however large the input.
    """
    if jobs <= 1:
        for batch in batches:
            yield work(batch, *args)
        return
    with worker_pool(jobs, preload=["crawler.records"]) as pool:
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


def read_captures(
    path: str | os.PathLike,
    tally: Tally,
    *,
    all_pages: bool = False,
    max_body: int = DEFAULT_MAX_BODY,
    start: int = 0,
    end: int | None = None,
    progress: Callable[[Tally], None] = lambda tally: None,
    read: Callable[..., Iterable[Capture | ReadError]] | None = None,
) -> Iterator[ArticleCapture | Outcome]:
    """The captures of one input (a WARC, ARC or WACZ file; or the records that begin in
    ``[start, end)`` of a WARC or ARC file) to extract, in order, with the outcomes that are
    known without extracting (reading errors, pages over ``max_body``) in their places.
    Counts what it reads into ``tally``."""
    want = lambda c: wanted(c, all_pages)  # noqa: E731
    if read is None:
        events = iter_records(path, want, max_body, start=start, end=end)
    else:  # another reader of the same records (a cluster's byte ranges)
        events = read(path, want, max_body)
    for event in events:
        if isinstance(event, ReadError):
            where = f"offset {event.offset}: " if event.offset is not None else ""
            yield ("error", f"{event.path}: {where}{event.reason}")
            continue
        tally.records += 1
        progress(tally)
        if event.rec_type == "revisit":
            tally.revisit += 1
        elif event.rec_type not in ("response", "resource"):
            continue
        elif event.truncated:
            tally.truncated += 1  # archived as it came, never an article
        elif event.skipped:
            warc = event.warc
            line = f"{path}: offset {warc.get('offset')}: {event.url}: {event.skipped}"
            yield ("too_large", line)
        elif (capture := article_capture(event, all_pages)) is None:
            tally.not_article += 1
        else:
            yield capture


def count(tally: Tally, results: Iterable[Outcome], out: BinaryIO, report) -> None:
    """Write the records of ``results`` to ``out``, report the rest, count all in ``tally``."""
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
        elif outcome == "too_large":
            tally.too_large += 1
            report(value)
        else:
            tally.errors += 1
            report(value)


def extract_input(
    path: str | os.PathLike,
    *,
    all_pages: bool = False,
    max_body: int = DEFAULT_MAX_BODY,
    start: int = 0,
    end: int | None = None,
) -> tuple[list[Outcome], Tally]:
    """Everything one input (or one byte range of one: see ``read_captures``) gives, in order,
    and what was counted reading it: the unit of work of a scheduler (a Dask task). Feeding
    the outcomes of all inputs in order to ``count`` writes what ``extract_files`` writes."""
    tally = Tally()
    captures = read_captures(path, tally, all_pages=all_pages, max_body=max_body, start=start,
                             end=end)  # fmt: skip
    return extract_batch(list(captures), all_pages), tally


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
    read: Callable[..., Iterable[Capture | ReadError]] | None = None,
) -> Tally:
    """Re-extract every capture of ``paths`` (WARC, ARC and WACZ files, in order) into JSON
    Lines on ``out``; pages over ``max_body`` decoded bytes are reported, not read.

    ``read(path, want, max_body)`` gives the records of one input: a cluster's work unit
    (``crawler.cluster.work``) passes pieces of files and a reader of their byte ranges.
    """
    tally = Tally()

    def batches() -> Iterator[list[ArticleCapture | Outcome]]:
        batch: list[ArticleCapture | Outcome] = []
        size = 0
        for path in paths:
            tally.files += 1
            for item in read_captures(
                path, tally, all_pages=all_pages, max_body=max_body, progress=progress, read=read
            ):
                batch.append(item)
                if isinstance(item, ArticleCapture):
                    size += len(item.body)
                if len(batch) >= batch_size or size >= batch_bytes:
                    yield batch
                    batch, size = [], 0
        if batch:
            yield batch

    for results in in_order(extract_batch, batches(), jobs, all_pages):
        count(tally, results, out, report)
        progress(tally)
    return tally
