"""End to end: the real `scrapy crawl analyst` against the replica, read back with warcio.

One crawl per module (it takes seconds); every test reads its output. The replica logs the
sha1 of every body it sends and the headers it received, so the WARC is compared with what
actually crossed the loopback wire, and the JSON with the replica's ground truth.
"""

from __future__ import annotations

import base64
import re
import urllib.robotparser
from urllib.parse import urlsplit

import pytest
from jsonschema import Draft202012Validator
from warcio.archiveiterator import ArchiveIterator

from crawler.pipelines import load_schema
from crawler.site import Kind, Site
from tests.helpers import read_articles, run_crawl, warcio_check
from tests.replica import ReplicaServer, expected_boilerplate, expected_records

WARCINFO_FIELDS = (
    "software:",
    "format: WARC File Format 1.1",
    "conformsTo:",
    "isPartOf:",
    "robots: obey",
    "http-header-user-agent:",
    "hostname:",
    "fidelity:",
)


def sha1_hex_to_label(hexdigest: str) -> str:
    return "sha1:" + base64.b32encode(bytes.fromhex(hexdigest)).decode()


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    out = tmp_path_factory.mktemp("crawl")
    other = ReplicaServer(host="127.0.0.2")
    with other, ReplicaServer(log_path=out / "server-log.jsonl", other_host=other.base_url) as site:
        proc = run_crawl(site.base_url, out, "-s", "REPORT_PROGRESS_INTERVAL=0.5")
        server_log = list(site.log)
        other_log = list(other.log)
        base = site.base_url
    jsonl = sorted(out.glob("articles-*.jsonl"))
    articles = read_articles(out)
    warcs = sorted((out / "warc").glob("*.warc.gz"))
    records = []
    for path in warcs:
        with open(path, "rb") as f:
            for rec in ArchiveIterator(f):
                records.append(
                    {
                        "file": path.name,
                        "offset": rec.offset if hasattr(rec, "offset") else None,
                        "type": rec.rec_type,
                        "headers": dict(rec.rec_headers.headers),
                        "http": rec.http_headers,
                        "raw": rec.raw_stream.read(),
                    }
                )
    return {
        "proc": proc, "out": out, "base": base, "server_log": server_log,
        "other_log": other_log, "articles": articles, "jsonl": jsonl, "warcs": warcs,
        "records": records,
    }  # fmt: skip


def test_crawl_succeeds_with_a_summary(crawl):
    proc = crawl["proc"]
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Articles archived: " in proc.stderr and not proc.stdout
    assert "WARC files:" in proc.stderr and "Articles JSON:" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(crawl["jsonl"]) == 1
    progress = [line for line in proc.stderr.splitlines() if "progress: " in line]
    assert progress and re.search(r"\d+ articles archived of \d+ discovered, \d+ pages/min, "
                                  r"\d+ errors", progress[-1])  # fmt: skip


def test_every_article_exactly_once(crawl):
    expected = {r["item_id"] for r in expected_records(crawl["base"])}
    got = [a["item_id"] for a in crawl["articles"]]
    assert sorted(got) == sorted(set(got)), "an article was exported twice"
    assert set(got) == expected


def test_every_record_matches_the_schema(crawl):
    validator = Draft202012Validator(load_schema())
    for article in crawl["articles"]:
        errors = [e.message for e in validator.iter_errors(article)]
        assert not errors, (article["url"], errors)


@pytest.mark.parametrize(
    "field", ["url", "section", "title", "authors", "published", "issue_date", "summary",
              "tags", "pdf_urls", "language"]
)  # fmt: skip
def test_metadata_equals_ground_truth(crawl, field):
    got = {a["item_id"]: a for a in crawl["articles"]}
    wrong = []
    for exp in expected_records(crawl["base"]):
        article = got.get(exp["item_id"])
        if article is None:
            continue
        value = article[field]
        want = exp[field]
        if field == "summary" and value is not None and want is not None:
            value, want = norm(value), norm(want)
        if value != want:
            wrong.append((exp["item_id"], value, want))
    assert not wrong, wrong


def test_images_and_captions(crawl):
    got = {a["item_id"]: a for a in crawl["articles"]}
    for exp in expected_records(crawl["base"]):
        images = [(i["url"], i["caption"]) for i in got[exp["item_id"]]["images"]]
        for image in exp["images"]:
            assert (image["url"], image["caption"]) in images, (exp["item_id"], images)


def test_text_has_every_paragraph_in_order(crawl):
    got = {a["item_id"]: a for a in crawl["articles"]}
    for exp in expected_records(crawl["base"]):
        text = norm(got[exp["item_id"]]["text"])
        pos = 0
        for para in exp["paragraphs"]:
            found = text.find(norm(para), pos)
            assert found >= 0, (exp["item_id"], para[:80])
            pos = found + len(norm(para))


def test_first_paragraph_once_and_no_teaser(crawl):
    got = {a["item_id"]: a for a in crawl["articles"]}
    for exp in expected_records(crawl["base"]):
        text = got[exp["item_id"]]["text"]
        first = norm(exp["paragraphs"][0])
        assert norm(text).count(first) == 1, exp["item_id"]
        # the teaser is a strict prefix of the first paragraph; it must not stand as a line
        lines = [norm(line) for line in text.splitlines()]
        assert all(not (first.startswith(line) and line != first) for line in lines[:3]), (
            exp["item_id"],
            lines[:2],
        )


def test_no_boilerplate_in_text(crawl):
    boilerplate = expected_boilerplate()
    for article in crawl["articles"]:
        for needle in boilerplate:
            assert needle not in article["text"], (article["item_id"], needle)
        assert not re.search(r"Read \d+ times", article["text"])
        if article["summary"]:
            assert not re.search(r"Read \d+ times", article["summary"])


def test_sample_article_reads_as_the_notes_say(crawl):
    sample = [a for a in crawl["articles"] if a["title"].startswith("KAZAKHSTAN UNDER PRESSURE")]
    assert len(sample) == 1
    a = sample[0]
    assert a["authors"] == ["Marat Yermukanov"]
    assert a["issue_date"] == "2003-10-08" and a["published"] == "2003-10-08"
    assert a["section"] == "Field Reports" and a["summary"] is None
    assert a["text"].startswith("Until recently, problems related to human trafficking")
    assert a["text"].endswith("is fatally dangerous.")
    assert a["text"].count("With an inflation rate of only 2.3%") == 1
    assert "only 2.\n" not in a["text"]
    assert a["hits"] and a["hits"] > 0


def test_every_fetched_url_is_a_request_response_pair(crawl):
    responses = {}
    requests = {}
    for rec in crawl["records"]:
        h = rec["headers"]
        if rec["type"] == "response":
            responses[h["WARC-Record-ID"]] = rec
        elif rec["type"] == "request":
            requests[h["WARC-Record-ID"]] = rec
    assert len(responses) == len(requests)
    for rid, resp in responses.items():
        req = requests[resp["headers"]["WARC-Concurrent-To"]]
        assert req["headers"]["WARC-Concurrent-To"] == rid
        assert req["headers"]["WARC-Date"] == resp["headers"]["WARC-Date"]
        assert req["headers"]["WARC-Target-URI"] == resp["headers"]["WARC-Target-URI"]
        assert resp["headers"]["WARC-IP-Address"] == "127.0.0.1"
    # every response the server sent is archived, with the very bytes it sent
    archived = {}
    for resp in responses.values():
        parts = urlsplit(resp["headers"]["WARC-Target-URI"])
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        archived.setdefault(path, []).append(resp["headers"]["WARC-Payload-Digest"])
    for entry in crawl["server_log"]:
        assert entry["path"] in archived, entry["path"]
        assert sha1_hex_to_label(entry["sha1"]) in archived[entry["path"]], entry["path"]
    assert sum(map(len, archived.values())) == len(crawl["server_log"])


def test_warc_date_is_when_the_capture_began(crawl):
    from datetime import datetime

    served = {}
    for entry in crawl["server_log"]:
        served.setdefault(entry["path"], []).append(entry["time"])
    for rec in crawl["records"]:
        if rec["type"] != "response":
            continue
        parts = urlsplit(rec["headers"]["WARC-Target-URI"])
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        began = datetime.fromisoformat(rec["headers"]["WARC-Date"].replace("Z", "+00:00"))
        # the request was sent at WARC-Date and answered within the second
        assert any(0 <= t - began.timestamp() < 2 for t in served[path]), path


def test_status_codes_and_statuses_of_every_kind_are_archived(crawl):
    statuses = sorted(
        int(rec["http"].get_statuscode()) for rec in crawl["records"] if rec["type"] == "response"
    )
    assert statuses == sorted(e["status"] for e in crawl["server_log"])
    assert {200, 404, 503} <= set(statuses)
    targets = [rec["headers"].get("WARC-Target-URI", "") for rec in crawl["records"]]
    assert any(t.endswith("/robots.txt") for t in targets)
    assert any(t.lower().endswith(".pdf") for t in targets)


def test_wire_fidelity_of_headers_and_bodies(crawl):
    by_path = {}
    for entry in crawl["server_log"]:
        by_path.setdefault(entry["path"], []).append(entry)
    gz = chunked = cookies = 0
    for rec in crawl["records"]:
        if rec["type"] != "response":
            continue
        http = rec["http"]
        assert http.protocol == "HTTP/1.1"
        if http.get_header("Content-Encoding") == "gzip":
            gz += 1
            assert rec["raw"][:2] == b"\x1f\x8b", "body must stay content-encoded"
        assert http.get_header("Transfer-Encoding") is None
        if http.get_header("X-Archive-Orig-Transfer-Encoding") == "chunked":
            chunked += 1
        if len([v for k, v in http.headers if k.lower() == "set-cookie"]) == 2:
            cookies += 1
    assert gz and chunked and cookies


def test_request_records_hold_the_headers_the_server_received(crawl):
    received = {}
    for entry in crawl["server_log"]:
        headers = sorted((k.lower(), v) for k, v in entry["request_headers"])
        received.setdefault(entry["path"], []).append(headers)
    for rec in crawl["records"]:
        if rec["type"] != "request":
            continue
        http = rec["http"]
        assert http.protocol == "GET"
        path = http.statusline.split(" ")[0]
        sent = sorted((k.lower(), v) for k, v in http.headers)
        assert sent in received[path], (path, sent, received[path])


def test_every_warc_passes_warcio_check_and_has_warcinfo_first(crawl):
    assert crawl["warcs"]
    proc = warcio_check(*crawl["warcs"])
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert not list((crawl["out"] / "warc").glob("*.open"))
    first_by_file = {}
    for rec in crawl["records"]:
        first_by_file.setdefault(rec["file"], rec)
    for rec in first_by_file.values():
        assert rec["type"] == "warcinfo"
        info = rec["raw"].decode()
        for field in WARCINFO_FIELDS:
            assert field in info


def test_json_points_at_its_warc_response(crawl):
    for article in crawl["articles"]:
        ptr = article["warc"]
        with open(crawl["out"] / "warc" / ptr["filename"], "rb") as f:
            f.seek(ptr["offset"])
            rec = next(iter(ArchiveIterator(f)))
            assert rec.rec_headers["WARC-Record-ID"] == ptr["record_id"]
            assert rec.rec_headers["WARC-Payload-Digest"] == ptr["payload_digest"]
            assert rec.rec_headers["WARC-Target-URI"] == article["url"]
            assert rec.rec_headers["WARC-Date"] == article["fetched_at"]


def test_politeness_and_scope(crawl):
    rp = urllib.robotparser.RobotFileParser()
    robots = [e for e in crawl["server_log"] if e["path"] == "/robots.txt"]
    assert robots, "robots.txt must be fetched"
    site = ReplicaServer.robots_txt() if hasattr(ReplicaServer, "robots_txt") else None
    if site:
        rp.parse(site.splitlines())
    for entry in crawl["server_log"]:
        url = crawl["base"] + entry["path"]
        if site:
            assert rp.can_fetch("caci-analyst-archiver", url), entry["path"]
        assert Site.classify(url) not in (Kind.TAG, Kind.PRINT, Kind.MAIL, Kind.SEARCH), url
        assert entry["request_headers"]
        agent = dict((k.lower(), v) for k, v in entry["request_headers"])["user-agent"]
        assert agent.startswith("caci-analyst-archiver/") and "+http" in agent
    assert not any("/resources/pdf/drafts/" in e["path"] for e in crawl["server_log"])
    assert crawl["other_log"] == [], "the crawl must never leave the site's host"


def test_page_requisites_are_archived_once(crawl):
    targets = [
        rec["headers"]["WARC-Target-URI"] for rec in crawl["records"] if rec["type"] == "response"
    ]
    base = crawl["base"].rstrip("/")
    for path in (
        "/templates/caci/css/template.css",
        "/templates/caci/css/typography.css",  # @import inside a stylesheet
        "/templates/caci/images/page-bg.png",  # url() inside a stylesheet
        "/templates/caci/fonts/caci.woff",  # @font-face inside an imported stylesheet
        "/media/jui/js/jquery.min.js?5e1a8b3c",  # Joomla's cache-busting query is kept
        "/images/logo/caci-analyst-logo.png",
    ):
        assert targets.count(base + path) == 1, path
    item_images = {i["url"] for a in crawl["articles"] for i in a["images"]}
    assert item_images and item_images <= set(targets)
