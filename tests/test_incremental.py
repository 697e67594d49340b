"""Re-crawls fetch only what is new; unchanged files become revisit records; refresh=all
catches corrections."""

from __future__ import annotations

from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.helpers import REPLICA_EXIT, read_articles, run_crawl, warcio_check
from tests.replica import ReplicaServer, expected_records
from tests.replica.later import CORRECTED_ID, CORRECTION, two_weeks_later


def new_jsonl(out: Path, before: set[Path]) -> list[dict]:
    return read_articles(out, exclude=before)


def records(out: Path, files: set[Path]) -> list:
    found = []
    for path in sorted(files):
        with open(path, "rb") as f:
            for rec in ArchiveIterator(f):
                found.append((rec.rec_type, dict(rec.rec_headers.headers), rec.http_headers))
    return found


@pytest.fixture(scope="module")
def crawls(tmp_path_factory):
    out = tmp_path_factory.mktemp("recrawl")
    with ReplicaServer() as site:
        first = run_crawl(site.base_url, out)
        assert first.returncode == REPLICA_EXIT, first.stderr[-2000:]
        original_ids = {r["item_id"] for r in expected_records(site.base_url)}
        seen_jsonl = set(out.glob("articles-*.jsonl"))
        seen_warcs = set((out / "warc").glob("*.warc.gz"))
        with two_weeks_later() as (added, fixed):
            logged = len(site.log)
            second = run_crawl(site.base_url, out)
            second_log = site.log[logged:]
            second_json = new_jsonl(out, seen_jsonl)
            second_warcs = set((out / "warc").glob("*.warc.gz")) - seen_warcs
            seen_jsonl = set(out.glob("articles-*.jsonl"))
            third = run_crawl(site.base_url, out, "-a", "refresh=all")
            third_json = new_jsonl(out, seen_jsonl)
            expected_now = {r["item_id"]: r for r in expected_records(site.base_url)}
    return {
        "out": out, "second": second, "third": third, "second_log": second_log,
        "second_json": second_json, "third_json": third_json, "second_warcs": second_warcs,
        "added": {a.item_id for a in added}, "original_ids": original_ids,
        "expected_now": expected_now,
    }  # fmt: skip


def test_second_crawl_fetches_the_new_articles_and_no_old_one(crawls):
    assert crawls["second"].returncode == REPLICA_EXIT, crawls["second"].stderr[-2000:]
    fetched_items = {
        int(e["path"].split("/item/")[1].split("-")[0])
        for e in crawls["second_log"]
        if "/item/" in e["path"]
    }
    assert fetched_items == crawls["added"]
    assert {a["item_id"] for a in crawls["second_json"]} == crawls["added"]
    assert len(crawls["second_json"]) == len(crawls["added"])


def test_second_crawl_stops_walking_listings_without_news(crawls):
    listing_pages = [
        e
        for e in crawls["second_log"]
        if e["path"].startswith("/publications/")
        and "/item/" not in e["path"]
        and e["path"].split("?")[0].endswith(".html")
    ]
    # page 1 of each of the four sections, and page 2 where the new articles pushed past it
    assert len(listing_pages) <= 6, [e["path"] for e in listing_pages]
    assert any(".feed" in e["path"] for e in crawls["second_log"])


def test_new_articles_metadata(crawls):
    for record in crawls["second_json"]:
        exp = crawls["expected_now"][record["item_id"]]
        assert record["title"] == exp["title"] and record["url"] == exp["url"]


def test_unchanged_files_become_revisits_of_the_original(crawls):
    recs = records(crawls["out"], crawls["second_warcs"])
    revisits = [h for t, h, _ in recs if t == "revisit"]
    assert revisits, "stylesheets, images and PDFs were archived before: revisits expected"
    for t, h, http in recs:
        if t != "revisit":
            continue
        if h["WARC-Profile"].endswith("server-not-modified"):
            assert http is None  # the 304's head stays out: replay serves the original 200
        else:
            assert http.get_statuscode() == "200"
    originals = {}
    for path in (crawls["out"] / "warc").glob("*.warc.gz"):
        with open(path, "rb") as f:
            for rec in ArchiveIterator(f):
                originals[rec.rec_headers["WARC-Record-ID"]] = rec.rec_type
    for h in revisits:
        assert h["WARC-Profile"].startswith("http://netpreserve.org/warc/1.1/revisit/")
        assert h["WARC-Refers-To-Target-URI"] == h["WARC-Target-URI"]
        assert h["WARC-Refers-To-Date"]
        assert originals[h["WARC-Refers-To"]] == "response", "never a revisit of a revisit"
    assert warcio_check(*crawls["second_warcs"]).returncode == 0


def test_refresh_all_captures_the_correction(crawls):
    assert crawls["third"].returncode == REPLICA_EXIT, crawls["third"].stderr[-2000:]
    ids = {a["item_id"] for a in crawls["third_json"]}
    assert ids == crawls["original_ids"] | crawls["added"]
    corrected = next(a for a in crawls["third_json"] if a["item_id"] == CORRECTED_ID)
    assert corrected["text"].startswith(CORRECTION)


def test_one_collection_replays_old_and_new_articles(crawls, tmp_path):
    """pywb, the re-crawled folder's WACZ: every article of every crawl, at its own capture
    time, and the files the re-crawl revisited (not empty 304s)."""
    import urllib.request

    from crawler.extract.article import extract_article
    from tests.pywb_server import COLL, Wayback, collection_from_wacz, ts14

    out = crawls["out"]
    (wacz,) = out.glob("*.wacz")
    collection_from_wacz(tmp_path / "pywb", wacz, out / "indexes" / "index.cdxj")
    server = Wayback(tmp_path / "pywb").start()
    try:
        articles = read_articles(out)
        assert {a["item_id"] for a in articles} >= crawls["added"] | crawls["original_ids"]
        for article in articles:
            url = f"{server.origin}/{COLL}/{ts14(article['fetched_at'])}id_/{article['url']}"
            with urllib.request.urlopen(url, timeout=30) as resp:
                body, ctype = resp.read(), resp.headers.get("Content-Type")
            assert extract_article(body, article["url"], ctype).text == article["text"], url
        revisits = [
            h for t, h, _ in records(out, crawls["second_warcs"]) if t == "revisit"
        ]  # fmt: skip
        for h in revisits[:10]:
            url = f"{server.origin}/{COLL}/{ts14(h['WARC-Date'])}id_/{h['WARC-Target-URI']}"
            with urllib.request.urlopen(url, timeout=30) as resp:
                assert resp.status == 200 and resp.read(), url
    finally:
        server.stop()


def test_second_crawl_revalidates_the_home_and_menu_pages_once(crawls):
    from tests.replica.content import MENU_PAGE_PATHS as menu

    asked = [e for e in crawls["second_log"] if e["path"] in menu]
    assert sorted(e["path"] for e in asked) == sorted(menu), "each once, and not as an article"
    for entry in asked:
        headers = {k.lower() for k, _ in entry["request_headers"]}
        assert "if-modified-since" in headers, entry["path"]  # asked whether it changed
    kinds = {}
    for t, h, _ in records(crawls["out"], crawls["second_warcs"]):
        if t in ("response", "revisit"):
            kinds.setdefault(h["WARC-Target-URI"].split("/", 3)[-1], []).append(t)
    assert kinds["about.html"] == ["revisit"]  # unchanged: no second copy
    assert kinds[""] == ["response"]  # the home page shows the new articles


def test_second_crawl_report_counts_the_whole_site_it_did_not_walk_again(crawls):
    import json

    reports = sorted((crawls["out"] / "reports").glob("crawl-*.json"))
    assert len(reports) == 3
    second = json.loads(reports[1].read_text("utf-8"))["completeness"]
    added, before = len(crawls["added"]), len(crawls["original_ids"])
    assert second["totals"] == {
        "listed": before + 1 + added,  # the deleted item is listed too
        "archived": before + added,
        "archived_now": added,
        "archived_before": before,
        "missing": 1,
    }
    assert sum(s["listed_in_earlier_crawls_only"] for s in second["sections"]) > 0
    (missing,) = second["missing"]
    assert missing["item_id"] == 12199 and "HTTP 404" in missing["reason"]
