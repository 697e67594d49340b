"""Hand-made WARC files of the kinds other archives hold, built from replica pages.

Every byte is written here by hand (neither our writer nor warcio's), so `scrapy extract` is
tested against the formats themselves: WARC/1.0 and 1.1, plain files, a gzip member per record
and a whole file as one gzip stream, chunked and content-encoded bodies, revisits, truncated
records and damage of every sort. The tests build the files in a temporary folder; to look at
them, ``python -m tests.samples.make_samples DIR`` writes them to DIR.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import sys
import uuid
import zlib
from dataclasses import dataclass, field
from pathlib import Path

try:
    import brotli
except ImportError:  # optional, as for the reader
    brotli = None

from tests.replica import ReplicaServer
from tests.replica.content import BY_ID, RETRY_ONCE_ID

HOST = "www.cacianalyst.org"
BASE = f"https://{HOST}"
DATE = "2024-05-01T12:00:00Z"
_IDS = [i for i in sorted(BY_ID) if i != RETRY_ONCE_ID]


@dataclass
class Expected:
    """An article page the reader must find, as the server rendered it."""

    url: str
    item_id: int
    body: bytes  # decoded: what the article is read from
    content_type: str | None
    record_id: str
    payload_digest: str  # of the payload as stored


@dataclass
class Sample:
    name: str
    data: bytes
    articles: list[Expected] = field(default_factory=list)
    reported: int = 0  # lines the reader must report (damaged stretches, undecodable bodies)
    revisits: int = 0
    truncated: int = 0
    other: int = 0  # responses that are not articles


def sha1_label(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


class _Pages:
    """Replica pages rendered without a server; ids handed out one by one."""

    def __init__(self) -> None:
        self.replica = ReplicaServer(port=0)
        self.ids = iter(_IDS)
        self.records = 0

    def item(self) -> tuple[str, int, bytes, str | None]:
        item_id = next(self.ids)
        path = BY_ID[item_id].path
        resp = self.replica.route("GET", path, HOST)
        assert resp.status == 200, (path, resp.status)
        return BASE + path, item_id, resp.body, resp.content_type

    def page(self, path: str) -> tuple[int, bytes, str | None]:
        resp = self.replica.route("GET", path, HOST)
        return resp.status, resp.body, resp.content_type

    def record_id(self) -> str:
        self.records += 1
        return f"<urn:uuid:{uuid.UUID(int=self.records)}>"


def http_response(status: int, headers: list[tuple[str, str]], body: bytes) -> bytes:
    reason = {200: "OK", 404: "Not Found"}.get(status, "")
    head = f"HTTP/1.1 {status} {reason}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers)
    return head.encode("latin-1") + b"\r\n" + body


def warc_record(
    version: str,
    rec_type: str,
    fields: list[tuple[str, str]],
    block: bytes,
    content_type: str = "application/http;msgtype=response",
) -> bytes:
    head = [("WARC-Type", rec_type), *fields, ("Content-Type", content_type)]
    head.append(("Content-Length", str(len(block))))
    text = f"WARC/{version}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in head) + "\r\n"
    return text.encode("utf-8") + block + b"\r\n\r\n"


def gz(data: bytes) -> bytes:
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    return comp.compress(data) + comp.flush()


def chunked(body: bytes, size: int = 1000) -> bytes:
    parts = [body[i : i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"


class _Writer:
    """Records of one sample file, with what the reader must find in them."""

    def __init__(self, pages: _Pages, name: str, version: str) -> None:
        self.pages = pages
        self.sample = Sample(name, b"")
        self.version = version
        self.records: list[bytes] = []

    def add(self, rec_type: str, fields: list, block: bytes, **kw) -> str:
        record_id = self.pages.record_id()
        fields = [("WARC-Record-ID", record_id), ("WARC-Date", DATE), *fields]
        self.records.append(warc_record(self.version, rec_type, fields, block, **kw))
        return record_id

    def warcinfo(self) -> None:
        block = b"software: hand-made sample\r\nformat: WARC File Format\r\n"
        self.add("warcinfo", [], block, content_type="application/warc-fields")

    def response(
        self,
        url: str,
        payload: bytes,
        headers: list[tuple[str, str]],
        *,
        status: int = 200,
        digest: bool = True,
        extra: list[tuple[str, str]] = (),
        target: str | None = None,
    ) -> tuple[str, str]:
        fields = [("WARC-Target-URI", target or url)]
        label = sha1_label(payload)
        if digest:
            fields.append(("WARC-Payload-Digest", label))
        fields += list(extra)
        return self.add("response", fields, http_response(status, headers, payload)), label

    def article(self, encode=None, headers=(), expect=True, content_type=True, **kw) -> None:
        url, item_id, body, ctype = self.pages.item()
        payload = encode(body) if encode else body
        head = [("Content-Type", ctype)] if content_type and ctype else []
        head += list(headers)
        if not any(k.lower() == "transfer-encoding" for k, _ in head):
            head.append(("Content-Length", str(len(payload))))
        record_id, label = self.response(url, payload, head, **kw)
        if expect:
            ctype = ctype if content_type else None
            self.sample.articles.append(Expected(url, item_id, body, ctype, record_id, label))

    def raw(self, data: bytes) -> None:
        self.records.append(data)

    def done(self, *, gzip_members: bool = False, whole_gzip: bool = False) -> Sample:
        if gzip_members:
            data = b"".join(r if r[:2] == b"\x1f\x8b" else gz(r) for r in self.records)
        else:
            data = b"".join(self.records)
        if whole_gzip:
            data = gzip.compress(data, mtime=0)
        self.sample.data = data
        return self.sample


def old_archive(pages: _Pages) -> Sample:
    """WARC/1.0, uncompressed, as older tools wrote it: a bit of everything around articles."""
    w = _Writer(pages, "old-archive-1.0.warc", "1.0")
    w.warcinfo()
    # no payload digest (computed instead), and the target URI in angle brackets
    url, item_id, body, ctype = pages.item()
    record_id, label = w.response(
        url, body, [("Content-Type", ctype)], digest=False, target=f"<{url}>"
    )
    w.sample.articles.append(Expected(url, item_id, body, ctype, record_id, label))
    w.add("request", [("WARC-Target-URI", url)], b"GET / HTTP/1.1\r\n\r\n", content_type=(
        "application/http;msgtype=request"))  # fmt: skip
    # revisit of the same page: no body to read
    w.add(
        "revisit",
        [
            ("WARC-Target-URI", url),
            ("WARC-Profile", "http://netpreserve.org/warc/1.0/revisit/identical-payload-digest"),
            ("WARC-Payload-Digest", label),
        ],
        http_response(200, [("Content-Type", ctype)], b""),
    )
    w.sample.revisits += 1
    # a tracking parameter does not hide an article
    url, item_id, body, ctype = pages.item()
    record_id, label = w.response(
        url, body, [("Content-Type", ctype)], target=url + "?utm_source=x"
    )
    w.sample.articles.append(Expected(url, item_id, body, ctype, record_id, label))
    # pages that are no articles: a listing, a 404 at an article URL, a PDF, a DNS record
    status, body, ctype = pages.page("/publications/field-reports.html")
    w.response(BASE + "/publications/field-reports.html", body, [("Content-Type", ctype)])
    status, body, ctype = pages.page("/publications/field-reports/item/99999-gone.html")
    w.response(BASE + "/publications/field-reports/item/99999-gone.html", body,
               [("Content-Type", ctype)], status=404)  # fmt: skip
    w.response(
        BASE + "/resources/pdf/x.pdf", b"%PDF-1.4 not really", [("Content-Type", "application/pdf")]
    )
    w.sample.other += 3
    w.add(
        "response",
        [("WARC-Target-URI", f"dns:{HOST}")],
        b"20240501120000\n",
        content_type="text/dns",
    )
    w.sample.other += 1
    w.add("metadata", [("WARC-Target-URI", url)], b"outlinks: none\r\n",
          content_type="application/warc-fields")  # fmt: skip
    return w.done()


def encodings(pages: _Pages) -> Sample:
    """WARC/1.1, the whole file one gzip stream; bodies chunked and content-encoded."""
    w = _Writer(pages, "encodings-1.1.warc.gz", "1.1")
    w.warcinfo()
    w.article(gz, [("Content-Encoding", "gzip")])
    w.article(chunked, [("Transfer-Encoding", "chunked")])
    both = [("Content-Encoding", "gzip"), ("Transfer-Encoding", "chunked")]
    w.article(lambda b: chunked(gz(b), 700), both)
    if brotli is not None:
        w.article(brotli.compress, [("Content-Encoding", "br")])
    w.article(lambda b: zlib.compress(b), [("Content-Encoding", "deflate")])
    # stored already decoded, header kept (some capture tools do this)
    w.article(None, [("Content-Encoding", "gzip")])
    # no Content-Type: HTML by sniffing
    w.article(content_type=False)
    return w.done(whole_gzip=True)


def damaged(pages: _Pages) -> Sample:
    """A gzip member per record, with truncation and damage between good records."""
    w = _Writer(pages, "damaged.warc.gz", "1.1")
    w.warcinfo()
    w.article()
    w.article(lambda b: b[: len(b) // 2], expect=False, extra=[("WARC-Truncated", "length")])
    w.sample.truncated += 1
    w.raw(b"this is not a WARC record\r\n" * 3 + bytes(range(32, 127)) * 4)
    w.sample.reported += 1
    w.article()
    before = len(w.records)
    w.article(expect=False)
    member = bytearray(gz(w.records[before]))
    for i in range(len(member) // 2, len(member) // 2 + 8):
        member[i] ^= 0x55
    w.records[before] = bytes(member)
    w.sample.reported += 1
    w.article()
    w.article(lambda b: gz(b)[:-200], [("Content-Encoding", "gzip")], expect=False)
    w.article(lambda b: chunked(b)[:-600], [("Transfer-Encoding", "chunked")], expect=False)
    w.sample.reported += 2
    w.article()
    return w.done(gzip_members=True)


def damaged_plain(pages: _Pages) -> Sample:
    """Uncompressed, with junk between two records and a record whose length is wrong."""
    w = _Writer(pages, "damaged-plain.warc", "1.0")
    w.article()
    w.raw(b"junk junk junk\r\n\r\nmore junk\r\n")
    w.sample.reported += 1
    w.article()
    before = len(w.records)
    w.article()
    record = w.records[before]
    head, _, rest = record.partition(b"\r\n\r\n")
    length = int(head.rsplit(b"Content-Length: ", 1)[1])
    head = head.replace(b"Content-Length: %d" % length, b"Content-Length: %d" % (length - 500))
    w.records[before] = head + b"\r\n\r\n" + rest
    # reported, and its page read as stored (what warcio hands over): 500 bytes short
    w.sample.articles[-1].body = w.sample.articles[-1].body[:-500]
    w.sample.reported += 1
    w.article()
    return w.done()


def cut_short(pages: _Pages) -> Sample:
    """A whole-file gzip whose end is missing: what comes before the cut is still read."""
    w = _Writer(pages, "cut-short.warc.gz", "1.1")
    w.article()
    w.article()
    w.article(expect=False)
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    # flushed after the second record, so the cut (halfway through the third) spares it
    head = comp.compress(b"".join(w.records[:2])) + comp.flush(zlib.Z_FULL_FLUSH)
    tail = comp.compress(w.records[2]) + comp.flush()
    sample = w.done()
    sample.data = head + tail[: len(tail) // 2]
    sample.reported += 1
    return sample


def junk(pages: _Pages) -> Sample:
    return Sample("junk.warc.gz", b"\x1f\x8b\x08\x00 this is no gzip data at all " * 10, reported=1)


def build_all() -> list[Sample]:
    pages = _Pages()
    return [
        old_archive(pages),
        encodings(pages),
        damaged(pages),
        damaged_plain(pages),
        cut_short(pages),
        junk(pages),
    ]


def write_all(folder: Path) -> list[Sample]:
    folder.mkdir(parents=True, exist_ok=True)
    samples = build_all()
    for sample in samples:
        (folder / sample.name).write_bytes(sample.data)
    return samples


if __name__ == "__main__":
    for s in write_all(Path(sys.argv[1] if len(sys.argv) > 1 else "samples")):
        print(f"{s.name}: {len(s.data)} bytes, {len(s.articles)} articles")
