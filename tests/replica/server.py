"""The replica's HTTP server: stdlib only, HTTP/1.1 with keep-alive, quiet, logging every
response it sends.

Wire behaviour (deterministic, so tests can aim at each case):

- gzip ``Content-Encoding`` (when the request's Accept-Encoding allows it) on item pages of
  even ids, tag pages, feeds and the home page;
- ``Transfer-Encoding: chunked`` (hand-written framing, several chunks) on item pages of ids
  divisible by 3, odd-numbered listing pages (``?start=4``, ``?start=12`` ...), the home page
  and the whole-issue PDF; both at once on item pages of ids divisible by 6;
- ``Content-Length`` on everything else;
- two ``Set-Cookie`` headers (Joomla's session cookie and a load-balancer cookie) on every
  page Joomla renders (not on the web server's 503, PDFs, images, feeds or robots.txt).

Run ``python -m tests.replica.server [--port 0] [--log FILE] [--other-host HOST:PORT]``: the
first line on stdout is the base URL; Ctrl-C stops it.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import hashlib
import json
import os
import re
import signal
import socket
import struct
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, unquote, urlsplit

from . import pages
from .content import (
    ARTICLES,
    BY_ID,
    COMPONENT_LINK_IDS,
    DRAFTS_PDF,
    ISSUE_PDF,
    OLD_ALIASES,
    RETRY_ONCE_ID,
    SECTIONS,
    all_image_paths,
    expected_paragraphs,
    newest,
    section_articles,
    section_listing,
    tagged,
)

SESSION_COOKIE = "a5d1c2e8f0b94c7e9d3b6a1f2e4c8d07"  # Joomla names it md5(secret + "site")
LB_COOKIE = "SERVERID"
HOME_FEED_UNTIL = datetime(2012, 12, 31, 23, 59)  # "/?format=feed" is frozen at 2012

_PREFIX = r"(?P<prefix>/publications/(?P<psec>[a-z-]+)|/component/k2)"
_ITEM_RE = re.compile(_PREFIX + r"/item/(?P<id>\d+)-(?P<alias>[^/]+)\.html")
_TAG_RE = re.compile(_PREFIX + r"/itemlist/tag/(?P<tag>[^/]+)\.html")
_SEARCH_RE = re.compile(_PREFIX + r"?/itemlist/search\.html")
_DATE_RE = re.compile(_PREFIX + r"?/itemlist/date/(?P<y>\d{4})(?:/(?P<m>\d{1,2}))?"
                      r"(?:/(?P<d>\d{1,2}))?\.html")  # fmt: skip
_USER_RE = re.compile(_PREFIX + r"?/itemlist/user/(?P<uid>\d+)-(?P<uname>[^/]+)\.html")
_SECTION_RE = re.compile(r"/publications/(?P<sec>[a-z-]+)\.(?P<ext>html|feed)")

STATIC_KINDS = frozenset({"static", "image", "pdf"})  # files Apache serves with validators
STATIC_LAST_MODIFIED = "Tue, 14 Jan 2025 09:30:00 GMT"

_PDF_TITLES: dict[str, str] = {}
for _a in ARTICLES:
    for _p in _a.pdfs:
        _PDF_TITLES.setdefault(_p, _a.title)
_PDF_TITLES[ISSUE_PDF] = "The Central Asia-Caucasus Analyst, 18 March 2009"
_PDF_TITLES[DRAFTS_PDF] = "DRAFT - not for circulation"
_JPEGS = frozenset(all_image_paths())

_JOOMLA_HEADERS = (
    ("Expires", "Wed, 17 Aug 2005 00:00:00 GMT"),
    ("Cache-Control", "no-store, no-cache, must-revalidate, post-check=0, pre-check=0"),
    ("Pragma", "no-cache"),
)


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str | None = "text/html; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)
    joomla: bool = False  # rendered by Joomla: session cookies, no-cache headers
    gzip: bool = False  # may be gzip-encoded if the client accepts it
    chunked: bool = False
    kind: str = "other"  # route kind, for the log
    fault: str | None = None  # wire-level misbehaviour (see faults.py): slow, short, reset
    fault_arg: float = 0.0


def accepts_gzip(value: str | None) -> bool:
    """Whether an Accept-Encoding header value allows gzip (q-values honoured)."""
    if not value:
        return False
    qs: dict[str, float] = {}
    for part in value.split(","):
        name, *params = [p.strip() for p in part.split(";")]
        q = 1.0
        for param in params:
            key, _, val = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(val)
                except ValueError:
                    q = 0.0
        if name:
            qs[name.lower()] = q
    for name in ("gzip", "x-gzip"):
        if name in qs:
            return qs[name] > 0
    return qs.get("*", 0) > 0


def _int(value: str | None, default: int = 0) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


class _State:
    """Mutable server state, shared by the handler threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.views: dict[int, int] = {}
        self.retry_served: set[int] = set()
        self.log: list[dict] = []
        self.sessions = 0

    def reset(self) -> None:
        with self.lock:
            self.views.clear()
            self.retry_served.clear()
            self.log.clear()
            self.sessions = 0

    def view(self, item_id: int) -> int:
        """Count one view; return the number of earlier views."""
        with self.lock:
            n = self.views.get(item_id, 0)
            self.views[item_id] = n + 1
            return n

    def first_request(self, item_id: int) -> bool:
        with self.lock:
            if item_id in self.retry_served:
                return False
            self.retry_served.add(item_id)
            return True

    def new_session(self) -> str:
        with self.lock:
            self.sessions += 1
            n = self.sessions
        return hashlib.md5(f"replica-session-{n}".encode()).hexdigest()[:26]


class ReplicaServer:
    """The replica of www.cacianalyst.org on a loopback port.

    ``other_host`` ("host:port" or a base URL) is where one article body links an item of
    another host; by default ``127.0.0.2`` on this server's port (where nothing listens).
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        log_path: str | os.PathLike[str] | None = None,
        other_host: str | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.log_path = log_path
        self._other_host = other_host
        self._state = _State()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._log_file = None
        self._file_lock = threading.Lock()

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> ReplicaServer:
        if self._httpd is not None:
            return self
        handler = type("ReplicaHandler", (_Handler,), {"replica": self})
        httpd = _Server((self.host, self.port), handler)
        self.port = httpd.server_address[1]
        if self.log_path:
            self._log_file = open(self.log_path, "a", encoding="utf-8")  # noqa: SIM115
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is not None:
            httpd.shutdown()
            httpd.server_close()
            httpd.close_connections()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        with self._file_lock:
            if self._log_file is not None:
                self._log_file.close()
                self._log_file = None

    def __enter__(self) -> ReplicaServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- state ----------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def other_base(self) -> str:
        other = self._other_host or f"127.0.0.2:{self.port}"
        if "://" not in other:
            other = "http://" + other
        return other.rstrip("/")

    @property
    def log(self) -> list[dict]:
        """A snapshot of the response log (one dict per response, in order)."""
        with self._state.lock:
            return list(self._state.log)

    def reset(self) -> None:
        """Forget hit counts, the log and the 503-once state."""
        self._state.reset()

    @staticmethod
    def robots_txt() -> str:
        """The robots.txt the replica serves."""
        return pages.robots_txt()

    def hits(self, item_id: int) -> int:
        """The number the next view of the item will show."""
        with self._state.lock:
            return BY_ID[item_id].hits + self._state.views.get(item_id, 0)

    def _record(self, entry: dict) -> None:
        with self._state.lock:
            self._state.log.append(entry)
        with self._file_lock:
            if self._log_file is not None:
                self._log_file.write(json.dumps(entry) + "\n")
                self._log_file.flush()

    # -- routing --------------------------------------------------------------------------------

    def route(self, method: str, raw_path: str, host: str | None) -> Response:
        split = urlsplit(raw_path)
        path = unquote(split.path)
        query = parse_qs(split.query, keep_blank_values=True)

        def q(name: str) -> str | None:
            return query[name][0] if name in query else None

        ctx = pages.Ctx(host_base=f"http://{host}" if host else self.base_url,
                        other_base=self.other_base)  # fmt: skip
        if method not in ("GET", "HEAD", "POST"):
            return self._not_found(kind="method")
        if method == "POST":
            if path.startswith("/component/acymailing"):
                return self._html(
                    pages.joomla_page("Newsletter", f"<p>{pages.ACYMAILING_PAGE_TEXT}</p>"),
                    kind="newsletter",
                )
            if path.startswith("/component/mailto"):
                return self._html(pages.mailto_page(q("link") or ""), kind="mailto")
            return self._not_found()

        if path == "/robots.txt":
            return Response(
                200, pages.robots_txt().encode(), "text/plain; charset=utf-8", kind="robots"
            )
        if path in ("/", "/index.php"):
            if q("format") == "feed":
                items = newest(10, until=HOME_FEED_UNTIL)
                body = pages.rss_feed(
                    "The Central Asia-Caucasus Analyst", "/", "/?format=feed&type=rss",
                    "The Central Asia-Caucasus Analyst", items, ctx, items[0].created,
                )  # fmt: skip
                return Response(200, body, "application/rss+xml; charset=utf-8", gzip=True,
                                kind="feed")  # fmt: skip
            body = pages.home_page(newest(pages.HOME_COUNT), ctx)
            return self._html(body, kind="home", gzip=True, chunked=True)

        if m := _SECTION_RE.fullmatch(path):
            section = m["sec"]
            if section not in SECTIONS:
                return self._not_found("Category not found")
            if m["ext"] == "feed" or q("format") == "feed":
                items = sorted(section_articles(section), key=lambda a: a.created, reverse=True)
                items = items[:10]
                body = pages.rss_feed(
                    SECTIONS[section], pages.section_path(section),
                    f"/publications/{section}.feed?type=rss",
                    f"{SECTIONS[section]} - The Central Asia-Caucasus Analyst",
                    items, ctx, items[0].created,
                )  # fmt: skip
                return Response(200, body, "application/rss+xml; charset=utf-8", gzip=True,
                                kind="feed")  # fmt: skip
            start = _int(q("start") if q("start") is not None else q("limitstart"))
            entries = section_listing(section)
            start = pages.clamp_start(start, len(entries), pages.LISTING_LIMIT)
            body = pages.listing_page(
                section, entries, start, ctx,
                component_ids=COMPONENT_LINK_IDS, old_aliases=OLD_ALIASES,
            )  # fmt: skip
            odd_page = (start // pages.LISTING_LIMIT) % 2 == 1
            return self._html(body, kind="listing", chunked=odd_page)

        if m := _ITEM_RE.fullmatch(path):
            return self._item(m, q("tmpl") == "component", ctx)

        if m := _TAG_RE.fullmatch(path):
            if m["psec"] and m["psec"] not in SECTIONS:
                return self._not_found()
            tag = m["tag"]
            body = pages.tag_page(tag, tagged(tag), _int(q("start")), m["prefix"], ctx)
            return self._html(body, kind="tag", gzip=True)

        if m := _SEARCH_RE.fullmatch(path):
            if m["psec"] and m["psec"] not in SECTIONS:
                return self._not_found()
            word = q("searchword") or ""
            items = _search(word)
            base = (m["prefix"] or "") + "/itemlist/search.html"
            body = pages.generic_page(
                f"Search results for {word}", items, _int(q("start")), base,
                "searchword=" + quote(word, safe=""), ctx,
            )  # fmt: skip
            return self._html(body, kind="search")

        if m := _DATE_RE.fullmatch(path):
            if m["psec"] and m["psec"] not in SECTIONS:
                return self._not_found()
            y, mo, d = int(m["y"]), _int(m["m"], 0), _int(m["d"], 0)
            items = [
                a
                for a in newest(len(ARTICLES))
                if a.created.year == y
                and (not mo or a.created.month == mo)
                and (not d or a.created.day == d)
            ]
            base = path
            title = f"Items filtered by date: {y}" + (f"/{mo}" if mo else "")
            body = pages.generic_page(title, items, _int(q("start")), base, "", ctx)
            return self._html(body, kind="date")

        if m := _USER_RE.fullmatch(path):
            if m["psec"] and m["psec"] not in SECTIONS:
                return self._not_found()
            items = newest(len(ARTICLES)) if m["uid"] == "62" else []
            body = pages.generic_page(
                "Super User", items, _int(q("start")), path, "", ctx, view="user"
            )
            return self._html(body, kind="user")

        if path.rstrip("/") == "/component/mailto":
            return self._html(pages.mailto_page(q("link") or ""), kind="mailto")
        if path.startswith("/component/acymailing"):
            body = pages.joomla_page("Newsletter", f"<p>{pages.ACYMAILING_PAGE_TEXT}</p>")
            return self._html(body, kind="newsletter")
        if path == "/editorial/editorial-principles.html":
            body = pages.content_article_page("Editorial Principles", pages.EDITORIAL_PARAGRAPHS)
            return self._html(body, kind="content")
        if path == "/editorial/submission-guidelines.html":
            body = pages.content_article_page("Submission Guidelines", pages.SUBMISSION_PARAGRAPHS)
            return self._html(body, kind="content")
        if path == "/about.html":
            body = pages.content_article_page("About the Analyst", pages.ABOUT_PARAGRAPHS)
            return self._html(body, kind="content")

        if path in _PDF_TITLES:
            return Response(
                200,
                pages.make_pdf(_PDF_TITLES[path]),
                "application/pdf",
                headers=[("Accept-Ranges", "bytes")],
                chunked=path == ISSUE_PDF,
                kind="pdf",
            )
        if path in _JPEGS:
            return Response(200, pages.JPEG_BYTES, "image/jpeg", kind="image")
        if path in pages.STATIC_IMAGES or path == "/templates/caci/favicon.ico":
            return Response(200, pages.PNG_BYTES, "image/png", kind="image")
        if path in pages.STATIC_FILES:
            ctype, data = pages.STATIC_FILES[path]
            return Response(200, data, ctype, kind="static")
        return self._not_found()

    def _item(self, m: re.Match, bare: bool, ctx: pages.Ctx) -> Response:
        if m["psec"] and m["psec"] not in SECTIONS:
            return self._not_found()
        item_id = int(m["id"])
        article = BY_ID.get(item_id)
        if article is None:
            return self._not_found("Item not found")
        if m["alias"] != article.alias:
            if OLD_ALIASES.get(item_id) == m["alias"]:
                location = ctx.host_base + article.path
                resp = Response(301, b"", "text/html; charset=utf-8", joomla=True, kind="redirect")
                resp.headers.append(("Location", location))
                return resp
            return self._not_found("Item not found")
        if item_id == RETRY_ONCE_ID and self._state.first_request(item_id):
            return Response(
                503,
                pages.SERVICE_UNAVAILABLE.encode(),
                headers=[("Retry-After", "1")],
                kind="unavailable",
            )
        hits = article.hits + self._state.view(item_id)
        siblings = section_articles(article.section)
        i = siblings.index(article)
        prev_item = siblings[i - 1] if i > 0 else None
        next_item = siblings[i + 1] if i + 1 < len(siblings) else None
        return item_response(article, hits, ctx, prev_item, next_item, bare=bare)

    def _html(self, html: str, kind: str, gzip: bool = False, chunked: bool = False) -> Response:
        return Response(200, html.encode("utf-8"), joomla=True, gzip=gzip, chunked=chunked,
                        kind=kind)  # fmt: skip

    def _not_found(self, message: str = "Page not found", kind: str = "not_found") -> Response:
        return Response(404, pages.error_page(404, message).encode(), joomla=True, kind=kind)


def _search(word: str) -> list:
    word = word.strip().lower()
    if not word:
        return []
    return [
        a
        for a in newest(len(ARTICLES))
        if word in a.title.lower() or any(word in t.lower() for t in expected_paragraphs(a))
    ]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, *args, **kwargs) -> None:
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(*args, **kwargs)

    def process_request(self, request, client_address) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """End kept-alive connections, so nothing is served after stop()."""
        with self._open_lock:
            sockets, self._open = list(self._open), set()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request, client_address) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            return
        traceback.print_exc()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Apache"
    sys_version = ""
    timeout = 30  # idle keep-alive connections are closed after this
    replica: ReplicaServer  # set on the subclass made by ReplicaServer.start

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # quiet: the replica keeps its own log

    def setup(self) -> None:
        super().setup()
        # the head and the body go out in two writes: without this, Nagle's algorithm holds
        # the body until the client's delayed ACK of the head (40 ms on Linux), a stall on
        # every response that Apache and nginx (which set it on keep-alive connections) never
        # show
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        self._serve("GET")

    def do_HEAD(self) -> None:
        self._serve("HEAD")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def do_OPTIONS(self) -> None:
        self._serve("OPTIONS")

    def _serve(self, method: str) -> None:
        length = _int(self.headers.get("Content-Length"), 0)
        if length > 0:
            self.rfile.read(length)
        host = self.headers.get("Host")
        try:
            resp = self.replica.route(method, self.path, host)
        except Exception:  # a bug in the replica: say so, loudly but over HTTP
            traceback.print_exc()
            resp = Response(500, pages.error_page(500, "Internal Server Error").encode(),
                            kind="error")  # fmt: skip
        headers = list(resp.headers)
        if resp.status == 200 and resp.kind in STATIC_KINDS:
            # Apache's validators on static files; a revalidation that matches gets a 304
            etag = '"' + hashlib.sha1(resp.body).hexdigest()[:16] + '"'
            headers += [("ETag", etag), ("Last-Modified", STATIC_LAST_MODIFIED)]
            if self.headers.get("If-None-Match") == etag or (
                not self.headers.get("If-None-Match")
                and self.headers.get("If-Modified-Since") == STATIC_LAST_MODIFIED
            ):
                resp = Response(304, b"", None, headers=[("ETag", etag)], kind=resp.kind)
                headers = list(resp.headers)
        if resp.content_type:
            headers.insert(0, ("Content-Type", resp.content_type))
        if resp.joomla:
            headers.extend(_JOOMLA_HEADERS)
            headers.append(("Last-Modified", self.date_time_string()))
            session = _cookie(self.headers.get("Cookie"), SESSION_COOKIE)
            if not session:
                session = self.replica._state.new_session()
            headers.append(("Set-Cookie", f"{SESSION_COOKIE}={session}; path=/; HttpOnly"))
            headers.append(("Set-Cookie", f"{LB_COOKIE}=web1; path=/"))
        body = resp.body
        encoding = None
        if resp.gzip:
            headers.append(("Vary", "Accept-Encoding"))
            if accepts_gzip(self.headers.get("Accept-Encoding")):
                body = gzip.compress(body, mtime=0)
                encoding = "gzip"
                headers.append(("Content-Encoding", "gzip"))
        if resp.chunked:
            headers.append(("Transfer-Encoding", "chunked"))
        elif resp.status != 304:
            headers.append(("Content-Length", str(len(body))))
        if resp.fault in ("short", "reset"):
            # announce the whole body, send part of it, then hang up (cleanly or with a RST)
            headers = [(k, v) for k, v in headers if k != "Content-Length"]
            headers.append(("Content-Length", str(len(body))))
            body = body[: len(body) // 2]
        sent = b"" if method == "HEAD" else body
        self.replica._record(
            {
                "time": time.time(),
                "method": method,
                "path": self.path,
                "host": host,
                "status": resp.status,
                "sha1": hashlib.sha1(sent).hexdigest(),
                "length": len(sent),
                "content_encoding": encoding,
                "chunked": resp.chunked,
                "request_headers": [[k, v] for k, v in self.headers.items()],
                "kind": resp.kind,
            }
        )
        if resp.fault == "slow":
            # logged as it arrived: a client that gave up may be gone before the answer
            time.sleep(resp.fault_arg)
        self.send_response(resp.status)
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if method == "HEAD":
            return
        if resp.chunked:
            self.wfile.write(_chunk_frames(body))
        else:
            self.wfile.write(body)
        self.wfile.flush()
        if resp.fault in ("short", "reset"):
            self.close_connection = True
            if resp.fault == "reset":
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
            self.connection.close()


def item_response(article, hits, ctx, prev_item, next_item, bare: bool = False) -> Response:
    """An item page as the site sends it: gzip on even ids, chunked on multiples of 3."""
    html = pages.item_page(
        article, hits, ctx, print_view=bare, prev_item=prev_item, next_item=next_item
    )
    if article.encoding == "utf-8":
        body, ctype = html.encode("utf-8"), "text/html; charset=utf-8"
    else:
        body, ctype = html.encode(article.encoding, "xmlcharrefreplace"), "text/html"
    return Response(
        200,
        body,
        ctype,
        joomla=True,
        gzip=article.item_id % 2 == 0,
        chunked=article.item_id % 3 == 0,
        kind="print" if bare else "item",
    )


def _chunk_frames(body: bytes) -> bytes:
    """Chunked framing with several chunks (at least three for any non-empty body)."""
    out = bytearray()
    size = max(1, min(4096, -(-len(body) // 3)))
    for i in range(0, len(body), size):
        piece = body[i : i + size]
        out += b"%x\r\n" % len(piece) + piece + b"\r\n"
    out += b"0\r\n\r\n"
    return bytes(out)


def _cookie(header: str | None, name: str) -> str | None:
    if not header:
        return None
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name and value:
            return value
    return None


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the CACI Analyst replica.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--log", default=None, help="append one JSON line per response")
    parser.add_argument("--other-host", default=None, help="host:port of the 'other' host")
    args = parser.parse_args(argv)
    server = ReplicaServer(args.host, args.port, log_path=args.log, other_host=args.other_host)
    server.start()
    print(server.base_url, flush=True)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
