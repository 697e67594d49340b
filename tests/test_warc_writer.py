"""The pure WARC writer: records, digests, rotation, naming, sanitising; read back with warcio."""

import base64
import gzip
import hashlib
from datetime import UTC, datetime
from itertools import count

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.warc import Exchange, WarcWriter, sha1_digest
from crawler.warc.records import exchange_records
from crawler.warc.writer import next_serial, safe_name_part
from tests.helpers import warcio_check

T0 = datetime(2026, 11, 28, 10, 0, 0, 123456, tzinfo=UTC)


def ids():
    n = count(1)
    return lambda: f"<urn:uuid:00000000-0000-0000-0000-{next(n):012d}>"


def exchange(i=0, body=b"<html>hello</html>", **kw):
    base = dict(
        url=f"http://127.0.0.1:8000/publications/x.html?start={i}",
        date=T0,
        method="GET",
        target=f"/publications/x.html?start={i}",
        request_headers=[(b"Host", b"127.0.0.1:8000"), (b"User-Agent", b"test")],
        protocol="HTTP/1.1",
        status=200,
        response_headers=[
            (b"Content-Type", b"text/html"),
            (b"Set-Cookie", b"a=1"),
            (b"Set-Cookie", b"b=2"),
        ],
        body=body,
        ip_address="127.0.0.1",
    )
    base.update(kw)
    return Exchange(**base)


def records(path):
    with open(path, "rb") as f:
        out = []
        for rec in ArchiveIterator(f):
            out.append((rec, rec.content_stream().read()))
        return out


def test_sha1_digest_is_base32_label():
    expected = "sha1:" + base64.b32encode(hashlib.sha1(b"abc").digest()).decode()
    assert sha1_digest(b"abc") == expected


def test_pair_is_linked_dated_and_digested(tmp_path):
    body = gzip.compress(b"<html>" + b"x" * 500 + b"</html>")
    ex = exchange(
        body=body,
        response_headers=[
            (b"Content-Encoding", b"gzip"),
            (b"Transfer-Encoding", b"chunked"),
            (b"Set-Cookie", b"a=1"),
            (b"Set-Cookie", b"b=2"),
        ],
    )
    with WarcWriter(tmp_path, info=[("software", "t")], make_id=ids(), clock=lambda: T0) as w:
        loc = w.write_exchange(ex)
    (path,) = tmp_path.iterdir()
    assert path.name == f"analyst-20261128100000123-00000-{w.hostname}.warc.gz"
    recs = records(path)
    assert [r.rec_type for r, _ in recs] == ["warcinfo", "response", "request"]
    info, resp, req = (r for r, _ in recs)
    assert resp.rec_headers["WARC-Concurrent-To"] == req.rec_headers["WARC-Record-ID"]
    assert req.rec_headers["WARC-Concurrent-To"] == resp.rec_headers["WARC-Record-ID"]
    assert (
        resp.rec_headers["WARC-Date"]
        == req.rec_headers["WARC-Date"]
        == "2026-11-28T10:00:00.123456Z"
    )
    for r in (resp, req):
        assert r.rec_headers["WARC-Warcinfo-ID"] == info.rec_headers["WARC-Record-ID"]
        assert r.rec_headers["WARC-IP-Address"] == "127.0.0.1"
        assert r.rec_headers["WARC-Target-URI"] == ex.url
    # payload digest is of the body as sent: still gzip-encoded
    assert resp.rec_headers["WARC-Payload-Digest"] == sha1_digest(body)
    assert loc.payload_digest == sha1_digest(body)
    assert [v for k, v in resp.http_headers.headers if k == "Set-Cookie"] == ["a=1", "b=2"]
    assert resp.http_headers.get_header("Transfer-Encoding") is None
    assert resp.http_headers.get_header("X-Archive-Orig-Transfer-Encoding") == "chunked"
    assert req.http_headers.protocol == "GET"
    assert req.http_headers.statusline == "/publications/x.html?start=0 HTTP/1.1"
    assert req.http_headers.get_header("Host") == "127.0.0.1:8000"
    # the location points at the response record
    with open(path, "rb") as f:
        f.seek(loc.offset)
        rec = next(iter(ArchiveIterator(f)))
        assert rec.rec_headers["WARC-Record-ID"] == loc.record_id
    assert warcio_check(path).returncode == 0


def test_file_is_renamed_from_open_on_close(tmp_path):
    w = WarcWriter(tmp_path)
    w.write_exchange(exchange())
    names = [p.name for p in tmp_path.iterdir()]
    assert len(names) == 1 and names[0].endswith(".warc.gz.open")
    w.close()
    assert [p.name for p in tmp_path.iterdir()][0].endswith(".warc.gz")


def test_rotation_never_splits_a_pair_and_each_file_has_warcinfo(tmp_path):
    with WarcWriter(tmp_path, max_size=1500) as w:
        for i in range(10):
            w.write_exchange(exchange(i, body=bytes(range(256)) * 4))
    files = sorted(tmp_path.iterdir())
    assert len(files) > 2
    serials = [int(p.name.split("-")[2]) for p in files]
    assert sorted(serials) == list(range(len(files)))
    total = 0
    for path in files:
        types = [r.rec_type for r, _ in records(path)]
        assert types[0] == "warcinfo" and types.count("warcinfo") == 1
        assert types[1:] == ["response", "request"] * ((len(types) - 1) // 2)
        total += (len(types) - 1) // 2
    assert total == 10


def test_serial_continues_after_existing_files(tmp_path):
    (tmp_path / "analyst-20200101000000000-00007-h.warc.gz").write_bytes(b"")
    (tmp_path / "analyst-20200101000000000-00009-h.warc.gz.open").write_bytes(b"")
    (tmp_path / "other-20200101000000000-00042-h.warc.gz").write_bytes(b"")
    assert next_serial(tmp_path, "analyst") == 10


def test_header_values_with_cr_lf_nul_are_never_written_raw():
    ex = exchange(response_headers=[(b"X-Evil", b"a\r\nInjected: yes\x00")])
    response, _ = exchange_records(ex, warcinfo_id="<urn:uuid:x>", make_id=ids())
    head = response.data.split(b"\r\n\r\n")[1]
    assert b"\r\nInjected" not in head
    assert b"X-Evil: a%0D%0AInjected: yes%00" in head


def test_truncated_body_is_marked(tmp_path):
    with WarcWriter(tmp_path) as w:
        w.write_exchange(exchange(truncated="disconnect"))
    resp = records(next(tmp_path.iterdir()))[1][0]
    assert resp.rec_headers["WARC-Truncated"] == "disconnect"


@pytest.mark.parametrize("raw", ["../../etc", "a/b\\c", "..", "", "host name\x00"])
def test_file_name_parts_cannot_escape(raw):
    part = safe_name_part(raw)
    assert "/" not in part and "\\" not in part and not part.startswith(".") and part


def test_revisit_records(tmp_path):
    from crawler.warc.records import Original

    original = Original("http://h/a.css", "2026-01-01T00:00:00.000000Z", "<urn:uuid:1>", "sha1:X")
    with WarcWriter(tmp_path, make_id=ids()) as w:
        w.write_exchange(exchange(status=304, body=b""), revisit_of=original)
        w.write_exchange(exchange(), revisit_of=original)
    recs = records(next(tmp_path.iterdir()))
    not_modified, same = recs[1][0], recs[3][0]
    for rec in (not_modified, same):
        assert rec.rec_type == "revisit"
        assert rec.rec_headers["WARC-Refers-To-Target-URI"] == "http://h/a.css"
        assert rec.rec_headers["WARC-Refers-To-Date"] == "2026-01-01T00:00:00.000000Z"
        assert rec.rec_headers["WARC-Refers-To"] == "<urn:uuid:1>"
        assert rec.rec_headers["WARC-Payload-Digest"] == "sha1:X"
    assert not_modified.rec_headers["WARC-Profile"].endswith("/revisit/server-not-modified")
    assert not_modified.rec_headers["Content-Length"] == "0"
    assert same.rec_headers["WARC-Profile"].endswith("/revisit/identical-payload-digest")
    assert same.http_headers.get_statuscode() == "200"
    assert warcio_check(next(tmp_path.iterdir())).returncode == 0
