"""Bad input: one clear line, a non-zero exit, no traceback, nothing half-written."""

from __future__ import annotations

import http.server
import socket
import threading
from pathlib import Path

import pytest

from tests.helpers import assert_one_line_error, run_crawl


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@pytest.fixture
def not_found_server():
    """A host that answers every request with 404: nothing to archive there."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = b"<html><body>Not found</body></html>"
            self.send_response(404)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def nothing_written(out: Path) -> bool:
    return not (out / "warc").exists() and not list(out.glob("*.jsonl"))


def test_unknown_section_lists_the_valid_ones(tmp_path, not_found_server):
    proc = run_crawl(not_found_server, tmp_path, "-a", "sections=field-reports,opinion")
    assert_one_line_error(proc, "opinion", "analytical-articles", "news-digest")
    assert nothing_written(tmp_path)


def test_unreachable_base_url(tmp_path):
    proc = run_crawl(f"http://127.0.0.1:{closed_port()}/", tmp_path)
    assert_one_line_error(proc, "cannot reach")
    assert nothing_written(tmp_path)


def test_bad_base_url(tmp_path):
    proc = run_crawl("ftp://example.invalid/", tmp_path)
    assert_one_line_error(proc, "base_url")


def test_unknown_spider_argument(tmp_path, not_found_server):
    proc = run_crawl(not_found_server, tmp_path, "-a", "section=field-reports")
    assert_one_line_error(proc, "section", "valid arguments")


def test_unwritable_output_folder(tmp_path, not_found_server):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    proc = run_crawl(not_found_server, blocker / "out")
    assert_one_line_error(proc, "not writable")


def test_crawl_that_archives_nothing_says_so_and_fails(tmp_path, not_found_server):
    proc = run_crawl(not_found_server, tmp_path)
    assert proc.returncode == 10, proc.stderr[-2000:]  # finished, nothing archived
    assert "No article was archived" in proc.stderr
    assert "Traceback" not in proc.stderr
    # what it did fetch (robots.txt, the 404 listings) is archived all the same
    assert list((tmp_path / "warc").glob("*.warc.gz"))
