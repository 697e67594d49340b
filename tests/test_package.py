"""Index and package: the CDXJ index and the WACZ a crawl of the replica ends with.

Besides py-wacz's own validator (`wacz validate`), the checks it does not make: one page per
article, each pointing at a response record of the WARCs (found through our CDXJ), every
resource's hash and size in datapackage.json equal to the ZIP member, the digest file's hash
equal to datapackage.json's, WARCs stored byte for byte. And packaging streams: a 300 MB WARC
goes through with a few MB of memory.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import textwrap
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.archive import read_cdxj, read_pages, write_wacz
from crawler.archive.folder import default_name, ts14
from crawler.site import SECTIONS, entry_urls
from crawler.warc import Exchange, WarcWriter
from tests.helpers import BIN, REPLICA_EXIT, ROOT, run_crawl
from tests.replica import ReplicaServer

PAGES_HEADER = {"format": "json-pages-1.0", "id": "pages", "title": "All Pages", "hasText": True}


def sha256_stream(f) -> tuple[str, int]:
    h, n = hashlib.sha256(), 0
    while chunk := f.read(1 << 20):
        h.update(chunk)
        n += len(chunk)
    return "sha256:" + h.hexdigest(), n


def sha256_file(path: Path) -> str:
    with open(path, "rb") as f:
        return sha256_stream(f)[0]


def scrapy_package(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "scrapy"), "package", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def wacz_validate(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "wacz"), "validate", "-f", str(path)],
        capture_output=True,
        text=True,
        timeout=300,
    )


def read_record(warc: Path, offset: int):
    with open(warc, "rb") as f:
        f.seek(offset)
        record = next(iter(ArchiveIterator(f)))
        return record.rec_type, dict(record.rec_headers.headers)


@pytest.fixture(scope="module")
def crawl(replica_crawl):
    out, proc, articles = replica_crawl["out"], replica_crawl["proc"], replica_crawl["articles"]
    warcs = sorted((out / "warc").glob("*.warc.gz"))
    waczs = sorted(out.glob("*.wacz"))
    assert len(waczs) == 1, list(out.iterdir())
    return {"proc": proc, "out": out, "articles": articles, "warcs": warcs, "wacz": waczs[0]}


def members(wacz: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(wacz) as zf:
        return {name: zf.read(name) for name in zf.namelist() if not name.startswith("archive/")}


def test_crawl_ends_with_index_and_wacz(crawl):
    out, proc = crawl["out"], crawl["proc"]
    assert crawl["articles"], "the crawl archived no article"
    assert (out / "indexes" / "index.cdxj").is_file()
    assert crawl["wacz"].name == default_name("analyst", crawl["warcs"]) + ".wacz"
    assert f"WACZ package:      {crawl['wacz']}" in proc.stderr
    assert not list(out.rglob("*.open")), "a partial file was left behind"


def test_stock_validator_passes(crawl):
    proc = wacz_validate(crawl["wacz"])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Validation succeeded" in proc.stdout


def test_zip_holds_exactly_the_wacz_layout(crawl):
    with zipfile.ZipFile(crawl["wacz"]) as zf:
        names = zf.namelist()
        assert sorted(names) == sorted(
            [f"archive/{w.name}" for w in crawl["warcs"]]
            + ["indexes/index.cdx.gz", "indexes/index.idx", "pages/pages.jsonl",
               "datapackage.json", "datapackage-digest.json"]
        )  # fmt: skip
        for warc in crawl["warcs"]:
            info = zf.getinfo(f"archive/{warc.name}")
            assert info.compress_type == zipfile.ZIP_STORED, "a WARC was recompressed"
            with zf.open(info) as member:
                assert sha256_stream(member)[0] == sha256_file(warc)
        assert zf.getinfo("indexes/index.cdx.gz").compress_type == zipfile.ZIP_STORED
        blocks = zf.read("indexes/index.cdx.gz")
        summary = zf.read("indexes/index.idx").decode().splitlines()
    # the ZipNum pair holds exactly the flat index's lines, each block where .idx says
    assert json.loads(summary[0].split(" ", 2)[2])["filename"] == "index.cdx.gz"
    lines = []
    for row in summary[1:]:
        key, block = row.rsplit(" ", 1)[0], json.loads(row.split(" ", 2)[2])
        data = gzip.decompress(blocks[block["offset"] : block["offset"] + block["length"]])
        block_lines = data.decode().splitlines(keepends=True)
        assert block_lines[0].startswith(key.split(" ")[0] + " ")
        lines += block_lines
    assert "".join(lines) == (crawl["out"] / "indexes/index.cdxj").read_text()
    assert len(summary) - 1 == -(-len(lines) // 300)


def test_pages_one_per_article_with_its_text(crawl):
    """A small crawl fits wabac.js's 1 MiB text index whole: every page has its full text."""
    data = members(crawl["wacz"])["pages/pages.jsonl"]
    assert len(data) < 1 << 20
    lines = data.decode("utf-8").splitlines()
    assert json.loads(lines[0]) == PAGES_HEADER
    pages = [json.loads(line) for line in lines[1:]]
    assert len(pages) == len(crawl["articles"])
    assert {(p["url"], p["ts"], p["title"], p["text"]) for p in pages} == {
        (a["url"], a["fetched_at"], a["title"], a["text"]) for a in crawl["articles"]
    }
    assert all(set(p) == {"url", "ts", "title", "text"} for p in pages)


def test_every_page_has_its_response_record(crawl):
    """Through the CDXJ: the page's url and time lead to the very record its article was read
    from, and that record is a response for that URL captured at that time."""
    index = crawl["out"] / "indexes" / "index.cdxj"
    by_key: dict[tuple[str, str], list] = {}
    for entry in read_cdxj(index):
        by_key.setdefault((entry.url, entry.timestamp), []).append(entry)
    pages = members(crawl["wacz"])["pages/pages.jsonl"].decode("utf-8").splitlines()[1:]
    articles = {(a["url"], a["fetched_at"]): a for a in crawl["articles"]}
    for page in map(json.loads, pages):
        entries = [e for e in by_key.get((page["url"], ts14(page["ts"])), []) if e.status == "200"]
        assert entries, f"no 200 response in the index for {page['url']} at {page['ts']}"
        pointer = articles[(page["url"], page["ts"])]["warc"]
        entry = next(
            e for e in entries
            if (e.fields["filename"], int(e.fields["offset"]))
            == (pointer["filename"], pointer["offset"])
        )  # fmt: skip
        assert int(entry.fields["length"]) == pointer["length"]
        kind, headers = read_record(crawl["out"] / "warc" / pointer["filename"], pointer["offset"])
        assert kind == "response"
        assert headers["WARC-Target-URI"] == page["url"]
        assert headers["WARC-Date"] == page["ts"]


def test_index_covers_every_response_record_but_failed_retries(crawl):
    """Every response record is in the index, but a failed capture (5xx, 429, cut short) of
    a URL that also has a good capture: it stays in the WARC, out of replay."""
    index = crawl["out"] / "indexes" / "index.cdxj"
    lines = index.read_text("utf-8").splitlines()
    assert lines == sorted(lines), "the CDXJ index is not sorted"
    entries = list(read_cdxj(index))
    indexed = {(e.fields["filename"], int(e.fields["offset"])): e for e in entries}
    good = {e.url for e in entries if (e.status or "").startswith("2")}
    responses, left_out = 0, []
    for warc in crawl["warcs"]:
        with open(warc, "rb") as f:
            it = ArchiveIterator(f)
            for record in it:
                if record.rec_type != "response":
                    continue
                responses += 1
                url = record.rec_headers["WARC-Target-URI"]
                status = record.http_headers.get_statuscode()
                failed = (
                    status.startswith("5")
                    or status == "429"
                    or bool(record.rec_headers.get_header("WARC-Truncated"))
                )
                entry = indexed.get((warc.name, it.get_record_offset()))
                if failed and url in good:
                    assert entry is None, f"a failed capture of {url} is replayable"
                    left_out.append(url)
                    continue
                assert entry is not None, (url, status)
                assert entry.url == url
                assert entry.fields["digest"] == record.rec_headers["WARC-Payload-Digest"]
    assert responses == len(entries) + len(left_out) > 0
    # the replica answers one article 503 before 200 (tests/replica/faults.py)
    assert left_out, "no retried capture was left out of the index"
    assert crawl["proc"].returncode == REPLICA_EXIT


def test_datapackage_hashes_and_sizes_match_the_members(crawl):
    with zipfile.ZipFile(crawl["wacz"]) as zf:
        package_bytes = zf.read("datapackage.json")
        package = json.loads(package_bytes)
        digest = json.loads(zf.read("datapackage-digest.json"))
        assert digest["path"] == "datapackage.json"
        assert digest["hash"] == "sha256:" + hashlib.sha256(package_bytes).hexdigest()
        assert package["profile"] == "data-package"
        assert package["wacz_version"] == "1.1.1"
        assert package["software"].startswith("caci-analyst-archiver/")
        assert package["title"] and package["description"]
        # what ReplayWeb.page shows the collection under
        assert package["metadata"] == {"title": package["title"], "desc": package["description"]}
        assert len(package["created"]) == 20 and package["created"].endswith("Z")
        listed = {r["path"]: r for r in package["resources"]}
        assert len(listed) == len(package["resources"])
        others = set(zf.namelist()) - {"datapackage.json", "datapackage-digest.json"}
        assert set(listed) == others
        for path, resource in listed.items():
            with zf.open(path) as member:
                assert sha256_stream(member) == (resource["hash"], resource["bytes"]), path
            assert re.fullmatch(r"[-a-z0-9._/]+", resource["name"]), resource


def test_package_command_rebuilds_the_same_file(crawl, tmp_path):
    out = tmp_path / "copy"
    shutil.copytree(crawl["out"], out)
    for path in [*out.glob("*.wacz"), out / "indexes" / "index.cdxj"]:
        path.unlink()
    proc = scrapy_package(str(out))
    assert proc.returncode == 0, proc.stderr
    rebuilt = out / crawl["wacz"].name
    assert rebuilt.is_file() and f"WACZ:       {rebuilt}" in proc.stdout
    assert list(out.glob("*.wacz")) == [rebuilt]
    assert (out / "indexes" / "index.cdxj").read_bytes() == (
        crawl["out"] / "indexes" / "index.cdxj"
    ).read_bytes()
    old, new = members(crawl["wacz"]), members(rebuilt)
    assert new["pages/pages.jsonl"] == old["pages/pages.jsonl"]
    assert wacz_validate(rebuilt).returncode == 0

    elsewhere = tmp_path / "shelf" / "analyst.wacz"
    proc = scrapy_package(str(out), "-o", str(elsewhere))
    assert proc.returncode == 0, proc.stderr
    assert members(elsewhere)["pages/pages.jsonl"] == old["pages/pages.jsonl"]


def test_package_command_leaves_out_pages_whose_capture_is_gone(crawl, tmp_path):
    out = tmp_path / "copy"
    shutil.copytree(crawl["out"], out)
    extra = {**crawl["articles"][0], "fetched_at": "1999-01-01T00:00:00Z"}
    (out / "articles-extra.jsonl").write_text(json.dumps(extra) + "\n", "utf-8")
    proc = scrapy_package(str(out), "-o", str(tmp_path / "x.wacz"))
    assert proc.returncode == 0, proc.stderr
    assert "1 articles left out" in proc.stderr
    pages = members(tmp_path / "x.wacz")["pages/pages.jsonl"].decode().splitlines()[1:]
    assert len(pages) == len(crawl["articles"])


@pytest.mark.parametrize(
    ("make", "args", "needle"),
    [
        (None, ["missing"], "is not a folder"),
        ("empty", ["."], "no WARC or ARC files"),
        ("copy", [".", "-o", "out.zip"], "must end in .wacz"),
        ("copy", [".", "-s", "PACKAGE_NAME=../up"], "not a path"),
        ("garbage", ["."], "zz-garbage.warc.gz: not a WARC or ARC file"),
    ],
)
def test_package_command_bad_input_is_one_line(crawl, tmp_path, make, args, needle):
    folder = tmp_path / "folder"
    if make == "empty":
        folder.mkdir()
    elif make in ("copy", "garbage"):
        shutil.copytree(crawl["out"], folder)
        for wacz in folder.glob("*.wacz"):
            wacz.unlink()
        if make == "garbage":
            garbage = random.Random(7).randbytes(4096)  # the same bytes every run
            (folder / "warc" / "zz-garbage.warc.gz").write_bytes(garbage)
    args = [str(folder / a) if a in ("missing", ".") else a for a in args]
    proc = scrapy_package(*args)
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    # one line, or one per refused file and the closing count
    assert len(lines) == (2 if make == "garbage" else 1), lines
    assert all(line.startswith("error: ") for line in lines) and needle in lines[0], lines
    assert not list(tmp_path.rglob("*.wacz")) and not list(tmp_path.rglob("*.open"))


def test_package_disabled_writes_neither(tmp_path):
    with ReplicaServer() as site:
        proc = run_crawl(site.base_url, tmp_path, "-s", "PACKAGE_ENABLED=False")
    assert proc.returncode == REPLICA_EXIT, proc.stderr[-3000:]
    assert list((tmp_path / "warc").glob("*.warc.gz"))
    assert not list(tmp_path.glob("*.wacz")) and not (tmp_path / "indexes").exists()


def test_a_recrawl_into_the_folder_replaces_its_one_wacz(tmp_path):
    """A re-crawl writes revisit records that refer to the first crawl's captures: the
    package holds every WARC file of the folder, so they resolve inside it."""
    with ReplicaServer() as site:
        first = run_crawl(site.base_url, tmp_path)
        assert first.returncode == REPLICA_EXIT, first.stderr[-3000:]
        (wacz,) = tmp_path.glob("*.wacz")
        pages_before = members(wacz)["pages/pages.jsonl"]
        again = run_crawl(site.base_url, tmp_path)
        assert again.returncode in (REPLICA_EXIT, 1), again.stderr[-3000:]
    assert list(tmp_path.glob("*.wacz")) == [wacz], "a second WACZ instead of the same one"
    warcs = sorted((tmp_path / "warc").glob("*.warc.gz"))
    assert len(warcs) == 2
    with zipfile.ZipFile(wacz) as zf:
        assert {n for n in zf.namelist() if n.startswith("archive/")} == {
            f"archive/{w.name}" for w in warcs
        }
    entries = list(read_cdxj(tmp_path / "indexes" / "index.cdxj"))
    assert {e.fields["filename"] for e in entries} == {w.name for w in warcs}
    assert any(e.fields.get("mime") == "warc/revisit" for e in entries)
    assert members(wacz)["pages/pages.jsonl"] == pages_before  # nothing new on the replica
    assert wacz_validate(wacz).returncode == 0


# -- the pure parts --------------------------------------------------------------------------


def test_pages_come_one_per_capture_and_skip_non_articles(tmp_path):
    first, second = tmp_path / "articles-1.jsonl", tmp_path / "articles-2.jsonl"
    a = {"url": "http://x/1", "fetched_at": "2025-01-01T00:00:00.5Z", "title": "One", "text": "t"}
    b = {**a, "fetched_at": "2025-02-01T00:00:00Z"}  # the same article captured again
    first.write_text("\n".join([json.dumps(a), "{not json", json.dumps({"url": "u"}), ""]))
    second.write_text(json.dumps(a) + "\n" + json.dumps(b) + "\n")
    pages = [p.as_json() for p in read_pages([first, second])]
    assert pages == [
        {"url": "http://x/1", "ts": "2025-01-01T00:00:00.5Z", "title": "One"},
        {"url": "http://x/1", "ts": "2025-02-01T00:00:00Z", "title": "One"},
    ]


def test_default_name_is_the_first_warc_of_the_prefix():
    warcs = [
        Path("analyst-20250102030405678-00001-host.warc.gz"),
        Path("analyst-20250101000000123-00000-host.warc.gz"),
        Path("other-20240101000000000-00000-host.warc.gz"),
    ]
    assert default_name("analyst", warcs) == "analyst-20250101000000"
    started = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)
    assert default_name("new", warcs, started) == "new-20250301120000"


def test_a_failed_package_leaves_nothing_behind(tmp_path):
    index = tmp_path / "index.cdxj"
    index.write_text("")
    dest = tmp_path / "x.wacz"
    with pytest.raises(OSError):
        write_wacz(
            dest,
            archives=[(tmp_path / "gone.warc.gz", "gone.warc.gz")],
            indexes=[(index, "indexes/index.cdxj")],
            pages=[],
            software="t",
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.cdxj"]


# -- streaming -------------------------------------------------------------------------------

BIG = 300 * 1024 * 1024
BODY = 10 * 1024 * 1024
MAX_GROWTH = 64 * 1024 * 1024  # a WARC held in memory would be 300 MB; chunks are 1 MiB

MEASURE = textwrap.dedent(
    """
    import json, resource, sys
    import cdxj_indexer.main, crawler.commands.package, scrapy.cmdline  # loaded before measuring
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    try:
        scrapy.cmdline.execute(["scrapy", "package", *sys.argv[1:]])
    except SystemExit as exc:
        code = exc.code
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"code": code, "before": before, "after": after}))
    """
)


def make_big_warc(folder: Path) -> Path:
    """A 300 MB .warc.gz of 10 MB random responses (incompressible: the file is that big)."""
    with WarcWriter(folder / "warc", prefix="big", max_size=2 * BIG, gzip_level=0) as writer:
        for n in range(BIG // BODY):
            writer.write_exchange(
                Exchange(
                    url=f"http://127.0.0.1/big/{n}.bin",
                    date=datetime(2025, 1, 1, 0, 0, n % 60, tzinfo=UTC),
                    method="GET",
                    target=f"/big/{n}.bin",
                    request_headers=[(b"Host", b"127.0.0.1")],
                    request_body=b"",
                    protocol="HTTP/1.1",
                    status=200,
                    reason="OK",
                    response_headers=[(b"Content-Type", b"application/octet-stream")],
                    body=os.urandom(BODY),
                    ip_address="127.0.0.1",
                )
            )
    (warc,) = (folder / "warc").glob("*.warc.gz")
    return warc


def test_packaging_streams_a_300_mb_warc(tmp_path):
    free = shutil.disk_usage(tmp_path).free
    if free < 3 * BIG + 512 * 1024 * 1024:
        pytest.skip(f"needs about 1.4 GB free in {tmp_path} for a 300 MB WARC and its WACZ")
    warc = make_big_warc(tmp_path)
    assert warc.stat().st_size >= BIG
    proc = subprocess.run(
        [sys.executable, "-c", MEASURE, str(tmp_path), "-s", "WARC_PREFIX=big"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    result = json.loads(proc.stdout.splitlines()[-1])
    assert result["code"] in (0, None), proc.stderr
    wacz = next(tmp_path.glob("big-*.wacz"))
    with zipfile.ZipFile(wacz) as zf:
        assert zf.getinfo(f"archive/{warc.name}").file_size == warc.stat().st_size
    lines = (tmp_path / "indexes" / "index.cdxj").read_text().splitlines()
    assert len(lines) == BIG // BODY
    growth = result["after"] - result["before"]
    assert growth < MAX_GROWTH, f"peak RSS grew by {growth / 2**20:.0f} MB while packaging"


# -- more articles than ReplayWeb.page's 1 MiB text index holds ------------------------------


def test_a_collection_too_large_for_the_text_index_gets_a_search_collection(
    crawl, tmp_path, monkeypatch
):
    """Titles past the limit (shrunk here to a few kB): pages.jsonl carries no text, and
    NAME-search.wacz holds the same WARC files with the entry pages as its page list, and
    every article with its body text as its text index."""
    from crawler.archive import folder

    out = tmp_path / "copy"
    shutil.copytree(crawl["out"], out)
    monkeypatch.setattr(folder, "MAX_TEXT_INDEX", 4096)
    dest = out / "big.wacz"
    base = crawl["articles"][0]["url"].split("/publications/")[0]
    result = folder.package_folder(
        out, dest, title="T", description="D", search_text_budget=1 << 20, entries=entry_urls
    )
    assert result.text == "none"
    lines = members(dest)["pages/pages.jsonl"].decode().splitlines()
    assert "hasText" not in json.loads(lines[0])
    assert all("text" not in json.loads(line) for line in lines[1:])
    assert wacz_validate(dest).returncode == 0

    search = result.search_collection
    assert search == out / "big-search.wacz"
    with zipfile.ZipFile(search) as zf:
        package = json.loads(zf.read("datapackage.json"))
        assert package["profile"] == "multi-wacz-package"
        assert package["metadata"] == {"title": "T", "desc": "D"}
        assert [r["path"] for r in package["resources"]] == [
            "waczs/big-replay.wacz", "waczs/big-text.wacz"
        ]  # fmt: skip
        for resource in package["resources"]:
            info = zf.getinfo(resource["path"])
            assert info.compress_type == zipfile.ZIP_STORED
            with zf.open(info) as member:
                assert sha256_stream(member) == (resource["hash"], resource["bytes"])
        replay_wacz = zf.read("waczs/big-replay.wacz")
        text_wacz = zf.read("waczs/big-text.wacz")
    # py-wacz validates single WACZ files only: each one inside the collection
    for name, data in (("big-replay.wacz", replay_wacz), ("big-text.wacz", text_wacz)):
        (tmp_path / name).write_bytes(data)
        assert wacz_validate(tmp_path / name).returncode == 0, name
    with zipfile.ZipFile(io.BytesIO(replay_wacz)) as inner, zipfile.ZipFile(dest) as crawl_wacz:
        # the same WARC files, byte for byte, and the same index
        kept = [n for n in crawl_wacz.namelist() if n.startswith(("archive/", "indexes/"))]
        assert kept and all(inner.read(n) == crawl_wacz.read(n) for n in kept)
        listed = inner.read("pages/pages.jsonl").decode().splitlines()
    assert "hasText" not in json.loads(listed[0])
    entries = [json.loads(line) for line in listed[1:]]
    # the home page, then each section's first listing page, titled by their <title>
    assert [e["url"] for e in entries] == [f"{base}/"] + [
        f"{base}/publications/{section}.html" for section in SECTIONS
    ]
    assert all(e["title"] and e["title"] != e["url"] for e in entries), entries
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", e["ts"]) for e in entries)
    with zipfile.ZipFile(io.BytesIO(text_wacz)) as zf:
        extra = zf.read("pages/extraPages.jsonl").decode().splitlines()
    assert json.loads(extra[0])["hasText"] is True
    texts = {(p["url"], p["ts"]): p["text"] for p in map(json.loads, extra[1:])}
    assert texts == {(a["url"], a["fetched_at"]): a["text"] for a in crawl["articles"]}

    # a smaller collection again: the search collection of the larger one goes
    monkeypatch.setattr(folder, "MAX_TEXT_INDEX", 1 << 20)
    result = folder.package_folder(out, dest, search_text_budget=1 << 20)
    assert result.search_collection is None and not search.exists()


def test_text_cut_to_fit_also_gets_a_search_collection(crawl, tmp_path, monkeypatch):
    """Titles fit but not all the text (the limit shrunk to just under it): pages.jsonl keeps
    fitted text, and the search collection carries every article's whole text, so a word
    the fitting cut is still found."""
    from crawler.archive import folder

    out = tmp_path / "copy"
    shutil.copytree(crawl["out"], out)
    dest = out / "mid.wacz"
    full = folder.package_folder(out, dest, search_text_budget=1 << 20)
    assert full.text == "full" and full.search_collection is None
    size = len(members(dest)["pages/pages.jsonl"])
    monkeypatch.setattr(folder, "MAX_TEXT_INDEX", size * 3 // 4)
    result = folder.package_folder(out, dest, search_text_budget=1 << 20)
    assert result.text == "fitted" and result.search_collection
    with zipfile.ZipFile(result.search_collection) as zf:
        text_wacz = zf.read("waczs/mid-text.wacz")
    with zipfile.ZipFile(io.BytesIO(text_wacz)) as zf:
        extra = zf.read("pages/extraPages.jsonl").decode().splitlines()
    texts = {p["url"]: p["text"] for p in map(json.loads, extra[1:])}
    assert texts == {a["url"]: a["text"] for a in crawl["articles"]}
