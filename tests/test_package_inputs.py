"""`scrapy package` on folders other tools left: every layout, odd names, damaged files.

Small cases built here (warcio writes the WARC records; the ARC file is written by hand):
uncompressed ``.warc``, a gzip member per record, one gzip stream around the whole file, ARC,
in nested folders; a Heritrix 3 name with ``~``. Each package passes `wacz validate`, holds
every file (a whole-file gzip decompressed, its records byte for byte) and indexes every
record. A file cut short or that is not WARC is refused by name on one line, nothing is
written; ``--skip-bad`` packages the rest and lists what it left out.
"""

from __future__ import annotations

import gzip
import io
import json
import zipfile
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.archive.inputs import BadInput, inspect, resource_name
from tests.test_package import members, scrapy_package, wacz_validate


def warc_bytes(host: str, count: int = 3, gzipped: bool = True) -> bytes:
    """``count`` 200 responses of ``host``, one gzip member per record when ``gzipped``."""
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=gzipped)
    for n in range(count):
        body = f"<html><head><title>{host} {n}</title></head><body><p>Page {n}</p></body></html>"
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        record = writer.create_warc_record(
            f"http://{host}/page/{n}",
            "response",
            payload=io.BytesIO(body.encode()),
            http_headers=http,
            warc_headers_dict={"WARC-Date": f"2024-01-0{n + 1}T00:00:00Z"},
        )
        writer.write_record(record)
    return buf.getvalue()


def arc_bytes(host: str) -> bytes:
    """An ARC v1 file: its filedesc record and one HTTP response."""
    version = b"1 0 test\nURL IP-address Archive-date Content-type Archive-length\n"
    head = f"filedesc://{host}.arc 0.0.0.0 20240101000000 text/plain {len(version)}\n".encode()
    body = b"<html><head><title>arc</title></head><body><p>ARC page</p></body></html>"
    http = b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n" + body
    line = f"http://{host}/ 127.0.0.1 20240102000000 text/html {len(http)}\n".encode()
    return head + version + b"\n" + line + http + b"\n"


@pytest.fixture
def folder(tmp_path) -> Path:
    """Files from other tools, in subfolders, as a librarian receives them."""
    root = tmp_path / "received"
    (root / "wget").mkdir(parents=True)
    (root / "heritrix" / "warcs").mkdir(parents=True)
    (root / "wget" / "plain.warc").write_bytes(warc_bytes("plain.example", gzipped=False))
    (root / "wget" / "whole.warc.gz").write_bytes(
        gzip.compress(warc_bytes("whole.example", gzipped=False))
    )
    heritrix = "WEB-20240101000000000-00000-1234~crawler01~8443.warc.gz"
    (root / "heritrix" / "warcs" / heritrix).write_bytes(warc_bytes("heritrix.example"))
    (root / "old.arc").write_bytes(arc_bytes("arc.example"))
    return root


def package(folder: Path, dest: Path, *extra: str):
    return scrapy_package(str(folder), "-o", str(dest), *extra)


def test_every_layout_goes_into_a_valid_package(folder, tmp_path):
    before = sorted(p for p in folder.rglob("*"))
    dest = tmp_path / "out.wacz"
    proc = package(folder, dest)
    assert proc.returncode == 0, proc.stderr
    assert wacz_validate(dest).returncode == 0, wacz_validate(dest).stdout
    assert sorted(p for p in folder.rglob("*")) == before
    with zipfile.ZipFile(dest) as zf:
        archived = {
            n.removeprefix("archive/"): zf.read(n) for n in zf.namelist() if "archive/" in n
        }
        package_json = json.loads(zf.read("datapackage.json"))
    heritrix = "WEB-20240101000000000-00000-1234~crawler01~8443.warc.gz"
    assert set(archived) == {"plain.warc", "whole.warc", heritrix, "old.arc"}
    # stored as they were; the whole-file gzip decompressed, its records unchanged
    assert archived["plain.warc"] == (folder / "wget" / "plain.warc").read_bytes()
    assert archived["whole.warc"] == gzip.decompress(
        (folder / "wget" / "whole.warc.gz").read_bytes()
    )
    assert archived[heritrix] == (folder / "heritrix" / "warcs" / heritrix).read_bytes()
    assert archived["old.arc"] == (folder / "old.arc").read_bytes()
    # the Heritrix name: a valid resource name, the path keeps the file's own
    by_path = {r["path"]: r["name"] for r in package_json["resources"]}
    assert by_path[f"archive/{heritrix}"] == heritrix.lower().replace("~", "-")
    # a folder other tools wrote is left as it was: the flat index goes beside the WACZ
    assert not (folder / "indexes").exists()
    index = (tmp_path / "out.cdxj").read_text().splitlines()
    hosts = {json.loads(line.split(" ", 2)[2])["url"].split("/")[2] for line in index}
    assert hosts == {"plain.example", "whole.example", "heritrix.example", "arc.example"}
    assert len(index) == 3 + 3 + 3 + 1


@pytest.mark.parametrize("damage", ["cut", "garbage", "empty"])
def test_a_damaged_file_is_refused_by_name(folder, tmp_path, damage):
    bad = folder / "wget" / "bad.warc.gz"
    whole = warc_bytes("bad.example")
    bad.write_bytes(
        {"cut": whole[: len(whole) - 40], "garbage": b"\x1f\x8b\x08\x00" + bytes(range(256)) * 4,
         "empty": b""}[damage]
    )  # fmt: skip
    dest = tmp_path / "out.wacz"
    proc = package(folder, dest)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 2 and all(line.startswith("error: ") for line in lines), lines
    assert str(bad) in lines[0] and lines[0].isprintable()
    assert "Traceback" not in proc.stderr
    assert not dest.exists() and not list(tmp_path.rglob("*.open"))

    proc = package(folder, dest, "--skip-bad")
    assert proc.returncode == 0, proc.stderr
    assert f"left out: {bad}: " in proc.stderr
    assert wacz_validate(dest).returncode == 0
    with zipfile.ZipFile(dest) as zf:
        assert "archive/bad.warc.gz" not in zf.namelist()
        assert len([n for n in zf.namelist() if n.startswith("archive/")]) == 4


def test_cut_short_inside_a_record_of_an_uncompressed_warc(tmp_path):
    path = tmp_path / "short.warc"
    data = warc_bytes("short.example", gzipped=False)
    path.write_bytes(data[:-30])
    with pytest.raises(BadInput, match="cut short"):
        inspect(path)
    path.write_bytes(data)
    assert inspect(path).records == 3


def test_resource_names_fit_the_pattern_and_stay_unique():
    taken: set[str] = set()
    assert resource_name("A~B.warc.gz", taken) == "a-b.warc.gz"
    assert resource_name("a-b.warc.gz", taken) == "a-b.warc.gz-2"
    assert resource_name("Ünïcode name.warc", taken) == "n-code-name.warc"


def test_our_own_folder_pages_come_with_it(replica_crawl, tmp_path):
    """Our layout still packages its articles as pages (the crawl's own folder)."""
    dest = tmp_path / "ours.wacz"
    proc = package(replica_crawl["out"], dest)
    assert proc.returncode == 0, proc.stderr
    pages = members(dest)["pages/pages.jsonl"].decode().splitlines()
    assert len(pages) - 1 == len(replica_crawl["articles"])


def test_warcio_notes_stay_off_the_terminal_and_bad_dates_are_refused(folder, tmp_path):
    """A record not followed by its blank line (warcio prints a note with raw bytes) still
    packages, quietly; a WARC-Date that is no date cannot be indexed: refused by name."""
    sloppy = warc_bytes("sloppy.example", gzipped=False).replace(
        b"</html>\r\n\r\n", b"</html>\r\n", 1
    )
    (folder / "sloppy.warc").write_bytes(sloppy)
    dated = warc_bytes("dated.example", gzipped=False).replace(b"2024-01-01T", b"2024-01-41T", 1)
    (folder / "dated.warc").write_bytes(dated)
    proc = package(folder, tmp_path / "out.wacz", "--skip-bad")
    assert proc.returncode == 0, proc.stderr
    assert "Remainder" not in proc.stderr and "WARNING" not in proc.stderr, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert lines == [
        f"left out: {folder / 'dated.warc'}: WARC record 1 has a WARC-Date that is not a date: "
        "2024-01-41T00:00:00Z",
        "1 file(s) left out of the package",
    ], lines
