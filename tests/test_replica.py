"""Tests of the replica itself: its ground truth is consistent, and it serves what the site
notes describe, on the wire as documented. Loopback only (http.client and raw sockets)."""

from __future__ import annotations

import gzip
import hashlib
import http.client
import json
import re
import socket
import subprocess
import sys
import urllib.robotparser
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import datetime
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from tests.replica import (
    ARTICLES,
    SECTIONS,
    ReplicaServer,
    expected_boilerplate,
    expected_records,
    pages,
)
from tests.replica import content as C
from tests.replica.server import SESSION_COOKIE

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_FILES = [
    ROOT.parent / "shared" / "samples" / "field-report-2003-10-08.txt",
    Path("/work/shared/samples/field-report-2003-10-08.txt"),
]


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def server(tmp_path):
    with ReplicaServer(log_path=str(tmp_path / "replica-log.jsonl")) as srv:
        yield srv


class Resp:
    def __init__(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    def header(self, name: str) -> str | None:
        values = self.all(name)
        return values[0] if values else None

    def all(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def text(self, encoding: str = "utf-8") -> str:
        body = self.body
        if self.header("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        return body.decode(encoding)


def fetch(srv: ReplicaServer, path: str, method: str = "GET", headers=None) -> Resp:
    """One request; the body as sent (still content-encoded, chunked framing removed)."""
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
    try:
        conn.request(method, path, headers=headers or {})
        r = conn.getresponse()
        return Resp(r.status, r.getheaders(), r.read())
    finally:
        conn.close()


def raw_fetch(srv: ReplicaServer, path: str, headers: str = "") -> tuple[str, bytes]:
    """The raw bytes of a response (headers text, body with any chunk framing)."""
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as s:
        request = (
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{srv.port}\r\n{headers}"
            "Connection: close\r\n\r\n"
        )
        s.sendall(request.encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return head.decode("latin-1"), body


def dechunk(body: bytes) -> list[bytes]:
    chunks = []
    while True:
        line, _, rest = body.partition(b"\r\n")
        size = int(line.split(b";")[0], 16)
        if size == 0:
            assert rest == b"\r\n"
            return chunks
        chunks.append(rest[:size])
        assert rest[size : size + 2] == b"\r\n"
        body = rest[size + 2 :]


_BLOCK_TAGS = {
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "td", "th", "tr", "table",
    "blockquote", "figure", "figcaption", "span", "section", "main", "header", "footer",
}  # fmt: skip


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "title"):
            self.skip += 1
        if tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "title"):
            self.skip -= 1
        if tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return norm("".join(parser.parts))


def hrefs(html: str) -> list[str]:
    return [unescape(h) for h in re.findall(r'href="([^"]*)"', html)]


def item_page(srv: ReplicaServer, article: C.Article, path: str | None = None) -> Resp:
    path = path or article.path
    r = fetch(srv, path)
    if r.status == 503:  # the 503-once article
        r = fetch(srv, path)
    assert r.status == 200, (article.item_id, r.status)
    return r


def between(html: str, start: str, end: str) -> str:
    """The markup after the tag holding ``start``, up to ``end``."""
    i = html.index(">", html.index(start)) + 1
    return html[i : html.index(end, i)]


# ---------------------------------------------------------------------------------------------
# ground truth
# ---------------------------------------------------------------------------------------------


def test_ground_truth_covers_sections_years_and_ids():
    assert 55 <= len(ARTICLES) <= 65
    assert {a.section for a in ARTICLES} == set(SECTIONS)
    years = {a.created.year for a in ARTICLES}
    assert min(years) == 2000 and max(years) == 2025
    for a in ARTICLES:
        if a.created < datetime(2007, 9, 1):
            assert 1000 <= a.item_id <= 11000, a.item_id
        else:
            assert 11476 <= a.item_id <= 13917, a.item_id
    assert any(a.item_id == 11476 for a in ARTICLES)
    assert Counter(a.intro for a in ARTICLES).keys() == {"teaser", "summary", "none"}
    assert all(a.intro != "summary" or a.created.year >= 2015 for a in ARTICLES)
    assert all(a.intro != "teaser" or a.created.year < 2015 for a in ARTICLES)
    # titles in capitals before 2010 (news digests of 2007-2008 are titled by date)
    for a in ARTICLES:
        if a.created.year < 2010 and a.style != "digest":
            assert a.title == a.title.upper(), a.title


def test_every_byline_style_of_the_notes_is_covered():
    lines = [line for a in ARTICLES for line in a.byline]
    must = [
        "By Marat Yermukanov (10/8/2003 issue of the CACI Analyst)",
        "By Marat Yermukanov, Kazakhstan (3/13/2002 issue of the CACI Analyst)",
        "By empty (4/19/2002 issue of the CACI Analyst)",
        "By Svante E. Cornell and S. Frederick Starr (8/20/2008 issue of the CACI Analyst)",
        "By Eka Janashia",
        "November 16th, 2015, The CACI Analyst",
        "November 19th, the CACI Analyst",
        "March 14, 2019, the CACI Analyst",
        "Fuad \u015eahbazov",
        "July 12, 2024",
    ]
    for line in must:
        assert line in lines, line
    assert any(re.search(r"\(0\d/\d\d/\d{4} issue", line) for line in lines)  # zero-padded
    assert any("(the 18/09/2013 issue of the CACI Analyst)" in line for line in lines)
    assert any("(07/02/2014 issue of the CACI Analyst)" in line for line in lines)
    by_line = {a.byline[0]: a for a in ARTICLES}
    a2014 = next(a for a in ARTICLES if "(07/02/2014 issue" in a.byline[0])
    assert a2014.issue_date.isoformat() == "2014-07-02" == a2014.created.date().isoformat()
    a2013 = next(a for a in ARTICLES if "18/09/2013" in a.byline[0])
    assert a2013.issue_date.isoformat() == "2013-09-18"
    noyear = next(a for a in ARTICLES if "November 19th, the CACI Analyst" in a.byline)
    assert noyear.issue_date == noyear.created.date()
    assert by_line["By empty (4/19/2002 issue of the CACI Analyst)"].authors == ()
    kz = by_line["By Marat Yermukanov, Kazakhstan (3/13/2002 issue of the CACI Analyst)"]
    assert kz.authors == ("Marat Yermukanov",) and kz.title == "KAZAKH MILITARY ON REFORM TRACK"
    names = " ".join(n for a in ARTICLES for n in a.authors)
    for needle in ("\u0410", "\u015e", "\u00fc", "\u018f", "\u0259"):  # Cyrillic, Turkish, Az.
        assert needle in names, needle
    assert any(len(a.authors) == 2 for a in ARTICLES)
    digest = C.BY_ID[11476]
    assert digest.title == "5 September 2007 News Digest"
    assert digest.alias == "news-digest-caci-analyst-2007-9-5-art-11476"
    assert digest.authors == ("Alima Bissenova",)
    assert sum(b.kind == "h" for b in digest.body) >= 3


def test_teasers_follow_the_third_full_stop_rule():
    sample = C.BY_ID[C.SAMPLE_ID]
    assert sample.teaser.endswith("With an inflation rate of only 2.")
    assert C.BY_ID[1702].teaser.endswith("in the regions, i.e.")
    assert "$1.2 billion" in C.BY_ID[2290].teaser
    for a in ARTICLES:
        if a.intro == "teaser":
            first = a.body[0].text
            assert first.startswith(a.teaser)
            assert a.teaser.count(".") == 3 and len(a.teaser) < len(first)
            assert a.summary is None
        elif a.intro == "summary":
            assert a.summary and all(a.summary not in b.text for b in a.body)


def test_body_features_are_covered():
    kinds = Counter(b.kind for a in ARTICLES for b in a.body)
    assert {"p", "h", "li", "blockquote", "table", "img"} <= kinds.keys()
    texts = [b.text for a in ARTICLES for b in a.body]
    for label in ("BACKGROUND: ", "IMPLICATIONS: ", "CONCLUSIONS: ", "AUTHOR'S BIO: "):
        assert any(t.startswith(label) for t in texts), label
    assert all(len(a.body) >= 4 for a in ARTICLES)
    assert C.BY_ID[C.WINDOWS_1251_ID].encoding == "windows-1251"
    assert sum(a.encoding != "utf-8" for a in ARTICLES) == 1
    assert any(a.has_item_image for a in ARTICLES)
    pdfs = C.all_pdf_paths()
    assert C.ISSUE_PDF in pdfs and C.DRAFTS_PDF in pdfs
    assert re.fullmatch(r"/resources/pdf/issues/\d{8}Analyst\.pdf", C.ISSUE_PDF)
    assert any(a.article_pdf for a in ARTICLES if a.section == "feature-articles")
    hrefs_ = [b.href for a in ARTICLES for b in a.body if b.href]
    for host in C.REAL_HOST_VARIANTS:
        assert any(h.startswith(host + "/publications/") for h in hrefs_), host
    assert any(C.OTHER_HOST_MARK in h for h in hrefs_)


def test_expected_records_are_consistent():
    base = "http://127.0.0.1:9"
    records = expected_records(base + "/")
    assert len(records) == len(ARTICLES)
    ids = [r["item_id"] for r in records]
    assert len(set(ids)) == len(ids)
    for r, a in zip(records, ARTICLES, strict=True):
        assert r["url"] == f"{base}/publications/{a.section}/item/{a.item_id}-{a.alias}.html"
        assert r["section"] == SECTIONS[a.section]
        assert r["published"] == a.created.date().isoformat()
        assert r["language"] == "en"
        assert r["paragraphs"] and all(p.strip() == p and p for p in r["paragraphs"])
        assert all(i["url"].startswith(base + "/") and i["caption"] for i in r["images"])
        assert all(u.startswith(base + "/resources/pdf/") for u in r["pdf_urls"])
        json.dumps(r)
        # the teaser, the byline and the summary are not body paragraphs
        assert r["paragraphs"][0] == a.body[0].text or a.body[0].kind == "img"
        for line in a.byline:
            assert all(line not in p for p in r["paragraphs"]), (a.item_id, line)
    table = next(r for r in records if "Exports (USD billion)" in r["paragraphs"])
    assert "11.6" in table["paragraphs"]


def test_boilerplate_never_occurs_in_the_ground_truth_text():
    boilerplate = expected_boilerplate()
    for needle in ("Visit also", "Staff Publications", "is a biweekly publication", "Newsletter",
                   "Sign up for upcoming events", "Published in", "Read more", "Tagged under",
                   "More in this category", "Fuad \u015eahbazov", "July 12, 2024"):  # fmt: skip
        assert needle in boilerplate
    for r in expected_records("http://x"):
        texts = r["paragraphs"] + ([r["summary"]] if r["summary"] else [])
        for text in texts:
            for needle in boilerplate:
                assert needle not in text, (r["item_id"], needle)
            assert not re.search(C.HITS_PATTERN, text)


def test_sample_article_is_the_shared_sample_verbatim():
    sample = next((p for p in SAMPLE_FILES if p.exists()), None)
    if sample is None:
        pytest.skip("shared/samples not available")
    lines = [line.strip() for line in sample.read_text("utf-8").splitlines() if line.strip()]
    a = C.BY_ID[C.SAMPLE_ID]
    assert lines[0] == pages.k2_date(a.created) == "Wednesday, 08 October 2003"
    assert lines[1] == a.title and lines[2] == "Published in Field Reports"
    assert lines[3] == a.byline[0]
    assert lines[4] == a.teaser
    body = lines[5 : lines.index("Read 3129 times")]
    assert body == [b.text for b in a.body]
    assert a.hits == 3129


# ---------------------------------------------------------------------------------------------
# pages
# ---------------------------------------------------------------------------------------------


def test_every_article_page_shows_its_ground_truth(server):
    for a in ARTICLES:
        r = item_page(server, a)
        html = r.text(a.encoding)
        text = visible_text(html)
        assert 'id="k2Container" class="itemView"' in html
        assert f'<span class="itemDateCreated">{pages.k2_date(a.created)}</span>' in html
        assert f'<h2 class="itemTitle">{pages.esc(a.title)}</h2>' in html
        assert f"Published in {a.section_name}" in text
        assert ('class="itemIntroText"' in html) == (a.intro != "none")
        full = between(html, 'class="itemFullText"', "itemContentFooter")
        pos = 0
        for para in C.expected_paragraphs(a):
            found = text.find(norm(para), pos)
            assert found >= 0, (a.item_id, para[:60])
            pos = found
        assert norm(C.expected_paragraphs(a)[-1]) in visible_text(full)
        first_div = "itemIntroText" if a.intro != "none" else "itemFullText"
        body_text = visible_text(between(html, f'class="{first_div}"', "itemContentFooter"))
        assert body_text.startswith(norm(" ".join(a.byline))), a.item_id
        if a.intro == "teaser":
            assert text.count(norm(a.body[0].text)) == 1
            assert norm(a.teaser) in body_text
        if a.summary:
            assert norm(a.summary) in visible_text(between(html, "itemIntroText", "itemFullText"))
        for src, caption in a.images:
            assert f'src="{src}"' in html
            assert pages.attr(caption) in html
        for pdf in a.pdfs:
            assert f'href="{pdf}"' in html
        for tag in a.tags:
            assert f"/itemlist/tag/{quote(tag, safe='')}.html" in html
        assert re.search(r'<span class="itemHits">Read <b>\d+</b> times</span>', html)
        for needle in ("Visit also", "Staff Publications", C.ABOUT_PARAGRAPH, "Newsletter",
                       C.NEWSLETTER_LINE):  # fmt: skip
            assert needle in text
        assert '<html lang="en-gb"' in html


def test_item_image_block_and_inline_captions(server):
    a = C.BY_ID[11820]
    html = item_page(server, a).text()
    block = between(html, 'class="itemImageBlock"', 'class="itemIntroText"')
    assert f'<span class="itemImageCaption">{a.images[0][1]}</span>' in block
    html = item_page(server, C.BY_ID[12785]).text()
    assert re.search(r'<img class="caption" src="[^"]+" alt="[^"]+" title="Map of the Cust', html)
    html = item_page(server, C.BY_ID[13790]).text()
    assert "<figcaption>Planned offshore wind zones in the Caspian</figcaption>" in html
    assert "Click Here to download PDF" in html


def test_sample_page_reads_like_the_shared_sample(server):
    a = C.BY_ID[C.SAMPLE_ID]
    text = visible_text(item_page(server, a).text())
    assert text.startswith(norm("Home Publications")) or "Wednesday, 08 October 2003" in text
    want = (
        "Wednesday, 08 October 2003 KAZAKHSTAN UNDER PRESSURE FOR HUMAN TRAFFICKING "
        "Published in Field Reports"
    )
    assert want in text
    assert "of only 2. Until recently" in text
    assert "Read 3129 times" in text


def test_listings_paginate_by_four_and_link_every_article(server):
    for section in SECTIONS:
        path = pages.section_path(section)
        bare = fetch(server, path)
        first = fetch(server, path + "?limitstart=0")
        assert bare.status == first.status == 200
        assert bare.body == first.body
        entries = C.section_listing(section)
        pages_total = -(-len(entries) // 4)
        seen: list[str] = []
        url = path
        for n in range(1, pages_total + 1):
            r = fetch(server, url)
            html = r.text()
            assert 'class="itemListView"' in html
            titles = re.findall(r'<h3 class="catItemTitle">\s*<a href="([^"]+)"', html)
            assert len(titles) == (4 if n < pages_total else len(entries) - 4 * (n - 1))
            assert html.count('class="k2ReadMore"') == len(titles)
            assert f"Page {n} of {pages_total}" in html
            seen += titles
            nxt = re.search(r'<li class="pagination-next"><a title="Next" href="([^"]+)"', html)
            if n < pages_total:
                url = unescape(nxt.group(1))
                assert url == f"{path}?start={4 * n}"
            else:
                assert nxt is None
        ids = [int(re.search(r"/item/(\d+)-", u).group(1)) for u in seen]
        assert ids == [e.item_id for e in entries]
    # the special links: /component/k2/item/, the old alias, the deleted item
    all_links = []
    for section in SECTIONS:
        for start in range(0, 40, 4):
            all_links += hrefs(fetch(server, f"{pages.section_path(section)}?start={start}").text())
    for item_id in C.COMPONENT_LINK_IDS:
        a = C.BY_ID[item_id]
        assert f"/component/k2/item/{item_id}-{a.alias}.html" in all_links
    for item_id, old in C.OLD_ALIASES.items():
        assert f"/publications/{C.BY_ID[item_id].section}/item/{item_id}-{old}.html" in all_links
    for d in C.DELETED_ITEMS:
        assert d.path in all_links


def test_listing_order_is_not_strictly_by_date_in_the_migrated_range():
    inversions = 0
    for section in SECTIONS:
        items = C.section_articles(section)
        for newer, older in zip(items, items[1:], strict=False):
            if newer.created < older.created:
                assert older.item_id < 11476
                inversions += 1
    assert inversions >= 2


def test_listing_start_past_the_end_shows_the_last_page(server):
    html = fetch(server, "/publications/news-digest.html?start=400").text()
    n = -(-len(C.section_listing("news-digest")) // 4)
    assert f"Page {n} of {n}" in html


def test_tag_pages_are_site_wide_and_the_same_under_every_prefix(server):
    tag = "Kazakhstan"
    items = C.tagged(tag)
    assert len(items) > 5
    bodies = []
    for prefix in ["/component/k2"] + [f"/publications/{s}" for s in SECTIONS]:
        html = fetch(server, f"{prefix}/itemlist/tag/{tag}.html").text()
        assert 'class="tagView"' in html and html.count('class="tagItemView"') == 5
        assert re.search(r"\w+day, \d\d \w+ \d{4} \d\d:\d\d</span>", html)
        assert f'href="{prefix}/itemlist/tag/{tag}.html?start=5"' in html
        bodies.append(re.findall(r'class="tagItemTitle">\s*<a href="([^"]+)"', html))
    assert all(b == bodies[0] for b in bodies)
    assert bodies[0] == [a.path for a in items[:5]]
    html = fetch(server, "/component/k2/itemlist/tag/Kazakhstan.html?start=5").text()
    assert "Page 2 of" in html
    html = fetch(server, "/publications/field-reports/itemlist/tag/human%20trafficking.html").text()
    assert C.BY_ID[C.SAMPLE_ID].path in html
    html = fetch(server, "/component/k2/itemlist/tag/T%C3%BCrkiye.html").text()
    assert C.BY_ID[13812].path in html
    assert (
        "Wednesday, 02 July 2014 12:32"
        in fetch(server, "/component/k2/itemlist/tag/Tajikistan.html").text()
    )


def test_print_view_mail_form_and_traps(server):
    a = C.BY_ID[C.SAMPLE_ID]
    html = fetch(server, a.path + "?tmpl=component&print=1").text()
    assert 'class="itemView"' in html and a.body[-1].text in html
    assert "Visit also" not in html and "itemPrintThisPage" in html
    page = fetch(server, a.path).text()
    mail = re.search(r'href="(/component/mailto/\?[^"]+)"', page).group(1)
    r = fetch(server, unescape(mail))
    assert r.status == 200 and 'id="mailtoForm"' in r.text()
    for path in (
        "/itemlist/search.html?searchword=gas",
        "/component/k2/itemlist/search.html?searchword=Georgia",
        "/publications/analytical-articles/itemlist/date/2019/3.html",
        "/itemlist/date/2003/10.html",
        "/component/k2/itemlist/user/62-super-user.html",
    ):
        r = fetch(server, path)
        assert r.status == 200, path
        assert re.search(r'class="(generic|user)View"', r.text()), path
    html = fetch(server, "/itemlist/date/2003/10.html").text()
    assert a.path in html


def test_other_pages(server):
    r = fetch(server, "/editorial/editorial-principles.html")
    assert r.status == 200
    html = r.text()
    assert 'class="item-page"' in html and "k2Container" not in html and "Visit also" in html
    home = fetch(server, "/")
    assert home.status == 200 and C.newest(1)[0].path in home.text()
    assert fetch(server, "/about.html").status == 200


def test_feeds(server):
    for section in ("analytical-articles", "feature-articles"):
        r = fetch(server, f"/publications/{section}.feed", headers={"Accept-Encoding": "gzip"})
        assert r.status == 200 and r.header("Content-Type").startswith("application/rss+xml")
        root = ET.fromstring(r.text())
        assert root.tag == "rss" and root.get("version") == "2.0"
        items = root.findall("./channel/item")
        assert len(items) == 10
        newest = sorted(C.section_articles(section), key=lambda a: a.created, reverse=True)
        assert [i.findtext("link") for i in items] == [
            server.base_url + a.path for a in newest[:10]
        ]
    root = ET.fromstring(fetch(server, "/?format=feed").text())
    dates = [i.findtext("pubDate") for i in root.findall("./channel/item")]
    assert len(dates) == 10 and all(d.split()[3] <= "2012" for d in dates)


def test_pdfs_images_and_static_files(server):
    for path in C.all_pdf_paths():
        r = fetch(server, path)
        assert r.status == 200 and r.header("Content-Type") == "application/pdf"
        assert r.body.startswith(b"%PDF-1.4") and r.body.rstrip().endswith(b"%%EOF")
        startxref = int(r.body.rsplit(b"startxref", 1)[1].split()[0])
        assert r.body[startxref:].startswith(b"xref")
        assert set(r.all("Set-Cookie")) == set()
    for path in C.all_image_paths():
        r = fetch(server, path)
        assert r.status == 200 and r.body[:2] == b"\xff\xd8" and r.body[-2:] == b"\xff\xd9"
    for path in pages.STATIC_IMAGES:
        assert fetch(server, path).body.startswith(b"\x89PNG")
    for path in pages.STATIC_FILES:
        assert fetch(server, path + "?v=1").status == 200


def test_robots_txt_and_the_disallowed_draft(server):
    r = fetch(server, "/robots.txt")
    assert r.status == 200 and r.header("Content-Type").startswith("text/plain")
    text = r.text()
    assert text == ReplicaServer.robots_txt()
    for rule in ("/administrator/", "/cache/", "/components/", "/includes/", "/modules/",
                 "/plugins/", "/tmp/", "/resources/pdf/drafts/"):  # fmt: skip
        assert f"Disallow: {rule}\n" in text
    rp = urllib.robotparser.RobotFileParser()
    rp.parse(text.splitlines())
    base = server.base_url
    assert not rp.can_fetch("any-bot", base + C.DRAFTS_PDF)
    for a in ARTICLES:
        assert rp.can_fetch("any-bot", base + a.path)
        assert rp.can_fetch("any-bot", f"{base}/component/k2/item/{a.item_id}-{a.alias}.html")
    html = item_page(server, C.BY_ID[13790]).text()
    assert f'href="{C.DRAFTS_PDF}"' in html
    assert fetch(server, C.DRAFTS_PDF).status == 200  # it exists; robots.txt forbids it


def test_links_to_real_site_hosts_and_to_the_other_host(server):
    bodies = "".join(item_page(server, a).text(a.encoding) for a in ARTICLES)
    for host in C.REAL_HOST_VARIANTS:
        assert f'href="{host}/publications/' in bodies, host
    html = item_page(server, C.BY_ID[C.OTHER_HOST_LINK_ID]).text()
    assert f'href="http://127.0.0.2:{server.port}/publications/' in html
    with ReplicaServer(other_host="127.0.0.3:8123") as other:
        html = item_page(other, C.BY_ID[C.OTHER_HOST_LINK_ID]).text()
        assert 'href="http://127.0.0.3:8123/publications/analytical-articles/item/1399-' in html
    with ReplicaServer(other_host="http://127.0.0.4:81/") as other:
        assert other.other_base == "http://127.0.0.4:81"


# ---------------------------------------------------------------------------------------------
# wire behaviour
# ---------------------------------------------------------------------------------------------


def test_gzip_only_when_accepted(server):
    even = C.BY_ID[12610]  # even id: gzip
    r = fetch(server, even.path, headers={"Accept-Encoding": "gzip, deflate"})
    assert r.header("Content-Encoding") == "gzip" and r.body[:2] == b"\x1f\x8b"
    assert even.title in gzip.decompress(r.body).decode()
    assert r.header("Vary") == "Accept-Encoding"
    for ae in (None, "identity", "gzip;q=0", "br"):
        r = fetch(server, even.path, headers={"Accept-Encoding": ae} if ae else {})
        assert r.header("Content-Encoding") is None, ae
        assert r.body.startswith(b"<!DOCTYPE html>")
    odd = C.BY_ID[1335]
    r = fetch(server, odd.path, headers={"Accept-Encoding": "gzip"})
    assert r.header("Content-Encoding") is None
    r = fetch(server, "/component/k2/itemlist/tag/Georgia.html", headers={"Accept-Encoding": "*"})
    assert r.header("Content-Encoding") == "gzip"


def test_chunked_framing_is_real_and_logged_before_framing(server):
    a = C.BY_ID[1335]  # odd id divisible by 3
    assert a.item_id % 3 == 0 and a.item_id % 2 == 1
    head, body = raw_fetch(server, a.path)
    assert "Transfer-Encoding: chunked" in head and "Content-Length" not in head
    chunks = dechunk(body)
    assert len(chunks) >= 3
    payload = b"".join(chunks)
    assert a.title.encode() in payload
    entry = server.log[-1]
    assert entry["chunked"] is True and entry["content_encoding"] is None
    assert entry["sha1"] == hashlib.sha1(payload).hexdigest() and entry["length"] == len(payload)
    # gzip and chunked together (ids divisible by 6)
    b = C.BY_ID[1650]
    head, body = raw_fetch(server, b.path, "Accept-Encoding: gzip\r\n")
    assert "Content-Encoding: gzip" in head and "Transfer-Encoding: chunked" in head
    payload = b"".join(dechunk(body))
    assert b.title.encode() in gzip.decompress(payload)
    assert server.log[-1]["sha1"] == hashlib.sha1(payload).hexdigest()
    # a plain one
    c = C.BY_ID[12305]
    assert c.item_id % 2 == 1 and c.item_id % 3 != 0
    head, body = raw_fetch(server, c.path, "Accept-Encoding: gzip\r\n")
    assert f"Content-Length: {len(body)}" in head and "Transfer-Encoding" not in head
    # listings: odd pages chunked
    head, _ = raw_fetch(server, "/publications/analytical-articles.html?start=4")
    assert "Transfer-Encoding: chunked" in head
    head, _ = raw_fetch(server, "/publications/analytical-articles.html?start=8")
    assert "Content-Length:" in head


def test_503_once_then_200_and_again_after_reset(server):
    a = C.BY_ID[C.RETRY_ONCE_ID]
    r = fetch(server, a.path)
    assert r.status == 503 and r.header("Retry-After") == "1"
    assert fetch(server, a.path).status == 200
    assert fetch(server, f"/component/k2/item/{a.item_id}-{a.alias}.html").status == 200
    server.reset()
    assert server.log == []
    assert fetch(server, f"/component/k2/item/{a.item_id}-{a.alias}.html").status == 503
    assert [e["status"] for e in server.log] == [503]


def test_old_alias_redirects_to_the_current_url(server):
    for item_id, old in C.OLD_ALIASES.items():
        a = C.BY_ID[item_id]
        r = fetch(server, f"/publications/{a.section}/item/{item_id}-{old}.html")
        assert r.status == 301
        assert r.header("Location") == server.base_url + a.path
        assert r.body == b"" and r.header("Content-Length") == "0"


def test_not_found_pages(server):
    d = C.DELETED_ITEMS[0]
    for path in (
        d.path,
        "/no/such/page.html",
        "/publications/field-reports/item/1730-wrong-alias.html",
        "/publications/no-such-section/item/1730-kazakhstan-under-pressure-for-human-trafficking.html",
        "/publications/no-such-section.html",
        "/publications/field-reports/item/99999-x.html",
    ):
        r = fetch(server, path)
        assert r.status == 404, path
        html = r.text()
        assert "<title>404 - Error: 404</title>" in html and 'id="errorboxheader"' in html
        assert len(r.all("Set-Cookie")) == 2
    assert "Item not found" in fetch(server, d.path).text()


def test_any_prefix_serves_the_item(server):
    a = C.BY_ID[C.SAMPLE_ID]
    for path in (
        a.path,
        f"/component/k2/item/{a.item_id}-{a.alias}.html",
        f"/publications/analytical-articles/item/{a.item_id}-{a.alias}.html",
    ):
        r = fetch(server, path)
        assert r.status == 200 and a.title in r.text(), path


def test_two_cookies_on_every_html_page_and_session_reuse(server):
    for path in ("/", "/publications/field-reports.html", C.BY_ID[1702].path, "/no-such"):
        cookies = fetch(server, path).all("Set-Cookie")
        assert len(cookies) == 2, path
        assert cookies[0].startswith(SESSION_COOKIE + "=")
        assert cookies[1].startswith("SERVERID=")
    first = fetch(server, "/").all("Set-Cookie")[0].split(";")[0]
    again = fetch(server, "/about.html", headers={"Cookie": first}).all("Set-Cookie")[0]
    assert again.split(";")[0] == first
    assert ["Cookie", first] in server.log[-1]["request_headers"]
    other = fetch(server, "/").all("Set-Cookie")[0].split(";")[0]
    assert other != first and other.startswith(SESSION_COOKIE + "=")
    assert fetch(server, "/robots.txt").all("Set-Cookie") == []


def test_hit_counter_grows_on_every_view_of_any_variant(server):
    a = C.BY_ID[1702]
    variants = [
        a.path,
        f"/component/k2/item/{a.item_id}-{a.alias}.html",
        a.path + "?tmpl=component&print=1",
        a.path,
    ]
    counts = []
    for path in variants:
        html = fetch(server, path).text()
        counts.append(int(re.search(r"Read <b>(\d+)</b> times", html).group(1)))
    assert counts == [a.hits, a.hits + 1, a.hits + 2, a.hits + 3]
    assert server.hits(a.item_id) == a.hits + 4
    server.reset()
    assert server.hits(a.item_id) == a.hits


def test_windows_1251_page(server):
    a = C.BY_ID[C.WINDOWS_1251_ID]
    r = fetch(server, a.path)
    assert r.status == 200
    assert r.header("Content-Type") == "text/html"
    assert b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1251" />' in (
        r.body
    )
    assert b'<meta charset="utf-8"' not in r.body
    with pytest.raises(UnicodeDecodeError):
        r.body.decode("utf-8")
    html = r.body.decode("windows-1251")
    cyrillic = a.authors[0]
    assert re.search("[\u0400-\u04ff]", cyrillic)
    assert cyrillic in html
    assert "\u0416\u0443\u0440\u043d\u0430\u043b\u0438\u0441\u0442\u044b" in html
    # every other HTML page says utf-8 in its Content-Type
    assert fetch(server, C.BY_ID[1702].path).header("Content-Type") == "text/html; charset=utf-8"


def test_keep_alive_serves_several_requests_on_one_connection(server):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        for path in ("/robots.txt", "/publications/news-digest.html", C.BY_ID[1335].path):
            conn.request("GET", path)
            r = conn.getresponse()
            assert r.status == 200 and r.version == 11
            r.read()
            assert not r.will_close
    finally:
        conn.close()


def test_stop_ends_kept_alive_connections():
    srv = ReplicaServer().start()
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
    try:
        conn.request("GET", "/robots.txt")
        assert conn.getresponse().read()
        srv.stop()
        with pytest.raises((ConnectionError, http.client.HTTPException, OSError)):
            conn.request("GET", "/robots.txt")
            conn.getresponse()
    finally:
        conn.close()
        srv.stop()


def test_log_records_every_response(server, tmp_path):
    paths = ["/robots.txt", "/nope", C.BY_ID[C.RETRY_ONCE_ID].path, C.BY_ID[1650].path]
    bodies = []
    for p in paths:
        r = fetch(server, p, headers={"Accept-Encoding": "gzip", "X-Test": "yes"})
        bodies.append(r.body)
    r = fetch(server, "/robots.txt", method="HEAD")
    assert r.body == b"" and int(r.header("Content-Length")) > 0
    log = server.log
    assert [e["path"] for e in log] == paths + ["/robots.txt"]
    assert [e["status"] for e in log] == [200, 404, 503, 200, 200]
    for entry, body in zip(log, bodies, strict=False):
        assert entry["sha1"] == hashlib.sha1(body).hexdigest()
        assert entry["length"] == len(body)
        assert entry["method"] == "GET" and entry["host"] == f"127.0.0.1:{server.port}"
        assert ["X-Test", "yes"] in entry["request_headers"]
        assert isinstance(entry["time"], float)
    assert log[3]["content_encoding"] == "gzip" and log[3]["chunked"] is True
    assert log[-1]["method"] == "HEAD" and log[-1]["length"] == 0
    keys = {"time", "method", "path", "host", "status", "sha1", "length", "content_encoding",
            "chunked", "request_headers"}  # fmt: skip
    assert all(keys <= e.keys() for e in log)
    lines = (tmp_path / "replica-log.jsonl").read_text("utf-8").splitlines()
    assert [json.loads(line) for line in lines] == log


def test_log_keeps_the_raw_path_with_query(server):
    fetch(server, "/publications/field-reports.html?start=4&x=%20y")
    assert server.log[-1]["path"] == "/publications/field-reports.html?start=4&x=%20y"


def test_other_methods_are_answered_and_logged(server):
    assert fetch(server, "/component/acymailing/", method="POST").status == 200
    assert fetch(server, "/", method="DELETE").status == 404
    assert [e["method"] for e in server.log] == ["POST", "DELETE"]


def test_server_module_prints_its_base_url(tmp_path):
    log = tmp_path / "cli.jsonl"
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.replica.server", "--port", "0", "--log", str(log)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        base = proc.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", base)
        parts = urlsplit(base)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        conn.request("GET", "/robots.txt")
        assert conn.getresponse().status == 200
        conn.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert json.loads(log.read_text("utf-8").splitlines()[0])["path"] == "/robots.txt"


def test_demo_builds_the_crawl_command():
    from tests.replica import demo

    cmd = demo.crawl_command("http://127.0.0.1:1", "output/demo")
    assert cmd[1:5] == ["-m", "scrapy", "crawl", "analyst"]
    assert "base_url=http://127.0.0.1:1" in cmd and "OUTPUT_DIR=output/demo" in cmd
    assert "DOWNLOAD_DELAY=0" in cmd and "AUTOTHROTTLE_ENABLED=False" in cmd
    assert "LOG_LEVEL=WARNING" in cmd
    assert (demo.REPO_ROOT / "tests" / "replica" / "demo.py").exists()
