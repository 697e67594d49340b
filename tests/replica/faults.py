"""A hostile replica: the same site, with some article URLs misbehaving the way real servers do.

Each fault hits one article (its id below). "once" faults misbehave on the first request only,
so a crawler that retries well still archives the article; the others never give it up, and
the crawler must report them and keep going.
"""

from __future__ import annotations

import re
import time
import zlib
from email.utils import formatdate
from functools import cache
from urllib.parse import urlsplit

from . import pages
from .content import BY_ID
from .server import ReplicaServer, Response

_ITEM = re.compile(r"^/(?:publications/[\w-]+|component/k2)/item/(\d+)-")

# fault -> the article it hits
FAULTS: dict[str, int] = {
    "429-once": 1335,  # 429 Too Many Requests with Retry-After: 1, then fine
    "503-retry-after-once": 12889,  # 503 with Retry-After as an HTTP date, then fine
    "slow-once": 1399,  # the first answer takes longer than the download timeout
    "slow-always": 2490,  # every answer does: given up and reported
    "reset-once": 1650,  # half the body, then a TCP reset
    "short-once": 2480,  # half the body, then a clean close before Content-Length is reached
    "reset-always": 10402,  # never whole: archived truncated, reported, not exported
    "huge": 11698,  # 3 MB: over the test's size limit
    "gzip-bomb": 12230,  # 300 KB of gzip that inflates to 256 MB
    "empty": 11590,  # 200 with an empty body
    "not-html": 11905,  # an image at an article URL
    "malformed": 12110,  # unclosed and stray tags everywhere
    "wrong-charset": 9870,  # says ISO-8859-1, is UTF-8 (Turkish names)
    "no-charset": 13850,  # no charset anywhere, UTF-8 (Azerbaijani names)
    "redirect-loop": 3005,  # 302 to itself with a growing query, forever
    "offsite-redirect": 4410,  # 301 to another host
}
# listing links rewritten the way the wild writes them
NOISY_LINKS = {
    1190: BY_ID[1190].path + "?utm_source=newsletter&amp;utm_medium=email&amp;fbclid=IwAR0x",
    13390: "https://cacianalyst.org." + BY_ID[13390].path,
    13244: "http://WWW.CACIANALYST.ORG" + BY_ID[13244].path + "#comments",
}
ONCE = {name for name in FAULTS if name.endswith("-once")}
NEVER_EXPORTED = {"slow-always", "reset-always", "huge", "gzip-bomb", "empty", "not-html",
                  "redirect-loop", "offsite-redirect"}  # fmt: skip
SLOW_SECONDS = 3.0
BOMB_SIZE = 256 * 1024 * 1024


@cache
def gzip_bomb() -> bytes:
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = b"\0" * (1 << 20)
    out = [comp.compress(b"<html><body>")]
    out += [comp.compress(zeros) for _ in range(BOMB_SIZE >> 20)]
    return b"".join(out) + comp.flush()


class FaultyReplica(ReplicaServer):
    def __init__(self, *args, faults: dict[str, int] | None = None, robots: str | None = None,
                 robots_status: int = 200, **kwargs):  # fmt: skip
        super().__init__(*args, **kwargs)
        self.faults = {item_id: name for name, item_id in (faults or FAULTS).items()}
        self.robots = robots
        self.robots_status = robots_status
        self.attempts: dict[int, int] = {}

    def route(self, method: str, raw_path: str, host: str | None) -> Response:
        parts = urlsplit(raw_path)
        if parts.path.startswith("/publications/") and parts.path.count("/") == 2:
            return self._noisy_links(super().route(method, raw_path, host))
        if parts.path == "/robots.txt" and (self.robots is not None or self.robots_status != 200):
            body = self.robots if self.robots is not None else pages.robots_txt()
            if self.robots_status >= 500:
                body = pages.error_page(self.robots_status, "Service Unavailable")
            return Response(self.robots_status, body.encode(), "text/plain", kind="robots")
        m = _ITEM.match(parts.path)
        fault = self.faults.get(int(m.group(1))) if m else None
        if fault is None:
            return super().route(method, raw_path, host)
        item_id = int(m.group(1))
        with self._state.lock:
            self.attempts[item_id] = attempt = self.attempts.get(item_id, 0) + 1
        if fault in ONCE and attempt > 1:
            return super().route(method, raw_path, host)
        normal = super().route(method, raw_path.split("?")[0], host)
        return self._misbehave(fault, normal, raw_path, host, attempt)

    @staticmethod
    def _noisy_links(listing: Response) -> Response:
        """Listings as newsletters and other sites link them: tracking parameters, host
        variants. One article must still be fetched once, under one URL."""
        body = listing.body
        for item_id, variant in NOISY_LINKS.items():
            path = BY_ID[item_id].path.encode()
            body = body.replace(b'href="' + path + b'"', b'href="' + variant.encode() + b'"')
        listing.body = body
        return listing

    def _misbehave(self, fault, normal: Response, raw_path, host, attempt) -> Response:
        page = normal.body
        if fault == "429-once":
            return Response(429, b"Too many requests", "text/plain", [("Retry-After", "1")])
        if fault == "503-retry-after-once":
            when = formatdate(time.time() + 2, usegmt=True)
            return Response(503, b"Maintenance", "text/html", [("Retry-After", when)])
        if fault in ("slow-once", "slow-always"):
            normal.fault, normal.fault_arg = "slow", SLOW_SECONDS
            return normal
        if fault in ("reset-once", "reset-always"):
            normal.fault, normal.gzip, normal.chunked = "reset", False, False
            return normal
        if fault == "short-once":
            normal.fault, normal.gzip, normal.chunked = "short", False, False
            return normal
        if fault == "huge":
            padding = b"<!-- " + b"x" * (3 * 1024 * 1024) + b" -->"
            return Response(200, page.replace(b"</body>", padding + b"</body>"), joomla=True)
        if fault == "gzip-bomb":
            return Response(200, gzip_bomb(), "text/html; charset=utf-8",
                            [("Content-Encoding", "gzip")])  # fmt: skip
        if fault == "empty":
            return Response(200, b"", "text/html; charset=utf-8", joomla=True)
        if fault == "not-html":
            return Response(200, pages.JPEG_BYTES, "image/jpeg")
        if fault == "malformed":
            broken = re.sub(rb"</(p|div|span|h2|li|ul)>", b"", page)
            broken = broken.replace(b"<body", b"<table><tr><td><body", 1)
            return Response(200, broken, normal.content_type, joomla=True)
        if fault == "wrong-charset":
            return Response(200, page, "text/html; charset=iso-8859-1", joomla=True)
        if fault == "no-charset":
            stripped = re.sub(rb"<meta[^>]*charset[^>]*>", b"", page, flags=re.I)
            return Response(200, stripped, "text/html", joomla=True)
        if fault == "redirect-loop":
            target = f"{raw_path.split('?')[0]}?loop={attempt}"
            return Response(302, b"", "text/html", [("Location", target)])
        if fault == "offsite-redirect":
            return Response(301, b"", "text/html", [("Location", self.other_base + raw_path)])
        raise ValueError(fault)


def exported_ids() -> set[int]:
    """The articles a crawl of the faulty replica must still export."""
    never = {FAULTS[name] for name in NEVER_EXPORTED}
    return set(BY_ID) - never
