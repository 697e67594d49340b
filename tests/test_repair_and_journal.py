"""Repairing WARC files left .open, and the crawl journal read back after a kill."""

from __future__ import annotations

from datetime import UTC, datetime

from crawler.state.journal import Journal, exported_ids, load, repair_jsonl
from crawler.warc import Exchange, WarcWriter
from crawler.warc.repair import repair_open_warcs
from crawler.warc.writer import next_serial
from tests.helpers import warcio_check


def exchange(i: int) -> Exchange:
    return Exchange(
        url=f"http://h/p{i}", date=datetime(2026, 1, 1, tzinfo=UTC), method="GET",
        target=f"/p{i}", request_headers=[(b"Host", b"h")], protocol="HTTP/1.1", status=200,
        response_headers=[(b"Content-Type", b"text/html")], body=bytes(range(256)) * 8,
    )  # fmt: skip


def open_file_with(tmp_path, pairs: int) -> tuple:
    w = WarcWriter(tmp_path)
    sizes = []
    for i in range(pairs):
        w.write_exchange(exchange(i))
        sizes.append(w._file.tell())
    w._file.flush()
    (path,) = tmp_path.glob("*.open")
    return w, path, sizes


def test_torn_member_is_cut_and_file_closed(tmp_path):
    w, path, sizes = open_file_with(tmp_path, 3)
    data = path.read_bytes()
    path.write_bytes(data[: sizes[1] + 25])  # the third response torn in the middle
    (result,) = repair_open_warcs(tmp_path)
    assert result.kept_bytes == sizes[1] and result.records == 5  # warcinfo + 2 pairs
    assert not list(tmp_path.glob("*.open"))
    assert warcio_check(result.path).returncode == 0


def test_response_without_its_request_is_dropped(tmp_path):
    w, path, sizes = open_file_with(tmp_path, 2)
    data = path.read_bytes()
    # cut right after the second response record (its request member missing)
    from crawler.warc.repair import _members

    with open(path, "rb") as f:
        ends = [end for _, end, _ in _members(f)]
    path.write_bytes(data[: ends[3]])  # warcinfo, resp, req, resp
    (result,) = repair_open_warcs(tmp_path)
    assert result.kept_bytes == ends[2] and result.records == 3


def test_nothing_whole_is_set_aside_and_serial_not_reused(tmp_path):
    w, path, _ = open_file_with(tmp_path, 1)
    path.write_bytes(path.read_bytes()[:10])
    (result,) = repair_open_warcs(tmp_path)
    assert result.path.name.endswith(".warc.gz.damaged")
    assert next_serial(tmp_path, "analyst") == 1


def test_journal_survives_a_torn_line(tmp_path):
    j = Journal(tmp_path / "j.jsonl", sync=False)
    j.scheduled("http://h/a", "listing", "field-reports")
    j.scheduled("http://h/i/1", "item", "field-reports")
    j.fetched("http://h/a")
    j.archived(1, "http://h/i/1", "http://h/i/1", {"filename": "x"})
    j.close()
    with open(tmp_path / "j.jsonl", "ab") as f:
        f.write(b'{"s":"http://h/torn","k":"it')
    state = load(tmp_path / "j.jsonl")
    assert state.pending == [("http://h/i/1", "item", "field-reports")]
    assert state.archived[1]["w"] == {"filename": "x"}
    j2 = Journal(tmp_path / "j.jsonl", sync=False)  # reopening trims the torn tail
    assert (tmp_path / "j.jsonl").read_bytes().endswith(b"\n")
    assert j2.resumed
    j2.close()


def test_jsonl_repair_and_exported_ids(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_bytes(b'{"item_id": 1}\n{"item_id": 2}\n{"item_id": 3, "te')
    assert repair_jsonl(path) == len(b'{"item_id": 3, "te')
    assert path.read_bytes().endswith(b"\n")
    assert exported_ids([path]) == {1, 2}


def test_an_empty_warc_file_is_set_aside_not_read(tmp_path):
    (tmp_path / "analyst-20260101000000000-00000-h.warc.gz").write_bytes(b"")
    (result,) = repair_open_warcs(tmp_path)
    assert result.path.name.endswith(".warc.gz.empty")
    assert not list(tmp_path.glob("*.warc.gz"))


def test_a_writer_that_cannot_write_leaves_no_file(tmp_path):
    import pytest

    writer = WarcWriter(tmp_path, prefix="analyst", gzip_level=12)  # zlib refuses the level
    exchange = Exchange(
        url="http://h/", date=datetime(2026, 1, 1, tzinfo=UTC), method="GET", target="/",
        request_headers=[(b"Host", b"h")], request_body=b"", protocol="HTTP/1.1", status=200,
        reason="OK", response_headers=[], body=b"x", ip_address=None, truncated=None,
    )  # fmt: skip
    with pytest.raises(Exception, match="Invalid initialization option"):
        writer.write_exchange(exchange)
    assert not [p for p in tmp_path.iterdir() if p.is_file()]


def test_a_finished_journal_says_so(tmp_path):
    j = Journal(tmp_path / "j.jsonl", sync=False)
    j.scheduled("http://h/a", "listing", None)
    j.finish()
    j.close()
    assert load(tmp_path / "j.jsonl").finished
