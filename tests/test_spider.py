"""The spider's callbacks on pages rendered by the replica in-process (no server, no network)."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, Response
from scrapy.utils.test import get_crawler

from crawler.errors import PreflightError
from crawler.items import ArticleCapture
from crawler.signals import page_failed
from crawler.site import Kind, Site
from spiders.analyst import AnalystSpider, parse_sections
from tests.helpers import project_settings
from tests.replica import ReplicaServer
from tests.replica.content import COMPONENT_LINK_IDS, MENU_PAGE_PATHS, SAMPLE_ID

BASE = "http://127.0.0.1:8000"
REPLICA = ReplicaServer(port=0)  # never started: only its router is used
ARCHIVED = {"warc": {"location": {"filename": "x"}, "date": "d"}}  # as the WARC capture says


def page(path: str, meta: dict | None = None) -> Response:
    resp = REPLICA.route("GET", path, "127.0.0.1:8000")
    url = BASE + path
    request = Request(url, meta=meta or {})
    headers = {"Content-Type": resp.content_type} if resp.content_type else {}
    return HtmlResponse(url, status=resp.status, body=resp.body, headers=headers, request=request)


def spider(**kwargs) -> AnalystSpider:
    crawler = get_crawler(AnalystSpider, project_settings("ANALYST_", "WARC_"))
    s = AnalystSpider.from_crawler(crawler, base_url=BASE, **kwargs)
    s.failures = []

    def failed(request, reason, retryable=False):
        s.failures.append({"url": request.url, "reason": reason, "retryable": retryable})

    crawler.signals.connect(failed, signal=page_failed, weak=False)
    return s


def requests_of(results) -> list[Request]:
    return [r for r in results if isinstance(r, Request)]


def test_start_requests_are_the_section_listings():
    import asyncio

    async def collect(s):
        return [r async for r in s.start()]

    reqs = asyncio.run(collect(spider(sections="news-digest,field-reports")))
    assert [r.url for r in reqs] == [
        f"{BASE}/publications/news-digest.html",
        f"{BASE}/publications/field-reports.html",
        f"{BASE}/",  # the home page: where a reader comes in
    ]
    assert reqs[-1].meta["kind"] == "page"


def test_listing_yields_items_and_pagination_only():
    s = spider()
    reqs = requests_of(s.parse_listing(page("/publications/field-reports.html"), "field-reports"))
    assert {r.meta["kind"] for r in reqs} <= {"listing", "item", "feed", "page"}
    reqs = [r for r in reqs if r.meta["kind"] not in ("feed", "page")]
    kinds = {Site.classify(r.url) for r in reqs}
    assert kinds <= {Kind.LISTING, Kind.ITEM}
    items = [r for r in reqs if Site.classify(r.url) is Kind.ITEM]
    listings = [r for r in reqs if Site.classify(r.url) is Kind.LISTING]
    assert len(items) >= 4
    assert all(r.priority > 0 for r in items)
    assert any("start=4" in r.url for r in listings)
    assert all("limitstart" not in r.url for r in listings)
    assert all(r.url.startswith(BASE) for r in reqs)


def test_each_item_is_requested_once_whatever_the_path():
    s = spider()
    first = requests_of(s.parse_listing(page("/publications/field-reports.html"), "field-reports"))
    again = requests_of(s.parse_listing(page("/publications/field-reports.html"), "field-reports"))
    items = [r for r in first + again if r.meta["kind"] == "item"]
    ids = [Site.item_id(r.url) for r in items]
    assert len(ids) == len(set(ids))
    urls = [r.url for r in first + again]
    assert len(urls) == len(set(urls))


def test_component_links_are_fetched_under_their_section():
    s = spider()
    seen = []
    for section in ("analytical-articles", "field-reports", "news-digest", "feature-articles"):
        for start in range(0, 40, 4):
            resp = page(f"/publications/{section}.html?start={start}")
            seen += requests_of(s.parse_listing(resp, section))
    component = [r for r in seen if Site.item_id(r.url) in COMPONENT_LINK_IDS]
    items = [r for r in component if r.meta["kind"] == "item"]
    assert {Site.item_id(r.url) for r in items} == set(COMPONENT_LINK_IDS)
    assert all("/component/" not in r.url for r in items)
    # the address the listing shows is archived too (so the link replays), never extracted
    aliases = [r for r in component if r.meta["kind"] == "alias"]
    assert sorted(Site.item_id(r.url) for r in aliases) == sorted(COMPONENT_LINK_IDS)
    assert all("/component/k2/item/" in r.url for r in aliases)
    assert all(r.callback == s.parse_alias for r in aliases)


def test_aliases_can_be_switched_off():
    s = spider()
    s.follow_aliases = False
    seen = []
    for section in ("analytical-articles", "field-reports", "news-digest", "feature-articles"):
        for start in range(0, 40, 4):
            resp = page(f"/publications/{section}.html?start={start}")
            seen += requests_of(s.parse_listing(resp, section))
    assert not [r for r in seen if r.meta["kind"] == "alias"]
    assert {Site.item_id(r.url) for r in seen if r.meta["kind"] == "item"} >= COMPONENT_LINK_IDS


def test_sections_limit_what_is_followed():
    s = spider(sections="field-reports")
    reqs = requests_of(s.parse_listing(page("/publications/field-reports.html"), "field-reports"))
    pages = [r for r in reqs if r.meta["kind"] not in ("feed", "page")]
    assert pages and all(Site.section_of(r.url) == "field-reports" for r in pages)


def test_item_page_gives_a_capture_and_its_pdfs():
    s = spider()
    from tests.replica.content import BY_ID

    article = BY_ID[SAMPLE_ID]
    resp = page(article.path, meta={"warc": {"location": {"filename": "x"}, "date": "d"}})
    out = list(s.parse_item(resp, "field-reports"))
    captures = [o for o in out if isinstance(o, ArticleCapture)]
    assert len(captures) == 1
    cap = captures[0]
    assert cap.item_id == SAMPLE_ID and cap.url == BASE + article.path
    assert cap.warc == {"filename": "x"} and cap.fetched_at == "d"
    for r in requests_of(out):
        assert Site.classify(r.url) in (Kind.ITEM, Kind.LISTING, Kind.PDF, Kind.PAGE, Kind.HOME)


def test_menu_pages_are_followed_once_and_nothing_else_of_the_menu():
    s = spider(sections="field-reports")
    reqs = requests_of(s.parse_listing(page("/publications/field-reports.html"), "field-reports"))
    menu = [r for r in reqs if r.meta["kind"] == "page"]
    # the menu's own pages, never its tag listings or the other host it links
    assert sorted(r.url for r in menu) == sorted(BASE + p for p in MENU_PAGE_PATHS)
    # the same menu on the next page, on an article, on a menu page: nothing new
    again = requests_of(s.parse_listing(page("/publications/field-reports.html?start=4"),
                                        "field-reports"))  # fmt: skip
    again += requests_of(s.parse_page(page("/about.html")))
    assert not [r for r in again if r.meta["kind"] == "page"]
    # a menu page's own body and sidebar lead nowhere else: no tag, search, mail or other host
    out = requests_of(spider().parse_page(page("/editorial/editorial-principles.html")))
    assert {Site.classify(r.url) for r in out} <= {Kind.HOME, Kind.PAGE, Kind.LISTING}


def test_home_page_leads_to_the_newest_articles():
    s = spider()
    reqs = requests_of(s.parse_page(page("/")))
    assert [r for r in reqs if r.meta["kind"] == "item"]
    assert all(r.url.startswith(BASE) for r in reqs)


@pytest.mark.parametrize("style", [0, 1, 2, 3])
def test_full_size_images_articles_link_to(style):
    from tests.replica.content import ARTICLES, full_size_images

    article = next(a for a in ARTICLES if a.has_item_image and a.item_id % 4 == style)
    s = spider()
    out = requests_of(s.parse_item(page(article.path, ARCHIVED), article.section))
    images = [r for r in out if r.meta["kind"] == "image"]
    assert [r.url for r in images] == [BASE + p for p in full_size_images(article)]
    assert all(Site.classify(r.url) is Kind.IMAGE for r in images)
    again = requests_of(s.parse_item(page(article.path, ARCHIVED), article.section))
    assert not again, "once per crawl"


def test_inline_image_linked_to_its_larger_copy():
    from tests.replica.content import ARTICLES, full_size_images

    article = next(a for a in ARTICLES if not a.has_item_image and full_size_images(a))
    out = requests_of(spider().parse_item(page(article.path, ARCHIVED), article.section))
    assert [r.url for r in out if r.meta["kind"] == "image"] == [
        BASE + p for p in full_size_images(article)
    ]


def test_switches_turn_menus_and_full_images_off():
    from tests.replica.content import ARTICLES

    article = next(a for a in ARTICLES if a.has_item_image)
    s = spider()
    s.follow_menus = s.follow_images = False
    out = requests_of(s.parse_item(page(article.path, ARCHIVED), article.section))
    assert not [r for r in out if r.meta["kind"] in ("page", "image")]


def test_truncated_item_is_not_exported():
    s = spider()
    from tests.replica.content import BY_ID

    resp = page(BY_ID[SAMPLE_ID].path)
    cut = resp.replace(flags=["download_stopped"])
    assert not [o for o in s.parse_item(cut, "field-reports") if isinstance(o, ArticleCapture)]
    assert s.failures and "size limit" in s.failures[0]["reason"]


def test_listing_pages_are_bounded():
    s = spider()
    s.max_listing_start = 4  # as with -s ANALYST_MAX_LISTING_PAGES=1
    reqs = requests_of(s.parse_listing(page("/publications/field-reports.html"), "field-reports"))
    assert not [r for r in reqs if Site.classify(r.url) is Kind.LISTING and "start=" in r.url]


def test_unarchived_page_is_not_exported():
    s = spider()
    from tests.replica.content import BY_ID

    out = list(s.parse_item(page(BY_ID[SAMPLE_ID].path), "field-reports"))  # no WARC pointer
    assert not [o for o in out if isinstance(o, ArticleCapture)]
    assert "not archived" in s.failures[0]["reason"]


def test_sections_argument_validation():
    assert parse_sections("") == ["analytical-articles", "field-reports", "news-digest",
                              "feature-articles"]  # fmt: skip
    assert parse_sections(" Field-Reports ,news-digest") == ["field-reports", "news-digest"]
    with pytest.raises(PreflightError, match="valid sections: analytical-articles"):
        parse_sections("field-reports,opinion")


def lxml_objects_reachable_from(root) -> list:
    """lxml objects (elements, "smart" strings that hold one) in ``root``'s object graph,
    through containers and instances; functions, classes and modules are not followed."""
    import gc
    import types

    from lxml import etree

    lxml_types = (etree._Element, etree._ElementUnicodeResult)
    stop = (types.ModuleType, type, types.FunctionType, types.BuiltinFunctionType)
    seen, todo, found = set(), [root], []
    while todo:
        obj = todo.pop()
        if id(obj) in seen or isinstance(obj, stop):
            continue
        seen.add(id(obj))
        if isinstance(obj, lxml_types):
            found.append(obj)
            continue
        if isinstance(obj, dict):  # keys too: gc.get_referents gives them, but be plain
            todo.extend(obj.keys())
        todo.extend(gc.get_referents(obj))
    return found


def test_pages_leave_nothing_of_their_tree_in_what_the_spider_keeps():
    """What the spider keeps across pages (the URLs it has seen, Site's once-per-crawl caches
    of hrefs) holds plain strings. An lxml "smart" string, lxml's default for an XPath's
    string results, keeps its element and so its page's whole tree alive: kept once per
    crawl, every page with a new link stayed in memory (180 kB an article, 1.9 GB at 10,000)."""
    from tests.replica.content import BY_ID

    s = spider()
    list(s.parse_listing(page("/publications/field-reports.html"), "field-reports"))
    list(s.parse_item(page(BY_ID[SAMPLE_ID].path, meta=dict(ARCHIVED)), "field-reports"))
    list(s.parse_page(page("/about.html")))
    assert s.seen_urls and s.site._resolved  # the pages did leave their links behind
    assert lxml_objects_reachable_from(s) == []
