"""Article extraction on pages rendered by the replica, and on odd inputs."""

from __future__ import annotations

import re

import pytest

from crawler.extract.article import ExtractionError, _is_teaser, decode, extract_article
from tests.replica import ReplicaServer, expected_boilerplate, expected_records
from tests.replica.content import BY_ID, SAMPLE_ID, WINDOWS_1251_ID

BASE = "http://127.0.0.1:8000"
REPLICA = ReplicaServer(port=0)  # never started: only its router is used
EXPECTED = {r["item_id"]: r for r in expected_records(BASE)}


def render(path: str):
    resp = REPLICA.route("GET", path, "127.0.0.1:8000")
    if resp.status == 503:  # the replica's retry-once article
        resp = REPLICA.route("GET", path, "127.0.0.1:8000")
    return resp.body, resp.content_type


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.parametrize("item_id", sorted(EXPECTED))
def test_every_replica_article(item_id):
    exp = EXPECTED[item_id]
    body, ctype = render(BY_ID[item_id].path)
    ex = extract_article(body, exp["url"], ctype)
    assert ex.method == "k2"
    assert ex.title == exp["title"]
    assert ex.section == exp["section"]
    assert ex.authors == exp["authors"]
    assert ex.published == exp["published"]
    assert ex.issue_date == exp["issue_date"]
    assert (norm(ex.summary) if ex.summary else None) == (
        norm(exp["summary"]) if exp["summary"] else None
    )
    text = norm(ex.text)
    pos = 0
    for para in exp["paragraphs"]:
        found = text.find(norm(para), pos)
        assert found >= 0, para[:60]
        pos = found + len(norm(para))
    for needle in expected_boilerplate():
        assert needle not in ex.text
    assert ex.tags == exp["tags"]
    assert ex.pdf_urls == exp["pdf_urls"]
    assert ex.language == "en"
    assert ex.hits and ex.word_count > 50


def test_sample_teaser_is_dropped_and_first_paragraph_whole():
    body, ctype = render(BY_ID[SAMPLE_ID].path)
    ex = extract_article(body, BASE, ctype)
    first = ex.text.splitlines()[0]
    assert first.endswith("Nevertheless, human trafficking has not abated.")
    assert ex.text.count("Economic reality denies this theory.") == 1
    assert ex.summary is None


def test_windows_1251_declared_only_in_meta():
    body, ctype = render(BY_ID[WINDOWS_1251_ID].path)
    assert "charset" not in (ctype or "")
    assert "\u0430" not in body.decode("latin-1")  # really a single-byte encoding on the wire
    ex = extract_article(body, BASE, ctype)
    assert re.search("[\u0400-\u04ff]{4,}", ex.text)
    assert ex.authors == EXPECTED[WINDOWS_1251_ID]["authors"]


@pytest.mark.parametrize(
    ("intro", "full", "teaser"),
    [
        (
            "With an inflation rate of only 2.",
            "With an inflation rate of only 2.3% and more.",
            True,
        ),
        ("That is, i.e.", "That is, i.e. the point. More.", True),
        ("A summary written by an editor.", "The article starts differently.", False),
        ("", "Anything.", False),
    ],
)
def test_teaser_rule(intro, full, teaser):
    assert _is_teaser(intro, full) is teaser


def test_non_k2_page_falls_back_to_generic_extraction():
    body, ctype = render("/editorial/editorial-principles.html")
    ex = extract_article(body, BASE + "/editorial/editorial-principles.html", ctype)
    assert ex.method == "generic"
    assert ex.text
    assert "Staff Publications" not in ex.text


@pytest.mark.parametrize("body", [b"", b"   ", b"\x00\x01\x02"])
def test_empty_or_binary_bodies_raise_a_clean_error(body):
    with pytest.raises(ExtractionError):
        extract_article(body, BASE, "text/html")


def test_malformed_html_never_crashes():
    html = b"<html><body><div id='k2Container' class='itemView'><h2 class='itemTitle'>T</h2>"
    html += b"<div class='itemFullText'><p>One <b>two <i>three</p><p>Four</div></table></body>"
    ex = extract_article(html, BASE, "text/html")
    assert "One two three" in ex.text and "Four" in ex.text


def test_decode_prefers_header_then_meta():
    cp1251 = "Привет".encode("cp1251")
    meta = b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">'
    assert "Привет" in decode(meta + cp1251, "text/html")
    assert "Привет" in decode("Привет".encode(), "text/html; charset=utf-8")
