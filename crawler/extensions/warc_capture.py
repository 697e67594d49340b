"""Capture every HTTP exchange of the crawl into WARC files.

It listens to the downloader's own signals instead of sitting in the middleware chain:
``response_downloaded`` fires with the response exactly as the download handler produced it,
before any downloader middleware (decompression, redirects, retries) has touched it, so the
body is still content-encoded and every redirect, 404, 503 and robots.txt fetch is seen.
``request_reached_downloader`` marks when the capture began (the WARC-Date).
"""

from __future__ import annotations

import logging
import platform
import socket
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import scrapy
import twisted
from scrapy import signals
from scrapy.exceptions import NotConfigured, StopDownload
from scrapy.http import Request, Response

from crawler import __version__
from crawler.warc import FIDELITY_POLICY, Exchange, WarcWriter, sha1_digest, warc_date
from crawler.warc.records import CONFORMS_TO
from crawler.warc.repair import repair_open_warcs
from crawler.wire import META_KEY, STARTED_KEY, parse_status_line, split_head

logger = logging.getLogger(__name__)

_DEFAULT_PORTS = {"http": 80, "https": 443}


def host_header(url: str) -> bytes:
    """The Host value the HTTP client sends: the port only when it is not the default."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    if parts.port and parts.port != _DEFAULT_PORTS.get(parts.scheme):
        host = f"{host}:{parts.port}"
    return host.encode("idna") if not host.isascii() else host.encode()


def header_pairs(headers) -> list[tuple[bytes, bytes]]:
    return [(name, value) for name in headers for value in headers.getlist(name)]


def request_target(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


class WarcCapture:
    def __init__(
        self, crawler, writer: WarcWriter, directory: Path, max_body: int = 0, max_decoded: int = 0
    ):
        self.crawler = crawler
        self.stats = crawler.stats
        self.writer = writer
        self.directory = directory
        self.max_body = max_body
        self.max_decoded = max_decoded
        self.failed = False

    @classmethod
    def from_crawler(cls, crawler):
        s = crawler.settings
        if not s.getbool("WARC_ENABLED"):
            raise NotConfigured("WARC_ENABLED is off: nothing will be archived")
        directory = Path(s.get("WARC_DIR") or Path(s.get("OUTPUT_DIR") or ".") / "warc")
        if s.getbool("HTTPCACHE_ENABLED"):
            logger.warning(
                "HTTPCACHE_ENABLED is on: responses served from Scrapy's HTTP cache never reach "
                "the downloader and are NOT archived in the WARC files"
            )
        info = [
            (
                "software",
                f"caci-analyst-archiver/{__version__} Scrapy/{scrapy.__version__} "
                f"Twisted/{twisted.__version__} Python/{platform.python_version()}",
            ),
            ("format", "WARC File Format 1.1"),
            ("conformsTo", CONFORMS_TO),
            ("operator", s.get("WARC_OPERATOR")),
            ("isPartOf", s.get("WARC_IS_PART_OF")),
            ("description", s.get("WARC_DESCRIPTION")),
            ("robots", "obey" if s.getbool("ROBOTSTXT_OBEY") else "ignore"),
            ("http-header-user-agent", s.get("USER_AGENT")),
            ("hostname", socket.gethostname()),
            ("fidelity", FIDELITY_POLICY),
        ]
        # a dead run's .open files: cut back to whole exchanges, closed, before a new serial
        repaired = repair_open_warcs(directory)
        for r in repaired:
            logger.warning(
                "repaired %s left open by a previous run: kept %d records (%d bytes), "
                "dropped %d torn bytes",
                r.path.name, r.records, r.kept_bytes, r.dropped_bytes,
            )  # fmt: skip
        crawler.stats.set_value("warc/repaired_files", len(repaired))
        writer = WarcWriter(
            directory,
            prefix=s.get("WARC_PREFIX"),
            max_size=s.getint("WARC_MAX_SIZE"),
            info=info,
            gzip_level=s.getint("WARC_GZIP_LEVEL"),
        )
        ext = cls(
            crawler,
            writer,
            directory,
            s.getint("WARC_MAX_BODY_SIZE"),
            s.getint("WARC_MAX_DECODED_SIZE"),
        )
        if ext.max_body:
            crawler.signals.connect(ext.headers_received, signal=signals.headers_received)
            crawler.signals.connect(ext.bytes_received, signal=signals.bytes_received)
        crawler.signals.connect(ext.request_reached, signal=signals.request_reached_downloader)
        crawler.signals.connect(ext.response_downloaded, signal=signals.response_downloaded)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def request_reached(self, request: Request, spider=None) -> None:
        # a fallback: the download handler stamps the real start, after the slot's delay
        request.meta["warc_started"] = datetime.now(UTC)

    def headers_received(self, headers, body_length, request: Request, spider=None) -> None:
        # Scrapy would cancel a body announced larger than DOWNLOAD_MAXSIZE and keep nothing;
        # let it flow: bytes_received keeps the first max_body bytes and stops there.
        request.meta["download_maxsize"] = 0

    def bytes_received(self, data: bytes, request: Request, spider=None) -> None:
        seen = request.meta.get("warc_body_bytes", 0) + len(data)
        request.meta["warc_body_bytes"] = seen
        if seen >= self.max_body:
            raise StopDownload(fail=False)

    def response_downloaded(self, response: Response, request: Request, spider=None) -> None:
        if urlsplit(response.url).scheme not in ("http", "https"):
            return
        started = (
            request.meta.get(STARTED_KEY) or request.meta.get("warc_started") or datetime.now(UTC)
        )
        truncated = truncation(response)
        body = response.body
        if truncated == "length":  # the last network read may overshoot the limit
            body = body[: self.max_body]
        request.meta.pop("warc_body_bytes", None)
        if self.max_decoded:
            # the same meta key caps decompression next: a gzip bomb is refused, once archived
            request.meta["download_maxsize"] = self.max_decoded
        protocol, status, reason = response.protocol or "HTTP/1.1", response.status, None
        headers = header_pairs(response.headers)
        wire = split_head(request.meta.pop(META_KEY, b""))
        if wire and (status_line := parse_status_line(wire[0])) and status_line[1] == status:
            (protocol, status, reason), headers = status_line, wire[1]
        else:
            self.stats.inc_value("warc/head_from_parser")
        exchange = Exchange(
            url=request.url,
            date=started,
            method=request.method,
            target=request_target(request.url),
            request_headers=[(b"Host", host_header(request.url)), *header_pairs(request.headers)],
            request_body=request.body,
            protocol=protocol,
            status=status,
            reason=reason,
            response_headers=headers,
            body=body,
            ip_address=str(response.ip_address) if response.ip_address else None,
            truncated=truncated,
        )
        if self.failed:
            return  # the crawl is stopping; nothing more can be archived
        original = request.meta.get("revisit_of")
        if original is not None and not (
            status == 304 or (status == 200 and sha1_digest(body) == original.payload_digest)
        ):
            original = None  # it changed: a full new capture
        try:
            location = self.writer.write_exchange(exchange, revisit_of=original)
        except Exception as exc:  # disk full, read-only, or anything else: stop, lose nothing
            self.failed = True
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            message = f"writing WARC files in {self.directory} failed: {reason}"
            logger.error("%s; stopping the crawl (files already closed are valid)", message)
            self.stats.set_value("warc/write_failed", message)
            reactor_call(self.crawler.engine.close_spider_async, reason="warc_write_failed")
            return
        request.meta["warc"] = {"location": location_dict(location), "date": warc_date(started)}
        self.count()
        self.stats.inc_value("warc/exchanges")
        if original is not None:
            self.stats.inc_value("warc/revisits")
        if truncated:
            self.stats.inc_value("warc/truncated")

    def spider_closed(self, spider=None, reason=None) -> None:
        try:
            self.writer.close()
        except OSError as exc:
            logger.error("could not close %s: %s", self.writer.current_name, exc)
        self.count()
        self.stats.set_value("warc/files_written", len(self.writer.files_closed))
        self.stats.set_value("warc/dir", str(self.directory))

    def count(self) -> None:
        # warc/records and warc/bytes are the short names; *_written kept for the same numbers
        for key, value in (("records", self.writer.records_written),
                           ("bytes", self.writer.bytes_written)):  # fmt: skip
            self.stats.set_value(f"warc/{key}", value)
            self.stats.set_value(f"warc/{key}_written", value)


def reactor_call(coro_fn, **kwargs) -> None:
    """Run a coroutine function soon, outside the signal handler that wants it."""
    from scrapy.utils.defer import deferred_from_coro
    from twisted.internet import reactor

    reactor.callLater(0, lambda: deferred_from_coro(coro_fn(**kwargs)))


def truncation(response: Response) -> str | None:
    """WARC-Truncated for a body cut short: our size limit, or a connection that dropped."""
    if "download_stopped" in response.flags:
        return "length"
    if "dataloss" in response.flags:
        return "disconnect"
    return None


def location_dict(location) -> dict:
    return {
        "filename": location.filename,
        "offset": location.offset,
        "length": location.length,
        "record_id": location.record_id,
        "payload_digest": location.payload_digest,
    }
