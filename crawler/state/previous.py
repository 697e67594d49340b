"""What earlier crawls into the same output folder already archived.

Pure code (warcio, no Scrapy). A re-crawl needs, per URL, the last whole capture: to skip
articles already archived (by K2 id, their pages are never byte-identical because of the hit
counter), and to revalidate stylesheets, images and PDFs with conditional requests, writing a
revisit record that refers to the original instead of a second copy.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from crawler.warc.records import Original

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Capture:
    original: Original
    etag: str | None
    last_modified: str | None
    pointer: dict | None = None  # where the record is, to read it back


class PreviousCaptures:
    def __init__(self, captures: dict[str, Capture]):
        self.captures = captures

    def __len__(self) -> int:
        return len(self.captures)

    def get(self, url: str) -> Capture | None:
        return self.captures.get(url)

    def urls(self):
        return self.captures.keys()

    @classmethod
    def scan(cls, warc_dir: Path) -> PreviousCaptures:
        """Every closed WARC file's whole 200 responses, the last per URL (bodies are skipped)."""
        captures: dict[str, Capture] = {}
        for path in sorted(Path(warc_dir).glob("*.warc.gz")) if Path(warc_dir).is_dir() else []:
            try:
                with open(path, "rb") as f:
                    records = ArchiveIterator(f)
                    for rec in records:
                        if rec.rec_type != "response" or rec.http_headers is None:
                            continue
                        headers = rec.rec_headers
                        if headers.get_header("WARC-Truncated"):
                            continue
                        if rec.http_headers.get_statuscode() != "200":
                            continue
                        uri = headers.get_header("WARC-Target-URI")
                        captures[uri] = Capture(
                            Original(
                                uri=uri,
                                date=headers.get_header("WARC-Date"),
                                record_id=headers.get_header("WARC-Record-ID"),
                                payload_digest=headers.get_header("WARC-Payload-Digest"),
                            ),
                            rec.http_headers.get_header("ETag"),
                            rec.http_headers.get_header("Last-Modified"),
                            {  # as the JSON's "warc" pointer: whole, for a record read back
                                "filename": path.name,
                                "offset": records.get_record_offset(),
                                "length": records.get_record_length(),
                                "record_id": headers.get_header("WARC-Record-ID"),
                                "payload_digest": headers.get_header("WARC-Payload-Digest"),
                            },
                        )
            except Exception as exc:  # a damaged file must not stop a re-crawl
                logger.error("could not read %s for the re-crawl index: %s", path, exc)
        return cls(captures)
