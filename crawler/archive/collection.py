"""A multi-WACZ collection: the crawl's WACZ and its body text, opened in ReplayWeb.page as one.

Pure code: no Scrapy. wabac.js (ReplayWeb.page's engine) reads at most 1 MiB of a single
WACZ's text index, but the whole text index of every WACZ of a multi-WACZ collection (a ZIP
whose ``datapackage.json`` has the profile ``multi-wacz-package`` and lists the WACZ files it
holds, the layout Browsertrix downloads). So when a collection is too large for its WACZ to
carry even the titles within 1 MiB (about 4,000 articles), the package also writes
``NAME-search.wacz``: the crawl's WACZ, stored byte for byte, beside a small WACZ of the
pages' body text (``pages/extraPages.jsonl``, which the app takes as its text index and not
as more entries of the page list). The text is fitted to ``text_budget`` bytes in all, as in
crawler.archive.search_text, so the app's in-browser index stays a bounded size.

py-wacz's ``wacz validate`` (0.6) knows single WACZ files only and refuses this profile:
validate the crawl's WACZ itself, which the collection holds unchanged.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from .search_text import encoded_size, fitted_text, text_share
from .wacz import Page, WaczWriter, described, rfc3339

EXTRA_PAGES_HEADER = {
    "format": "json-pages-1.0",
    "id": "extra-pages",
    "title": "Body text for search",
    "hasText": True,
}


def search_collection_path(wacz: Path) -> Path:
    return wacz.with_name(wacz.name.removesuffix(".wacz") + "-search.wacz")


def write_search_collection(
    wacz: Path,
    pages: Iterable[Page],
    *,
    text_budget: int,
    software: str,
    title: str = "",
    description: str = "",
    created: datetime | None = None,
) -> Path:
    """Write ``NAME-search.wacz`` beside ``wacz``; ``pages`` may be iterated twice."""
    dest = search_collection_path(wacz)
    created = created or datetime.now(UTC)
    date_time = tuple(created.astimezone(UTC).timetuple()[:6])
    text_name = wacz.name.removesuffix(".wacz") + "-text.wacz"
    text_part = dest.with_name(text_name + ".open")
    partial = dest.with_name(dest.name + ".open")
    try:
        _write_text_wacz(text_part, pages, text_budget, software, date_time, created)
        with zipfile.ZipFile(partial, "w", allowZip64=True) as zf:
            out = WaczWriter(zf, date_time)
            # stored, as the app reads the WACZ files inside by ranges
            out.add_file(wacz, f"waczs/{wacz.name}")
            out.add_file(text_part, f"waczs/{text_name}")
            out.add_datapackage(
                "multi-wacz-package", **described(title, description),
                created=rfc3339(created), software=software,
            )  # fmt: skip
        os.replace(partial, dest)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        text_part.unlink(missing_ok=True)
    return dest


def _write_text_wacz(
    dest: Path,
    pages: Iterable[Page],
    budget: int,
    software: str,
    date_time: tuple[int, ...],
    created: datetime,
) -> None:
    base = [encoded_size(Page(p.url, p.ts, p.title).as_json()) + 1 for p in pages]
    sizes = [encoded_size(p.text or "") + len(', "text": ') for p in pages]
    share = text_share(base, sizes, budget) or 0

    def lines() -> Iterator[dict]:
        yield EXTRA_PAGES_HEADER
        for page in pages:
            yield Page(page.url, page.ts, page.title, fitted_text(page.text or "", share)).as_json()

    with zipfile.ZipFile(dest, "w", allowZip64=True) as zf:
        out = WaczWriter(zf, date_time)
        out.add_lines("pages/extraPages.jsonl", lines())
        out.add_datapackage(
            "data-package", title="Body text for search", created=rfc3339(created),
            software=software,
        )  # fmt: skip
