"""Scrapy's HTTP/1.1 download handler, keeping the response head exactly as received.

Twisted parses the status line and headers and drops what it considers connection-level
(Transfer-Encoding, Connection, Keep-Alive, ...), lower-cases names and loses the reason
phrase. An archive wants the head as it crossed the wire, so the connection's protocol keeps
a copy of the raw bytes up to the blank line, and the agent hands it to the request's meta
(``wire_head``) where the WARC capture finds it. Bodies are untouched: Scrapy still reads them.

This leans on Scrapy's private HTTP/1.1 classes (``_ScrapyAgent``, ``_LenientHTTP11ClientProtocol``
and their factory); the project pins a Scrapy range where they exist.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from scrapy.core.downloader.handlers.http11 import (
    HTTP11DownloadHandler,
    _LenientHTTP11ClientFactory,
    _LenientHTTP11ClientProtocol,
    _ScrapyAgent,
)
from scrapy.exceptions import ResponseDataLossError
from scrapy.utils._download_handlers import get_dataloss_msg, wrap_twisted_exceptions
from scrapy.utils.defer import maybe_deferred_to_future

logger = logging.getLogger(__name__)

# A head larger than this is not a head we keep (the parser will fail on it anyway).
MAX_HEAD = 256 * 1024
META_KEY = "wire_head"
STARTED_KEY = "wire_started"


def split_head(head: bytes) -> tuple[bytes, list[tuple[bytes, bytes]]] | None:
    """The status line and the header fields of a raw response head, as sent."""
    lines = head.replace(b"\r\n", b"\n").split(b"\n")
    if not lines or not lines[0].startswith(b"HTTP/"):
        return None
    headers: list[tuple[bytes, bytes]] = []
    for line in lines[1:]:
        if not line:
            continue
        if line[:1] in (b" ", b"\t") and headers:  # obsolete line folding
            name, value = headers[-1]
            headers[-1] = (name, value + b" " + line.strip())
        elif b":" in line:
            name, value = line.split(b":", 1)
            headers.append((name, value.strip(b" \t")))
    return lines[0], headers


def parse_status_line(line: bytes) -> tuple[str, int, str] | None:
    parts = line.decode("latin-1").split(" ", 2)
    if len(parts) < 2 or not parts[1].isdigit():
        return None
    return parts[0], int(parts[1]), parts[2] if len(parts) > 2 else ""


class _HeadKeepingProtocol(_LenientHTTP11ClientProtocol):
    _head: bytearray | None = None

    def request(self, request):
        self._head = bytearray()
        self._head_done = False
        d = super().request(request)
        protocol = self

        def keep_head(response):
            response._wire_head = bytes(protocol._head or b"")
            return response

        d.addCallback(keep_head)
        return d

    def dataReceived(self, data: bytes) -> None:
        head = self._head
        if head is not None and not getattr(self, "_head_done", False):
            head += data
            end = head.find(b"\r\n\r\n")
            end = end + 4 if end >= 0 else (head.find(b"\n\n") + 2 if b"\n\n" in head else -1)
            if end >= 0:
                del head[end:]
                self._head_done = True
            elif len(head) > MAX_HEAD:
                self._head_done = True
        super().dataReceived(data)


class _HeadKeepingFactory(_LenientHTTP11ClientFactory):
    def buildProtocol(self, addr):  # noqa: N802 - Twisted's naming
        return _HeadKeepingProtocol(self._quiescentCallback)


class _HeadKeepingAgent(_ScrapyAgent):
    def _cb_latency(self, result, request, start_time):
        head = getattr(result, "_wire_head", None)
        if head:
            request.meta[META_KEY] = head
        return super()._cb_latency(result, request, start_time)


class WireHTTP11DownloadHandler(HTTP11DownloadHandler):
    """Drop-in replacement for Scrapy's HTTP/1.1 handler (DOWNLOAD_HANDLERS http/https)."""

    def __init__(self, crawler):
        super().__init__(crawler)
        self._pool._factory = _HeadKeepingFactory

    async def download_request(self, request):
        request.meta.pop(META_KEY, None)  # a retry must not inherit the last attempt's head
        request.meta[STARTED_KEY] = datetime.now(UTC)  # the capture begins now, after any delay
        agent = _HeadKeepingAgent(
            contextFactory=self._contextFactory,
            bindAddress=self._bind_address,
            pool=self._pool,
            maxsize=self._default_maxsize,
            warnsize=self._default_warnsize,
            fail_on_dataloss=self._fail_on_dataloss,
            crawler=self._crawler,
            tls_verbose_logging=self._tls_verbose_logging,
        )
        try:
            with wrap_twisted_exceptions():
                return await maybe_deferred_to_future(agent.download_request(request))
        except ResponseDataLossError:
            if not self._fail_on_dataloss_warned:
                logger.warning(get_dataloss_msg(request.url))
                self._fail_on_dataloss_warned = True
            raise
