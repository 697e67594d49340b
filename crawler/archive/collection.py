"""The collection for ReplayWeb.page at the publication's size: opens fast, finds every article.

Pure code: no Scrapy. Two limits of wabac.js (ReplayWeb.page's engine, 2.x) meet at the real
site's ~15,000 articles:

- it writes every entry of a WACZ's ``pages/pages.jsonl`` into the browser's database before
  it shows any page (about 3 s at 15,000 entries, on the first opening);
- it reads at most 1 MiB of a single WACZ's text index (even titles stop being found past
  it), but the whole text index of every WACZ of a multi-WACZ collection (a ZIP whose
  ``datapackage.json`` has the profile ``multi-wacz-package`` and lists the WACZ files it
  holds, the layout Browsertrix downloads).

So when a collection is too large for its WACZ to carry even the titles within 1 MiB, the
package also writes ``NAME-search.wacz``, a multi-WACZ of two:

- ``NAME-replay.wacz``: the same WARC files (stored byte for byte) and ZipNum index as the
  crawl's WACZ, with a page list of the entry pages only (crawler.archive.entry_pages: the
  home page, each section's first listing page), as Browsertrix lists a crawl's seeds;
- ``NAME-text.wacz``: ``pages/extraPages.jsonl``, every article with its body text fitted to
  ``text_budget`` bytes in all (crawler.archive.search_text), which the app takes as its text
  index: its search box finds any article by title or body word, and its "Include Non-Seed
  Pages" box lists every article.

py-wacz's ``wacz validate`` (0.6) knows single WACZ files only and refuses the multi-WACZ
profile; each WACZ inside validates, and so does the crawl's own WACZ.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

from .in_place import OPEN_SUFFIX, replacing
from .search_text import encoded_size, fitted_text, text_share
from .wacz import Page, WaczWriter, described, rfc3339, write_wacz

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
    *,
    archives: Sequence[tuple[Path, str]],
    indexes: Sequence[tuple[Path, str]],
    entries: Sequence[Page],
    pages: Iterable[Page],
    text_budget: int,
    software: str,
    title: str = "",
    description: str = "",
    created: datetime | None = None,
) -> Path:
    """Write ``NAME-search.wacz`` beside ``wacz``; ``archives`` and ``indexes`` as for
    ``write_wacz``; ``pages`` may be iterated twice."""
    dest = search_collection_path(wacz)
    created = created or datetime.now(UTC)
    date_time = tuple(created.astimezone(UTC).timetuple()[:6])
    stem = wacz.name.removesuffix(".wacz")
    replay_name, text_name = f"{stem}-replay.wacz", f"{stem}-text.wacz"
    # the two WACZ files it holds, written beside it and gone once it holds them
    replay_part = dest.with_name(replay_name + OPEN_SUFFIX)
    text_part = dest.with_name(text_name + OPEN_SUFFIX)
    try:
        write_wacz(
            replay_part, archives=archives, indexes=indexes, pages=entries, software=software,
            title=title, description=description, created=created,
        )  # fmt: skip
        _write_text_wacz(text_part, pages, text_budget, software, date_time, created)
        with replacing(dest) as partial, zipfile.ZipFile(partial, "w", allowZip64=True) as zf:
            out = WaczWriter(zf, date_time)
            # stored, as the app reads the WACZ files inside by ranges
            out.add_file(replay_part, f"waczs/{replay_name}")
            out.add_file(text_part, f"waczs/{text_name}")
            out.add_datapackage(
                "multi-wacz-package", **described(title, description),
                created=rfc3339(created), software=software,
            )  # fmt: skip
    finally:
        replay_part.unlink(missing_ok=True)
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
