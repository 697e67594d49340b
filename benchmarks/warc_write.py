"""Our WARC writer against warcio's, on the same records.

``python -m benchmarks.warc_write [--exchanges 3000] [--rounds 5]``

The exchanges are the replica's pages as they go over the wire (``ReplicaServer.route``:
article pages, listings, images, PDFs, gzip-encoded where the replica encodes them), each
under its own URL. Every writer writes every exchange as a response and a request record,
with one gzip member per record, to a file in a temporary folder:

- ours: ``crawler.warc.WarcWriter.write_exchange`` (record building, sha1 digests, gzip,
  the offsets for the JSON);
- warcio: ``create_warc_record`` for both records, then ``write_request_response_pair``
  (warcio computes the same sha1 digests), at our gzip level (6) for fairness, and at its
  own fixed level (9, what ``WARCWriter(gzip=True)`` does).

The inputs (our ``Exchange`` objects, warcio's ``StatusAndHeaders`` and bodies) are built
before timing; runs alternate between writers and the figure is the median ratio of
records/s.
"""

from __future__ import annotations

import argparse
import gc
import io
import os
import statistics
import tempfile
import time
import zlib
from datetime import UTC, datetime
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from benchmarks.common import line
from crawler.warc import Exchange, WarcWriter, warc_date
from crawler.warc.records import archive_response_headers, reason_phrase
from tests.replica import pages
from tests.replica.content import ARTICLES, SECTIONS, all_image_paths, all_pdf_paths
from tests.replica.server import ReplicaServer

TARGET = ">= 1.00x"  # no target was set: at least as fast as warcio
LEVEL = 6  # the crawl's WARC_GZIP_LEVEL default


class _Gzip:
    """warcio's GzippingWrapper with a chosen level (warcio hard-codes 9)."""

    def __init__(self, out, level: int):
        self.compressor = zlib.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS + 16)
        self.out = out

    def write(self, buff: bytes) -> None:
        self.out.write(self.compressor.compress(buff))

    def flush(self) -> None:
        self.out.write(self.compressor.flush())
        self.out.flush()


class LevelWARCWriter(WARCWriter):
    """warcio's WARCWriter, one gzip member per record, at ``level``."""

    def __init__(self, filebuf, level: int):
        super().__init__(filebuf, gzip=False)
        self.level = level

    def _do_write_req_resp(self, req, resp, params):
        self._write_warc_record(_Gzip(self.out, self.level), resp)
        self._write_warc_record(_Gzip(self.out, self.level), req)


def wire_pages() -> list[tuple[str, int, list[tuple[str, str]], bytes]]:
    """(path, status, headers, body as sent) of the replica's pages, gzip where it would be."""
    server = ReplicaServer()
    paths = [a.path for a in ARTICLES] + [pages.section_path(s) for s in SECTIONS]
    paths += [f"{pages.section_path(s)}?start=4" for s in SECTIONS]
    paths += all_image_paths()[:10] + all_pdf_paths()[:5]
    out = []
    for path in paths:
        resp = server.route("GET", path, "www.cacianalyst.org")
        body = resp.body
        headers = [("Date", "Sat, 28 Nov 2026 10:00:00 GMT"), ("Server", "Apache")]
        if resp.content_type:
            headers.append(("Content-Type", resp.content_type))
        if resp.gzip:
            body = zlib.compress(body, 6, wbits=31)
            headers += [("Vary", "Accept-Encoding"), ("Content-Encoding", "gzip")]
        headers += resp.headers + [("Content-Length", str(len(body)))]
        out.append((path, resp.status, headers, body))
    return out


REQUEST_HEADERS = [
    ("User-Agent", "caci-analyst-archiver/0.1.0 (+https://www.cacianalyst.org/)"),
    ("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
    ("Accept-Language", "en"),
    ("Accept-Encoding", "gzip, deflate, br, zstd"),
]


def build_inputs(n: int):
    wire = wire_pages()
    date = datetime(2026, 11, 28, 10, 0, 0, tzinfo=UTC)
    ours, theirs = [], []
    for i in range(n):
        path, status, headers, body = wire[i % len(wire)]
        url = f"https://www.cacianalyst.org{path}{'&' if '?' in path else '?'}copy={i}"
        target = url.removeprefix("https://www.cacianalyst.org")
        req_headers = [("Host", "www.cacianalyst.org"), *REQUEST_HEADERS]
        ours.append(
            Exchange(
                url=url,
                date=date,
                method="GET",
                target=target,
                request_headers=[(k.encode(), v.encode()) for k, v in req_headers],
                protocol="HTTP/1.1",
                status=status,
                response_headers=[(k.encode(), v.encode()) for k, v in headers],
                body=body,
                ip_address="127.0.0.1",
            )
        )
        stored = [(k.decode(), v.decode()) for k, v in archive_response_headers(
            [(k.encode(), v.encode()) for k, v in headers]
        )]  # fmt: skip
        theirs.append(
            (
                url,
                warc_date(date),
                StatusAndHeaders(f"{status} {reason_phrase(status)}", stored, "HTTP/1.1"),
                body,
                StatusAndHeaders(f"GET {target} HTTP/1.1", req_headers, is_http_request=True),
            )
        )
    return ours, theirs


def write_ours(directory: Path, exchanges, level: int) -> float:
    started = time.perf_counter()
    with WarcWriter(directory, prefix="ours", gzip_level=level, max_size=10**12) as writer:
        for ex in exchanges:
            writer.write_exchange(ex)
    return time.perf_counter() - started


def write_warcio(path: Path, inputs, level: int | None) -> float:
    started = time.perf_counter()
    with open(path, "wb") as f:
        writer = WARCWriter(f, gzip=True) if level is None else LevelWARCWriter(f, level)
        for url, date, resp_headers, body, req_headers in inputs:
            fields = {"WARC-Date": date, "WARC-IP-Address": "127.0.0.1"}
            resp = writer.create_warc_record(
                url,
                "response",
                payload=io.BytesIO(body),
                length=len(body),
                warc_headers_dict=fields,
                http_headers=resp_headers,
            )
            req = writer.create_warc_record(
                url,
                "request",
                payload=io.BytesIO(b""),
                length=0,
                warc_headers_dict=dict(fields),
                http_headers=req_headers,
            )
            writer.write_request_response_pair(req, resp)
        f.flush()
        os.fsync(f.fileno())  # as ours does when it closes a file
    return time.perf_counter() - started


def check(folder: Path, records: int) -> None:
    """Both writers' files read back by warcio: every record there, digests right."""
    for path in folder.iterdir():
        with open(path, "rb") as f:
            found = [
                r.rec_type
                for r in ArchiveIterator(f, check_digests="raise")
                if r.rec_type != "warcinfo" and r.content_stream().read() is not None
            ]
        if len(found) != records:
            raise SystemExit(f"{path}: {len(found)} records, expected {records}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exchanges", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    ours_in, theirs_in = build_inputs(args.exchanges)
    size = sum(len(ex.body) for ex in ours_in)
    records = 2 * args.exchanges
    times: dict[str, list[float]] = {"ours": [], "warcio6": [], "warcio9": []}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.rounds):
            for name in times:
                folder = Path(tmp) / f"{name}-{i}"
                folder.mkdir()
                gc.collect()
                if name == "ours":
                    times[name].append(write_ours(folder, ours_in, LEVEL))
                else:
                    level = LEVEL if name == "warcio6" else None
                    times[name].append(write_warcio(folder / "w.warc.gz", theirs_in, level))
                if i == 0:
                    check(folder, records)
                for f in folder.iterdir():
                    f.unlink()
    print(
        f"  {args.exchanges} exchanges ({records} records, {size / 1e6:.1f} MB of bodies), "
        f"{args.rounds} alternating rounds"
    )
    for name, values in times.items():
        print(f"  {name}: median {records / statistics.median(values):,.0f} records/s")
    for other, label in (("warcio6", f"same gzip level {LEVEL}"), ("warcio9", "warcio default 9")):
        ratios = [t / o for o, t in zip(times["ours"], times[other], strict=True)]
        print(
            line(
                f"warc_write_vs_warcio_{'level6' if other == 'warcio6' else 'default'}",
                statistics.median(ratios),
                TARGET,
                f"ours records/s / warcio's, {label}",
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
