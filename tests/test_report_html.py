"""The HTML report of a crawl of the replica, opened as a librarian would: from its file, in
headless Chromium, with nothing else reachable. What the browser shows (the DOM it built, the
bars it laid out) is checked against the replica's ground truth; a screenshot is left in
``test-artifacts/``.
"""

from __future__ import annotations

import base64
import json
from collections import Counter

from tests.replica.content import ARTICLES, DELETED_ITEMS, SECTIONS, section_listing
from tests.test_replay import ARTIFACTS, chromium, load_and_settle  # noqa: F401  (fixture)

READ_PAGE = """JSON.stringify({
  title: document.title,
  outcome: document.querySelector('#outcome').innerText,
  scripts: document.scripts.length,
  completeness: [...document.querySelectorAll('table.completeness tbody tr')].map(
    r => ({cls: r.className, cells: [...r.cells].map(c => c.innerText.trim())})),
  totals: [...document.querySelectorAll('table.completeness tfoot td')].map(c => c.innerText),
  missing: [...document.querySelectorAll('table.missing tbody tr')].map(
    r => [...r.cells].map(c => c.innerText.trim())),
  missingLinks: [...document.querySelectorAll('table.missing a')].map(a => a.href),
  bars: [...document.querySelectorAll('svg.chart rect.bar')].map(b => ({
    year: b.dataset.year, section: b.dataset.section, articles: +b.dataset.articles,
    height: b.getBoundingClientRect().height, width: b.getBoundingClientRect().width,
    fill: getComputedStyle(b).fill})),
  years: [...document.querySelectorAll('svg.chart text.year')].map(t => t.textContent),
  legend: [...document.querySelectorAll('svg.chart rect.legend')].length,
  headings: [...document.querySelectorAll('h2')].map(h => h.innerText),
  files: [...document.querySelectorAll('table.files tbody tr')].map(r => r.cells[0].innerText),
  text: document.body.innerText,
})"""


def test_report_html_shows_what_the_crawl_did(chromium, replica_crawl):  # noqa: F811
    (html,) = (replica_crawl["out"] / "reports").glob("crawl-*.html")
    chromium.events.clear()
    load_and_settle(chromium, html.resolve().as_uri())
    shot = chromium.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "report-html.png").write_bytes(base64.b64decode(shot["data"]))
    page = json.loads(
        chromium.call("Runtime.evaluate", expression=READ_PAGE, returnByValue=True)["result"][
            "value"
        ]
    )

    # nothing but the file itself: no script, no request to anywhere
    assert page["scripts"] == 0
    requested = [
        e["params"]["request"]["url"]
        for e in chromium.events
        if e.get("method") == "Network.requestWillBeSent"
    ]
    assert requested and all(u.startswith(("file:", "data:")) for u in requested), requested

    assert "Exit status 4" in page["outcome"] and "1 of the 61 items" in page["outcome"]
    assert page["headings"][:2] == ["Did we get everything?", "Articles in the archive per year "
                                    "and section"]  # fmt: skip

    # the completeness table: one row per section, the replica's listings and articles
    rows = {r["cells"][0]: r for r in page["completeness"]}
    assert list(rows) == list(SECTIONS.values())
    for slug, name in SECTIONS.items():
        listed = section_listing(slug)
        gone = sum(1 for d in DELETED_ITEMS if d.section == slug)
        archived = len(listed) - gone
        assert rows[name]["cells"][1:] == [str(len(listed)), str(archived), str(archived), "0",
                                           str(gone)]  # fmt: skip
        assert (rows[name]["cls"] == "gap") == bool(gone)
    assert page["totals"] == ["All sections", "61", "60", "60", "0", "1"]
    (gone,) = DELETED_ITEMS
    assert page["missing"] == [[str(gone.item_id), gone.title, "Field Reports", "HTTP 404"]]
    assert page["missingLinks"][0].endswith(gone.path)

    # the chart: a bar part per (year, section) with the replica's counts, drawn to scale
    want = Counter((str(a.created.year), a.section_name) for a in ARTICLES)
    got = Counter({(b["year"], b["section"]): b["articles"] for b in page["bars"]})
    assert got == want
    assert len(page["bars"]) == len(want) and page["legend"] == len(SECTIONS)
    per_article = {round(b["height"] / b["articles"], 1) for b in page["bars"]}
    assert len(per_article) == 1 and per_article.pop() > 5, "bars out of scale or invisible"
    assert all(b["width"] > 5 for b in page["bars"])
    assert len({b["fill"] for b in page["bars"]}) == len(SECTIONS)
    years = sorted({a.created.year for a in ARTICLES})
    assert page["years"] == [str(y) for y in range(years[0], years[-1] + 1)]

    # failures, skips and files, as the JSON report has them
    assert "Failures (1)" in page["headings"] and "Skipped on purpose (1)" in page["headings"]
    assert "Forbidden by robots.txt" in page["text"]
    assert {
        "WARC file",
        "WARC folder",
        "Articles JSON",
        "WACZ package",
        "CDXJ index",
        "JSON report",
    } <= set(page["files"])
