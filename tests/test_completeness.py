"""Did we get everything? The pure bookkeeping (listed against archived), the exit status it
leads to, and the HTML report's rendering (checked in a browser in test_report_html.py)."""

from __future__ import annotations

import re

from crawler.report.html import chart_svg, render_report
from crawler.report.outcome import Exit, crawl_outcome
from crawler.state.completeness import STOPPED, Completeness

SECTIONS = {"field-reports": "Field Reports", "news-digest": "News Digest"}


def listing(*ids: int, section: str = "field-reports") -> dict:
    return {i: {"url": f"http://x/publications/{section}/item/{i}-a.html", "title": f"T{i}"}
            for i in ids}  # fmt: skip


def test_listed_against_archived_now_and_before_with_every_reason():
    c = Completeness(SECTIONS, SECTIONS)
    c.archived_before({1, 2}, {1: ("Field Reports", 2003), 2: ("Field Reports", 2004)})
    c.saw_listing("field-reports", listing(1, 2, 3, 4, 5))
    c.saw_listing("news-digest", listing(10, 11, section="news-digest"))
    c.saw_listing("field-reports", listing(3))  # the same item on two pages counts once
    c.archived(3, "Field Reports", "2010-05-12")
    c.archived(10, "News Digest", "2012-01-01")
    c.not_archived(4, "HTTP 404")
    c.not_archived(11, "HTTP 503", retryable=True)
    c.not_archived(10, "HTTP 500")  # archived already: a later failure of a copy changes nothing
    r = c.result(finished=True)
    rows = {s["section"]: s for s in r["sections"]}
    assert rows["field-reports"] == {
        "section": "field-reports", "name": "Field Reports", "listed": 5, "archived": 3,
        "archived_now": 1, "archived_before": 2, "missing": 2, "listed_in_earlier_crawls_only": 0,
    }  # fmt: skip
    assert (rows["news-digest"]["listed"], rows["news-digest"]["missing"]) == (2, 1)
    assert r["totals"] == {"listed": 7, "archived": 4, "archived_now": 2, "archived_before": 2,
                           "missing": 3}  # fmt: skip
    reasons = {m["item_id"]: (m["reason"], m["retryable"], m["title"]) for m in r["missing"]}
    assert reasons[4] == ("HTTP 404", False, "T4")
    assert reasons[11] == ("HTTP 503", True, "T11")
    assert "no failure was reported" in reasons[5][0]
    assert r["listed_ids"] == {"field-reports": [1, 2, 3, 4, 5], "news-digest": [10, 11]}
    assert {(y["year"], y["section"]): y["articles"] for y in r["by_year"]} == {
        (2003, "Field Reports"): 1, (2004, "Field Reports"): 1, (2010, "Field Reports"): 1,
        (2012, "News Digest"): 1,
    }  # fmt: skip


def test_an_interrupted_crawl_says_what_it_did_not_reach():
    c = Completeness(["field-reports"])
    c.saw_listing("field-reports", listing(1, 2))
    c.archived(1)
    (m,) = c.result(finished=False)["missing"]
    assert (m["item_id"], m["reason"], m["retryable"]) == (2, STOPPED, True)


def test_a_re_crawl_carries_what_earlier_listings_showed_and_asks_again_what_may_come_back():
    first = Completeness(["field-reports"])
    first.saw_listing("field-reports", listing(1, 2, 3, 4))
    first.archived(1)
    first.archived(2)
    first.not_archived(3, "HTTP 404")
    first.not_archived(4, "ConnectionRefusedError", retryable=True)
    earlier = first.result(finished=True)

    again = Completeness(["field-reports", "news-digest"])
    again.archived_before({1, 2})
    again.carry(earlier)
    again.saw_listing("field-reports", listing(5, 1))  # page 1 only: one new article
    assert [e.item_id for e in again.missing_from_earlier()] == [4]  # not the 404
    again.archived(5)
    r = again.result(finished=True)
    (row, digest) = r["sections"]
    assert (row["listed"], row["archived"], row["missing"]) == (5, 3, 2)
    assert row["listed_in_earlier_crawls_only"] == 3 and digest["listed"] == 0
    reasons = {m["item_id"]: m["reason"] for m in r["missing"]}
    assert reasons == {3: "listed in an earlier crawl: HTTP 404",
                       4: "listed in an earlier crawl: ConnectionRefusedError"}  # fmt: skip
    # seen on a listing again: no longer "earlier only"
    again.saw_listing("field-reports", listing(3))
    assert again.result(finished=True)["sections"][0]["listed_in_earlier_crawls_only"] == 2


def test_listed_but_missing_is_its_own_exit_status():
    stats = {"item_scraped_count": 60, "completeness/listed": 61, "completeness/missing": 1}
    outcome = crawl_outcome(stats, "finished")
    assert outcome.code is Exit.ITEMS_MISSING and int(outcome.code) == 4
    assert "1 of the 61 items the site lists is not in the archive" in outcome.message
    # worth retrying comes first: the same command later may fetch them
    assert crawl_outcome({**stats, "crawl/failed_retryable": 1}, "finished").code == 9
    assert crawl_outcome({**stats, "completeness/missing": 0}, "finished").code is Exit.OK
    nothing_new = crawl_outcome(
        {**stats, "item_scraped_count": 0, "recrawl/archived_before": 60,
         "recrawl/last_crawl": "2026-01-01T00:00:00+00:00"}, "finished",
    )  # fmt: skip
    assert nothing_new.code == 4 and "nothing new since 2026-01-01 00:00:00 UTC" in (
        nothing_new.message
    )
    assert crawl_outcome(stats, "shutdown").code is Exit.INTERRUPTED


def test_html_report_is_self_contained_and_escapes_what_it_shows():
    c = Completeness(["field-reports"], {"field-reports": "Field Reports"})
    c.saw_listing("field-reports", {7: {"url": "http://x/i.html?a=1&b=<2>",
                                        "title": "<script>alert(1)</script>"}})  # fmt: skip
    c.not_archived(7, "HTTP 404 <gone>")
    summary = {
        "finished": "2026-01-01T00:00:00+00:00", "outcome": {"exit_status": 4, "message": "m"},
        "completeness": c.result(True), "failures": [{"url": "http://x/&", "reason": "r"}],
        "skipped_urls": [], "json": ["out/a&b.jsonl"], "warc_dir": "out/warc",
    }  # fmt: skip
    page = render_report(summary, warc_files=["out/warc/a.warc.gz"])
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "HTTP 404 &lt;gone&gt;" in page
    assert 'href="http://x/i.html?a=1&amp;b=&lt;2&gt;"' in page
    assert not re.search(r"""(src|href)=["'](https?:)?//(?!x/)""", page), "nothing to load"
    assert "out/a&amp;b.jsonl" in page and "out/warc/a.warc.gz" in page


def test_chart_has_one_bar_part_per_year_and_section_and_gaps_for_empty_years():
    svg = chart_svg(
        [
            {"year": 2003, "section": "Field Reports", "articles": 4},
            {"year": 2003, "section": "News Digest", "articles": 2},
            {"year": 2006, "section": "Field Reports", "articles": 1},
        ]
    )
    bars = re.findall(r'data-year="(\d+)" data-section="([^"]+)" data-articles="(\d+)"', svg)
    assert bars == [("2003", "Field Reports", "4"), ("2003", "News Digest", "2"),
                    ("2006", "Field Reports", "1")]  # fmt: skip
    years = re.findall(r'class="year"[^>]*>(\d+)<', svg)
    assert years == ["2003", "2004", "2005", "2006"]
    heights = [float(h) for h in re.findall(r'class="bar"[^>]*height="([\d.]+)"', svg)]
    assert heights[0] == 2 * heights[1] == 4 * heights[2]
    assert "No article" in chart_svg([])
