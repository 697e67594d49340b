"""What a crawl reads back from an earlier run's output: the JSON files the FEEDS setting
wrote, and article captures from their WARC records.

Pure code (warcio, no Scrapy).
"""

from __future__ import annotations

import glob
import re
from pathlib import Path
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator

from crawler.items import ArticleCapture
from crawler.warc.bodies import BodyError, decode_body


def feed_files(feeds: dict, output_dir: str | None) -> list[Path]:
    """Local files the FEEDS setting has written, templates (``%(time)s``) expanded to globs."""
    found: list[Path] = []
    for uri in feeds:
        uri = str(uri)
        scheme = urlsplit(uri).scheme
        if scheme not in ("", "file") and len(scheme) > 1:  # s3://, ftp://: not ours to repair
            continue
        path = uri.removeprefix("file://").replace("%(output_dir)s", output_dir or ".")
        pattern = re.sub(r"%\(\w+\)s", "*", path)
        found += [Path(p) for p in sorted(glob.glob(pattern)) if Path(p).is_file()]
    return found


def capture_from_warc(
    warc_dir: Path, pointer: dict, url: str, item_id: int
) -> ArticleCapture | None:
    """The capture an exported record was made from, read back from its WARC record."""
    path = warc_dir / pointer["filename"]
    if not path.exists():
        return None
    with open(path, "rb") as f:
        f.seek(pointer["offset"])
        for record in ArchiveIterator(f):
            if record.rec_headers.get_header("WARC-Record-ID") != pointer["record_id"]:
                return None
            http = record.http_headers
            codings = [v for k, v in http.headers if k.lower() == "content-encoding"]
            try:  # the decoder `scrapy extract` uses, so both read the same bytes
                body = decode_body(
                    record.raw_stream.read(), http.get_header("Transfer-Encoding"), codings
                )
            except BodyError:
                return None
            return ArticleCapture(
                url=url,
                item_id=item_id,
                body=body,
                content_type=http.get_header("Content-Type"),
                warc=pointer,
                fetched_at=record.rec_headers.get_header("WARC-Date"),
            )
    return None
