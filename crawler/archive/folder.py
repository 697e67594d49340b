"""An output folder as one collection: which files go into its index and WACZ, under what name.

Pure code: no Scrapy. Used by the end-of-crawl extension and by ``scrapy package``, so both
build the very same package from the same folder.
"""

from __future__ import annotations

import logging
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from crawler import __version__

from .cdxj import UnreadableWarc, indexer_version, read_cdxj, write_cdxj, write_zipnum
from .collection import search_collection_path, write_search_collection
from .entry_pages import entry_pages, site_roots
from .inputs import (
    ArchiveFile,
    BadInput,
    decompressed_copy,
    find_archive_files,
    inspect,
    is_archive_name,
    member_names,
    quiet_warcio,
    same_names,
)
from .search_text import MAX_TEXT_INDEX, encoded_size, fitted_text, text_share
from .wacz import Page, WaczResult, read_pages, write_wacz

logger = logging.getLogger(__name__)

INDEX_PATH = Path("indexes") / "index.cdxj"
ARTICLES_GLOB = "articles-*.jsonl"
_WARC_TS_RE = re.compile(r"^(?P<prefix>.+?)-(?P<ts>\d{14})\d*-\d{5,}-.+\.warc\.gz$")


class PackageError(Exception):
    """Nothing sensible can be packaged (no WARC files, a bad destination)."""


class RefusedFiles(PackageError):
    """Files that cannot go into a package: (path, one-line reason) each."""

    def __init__(self, refused: list[tuple[Path, str]]):
        self.refused = refused
        super().__init__("; ".join(f"{path}: {reason}" for path, reason in refused))


@dataclass
class PackageResult:
    wacz: WaczResult
    index: Path
    index_lines: int
    warcs: list[Path]
    pages_without_capture: list[Page] = field(default_factory=list)
    left_out: list[tuple[Path, str]] = field(default_factory=list)  # refused, with --skip-bad
    failed_captures_unindexed: int = 0  # failed captures of URLs that have a good one
    text: str = "none"  # "full" | "fitted" | "none": the body text in pages.jsonl
    search_collection: Path | None = None  # NAME-search.wacz, when pages.jsonl has no text


def find_warcs(folder: Path) -> list[Path]:
    """The WARC/ARC files to package: ``folder/warc/`` (our layout) or any under ``folder``."""
    if not folder.is_dir():
        return []
    return find_archive_files(folder)


def index_path(folder: Path, dest: Path, own_layout: bool = False) -> Path:
    """Where the flat index goes: ``indexes/index.cdxj`` of our own output folder; beside the
    WACZ (``NAME.cdxj``) for a folder other tools wrote, which is left as it was."""
    ours = own_layout or any(is_archive_name(p.name) for p in _files(folder / "warc"))
    return folder / INDEX_PATH if ours else dest.with_name(dest.stem + ".cdxj")


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.is_file()] if folder.is_dir() else []


def inspect_files(paths: Iterable[Path]) -> tuple[list[ArchiveFile], list[tuple[Path, str]]]:
    """Each file read through once: those that can be packaged (with their names in the
    package), and those refused (why)."""
    paths = list(paths)
    clashes = same_names(paths)
    good: list[ArchiveFile] = []
    refused: list[tuple[Path, str]] = []
    for path in paths:
        if path in clashes:
            refused.append((path, "a file of the same name in another subfolder goes in"))
            continue
        try:
            good.append(inspect(path))
        except BadInput as exc:
            refused.append((path, str(exc)))
        except OSError as exc:
            refused.append((path, exc.strerror or str(exc)))
    return member_names(good), refused


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
    skip_bad: bool = False,
    search_text_budget: int = 0,
    entries: Callable[[list[str]], list[str]] = site_roots,
) -> PackageResult:
    """Index the folder's WARC/ARC files into ``indexes/index.cdxj`` and package them at
    ``dest``. Every file is read through first: a damaged or cut-short one stops everything
    (RefusedFiles, nothing written) unless ``skip_bad``, which packages the rest and lists
    what was left out.

    Pages come from the folder's ``articles-*.jsonl`` (and ``article_files``); an article
    whose capture is not in the index (its WARC file gone) is left out and reported. When the
    pages are too many for ``pages.jsonl`` to carry all their text within wabac.js's limit
    and ``search_text_budget`` is set, ``NAME-search.wacz`` is written too (crawler.archive
    .collection): the same archive listing only its entry pages (``entries`` picks them among
    the captured pages; default: each host's home page) as its pages, and every article with
    that many bytes of body text in all as its text index, opened as one collection.
    """
    source = warc_dir or output_dir
    paths = find_warcs(source)
    if not paths:
        raise PackageError(f"no WARC or ARC files (.warc, .warc.gz, .arc, .arc.gz) in {source}")
    archives, refused = inspect_files(paths)
    if refused and not skip_bad:
        raise RefusedFiles(refused)
    if not archives:
        raise RefusedFiles(refused)
    index = index_path(output_dir, dest, own_layout=warc_dir is not None)
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dest.parent, prefix=".packaging-") as tmp:
        work = Path(tmp)
        members: list[tuple[Path, str]] = []
        for archive in archives:
            if archive.layout == "gzip-whole-file":
                members.append((decompressed_copy(archive, work), archive.member_name))
            else:
                members.append((archive.path, archive.member_name))
        try:
            with quiet_warcio():
                counts = write_cdxj([path for path, _ in members], index)
        except UnreadableWarc as exc:
            raise PackageError(str(exc)) from exc
        zipnum = (work / "index.cdx.gz", work / "index.idx")
        write_zipnum(index, *zipnum)
        replayable = captured(index)
        missing: list[Page] = []
        found = find_articles(output_dir, article_files)

        def pages(report: bool, text: bool = True) -> Iterator[Page]:
            for page in read_pages(found, with_text=text):
                if (page.url, ts14(page.ts)) in replayable:
                    yield page
                elif report:
                    missing.append(page)

        share = text_share(*_page_sizes(pages(False, False), pages(True)), MAX_TEXT_INDEX)
        texts = "none" if share is None else "full"

        def fitted() -> Iterator[Page]:
            nonlocal texts
            for page in pages(False):
                text = None if share is None else fitted_text(page.text or "", share)
                if text is not None and text != page.text:
                    texts = "fitted"
                yield Page(page.url, page.ts, page.title, text)

        zipnum_indexes = [(zipnum[0], "indexes/index.cdx.gz"), (zipnum[1], "indexes/index.idx")]
        result = write_wacz(
            dest,
            archives=members,
            indexes=zipnum_indexes,
            pages=fitted(),
            software=software(),
            title=title,
            description=description,
            has_text=share is not None,
        )
        search = None
        if texts != "full" and search_text_budget > 0:
            files = {path.name: path for path, _ in members}
            search = write_search_collection(
                dest,
                archives=members,
                indexes=zipnum_indexes,
                entries=entry_pages(read_cdxj(index), files, entries),
                pages=_Again(lambda: pages(False, text=True)),
                text_budget=search_text_budget,
                software=software(),
                title=title,
                description=description,
            )
        else:
            search_collection_path(dest).unlink(missing_ok=True)  # an older, larger crawl's
    for page in missing:
        logger.warning("article %s (%s) has no capture in the WARC files", page.url, page.ts)
    return PackageResult(
        result,
        index,
        counts.lines,
        [a.path for a in archives],
        missing,
        refused,
        counts.failed_left_out,
        texts,
        search,
    )


class _Again:
    """An iterable that starts over each time (pages are read from the JSON files again
    rather than held in memory: their text is most of a large collection's JSON)."""

    def __init__(self, make):
        self.make = make

    def __iter__(self):
        return iter(self.make())


def _page_sizes(bare: Iterable[Page], full: Iterable[Page]) -> tuple[list[int], list[int]]:
    """Bytes of each pages.jsonl line without its text, and what its whole text adds."""
    base = [encoded_size(p.as_json()) + 1 for p in bare]
    text = [encoded_size(p.text or "") + len(', "text": ') for p in full]
    return base, text
