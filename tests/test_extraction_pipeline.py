"""The extraction pipeline in worker processes: the same records, stats and drops as in-process,
a bounded number of pages in the workers' hands, and a dead worker survived."""

from __future__ import annotations

import asyncio
import os
from collections import Counter

import pytest
from scrapy.exceptions import DropItem

from crawler.items import ArticleCapture
from crawler.pipelines import ExtractionPipeline
from crawler.records import article_from_capture
from tests.helpers import packages_imported_by
from tests.replica import ARTICLES, ReplicaServer

BASE = "http://127.0.0.1:8000"


class Stats:
    def __init__(self):
        self.values = Counter()

    def inc_value(self, key, count=1, start=0):
        self.values[key] += count


def captures() -> list[ArticleCapture]:
    server = ReplicaServer()
    found = []
    for a in ARTICLES:
        resp = server.route("GET", a.path, "127.0.0.1:8000")
        if resp.status != 200:  # the replica's 503-once article
            resp = server.route("GET", a.path, "127.0.0.1:8000")
        found.append(
            ArticleCapture(BASE + a.path, a.item_id, resp.body, resp.content_type, None, None)
        )
    # not a K2 item: trafilatura's generic reading (extract/fallback)
    page = b"<html><body><article><p>" + b"A plain page with a paragraph of text. " * 20
    found.append(ArticleCapture(BASE + "/plain.html", 1, page + b"</p></article></body></html>",
                                "text/html", None, None))  # fmt: skip
    # nothing to read at all: extract/failed and DropItem
    found.append(ArticleCapture(BASE + "/empty.html", 2, b"", "text/html", None, None))
    return found


async def run_pipeline(pipe: ExtractionPipeline, items) -> list:
    await pipe.open_spider()
    try:

        async def one(item):
            try:
                return await pipe.process_item(item)
            except DropItem as exc:
                return ("dropped", str(exc))

        return await asyncio.gather(*(one(item) for item in items))
    finally:
        await pipe.close_spider()


def test_workers_give_what_in_process_gives():
    items = captures()
    results, stats = {}, {}
    for workers in (0, 2):
        stats[workers] = Stats()
        pipe = ExtractionPipeline(stats[workers], workers=workers, max_pending=3)
        results[workers] = asyncio.run(run_pipeline(pipe, items))
        assert pipe.pool is None  # shut down on close
    assert results[2] == results[0]
    assert stats[2].values == stats[0].values
    assert stats[0].values["extract/ok"] == len(ARTICLES)
    assert stats[0].values["extract/fallback"] == 1
    assert stats[0].values["extract/failed"] == 1
    assert results[0][-1][0] == "dropped" and "empty.html" in results[0][-1][1]
    assert results[0][0] == article_from_capture(items[0])[0]


def test_other_items_pass_through():
    pipe = ExtractionPipeline(Stats(), workers=1, max_pending=1)
    assert asyncio.run(run_pipeline(pipe, [{"a": 1}])) == [{"a": 1}]


def extract_or_die(capture: ArticleCapture):
    if capture.url.endswith("/poison.html"):
        os._exit(1)  # what the out-of-memory killer or a crash in C code does to a worker
    return article_from_capture(capture)


class DyingExtraction(ExtractionPipeline):
    extract = staticmethod(extract_or_die)


def test_a_dead_worker_costs_only_its_page():
    items = captures()[:6]
    poison = ArticleCapture(BASE + "/poison.html", 3, b"<html>", "text/html", None, None)
    stats = Stats()
    pipe = DyingExtraction(stats, workers=2, max_pending=4)
    results = asyncio.run(run_pipeline(pipe, [*items[:3], poison, *items[3:]]))
    assert results[3][0] == "dropped" and "worker died" in results[3][1]
    assert [r for i, r in enumerate(results) if i != 3] == [
        article_from_capture(c)[0] for c in items
    ]
    assert stats.values["extract/failed"] == 1 and stats.values["extract/ok"] == 6
    assert stats.values["extract/worker_restarts"] >= 1


@pytest.mark.parametrize("workers", [1, 3])
def test_no_fewer_pages_in_flight_than_workers(workers):
    assert ExtractionPipeline(Stats(), workers=workers, max_pending=1).max_pending == workers


def test_workers_check_the_record_and_validation_reads_their_outcome():
    """With VALIDATE_ENABLED the schema check runs in the extraction worker (a millisecond an
    article off the reactor); ValidationPipeline takes its outcome, and the outcome is no field
    of the exported record."""
    import json
    from dataclasses import asdict, replace

    from crawler.items import CheckedArticle
    from crawler.pipelines import ValidationPipeline
    from crawler.records import checked_article, record_line

    items = captures()[:3]
    pipe = ExtractionPipeline(Stats(), workers=2, max_pending=2, check=True)
    checked = asyncio.run(run_pipeline(pipe, items))
    plain = [article_from_capture(c)[0] for c in items]
    assert all(isinstance(a, CheckedArticle) and a.schema_errors is None for a in checked)
    assert [asdict(a) for a in checked] == [asdict(a) for a in plain]
    assert record_line(checked[0]) == record_line(plain[0])
    assert "schema_errors" not in json.loads(record_line(checked[0]))

    # a record the schema refuses: the worker's finding, and the pipeline's own, agree
    def broken(capture):
        article, method = article_from_capture(capture)
        return replace(article, title=None), method

    bad, _ = checked_article(broken, items[0])
    assert bad.schema_errors and bad.schema_errors.startswith("title:")
    for item in (bad, replace(plain[0], title=None)):
        stats = Stats()
        with pytest.raises(DropItem, match="title:"):
            ValidationPipeline(stats, drop_invalid=True).process_item(item)
        assert stats.values == {"validate/invalid": 1}
    stats = Stats()
    assert ValidationPipeline(stats, drop_invalid=True).process_item(checked[0]) is checked[0]
    assert stats.values == {"validate/ok": 1}


def test_the_crawl_process_never_imports_the_extraction():
    """Every command module, the pipelines, extensions and spider load without trafilatura,
    htmldate or jsonschema: the workers import them (a quarter of a second at every start)."""
    loaded = packages_imported_by(
        "import crawler.commands.crawl, crawler.commands.extract, crawler.commands.package, "
        "crawler.pipelines, crawler.extensions.warc_capture, crawler.extensions.report, "
        "crawler.extensions.package, spiders.analyst"
    )
    assert not loaded & {"trafilatura", "htmldate", "jsonschema"}


def test_a_worker_job_never_imports_scrapy():
    """The job is pickled by name: the worker that unpickles it imports its module, which must
    not bring Scrapy and Twisted along (it did, from crawler.pipelines)."""
    import pickle
    from functools import partial

    from crawler.extraction_jobs import extract_and_check
    from crawler.pipelines import ExtractionPipeline

    job = pickle.dumps(partial(extract_and_check, ExtractionPipeline.extract))  # as _extract
    loaded = packages_imported_by(f"import pickle; pickle.loads({job!r})")
    assert "crawler" in loaded
    assert not loaded & {"scrapy", "twisted"}
