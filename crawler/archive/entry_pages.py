"""The pages a reader starts from: the home page and each section's first listing page.

Pure code: no Scrapy. They are the page list of the search collection (crawler.archive
.collection), whose articles are all in its text index instead; Browsertrix lists a crawl's
seeds the same way. Each is the newest good HTML capture of the URL in the replay index,
titled by its own ``<title>``. Which URLs those are is the caller's to say (crawler.site
knows the Analyst's); by default each host's home page.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator

from .cdxj import IndexEntry
from .wacz import Page

TITLE_BYTES = 64 * 1024  # a <title> sits in the head
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title", re.IGNORECASE | re.DOTALL)


def site_roots(urls: Iterable[str]) -> list[str]:
    """Each host's home page among ``urls``: the entry pages of any collection."""
    return sorted(url for url in urls if _is_site_root(url))


def _is_site_root(url: str) -> bool:
    parts = urlsplit(url)
    return parts.path in ("", "/") and not parts.query


def entry_pages(
    index: Iterable[IndexEntry],
    archives: Mapping[str, Path],
    pick: Callable[[list[str]], list[str]] = site_roots,
) -> list[Page]:
    """Pages for the URLs ``pick`` chooses (in its order) among those with a good HTML capture
    in ``index``, each its newest such capture. ``archives``: the index's file names -> the
    files, to read titles from."""
    newest: dict[str, IndexEntry] = {}
    for entry in index:
        if entry.status != "200" or "html" not in (entry.fields.get("mime") or ""):
            continue
        if entry.url not in newest or entry.timestamp > newest[entry.url].timestamp:
            newest[entry.url] = entry
    return [_page(newest[url], archives) for url in pick(list(newest)) if url in newest]


def _page(entry: IndexEntry, archives: Mapping[str, Path]) -> Page:
    ts = entry.timestamp
    moment = f"{ts[:4]}-{ts[4:6]}-{ts[6:8]}T{ts[8:10]}:{ts[10:12]}:{ts[12:14]}Z"
    return Page(entry.url, moment, _title(entry, archives) or entry.url)


def _title(entry: IndexEntry, archives: Mapping[str, Path]) -> str | None:
    path = archives.get(entry.fields.get("filename", ""))
    try:
        offset, length = int(entry.fields["offset"]), int(entry.fields["length"])
    except (KeyError, ValueError):
        return None
    if path is None:
        return None
    with open(path, "rb") as f:
        f.seek(offset)
        record_bytes = f.read(length)  # one page's record: warcio would read on past it
    for record in ArchiveIterator(io.BytesIO(record_bytes)):
        head = record.content_stream().read(TITLE_BYTES)
        found = _TITLE.search(head)
        if found:
            charset = re.search(rb"charset=[\"']?([\w-]+)", head)
            encoding = charset.group(1).decode("ascii") if charset else "utf-8"
            try:
                text = found.group(1).decode(encoding, "replace")
            except LookupError:
                text = found.group(1).decode("utf-8", "replace")
            return " ".join(html.unescape(text).split()) or None
        return None
    return None
