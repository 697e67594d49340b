"""An output folder as one collection: which files go into its index and WACZ, under what name.

Pure code: no Scrapy. Used by the end-of-crawl extension and by ``scrapy package``, so both
build the very same package from the same folder.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from crawler import __version__

from .cdxj import UnreadableWarc, indexer_version, read_cdxj, write_cdxj
from .wacz import Page, WaczResult, read_pages, write_wacz

logger = logging.getLogger(__name__)

INDEX_PATH = Path("indexes") / "index.cdxj"
ARTICLES_GLOB = "articles-*.jsonl"
_WARC_TS_RE = re.compile(r"^(?P<prefix>.+?)-(?P<ts>\d{14})\d*-\d{5,}-.+\.warc\.gz$")


class PackageError(Exception):
    """Nothing sensible can be packaged (no WARC files, a bad destination)."""


@dataclass
class PackageResult:
    wacz: WaczResult
    index: Path
    index_lines: int
    warcs: list[Path]
    pages_without_capture: list[Page] = field(default_factory=list)


def find_warcs(warc_dir: Path) -> list[Path]:
    """The finished WARC files of the folder; ``.open`` ones are still being written."""
    if not warc_dir.is_dir():
        return []
    return sorted(p for p in warc_dir.iterdir() if p.name.endswith(".warc.gz") and p.is_file())


def find_articles(output_dir: Path, extra: Iterable[Path] = ()) -> list[Path]:
    found = {p.resolve(): p for p in sorted(output_dir.glob(ARTICLES_GLOB)) if p.is_file()}
    for path in extra:
        if path.is_file():
            found.setdefault(path.resolve(), path)
    return list(found.values())


def default_name(prefix: str, warcs: Iterable[Path], started: datetime | None = None) -> str:
    """``PREFIX-YYYYMMDDhhmmss``: when the folder's first WARC file of that prefix was opened.

    Taken from the WARC names rather than the clock, so rebuilding the package of a folder
    later gives the same name and replaces the file instead of adding a second one.
    """
    stamps = [
        m.group("ts")
        for p in warcs
        if (m := _WARC_TS_RE.match(p.name)) and m.group("prefix") == prefix
    ]
    if stamps:
        return f"{prefix}-{min(stamps)}"
    return f"{prefix}-{(started or datetime.now(UTC)).astimezone(UTC):%Y%m%d%H%M%S}"


def software() -> str:
    return f"caci-analyst-archiver/{__version__} cdxj-indexer/{indexer_version()}"


def captured(index: Path) -> set[tuple[str, str]]:
    """(url, 14-digit timestamp) of every 2xx response in the index: what replay can show."""
    return {
        (entry.url, entry.timestamp)
        for entry in read_cdxj(index)
        if (entry.status or "").startswith("2")
    }


def ts14(iso: str) -> str:
    return re.sub(r"\D", "", iso)[:14]


def package_folder(
    output_dir: Path,
    dest: Path,
    *,
    warc_dir: Path | None = None,
    article_files: Iterable[Path] = (),
    title: str = "",
    description: str = "",
) -> PackageResult:
    """Index the folder's WARC files into ``indexes/index.cdxj`` and package them at ``dest``.

    Pages come from the folder's ``articles-*.jsonl`` (and ``article_files``); an article
    whose capture is not in the index (its WARC file gone) is left out and reported.
    """
    warcs = find_warcs(warc_dir or output_dir / "warc")
    if not warcs:
        raise PackageError(f"no WARC files (*.warc.gz) in {warc_dir or output_dir / 'warc'}")
    index = output_dir / INDEX_PATH
    try:
        lines = write_cdxj(warcs, index)
    except UnreadableWarc as exc:
        raise PackageError(str(exc)) from exc
    replayable = captured(index)
    missing: list[Page] = []

    def pages() -> Iterator[Page]:
        for page in read_pages(find_articles(output_dir, article_files)):
            if (page.url, ts14(page.ts)) in replayable:
                yield page
            else:
                missing.append(page)

    result = write_wacz(
        dest,
        warcs=warcs,
        index=index,
        pages=pages(),
        software=software(),
        title=title,
        description=description,
    )
    for page in missing:
        logger.warning("article %s (%s) has no capture in the WARC files", page.url, page.ts)
    return PackageResult(result, index, lines, warcs, missing)
