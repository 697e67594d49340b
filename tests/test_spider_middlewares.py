"""The requisites and crawl state middlewares on pages rendered by the replica (no network)."""

from __future__ import annotations

from scrapy import Request
from scrapy.http import HtmlResponse, TextResponse
from scrapy.selector import Selector
from scrapy.utils.test import get_crawler

from crawler.spidermiddlewares.crawl_state import CrawlState
from crawler.spidermiddlewares.requisites import Requisites
from crawler.state.previous import Capture, PreviousCaptures
from crawler.warc.records import Original
from spiders.analyst import AnalystSpider
from tests.helpers import project_settings
from tests.replica import ReplicaServer

BASE = "http://127.0.0.1:8000"
REPLICA = ReplicaServer(port=0)  # never started: only its router is used


def setup(tmp_path, **settings):
    keep = project_settings("ANALYST_", "WARC_", "STATE_")
    keep.update(REQUISITES_ENABLED=True, OUTPUT_DIR=str(tmp_path), **settings)
    crawler = get_crawler(AnalystSpider, keep)
    spider = AnalystSpider.from_crawler(crawler, base_url=BASE)
    crawler.spider = spider
    return crawler, spider


def page(path: str, kind: str = "listing") -> HtmlResponse:
    resp = REPLICA.route("GET", path, "127.0.0.1:8000")
    request = Request(BASE + path, meta={"kind": kind})
    headers = {"Content-Type": resp.content_type} if resp.content_type else {}
    return HtmlResponse(BASE + path, body=resp.body, headers=headers, request=request)


def test_requisites_are_asked_for_once_per_crawl(tmp_path):
    crawler, spider = setup(tmp_path)
    mw = Requisites.from_crawler(crawler)
    listing = page("/publications/field-reports.html")
    first = [r for r in mw.process_spider_output(listing, []) if isinstance(r, Request)]
    assert first and all(r.meta["kind"] == "requisite" for r in first)
    assert any(r.url.endswith(".css") for r in first)
    again = list(mw.process_spider_output(page("/publications/news-digest.html"), []))
    assert not {r.url for r in again} & {r.url for r in first}


def test_a_page_is_parsed_once_and_its_tree_goes_with_its_walk(tmp_path, monkeypatch):
    """The spider and the requisites read one parse of the page; once the requisites are done
    (the page's last reader), the tree is let go while the response itself lives on (Scrapy
    keeps it until the article from it has left the pipelines, which can be long)."""
    import gc
    import weakref

    from crawler.pages import parsed

    parses = []

    def counted(**kwargs):
        selector = Selector(**kwargs)
        parses.append(weakref.ref(selector.root))
        return selector

    monkeypatch.setattr(parsed, "Selector", counted)
    crawler, spider = setup(tmp_path)
    mw = Requisites.from_crawler(crawler)
    listing = page("/publications/field-reports.html")
    out = list(mw.process_spider_output(listing, spider.parse_listing(listing, "field-reports")))
    assert any(r.meta["kind"] == "requisite" for r in out)
    assert any(r.meta["kind"] == "item" for r in out)
    assert len(parses) == 1  # the spider's links, its listed items, the requisites: one parse
    gc.collect()
    assert parses[0]() is None  # the tree is gone ...
    assert listing.body  # ... and the response is still here
    assert listing._cached_selector is None  # Scrapy's own parse was never made


def test_a_stylesheet_gives_what_it_loads(tmp_path):
    crawler, spider = setup(tmp_path)
    mw = Requisites.from_crawler(crawler)
    css = TextResponse(
        BASE + "/templates/site/css/template.css",
        body=b"body{background:url(../images/bg.png)} @import 'print.css';",
        headers={"Content-Type": "text/css"},
        request=Request(BASE + "/templates/site/css/template.css", meta={"kind": "requisite"}),
    )
    urls = {r.url for r in mw.process_spider_output(css, [])}
    assert urls == {BASE + "/templates/site/images/bg.png", BASE + "/templates/site/css/print.css"}
    assert crawler.stats.get_value("crawl/requisites") == 1


def test_crawl_state_drops_archived_articles_and_first_crawl_feeds(tmp_path):
    crawler, spider = setup(tmp_path)
    mw = CrawlState.from_crawler(crawler)
    mw._read_archive(spider)
    mw.archived_ids = {12345}
    archived = spider.request_for(f"{BASE}/publications/field-reports/item/12345-x.html", "item")
    new = spider.request_for(f"{BASE}/publications/field-reports/item/12346-y.html", "item")
    feed = spider.request_for(f"{BASE}/publications/field-reports.feed?type=rss", "feed")
    out = list(mw.process_spider_output(page("/publications/field-reports.html"),
                                        [archived, new, feed]))  # fmt: skip
    assert out == [new]


def test_crawl_state_revalidates_what_was_archived_before(tmp_path):
    crawler, spider = setup(tmp_path)
    mw = CrawlState.from_crawler(crawler)
    mw._read_archive(spider)
    url = BASE + "/images/logo.png"
    original = Original(uri=url, date="2026-01-01T00:00:00Z", record_id="<urn:uuid:1>",
                        payload_digest="sha1:X")  # fmt: skip
    mw.previous = PreviousCaptures({url: Capture(original, '"abc"', None)})
    (req,) = mw.process_spider_output(page("/"), [spider.request_for(url, "requisite")])
    assert req.headers[b"If-None-Match"] == b'"abc"'
    assert req.meta["revisit_of"] is original and 304 in req.meta["handle_httpstatus_list"]


def test_a_re_crawl_walks_a_listing_only_while_it_shows_news(tmp_path):
    crawler, spider = setup(tmp_path)
    mw = CrawlState.from_crawler(crawler)
    mw._read_archive(spider)
    mw.incremental = True
    listing = page("/publications/field-reports.html")
    output = list(spider.parse_listing(listing, "field-reports"))
    listed = set(listing.meta["listed_items"])
    assert listed
    mw.archived_ids = set(listed)  # nothing new on the first page: stop there
    assert not [r for r in mw.process_spider_output(listing, output) if r.meta["kind"] == "listing"]
    mw.archived_ids = set(list(listed)[1:])  # one new article: walk to the next page only
    nexts = [r for r in mw.process_spider_output(listing, output) if r.meta["kind"] == "listing"]
    assert [r.meta["listing_start"] for r in nexts] == [spider.listing_step]


def test_the_spider_yields_each_url_once_per_crawl(tmp_path):
    import json
    import os
    import subprocess

    from crawler import settings as project_settings
    from tests.helpers import REPLICA_EXIT, ROOT, crawl_command

    counts_file = tmp_path / "yields.json"
    # -s replaces the whole dict: the project's own middlewares, and the counter by the spider
    middlewares = {**project_settings.SPIDER_MIDDLEWARES, "tests.yield_counter.YieldCounter": 1000}
    with ReplicaServer() as site:
        cmd = crawl_command(
            site.base_url, tmp_path / "out",
            "-s", f"SPIDER_MIDDLEWARES={json.dumps(middlewares)}",
            "-s", f"YIELD_COUNTER_FILE={counts_file}",
        )  # fmt: skip
        env = {**os.environ, "PYTHONPATH": str(ROOT)}  # this checkout's tests package
        proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        fetched = {e["path"] for e in site.log}
    assert proc.returncode == REPLICA_EXIT, proc.stderr[-2000:]
    counts = json.loads(counts_file.read_text())
    twice = {url: n for url, n in counts.items() if n > 1}
    assert not twice, f"yielded more than once: {sorted(twice)[:5]}"
    # so Scrapy's duplicate filter never has anything to drop, and all are fetched but the
    # section feeds (a first crawl has no use for them) and what robots.txt refused
    assert "dupefilter/filtered" not in proc.stderr
    report = json.loads(next((tmp_path / "out" / "reports").glob("*.json")).read_text())
    refused = {"/" + s["url"].split("/", 3)[3] for s in report["skipped_urls"]}
    unfetched = {"/" + url.split("/", 3)[3] for url in counts} - fetched - refused
    assert all(".feed?" in path for path in unfetched), unfetched


def test_crawl_state_counts_listed_against_archived_and_tells_the_report(tmp_path):
    from crawler.signals import completeness_measured, page_failed

    crawler, spider = setup(tmp_path)
    mw = CrawlState.from_crawler(crawler)
    told = []
    crawler.signals.connect(lambda result: told.append(result), completeness_measured, weak=False)
    mw._read_archive(spider)
    listing = page("/publications/field-reports.html")
    listing.meta["section"] = "field-reports"
    output = list(spider.parse_listing(listing, "field-reports"))
    list(mw.process_spider_output(listing, output))
    items = [r for r in output if isinstance(r, Request) and r.meta["kind"] == "item"]
    first, second, *rest = items
    mw.item_scraped(type("A", (), {"item_id": first.meta["item_id"], "url": first.url,
                                   "warc": None, "section": "Field Reports",
                                   "published": "2010-01-02"})())  # fmt: skip
    crawler.signals.send_catch_log(page_failed, request=second, reason="HTTP 404")
    mw.spider_closed(spider, "finished")
    (result,) = told
    (row,) = [s for s in result["sections"] if s["section"] == "field-reports"]
    assert row["listed"] == len(listing.meta["listed_items"]) == len(items)
    assert (row["archived"], row["missing"]) == (1, len(items) - 1)
    reasons = {m["item_id"]: m["reason"] for m in result["missing"]}
    assert reasons[second.meta["item_id"]] == "HTTP 404"
    assert crawler.stats.get_value("completeness/missing") == len(items) - 1
    assert result["by_year"] == [{"year": 2010, "section": "Field Reports", "articles": 1}]


def test_a_re_crawl_asks_again_for_listed_items_the_last_crawl_could_not_get(tmp_path):
    import json

    from tests.replica.content import section_articles

    crawler, spider = setup(tmp_path)
    article = section_articles("news-digest")[-1]  # deep in the listing: not on page 1
    (tmp_path / "reports").mkdir()
    last = {
        "finish_reason": "finished",
        "finished": "2026-01-01T00:00:00+00:00",
        "completeness": {
            "listed_ids": {"news-digest": [article.item_id, 1]},
            "missing": [
                {
                    "item_id": article.item_id,
                    "url": BASE + article.path,
                    "title": article.title,
                    "reason": "HTTP 503",
                    "retryable": True,
                }
            ],
        },  # fmt: skip
    }
    (tmp_path / "reports" / "crawl-20260101T000000Z.json").write_text(json.dumps(last))
    (tmp_path / "articles-old.jsonl").write_text('{"item_id": 1}\n')  # archived before

    async def first_requests():
        mw = CrawlState.from_crawler(crawler)

        async def nothing():
            return
            yield

        return mw, [r async for r in mw.process_start(nothing())]

    import asyncio

    mw, out = asyncio.run(first_requests())
    assert [(r.url, r.meta["kind"]) for r in out] == [(BASE + article.path, "item")]
    assert crawler.stats.get_value("completeness/asked_again") == 1
    assert article.item_id in spider.seen_items  # never asked twice
