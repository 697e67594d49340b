"""Bodies cut short are archived with WARC-Truncated and never exported as whole articles."""

from __future__ import annotations

import json
import socket
import threading

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.helpers import run_crawl, warcio_check
from tests.replica import ReplicaServer

LISTING = b"""<html lang="en-gb"><body><div class="itemListView"><div class="catItemView">
<h3 class="catItemTitle"><a href="/publications/field-reports/item/4242-cut.html">CUT</a></h3>
</div></div></body></html>"""


NOT_FOUND = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


def warc_records(out, decode=True):
    recs = []
    for path in sorted((out / "warc").glob("*.warc.gz")):
        with open(path, "rb") as f:
            for rec in ArchiveIterator(f):
                body = rec.content_stream().read() if decode else rec.raw_stream.read()
                recs.append((rec, body))
    return recs


def test_size_limit_truncates_and_marks_length(tmp_path):
    with ReplicaServer() as site:
        proc = run_crawl(site.base_url, tmp_path, "-s", "WARC_MAX_BODY_SIZE=4000",
                         "-a", "sections=field-reports")  # fmt: skip
        sent = {e["path"]: e["length"] for e in site.log}
    assert "Traceback" not in proc.stderr
    truncated = [
        (rec, body)
        for rec, body in warc_records(tmp_path, decode=False)
        if rec.rec_type == "response" and rec.rec_headers.get_header("WARC-Truncated")
    ]
    assert truncated
    for rec, payload in truncated:
        assert rec.rec_headers.get_header("WARC-Truncated") == "length"
        path = rec.rec_headers["WARC-Target-URI"].split("/", 3)[3]
        assert len(payload) == 4000 < sent["/" + path]
    assert warcio_check(*(tmp_path / "warc").glob("*.warc.gz")).returncode == 0
    # the listing itself is longer than 4000 bytes: nothing whole to export, and it says so
    assert proc.returncode == 10  # finished, nothing archived
    assert "No article was archived" in proc.stderr
    assert not list(tmp_path.glob("articles-*.jsonl"))


@pytest.fixture
def lying_server():
    """Serves a listing, and an article whose body stops short of its Content-Length."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    hits = {"item": 0}
    stop = threading.Event()

    def handle(conn):
        with conn:
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                data += chunk
            path = data.split(b" ", 2)[1]
            if path == b"/robots.txt":
                body = b"User-agent: *\nDisallow:\n"
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                    b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body
                )
            elif path.startswith(b"/publications/field-reports.html"):
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                             b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(LISTING)
                             + LISTING)  # fmt: skip
            elif b"/item/4242" in path:
                hits["item"] += 1
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                    b"Content-Length: 10000\r\nConnection: close\r\n\r\n"
                    b"<html><body><div id='k2Container' class='itemView'>partial"
                )
            else:
                conn.sendall(NOT_FOUND)

    def serve():
        sock.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except TimeoutError:
                continue
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/", hits
    stop.set()
    thread.join()
    sock.close()


def test_data_loss_is_archived_marked_retried_and_not_exported(tmp_path, lying_server):
    base, hits = lying_server
    proc = run_crawl(base, tmp_path, "-a", "sections=field-reports", "-s", "RETRY_TIMES=2")
    assert "Traceback" not in proc.stderr
    cut = [
        rec
        for rec, _ in warc_records(tmp_path)
        if rec.rec_type == "response" and "/item/4242" in rec.rec_headers["WARC-Target-URI"]
    ]
    assert hits["item"] == 3  # the first try and two retries
    assert len(cut) == 3
    assert all(r.rec_headers["WARC-Truncated"] == "disconnect" for r in cut)
    assert warcio_check(*(tmp_path / "warc").glob("*.warc.gz")).returncode == 0
    assert proc.returncode == 9  # failed after every retry: worth another run later
    report = json.loads(next((tmp_path / "reports").glob("*.json")).read_text())
    assert any("cut short" in f["reason"] for f in report["failures"])
