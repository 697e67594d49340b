"""`scrapy extract`: records read again from WARC files.

From a real crawl of the replica, the records must be the crawl's own, byte for byte, whatever
the number of workers. From hand-made files of other archives' kinds (``tests/samples``), every
article must be read from the page the server sent, and every damaged record reported once and
skipped, never ending the run.
"""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import zlib
from dataclasses import asdict
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import trafilatura
from warcio.archiveiterator import ArchiveIterator

from crawler import records as records_module
from crawler.commands.extract import Progress, summary
from crawler.extract.article import decode, extract_article
from crawler.items import ArticleCapture
from crawler.records import (
    Tally,
    article_capture,
    article_from_capture,
    extract_batch,
    extract_files,
    page_from_capture,
    validator,
)
from crawler.site import SECTIONS, Site
from crawler.warc.bodies import BodyError, dechunk, decode_body, is_html, payload_digest
from crawler.warc.inputs import find_warc_files
from crawler.warc.read import Capture as WarcCapture
from crawler.warc.read import ReadError, iter_records
from tests.helpers import BIN, ROOT, assert_one_line_error, packages_imported_by
from tests.replica import ReplicaServer
from tests.replica.content import BY_ID, COMPONENT_LINK_IDS, MENU_PAGE_PATHS, SAMPLE_ID
from tests.samples import make_samples


def run_extract(*args, timeout: int = 300) -> subprocess.CompletedProcess:
    cmd = [str(BIN / "scrapy"), "extract", *map(str, args)]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, timeout=timeout)


def stderr_lines(proc) -> list[str]:
    return [line for line in proc.stderr.decode().splitlines() if line.strip()]


def lines(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


# --- A real crawl, read again --------------------------------------------------------------


@pytest.fixture(scope="module")
def crawl(replica_crawl, tmp_path_factory):
    out = replica_crawl["out"]
    (jsonl,) = out.glob("articles-*.jsonl")
    results = tmp_path_factory.mktemp("extracted")  # the shared crawl folder stays as it was
    runs = {}
    for name, extra in {
        "j1": [],
        "again": [],
        "j2": ["-j", "2"],
        "all": ["--all-pages"],
        "all_j2": ["--all-pages", "-j", "2"],
    }.items():
        target = results / f"{name}.jsonl"
        runs[name] = (run_extract(out / "warc", "-o", target, *extra), target)
    return {"out": out, "jsonl": jsonl, "runs": runs}


def test_runs_end_with_a_summary_and_nothing_else(crawl):
    for proc, _ in crawl["runs"].values():
        assert proc.returncode == 0, proc.stderr.decode()[-2000:]
        assert proc.stdout == b""
        err = stderr_lines(proc)
        assert len(err) == 1, err  # stderr is no terminal here: no progress line
        assert "\r" not in proc.stderr.decode()
    (line,) = stderr_lines(crawl["runs"]["j1"][0])
    assert line.startswith("extract: 1 file, ")
    # the crawl's 60 articles, and the 3 it also archived under K2's other address
    assert " 63 articles written to " in line and line.endswith("; 0 errors")


def at_own_address(line: str) -> bool:
    return "/component/k2/item/" not in json.loads(line)["url"]


def test_every_record_is_the_crawls_own_byte_for_byte(crawl):
    """Every capture of an article page gives a record: the crawl's own, byte for byte, from
    the article's own address; and one more from each capture under K2's other address
    (which the crawl archives so that the listings' links to it replay): the same article
    (item_id), its text and metadata, at that URL."""
    theirs = lines(crawl["jsonl"])
    ours = lines(crawl["runs"]["j1"][1])
    own = [line for line in ours if at_own_address(line)]
    assert len(own) == len(theirs) == 60
    by_id = {json.loads(line)["item_id"]: line for line in theirs}
    for line in own:
        record = json.loads(line)
        assert line == by_id[record["item_id"]], record["url"]
    assert sorted(own) == sorted(theirs)
    aliases = [json.loads(line) for line in ours if not at_own_address(line)]
    assert sorted(a["item_id"] for a in aliases) == sorted(COMPONENT_LINK_IDS)
    for alias in aliases:
        article = json.loads(by_id[alias["item_id"]])
        assert alias["text"] == article["text"] and alias["title"] == article["title"]


def test_output_is_in_warc_order(crawl):
    offsets = [json.loads(line)["warc"]["offset"] for line in lines(crawl["runs"]["j1"][1])]
    assert offsets == sorted(offsets) and len(set(offsets)) == len(offsets)


def test_same_input_same_bytes_whatever_the_workers(crawl):
    runs = crawl["runs"]
    first = runs["j1"][1].read_bytes()
    assert runs["again"][1].read_bytes() == first
    assert runs["j2"][1].read_bytes() == first
    assert runs["all_j2"][1].read_bytes() == runs["all"][1].read_bytes()


def test_all_pages_adds_the_other_pages_and_keeps_articles_as_they_are(crawl):
    articles = lines(crawl["runs"]["j1"][1])
    pages = lines(crawl["runs"]["all"][1])
    items = [line for line in pages if json.loads(line)["item_id"] is not None]
    others = [json.loads(line) for line in pages if json.loads(line)["item_id"] is None]
    assert items == articles
    listings = [p for p in others if "/publications/" in p["url"] and "/item/" not in p["url"]]
    # the home page and the menu's pages (About, Editorial principles...) are pages too
    menu = [p for p in others if urlsplit(p["url"]).path in MENU_PAGE_PATHS]
    assert len(listings) >= 4 and len(menu) == len(MENU_PAGE_PATHS)
    assert len(others) == len(listings) + len(menu)
    for page in others:
        assert list(page) == list(json.loads(articles[0]))  # the same fields, in the same order
        assert not list(validator(all_pages=True).iter_errors(page))
        assert list(validator().iter_errors(page)), "item_id null is for --all-pages only"
        assert page["text"]
    assert all(page["section"] in SECTIONS.values() for page in listings)


def trafilaturas_text(html: str, url: str) -> str | None:
    """What trafilatura alone gives: its fast reading, its full one where that finds little."""
    options = {"url": url, "include_comments": False, "include_tables": True, "deduplicate": False}
    fast = trafilatura.extract(html, fast=True, **options)
    return fast if fast and len(fast) >= 500 else trafilatura.extract(html, **options)


def test_other_pages_text_is_trafilaturas_own(crawl):
    pages = [json.loads(line) for line in lines(crawl["runs"]["all"][1])]
    by_record = {p["warc"]["record_id"]: p for p in pages if p["item_id"] is None}
    (warc,) = (crawl["out"] / "warc").glob("*.warc.gz")
    checked = 0
    for capture in iter_records(warc):
        page = by_record.get(capture.warc.get("record_id"))
        if page is None:
            continue
        html = decode(capture.body, capture.content_type)
        assert page["text"] == trafilaturas_text(html, page["url"]), page["url"]
        checked += 1
    assert checked == len(by_record) > 0


# --- Hand-made files of other archives -----------------------------------------------------


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    folder = tmp_path_factory.mktemp("samples")
    built = make_samples.write_all(folder)
    out = io.BytesIO()
    reported: list[str] = []
    tally = extract_files(find_warc_files([folder]), out, report=reported.append)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    return {"folder": folder, "built": built, "tally": tally, "records": records,
            "reported": reported, "bytes": out.getvalue()}  # fmt: skip


def test_samples_every_article_read_from_the_page_the_server_sent(samples):
    by_id = {r["warc"]["record_id"]: r for r in samples["records"]}
    expected = [e for s in samples["built"] for e in s.articles]
    assert len(samples["records"]) == len(expected) == samples["tally"].articles
    for exp in expected:
        record = by_id.pop(exp.record_id)
        assert record["url"] == exp.url and record["item_id"] == exp.item_id
        assert record["warc"]["payload_digest"] == exp.payload_digest
        assert record["fetched_at"] == make_samples.DATE
        capture = ArticleCapture(
            url=exp.url,
            item_id=exp.item_id,
            body=exp.body,
            content_type=exp.content_type,
            warc=record["warc"],
            fetched_at=make_samples.DATE,
            section_hint=Site.section_of(exp.url),
        )
        # decoded exactly: the record is the one the page itself gives
        assert record == asdict(article_from_capture(capture)[0]), exp.url
        assert record["section"] == BY_ID[exp.item_id].section_name
        assert record["text"] and record["hits"]
    assert not by_id


def test_samples_pointers_lead_back_to_the_record(samples):
    folder = samples["folder"]
    for record in samples["records"]:
        ptr = record["warc"]
        data = (folder / ptr["filename"]).read_bytes()
        whole = ptr["filename"].startswith(("encodings", "cut-short"))
        if whole:  # offsets count decompressed bytes: such a file cannot be seeked into
            data = zlib.decompressobj(31).decompress(data)
        chunk = data[ptr["offset"] : ptr["offset"] + ptr["length"]]
        rec = next(iter(ArchiveIterator(io.BytesIO(chunk))))
        assert rec.rec_headers.get_header("WARC-Record-ID") == ptr["record_id"]
        if ptr["filename"].endswith(".gz") and not whole:
            assert chunk[:3] == b"\x1f\x8b\x08"  # exactly one gzip member


def test_samples_damage_reported_once_and_skipped(samples):
    tally, built = samples["tally"], samples["built"]
    assert tally.files == len(built)
    assert tally.errors == sum(s.reported for s in built) == len(samples["reported"])
    assert tally.revisit == sum(s.revisits for s in built) == 1
    assert tally.truncated == sum(s.truncated for s in built) == 1
    assert tally.not_article == sum(s.other for s in built)
    for line in samples["reported"]:
        path, offset, reason = line.split(": ", 2)
        assert Path(path).name in {s.name for s in built}
        assert offset.startswith("offset ") and offset[7:].isdigit() and reason
    damaged = [line for line in samples["reported"] if "/damaged.warc.gz:" in line]
    assert [line.split(": ")[1] for line in damaged] == sorted(
        (line.split(": ")[1] for line in damaged), key=lambda o: int(o[7:])
    )
    assert any("not a WARC record" in line for line in damaged)
    assert any("damaged gzip body" in line for line in damaged)
    assert any("before its last chunk" in line for line in damaged)
    assert any("wrong Content-Length" in line for line in samples["reported"])
    assert any("cut-short.warc.gz" in line for line in samples["reported"])


def test_samples_from_the_command_line(samples, tmp_path):
    target = tmp_path / "x.jsonl"
    proc = run_extract(samples["folder"], "-o", target, "-j", "2")
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    assert target.read_bytes() == samples["bytes"]
    err = stderr_lines(proc)
    assert "Traceback" not in proc.stderr.decode()
    assert err[:-1] == samples["reported"]
    assert err[-1] == summary(samples["tally"], str(target))


def test_stdout_output(samples):
    proc = run_extract(samples["folder"] / "old-archive-1.0.warc", "-o", "-")
    assert proc.returncode == 0, proc.stderr.decode()
    assert [json.loads(line)["item_id"] for line in proc.stdout.splitlines()] == [
        e.item_id for e in samples["built"][0].articles
    ]
    assert proc.stdout.endswith(b"\n")


def test_samples_in_workers_identical(samples):
    out = io.BytesIO()
    reported: list[str] = []
    paths = find_warc_files([samples["folder"]])
    tally = extract_files(paths, out, jobs=2, batch_size=2, report=reported.append)
    assert out.getvalue() == samples["bytes"]
    assert tally == samples["tally"]
    assert reported == samples["reported"]  # in the same order, too


# --- Bad usage -----------------------------------------------------------------------------


def test_no_inputs(tmp_path):
    assert_one_line_error(run_extract("-o", tmp_path / "x.jsonl"), "WACZ file or folder")
    assert not (tmp_path / "x.jsonl").exists()


def test_missing_input(tmp_path):
    proc = run_extract(tmp_path / "nowhere.warc.gz", "-o", tmp_path / "x.jsonl")
    assert_one_line_error(proc, "no such file or folder", "nowhere.warc.gz")
    assert not (tmp_path / "x.jsonl").exists()


def test_unwritable_output(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    (tmp_path / "one.warc").write_bytes(b"WARC/1.1\r\n")
    proc = run_extract(tmp_path, "-o", blocker / "x.jsonl")
    assert_one_line_error(proc, "cannot write", "x.jsonl")


def test_output_never_overwrites_an_input(tmp_path):
    warc = tmp_path / "precious.warc"
    warc.write_bytes(b"WARC/1.1\r\n")
    # a file named on the command line is read whatever its name
    oddly_named = tmp_path / "precious.jsonl"
    oddly_named.write_bytes(b"WARC/1.1\r\n")
    assert_one_line_error(run_extract(oddly_named, "-o", oddly_named), "would overwrite")
    assert_one_line_error(run_extract(tmp_path, "-o", warc), "JSON Lines only", ".jsonl")
    assert warc.read_bytes() == oddly_named.read_bytes() == b"WARC/1.1\r\n"


@pytest.mark.parametrize(("args", "needle"), [
    (["-j", "0"], "-j"), (["-j", "many"], "-j"), ([], "-o FILE"), (["--bogus"], "--bogus"),
])  # fmt: skip
def test_bad_options(tmp_path, args, needle):
    out = [] if args == [] else ["-o", tmp_path / "x.jsonl"]
    assert_one_line_error(run_extract(tmp_path, *out, *args), needle)


# --- The pieces ----------------------------------------------------------------------------


def test_finds_warc_files_in_sorted_order(tmp_path):
    for name in ["b/2.warc.gz", "b/1.warc", "a/z.warc.gz", "a/notes.txt", "c.WARC.GZ"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "odd-name.bin").write_bytes(b"")
    found = find_warc_files([tmp_path / "odd-name.bin", tmp_path, tmp_path / "b/1.warc"])
    rel = [p.relative_to(tmp_path).as_posix() for p in found]
    assert rel == ["odd-name.bin", "a/z.warc.gz", "b/1.warc", "b/2.warc.gz", "c.WARC.GZ"]
    with pytest.raises(FileNotFoundError):
        find_warc_files([tmp_path / "missing"])


def test_a_file_gone_before_it_is_read_is_one_error(tmp_path):
    path = tmp_path / "gone.warc.gz"
    path.symlink_to(tmp_path / "nowhere")
    (event,) = list(iter_records(path))
    assert isinstance(event, ReadError) and event.offset is None
    assert event.path == str(path) and "No such file" in event.reason


def test_dechunk():
    assert dechunk(b"5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n") == b"hello world"
    assert dechunk(b"<html>not chunked</html>") == b"<html>not chunked</html>"
    with pytest.raises(BodyError, match="last chunk"):
        dechunk(b"5\r\nhello\r\n6\r\n wo")
    with pytest.raises(BodyError, match="last chunk"):
        dechunk(b"5\r\nhello\r\n")


def test_decode_body():
    page = b"<html><body>" + b" ".join(b"%d" % i for i in range(5000)) + b"</body></html>"
    packed = gzip.compress(page)
    assert decode_body(packed, None, ["gzip"]) == page
    assert decode_body(gzip.compress(packed), None, ["gzip, gzip"]) == page
    assert decode_body(make_samples.chunked(packed, 100), "chunked", ["gzip"]) == page
    assert decode_body(page, None, ["gzip"]) == page  # stored decoded, header kept
    assert decode_body(page, None, ["x-unknown"]) == page
    with pytest.raises(BodyError, match="damaged gzip"):
        decode_body(packed[:-100], None, ["gzip"])
    with pytest.raises(BodyError, match="larger than"):
        decode_body(gzip.compress(b"\0" * 10_000_000), None, ["gzip"], max_size=1_000_000)


def test_is_html():
    assert is_html("text/html; charset=utf-8", b"")
    assert is_html("application/xhtml+xml", b"<?xml ?>")
    assert is_html(None, b"\xef\xbb\xbf  <!DOCTYPE html><html>")
    assert is_html("application/octet-stream", b"<p>hello")
    assert not is_html(None, b"%PDF-1.4")
    assert not is_html("text/plain", b"<html>")
    assert not is_html("application/pdf", b"<html>")


def test_payload_digest_forms():
    raw = b"payload"
    label = make_samples.sha1_label(raw)
    assert payload_digest(label, b"other") == label
    assert payload_digest(label.lower().replace("sha1:", "SHA1:"), b"") == label
    hexed = "sha1:" + __import__("hashlib").sha1(raw).hexdigest()
    assert payload_digest(hexed, b"") == label
    assert payload_digest(None, raw) == label
    assert payload_digest("sha256:abcd", raw) == label


def test_records_module_matches_the_crawl_pipeline():
    from crawler.pipelines import article_from_capture as pipeline_article

    resp = ReplicaServer(port=0).route("GET", BY_ID[SAMPLE_ID].path, "127.0.0.1:8000")
    url = "http://127.0.0.1:8000" + BY_ID[SAMPLE_ID].path
    capture = ArticleCapture(url, SAMPLE_ID, resp.body, resp.content_type, None, None, None)
    assert article_from_capture(capture) == pipeline_article(capture)


def test_selection_of_captures():
    url = "https://www.cacianalyst.org/publications/field-reports/item/1730-x.html"
    page = WarcCapture("response", url + "?utm_source=feed", "2024-01-01T00:00:00Z", 200,
                       "text/html", body=b"<html>")  # fmt: skip
    capture = article_capture(page)
    assert capture.url == url and capture.item_id == 1730
    assert capture.section_hint == "field-reports"
    listing = WarcCapture("response", "https://www.cacianalyst.org/publications/field-reports.html",
                          None, 200, "text/html", body=b"<html>")  # fmt: skip
    assert article_capture(listing) is None
    assert article_capture(listing, all_pages=True).item_id is None
    for odd in [
        WarcCapture("response", url, None, 404, "text/html", body=b"<html>"),
        WarcCapture("response", url, None, 200, "application/pdf", body=b"%PDF"),
        WarcCapture("response", url, None, 200, "text/html", truncated="length", body=b"<html>"),
        WarcCapture("revisit", url, None, 200, "text/html", body=b"<html>"),
    ]:
        assert article_capture(odd) is None and article_capture(odd, all_pages=True) is None


def test_records_that_cannot_be_written_are_counted_and_said():
    resp = ReplicaServer(port=0).route("GET", BY_ID[SAMPLE_ID].path, make_samples.HOST)
    url = make_samples.BASE + BY_ID[SAMPLE_ID].path
    warc = {"filename": "other.warc.gz", "offset": 123, "length": 456,
            "record_id": "<urn:uuid:0001>", "payload_digest": None}  # fmt: skip
    odd_id = ArticleCapture(url, SAMPLE_ID, resp.body, resp.content_type,
                            {**warc, "record_id": "not a URI"}, None, None)  # fmt: skip
    empty = ArticleCapture(url, SAMPLE_ID, b"  ", "text/html", warc, None, None)
    empty_page = ArticleCapture("https://example.org/", None, b"  ", "text/html", warc, None, None)
    (invalid,) = extract_batch([odd_id], False)
    assert invalid[0] == "invalid"
    assert invalid[1].startswith(f"other.warc.gz: offset 123: {url}: invalid record: ")
    assert "warc/record_id" in invalid[1]
    assert extract_batch([empty], False) == [
        ("no_text", f"other.warc.gz: offset 123: {url}: no article: empty body")
    ]
    assert extract_batch([empty_page], True) == [("no_text", "")]


def test_generic_pages_keep_trafilaturas_text():
    html = (
        "<html><head><title>Another site</title></head><body><nav>Home | About</nav><article>"
        "<h1>A page elsewhere</h1>"
        + "<p>A long paragraph of ordinary prose that trafilatura will keep as text.</p>"
        * 4
        + "<pre>code   block\n   indented</pre>"
        "<table><tr><th>Country</th><th>GDP</th></tr><tr><td>Georgia</td><td>20</td></tr></table>"
        "</article></body></html>"
    )
    url = "https://example.org/page.html"
    capture = ArticleCapture(url, None, html.encode(), "text/html", None, None, None)
    article, method = page_from_capture(capture)
    alone = trafilaturas_text(html, url)
    assert method == "generic" and article.item_id is None
    assert article.text == alone
    assert "code   block\n   indented" in article.text
    # the crawl's fallback for article URLs normalises lines; other sites' pages are not touched
    assert extract_article(html.encode(), url, "text/html").text != alone


def test_progress_only_on_a_terminal():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    screen = Terminal()
    progress = Progress(screen)
    progress(Tally(records=120, articles=7))
    assert screen.getvalue().startswith("\r120 records read, 7 articles written, ")
    assert screen.getvalue().endswith(" records/s")
    progress.clear()
    assert screen.getvalue().endswith("\r")
    quiet = io.StringIO()
    Progress(quiet)(Tally(records=1))
    assert quiet.getvalue() == ""


def test_tally_and_modules_stay_free_of_scrapy():
    loaded = packages_imported_by("import crawler.records, crawler.warc.read, crawler.cluster.work")
    assert "scrapy" not in loaded
    assert records_module.extract_batch.__module__ == "crawler.records"
