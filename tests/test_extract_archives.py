"""`scrapy extract` on other tools' archives: one small hand-made case per way they differ.

Content codings under any brotli or zstd module, record ids that are any URI, unlabelled
windows-1252 pages, ARC v1 and v2, WACZ, inputs that cannot be read at all, pages without a
title, URIs with a space, HTML in resource records, and pages too large to read. Every file is
built here byte by byte (``tests.samples.make_samples``' helpers) or with warcio's writer.
"""

from __future__ import annotations

import base64
import io
import json
import random
import subprocess
import tracemalloc
import types
import zipfile
import zlib
from pathlib import Path

import pytest
import trafilatura

from crawler.extract.article import decode
from crawler.records import Tally, extract_files, extract_input
from crawler.warc import bodies
from crawler.warc.bodies import BodyDecoder, BodyError, BodyTooLarge, decode_body
from crawler.warc.inputs import Kind, sniff
from crawler.warc.read import Capture, ReadError, iter_records
from tests.helpers import BIN, ROOT, assert_one_line_error
from tests.samples.make_samples import chunked, gz, http_response, warc_record

PROSE = "<p>A long paragraph of ordinary prose that a reader keeps as the text of the page.</p>"
DATE = "2024-05-01T12:00:00Z"


def page(title: str | None = "A page elsewhere", words: str = PROSE) -> bytes:
    head = f"<head><title>{title}</title></head>" if title is not None else "<head></head>"
    return f"<html>{head}<body><article>{words * 5}</article></body></html>".encode()


def response(
    url: str,
    body: bytes,
    headers: list[tuple[str, str]] | None = None,
    *,
    record_id: str = "<urn:uuid:00000000-0000-0000-0000-000000000001>",
    version: str = "1.1",
) -> bytes:
    if headers is None:
        headers = [("Content-Type", "text/html; charset=utf-8")]
    block = http_response(200, [*headers, ("Content-Length", str(len(body)))], body)
    fields = [("WARC-Target-URI", url), ("WARC-Date", DATE), ("WARC-Record-ID", record_id)]
    return warc_record(version, "response", fields, block)


def extract(tmp_path: Path, *files: tuple[str, bytes], all_pages=True, **kwargs):
    paths = []
    for name, data in files:
        (tmp_path / name).write_bytes(data)
        paths.append(tmp_path / name)
    out = io.BytesIO()
    reported: list[str] = []
    tally = extract_files(paths, out, all_pages=all_pages, report=reported.append, **kwargs)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    return records, reported, tally


def run_extract(*args) -> subprocess.CompletedProcess:
    cmd = [str(BIN / "scrapy"), "extract", *map(str, args)]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, timeout=300)


# --- 1. Content codings, whichever module decodes them -------------------------------------


def _zstd_compress(data: bytes) -> bytes:
    if bodies.zstd is None:
        pytest.skip("no zstd module installed")
    if hasattr(bodies.zstd, "compress"):
        return bodies.zstd.compress(data)
    return bodies.zstd.ZstdCompressor().compress(data)


def test_every_content_coding_browsers_accept(tmp_path):
    import brotli  # Scrapy's own dependency: one of the brotli modules is always there

    body = page()
    codings = {
        "gzip": gz(body),
        "deflate": zlib.compress(body),
        "br": brotli.compress(body),
        "zstd": _zstd_compress(body),
    }
    data = b"".join(
        response(
            f"https://example.org/{name}",
            encoded,
            [("Content-Type", "text/html"), ("Content-Encoding", name)],
        )  # fmt: skip
        for name, encoded in codings.items()
    )
    data += response("https://example.org/br-chunked", chunked(brotli.compress(body), 50), [
        ("Content-Type", "text/html"), ("Content-Encoding", "br"),
        ("Transfer-Encoding", "chunked")])  # fmt: skip
    records, reported, tally = extract(tmp_path, ("codings.warc", data))
    assert reported == [] and tally.errors == 0
    assert [r["url"].rsplit("/", 1)[1] for r in records] == [*codings, "br-chunked"]
    assert len({r["text"] for r in records}) == 1 and "ordinary prose" in records[0]["text"]


class _GoogleBrotli:
    """brotli's API as Google's module has it (process, output_buffer_limit, is_finished),
    over whichever brotli module is installed."""

    def __init__(self, real):
        self.real = real.Decompressor()
        self.step = getattr(self.real, "process", None) or self.real.decompress
        self.pending = b""
        self.calls = 0

    def process(self, data, output_buffer_limit=None):
        self.calls += 1
        self.pending += self.step(data) if data else b""
        out, self.pending = self.pending[:output_buffer_limit], self.pending[output_buffer_limit:]
        return out

    def can_accept_more_data(self):
        return not self.pending

    def is_finished(self):
        return not self.pending


class _CffiBrotli:
    """brotlicffi's and brotlipy's API (decompress, finish), over the installed module."""

    def __init__(self, real):
        self.real = real.Decompressor()
        self.step = getattr(self.real, "process", None) or self.real.decompress

    def decompress(self, data):
        return self.step(data)

    def finish(self):
        return b""


@pytest.mark.parametrize("api", [_GoogleBrotli, _CffiBrotli])
def test_brotli_decodes_under_either_api(monkeypatch, api):
    import brotli

    body = page() * 50
    fake = types.SimpleNamespace(Decompressor=lambda: api(brotli))
    monkeypatch.setattr(bodies, "brotli", fake)
    assert decode_body(brotli.compress(body), None, ["br"]) == body
    with pytest.raises(BodyTooLarge):
        decode_body(brotli.compress(body), None, ["br"], max_size=1000)


def test_a_brotli_bomb_stops_at_the_limit():
    import brotli

    bomb = brotli.compress(bytes(50_000_000))  # a few hundred bytes
    tracemalloc.start()
    try:
        with pytest.raises(BodyTooLarge):
            decode_body(bomb, None, ["br"], max_size=1_000_000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 40_000_000, peak


def test_a_missing_module_is_said_not_called_damage(monkeypatch):
    monkeypatch.setattr(bodies, "zstd", None)
    with pytest.raises(BodyError, match=r"^unsupported: Content-Encoding zstd needs"):
        decode_body(b"\x28\xb5\x2f\xfd\x00\x01\x02\x03", None, ["zstd"])
    with pytest.raises(BodyError, match=r"^unsupported: Content-Encoding 'compress'"):
        decode_body(b"\x1f\x9d\x90\x00\x01\x02", None, ["compress"])
    # a body stored already decoded under the label is kept, whatever the label
    assert decode_body(b"<html>plain</html>", None, ["zstd"]) == b"<html>plain</html>"


def test_decoding_is_bounded_and_incremental():
    bomb = gz(bytes(20_000_000))
    with pytest.raises(BodyTooLarge):
        decode_body(bomb, None, ["gzip"], max_size=1_000_000)
    body = page() * 100
    decoder = BodyDecoder("chunked", ["gzip"], 10_000_000)
    raw = chunked(gz(body), 333)
    out = b"".join(decoder.feed(raw[i : i + 7]) for i in range(0, len(raw), 7))
    assert out + decoder.finish() == body
    with pytest.raises(BodyError, match="ends before its last chunk"):
        decode_body(chunked(body)[:-5], "chunked", [])


# --- 2. Record ids: any URI ----------------------------------------------------------------


def test_any_uri_is_a_record_id(tmp_path):
    ids = [
        "<urn:uuid:0B0E4A6C-4F8A-4C39-A1C1-6C0B4E3C2D1F>",  # wget on macOS
        "<urn:uuid:abc>",
        "<http://jwat.example/record/1>",
        "urn:uuid:6f2c0d0e-1111-2222-3333-444455556666",  # without the brackets
    ]
    data = b"".join(
        response(f"https://example.org/{i}", page(), record_id=rid) for i, rid in enumerate(ids)
    )
    records, reported, tally = extract(tmp_path, ("ids.warc", data))
    assert reported == [] and tally.invalid == 0
    assert [r["warc"]["record_id"] for r in records] == ids


# --- 3. Charsets: never read worse than trafilatura alone ----------------------------------

CP1252 = (
    "<html><body><article>"
    + "<p>“Caf\u00e9 cr\u00e8me” \u2013 na\u00efve r\u00e9sum\u00e9s for \u20ac5 \u2026 "
    "a paragraph long enough to be kept as the page’s text by the reader.</p>"
    * 4
    + "</article></body></html>"
).encode("cp1252")


def test_unlabelled_windows_1252_reads_as_browsers_read_it(tmp_path):
    for content_type in ("text/html", None):
        text = decode(CP1252, content_type)
        assert "\ufffd" not in text and "“Café crème”" in text and "€5" in text
    data = response("https://example.org/cp1252", CP1252, [("Content-Type", "text/html")])
    (record,), reported, _ = extract(tmp_path, ("cp.warc", data))
    alone = trafilatura.extract(CP1252) or ""
    assert record["text"].count("\ufffd") <= alone.count("\ufffd")
    assert "\ufffd" not in record["text"] and "€5" in record["text"]


def test_a_label_that_lies_costs_no_more_than_trafilatura_alone():
    lying = CP1252.replace(b"<html>", b'<html><head><meta charset="utf-8"></head>')
    text = decode(lying, "text/html; charset=utf-8")
    alone = trafilatura.utils.decode_file(lying)
    assert text.count("\ufffd") <= alone.count("\ufffd")
    # a label that fits is the browsers' choice, detection or not
    koi8 = "<html><body><p>Привет, мир</p></body></html>".encode("koi8-r")
    assert "Привет" in decode(koi8, "text/html; charset=koi8-r")
    assert "Привет" in decode(("<p>Привет, мир, как дела</p>" * 20).encode("utf-8"), None)


# --- 4. ARC files --------------------------------------------------------------------------


def arc_v1(url: str, body: bytes, gzipped: bool = False) -> bytes:
    filedesc = b"1 0 Test\nURL IP-address Archive-date Content-type Archive-length\n"
    http = http_response(200, [("Content-Type", "text/html")], body)
    records = [
        b"filedesc://test.arc 0.0.0.0 20080430204825 text/plain %d\n%s\n"
        % (len(filedesc), filedesc),
        b"%s 192.0.2.1 20080430204826 text/html %d\n%s\n" % (url.encode(), len(http), http),
    ]
    return b"".join(gz(r) if gzipped else r for r in records)


def arc_v2(url: str, body: bytes) -> bytes:
    spec = (
        b"2 0 Test\nURL IP-address Archive-date Content-type Result-code Checksum Location "
        b"Offset Filename Archive-length\n"
    )
    http = http_response(200, [("Content-Type", "text/html")], body)
    first = b"filedesc://test.arc 0.0.0.0 19960923142103 text/plain 200 - - 0 test.arc %d\n"
    return (
        first % len(spec)
        + spec
        + b"\n"
        + b"%s 192.0.2.1 19961104142103 text/html 200 - - 150 test.arc %d\n%s\n"
        % (url.encode(), len(http), http)
    )


def test_arc_files_are_read(tmp_path):
    files = [
        ("v1.arc", arc_v1("http://example.org/v1", page("One"))),
        ("v1.arc.gz", arc_v1("http://example.org/v1gz", page("Two"), gzipped=True)),
        ("v2.arc", arc_v2("http://example.org/v2", page("Three"))),
    ]
    records, reported, tally = extract(tmp_path, *files)
    assert reported == [] and tally.files == 3
    assert [(r["url"], r["title"]) for r in records] == [
        ("http://example.org/v1", "One"),
        ("http://example.org/v1gz", "Two"),
        ("http://example.org/v2", "Three"),
    ]
    # an ARC record has no id; the pointer leads back to it all the same
    assert {r["warc"]["record_id"] for r in records} == {None}
    assert records[2]["fetched_at"].startswith("1996-11-04T14:21:03")
    for record in records:
        with open(tmp_path / record["warc"]["filename"], "rb") as f:
            f.seek(record["warc"]["offset"])
            start = f.read(record["warc"]["length"])
            assert record["url"].encode() in (zlib.decompress(start, 31) if start[:2] ==
                                              b"\x1f\x8b" else start)  # fmt: skip


def test_a_folder_of_arc_files_from_the_command_line(tmp_path):
    folder = tmp_path / "arcs"
    folder.mkdir()
    (folder / "a.arc").write_bytes(arc_v1("http://example.org/a", page()))
    (folder / "b.arc.gz").write_bytes(arc_v1("http://example.org/b", page(), gzipped=True))
    proc = run_extract(folder, "-o", tmp_path / "out.jsonl", "--all-pages")
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stderr.decode().startswith("extract: 2 files, ")
    assert len((tmp_path / "out.jsonl").read_bytes().splitlines()) == 2


# --- 5. WACZ, and inputs with nothing to read ----------------------------------------------


def wacz(warcs: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in warcs.items():
            zf.writestr(zipfile.ZipInfo(f"archive/{name}"), data, zipfile.ZIP_STORED)
        zf.writestr("datapackage.json", json.dumps({"profile": "data-package"}))
        zf.writestr("indexes/index.cdxj", "")
    return buffer.getvalue()


def test_wacz_warcs_are_streamed_from_the_zip(tmp_path, monkeypatch):
    one = gz(response("https://example.org/1", page("First")))
    two = response("https://example.org/2", page("Second"))
    data = wacz({"data-1.warc.gz": one, "data-2.warc": two})
    # streamed: reading never writes a file of its own anywhere
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "no-such-folder"))
    records, reported, _ = extract(tmp_path, ("coll.wacz", data))
    assert reported == []
    assert [(r["title"], r["warc"]["filename"], r["warc"]["container"]) for r in records] == [
        ("First", "data-1.warc.gz", "coll.wacz"),
        ("Second", "data-2.warc", "coll.wacz"),
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["coll.wacz"]
    # the pointer leads back to the record inside the ZIP
    with zipfile.ZipFile(tmp_path / "coll.wacz") as zf:
        stored = zf.read("archive/data-1.warc.gz")
    warc = records[0]["warc"]
    member = stored[warc["offset"] : warc["offset"] + warc["length"]]
    assert b"https://example.org/1" in zlib.decompress(member, 31)


def test_inputs_without_anything_to_read_are_usage_errors(tmp_path):
    out = tmp_path / "x.jsonl"
    text = tmp_path / "notes.txt"
    text.write_text("The monkeys are a comical lot.\n")
    line = assert_one_line_error(run_extract(text, "-o", out))
    assert "notes.txt: not a WARC, ARC or WACZ file" in line
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "no WARC, ARC or WACZ files in" in assert_one_line_error(run_extract(empty, "-o", out))
    lz4 = tmp_path / "x.warc.lz4"
    lz4.write_bytes(b"\x04\x22\x4d\x18" + b"\0" * 40)
    assert "unsupported: LZ4-compressed" in assert_one_line_error(run_extract(lz4, "-o", out))
    line = assert_one_line_error(run_extract(text, lz4, "-o", out))
    assert "and 1 more files, none readable" in line
    bare_zip = tmp_path / "x.wacz"
    bare_zip.write_bytes(wacz({}))
    assert "a ZIP file without WARC files" in assert_one_line_error(
        run_extract(bare_zip, "-o", out)
    )
    assert not out.exists()


def test_output_must_be_json_lines(tmp_path):
    (tmp_path / "a.warc").write_bytes(response("https://example.org/", page()))
    line = assert_one_line_error(run_extract(tmp_path, "-o", tmp_path / "x.csv"))
    assert "x.csv" in line and "JSON Lines" in line and ".jsonl" in line
    assert not (tmp_path / "x.csv").exists()


def test_one_unreadable_file_among_good_ones_is_a_line_not_the_end(tmp_path):
    files = [
        ("bad.warc", b"hello, not an archive\n" * 3),
        ("good.warc", response("https://example.org/", page())),
    ]
    records, reported, tally = extract(tmp_path, *files)
    assert len(records) == 1 and tally.errors == 1
    (line,) = reported
    assert "bad.warc" in line and "not a WARC, ARC or WACZ file" in line


def test_kinds_from_first_bytes():
    assert sniff(Path(__file__)).problem.startswith("not a WARC, ARC or WACZ file")


# --- 6. Pages without a title, URIs with a space, resource records -------------------------


def test_pages_without_title_space_in_uri_and_resources(tmp_path):
    resource = warc_record("1.0", "resource", [
        ("WARC-Target-URI", "file:///site/page.html"), ("WARC-Date", DATE),
        ("WARC-Record-ID", "<urn:uuid:00000000-0000-0000-0000-00000000000a>")],
        page("From a folder"), content_type="text/html")  # fmt: skip
    data = (
        response("https://example.org/no-title", page(title=None))
        + response("https://example.org/a page.html", page("Spaced"))
        + resource
    )
    records, reported, tally = extract(tmp_path, ("odd.warc", data))
    assert reported == [] and tally.errors == tally.invalid == 0
    assert [(r["url"], r["title"]) for r in records] == [
        ("https://example.org/no-title", ""),
        ("https://example.org/a%20page.html", "Spaced"),
        ("file:///site/page.html", "From a folder"),
    ]
    assert all("ordinary prose" in r["text"] for r in records)
    # without --all-pages a page is no article: nothing invalid, nothing said
    records, reported, tally = extract(tmp_path, ("odd.warc", data), all_pages=False)
    assert records == [] and reported == [] and tally.not_article == 3


def test_pages_of_records_damaged_at_their_end_are_read_as_stored(tmp_path):
    """What warcio hands over as the page is not lost: a wrong Content-Length, a missing one,
    a file cut short. The damage is still said, once per record."""
    first = response("https://example.org/long", page("Long"))
    head, _, rest = first.partition(b"\r\n\r\n")
    length = int(head.rsplit(b"Content-Length: ", 1)[1])
    too_long = head.replace(b"Content-Length: %d" % length, b"Content-Length: %d" % (length + 30))
    no_length = response("https://example.org/none", page("None")).replace(
        b"Content-Length: ", b"X-Was-Length: ", 1
    )
    cut = response("https://example.org/cut", page("Cut"))[:-300]
    data = (
        too_long + b"\r\n\r\n" + rest
        + response("https://example.org/next", page("Next"))
        + no_length
        + response("https://example.org/last", page("Last"))
        + cut
    )  # fmt: skip
    records, reported, tally = extract(tmp_path, ("damaged.warc", data))
    assert [r["title"] for r in records] == ["Long", "Next", "None", "Last", "Cut"]
    assert len(reported) == tally.errors == 3
    assert "wrong Content-Length?); its page is read as stored" in reported[0]
    assert "missing or bad Content-Length; its page is read up to the next record" in reported[1]
    assert "file cut short?); its page is read as stored" in reported[2]
    assert all("ordinary prose" in r["text"] for r in records)


# --- 7. Bounded cost -----------------------------------------------------------------------


def write_big_record(f, url: str, content_type: str, size: int) -> None:
    """One response of ``size`` body bytes, as a gzip member, written to ``f`` piece by piece
    (this process stays small: what it forks later inherits its size in ``ru_maxrss``)."""
    head = http_response(200, [("Content-Type", content_type), ("Content-Length", str(size))], b"")
    fields = [("WARC-Target-URI", url), ("WARC-Date", DATE),
              ("WARC-Record-ID", f"<urn:uuid:{url[-1]}>")]  # fmt: skip
    warc_head = warc_record("1.1", "response", fields, b"")[:-4]
    warc_head = warc_head.replace(b"Content-Length: 0", b"Content-Length: %d" % (len(head) + size))
    comp = zlib.compressobj(1, zlib.DEFLATED, 31)
    f.write(comp.compress(warc_head + head))
    # text that compresses as little as real pages' (a record of repeated bytes would measure
    # warcio's read buffer, which grows with the compression ratio, not with the record)
    noise = random.Random(size).randbytes(48 * 1024)
    piece = b"<p>" + base64.b64encode(noise) + b"</p>" if "html" in content_type else noise
    for _ in range(size // len(piece)):
        f.write(comp.compress(piece))
    f.write(comp.compress(b" " * (size % len(piece)) + b"\r\n\r\n"))
    f.write(comp.flush())


def test_large_records_cost_little_memory_and_say_why(tmp_path):
    size = 40_000_000
    path = tmp_path / "big.warc.gz"
    with open(path, "wb") as f:
        write_big_record(f, "https://example.org/1", "text/html", size)
        write_big_record(f, "https://example.org/2", "application/octet-stream", size)
        f.write(gz(response("https://example.org/3", page("Small"))))
    tracemalloc.start()
    try:
        events = list(iter_records(path, lambda c: True, max_body=1_000_000))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8_000_000, peak
    html, octets, small = events
    assert isinstance(html, Capture) and html.body is None
    assert html.skipped == "skipped: 40 MB page over EXTRACT_MAX_PAGE_BYTES"
    assert isinstance(octets, Capture) and octets.body is None and octets.skipped is None
    assert small.body == page("Small")

    out = io.BytesIO()
    reported: list[str] = []
    tally = extract_files([path], out, all_pages=True, max_body=1_000_000,
                          report=reported.append)  # fmt: skip
    assert (tally.articles, tally.too_large, tally.not_article, tally.errors) == (1, 1, 1, 0)
    assert reported == [
        f"{path}: offset 0: https://example.org/1: skipped: 40 MB page over EXTRACT_MAX_PAGE_BYTES"
    ]


def test_the_page_size_limit_is_a_setting(tmp_path):
    (tmp_path / "a.warc").write_bytes(response("https://example.org/", page() * 20))
    out = tmp_path / "x.jsonl"
    proc = run_extract(tmp_path, "-o", out, "--all-pages", "-s", "EXTRACT_MAX_PAGE_BYTES=1000")
    assert proc.returncode == 0
    err = proc.stderr.decode().splitlines()
    assert err[0].endswith("https://example.org/: skipped: 0.0 MB page over "
                           "EXTRACT_MAX_PAGE_BYTES")  # fmt: skip
    assert "1 over EXTRACT_MAX_PAGE_BYTES" in err[-1] and out.read_bytes() == b""
    for bad in ("0", "ten"):
        proc = run_extract(tmp_path, "-o", out, "-s", f"EXTRACT_MAX_PAGE_BYTES={bad}")
        assert "EXTRACT_MAX_PAGE_BYTES must be" in assert_one_line_error(proc)


# --- The unit of work of a scheduler -------------------------------------------------------


def test_extract_input_gives_what_extract_files_writes_for_any_byte_range(tmp_path):
    members = [gz(response(f"https://example.org/{i}", page(f"Page {i}"))) for i in range(4)]
    path = tmp_path / "four.warc.gz"
    path.write_bytes(b"".join(members))
    whole, reported, _ = extract(tmp_path, ("four.warc.gz", path.read_bytes()))
    cut = len(members[0]) + len(members[1])
    outcomes = []
    for start, end in ((0, cut), (cut, None)):
        part, tally = extract_input(path, all_pages=True, start=start, end=end)
        assert isinstance(tally, Tally) and tally.records == 2
        outcomes += part
    assert [json.loads(value) for kind, value in outcomes if kind == "article"] == whole
    assert not [e for e in iter_records(path) if isinstance(e, ReadError)]
    assert sniff(path).name == Kind.WARC
