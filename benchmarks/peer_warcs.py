"""`scrapy extract --all-pages` over other tools' WARC and ARC files, against warcio and
trafilatura alone.

``python -m benchmarks.peer_warcs [FOLDER] [--max-page BYTES]``

FOLDER defaults to ``../shared/peer-warcs`` beside the checkout (evaluation data, read in
place: nothing is copied). For every file in it, in name order:

- warcio: the HTML 200 responses (and HTML resource records) that ``warcio``'s
  ``ArchiveIterator(arc2warc=True)`` yields before it stops, each body read through warcio's
  own decoding (``content_stream()``) and given to bare ``trafilatura.extract``: the pages a
  user could have got with warcio and trafilatura alone;
- ours: the real command in a process of its own, its wall time and peak memory (its
  ``VmHWM``, watched while it runs), the records it wrote and the lines it said;
- lost: warcio pages trafilatura alone reads text from, of at most ``--max-page`` bytes (the
  command's EXTRACT_MAX_PAGE_BYTES: larger pages are skipped by design, with a line), that
  have no record (matched by record offset, else by URL);
- worse: records with more U+FFFD in their text than trafilatura alone gives on the same page.

Goal: no file loses a page warcio can read; no page has more U+FFFD than trafilatura's.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.common import ROOT

DEFAULT_FOLDER = ROOT.parent / "shared" / "peer-warcs"
HTML = ("text/html", "application/xhtml+xml")


@dataclass
class WarcioPage:
    offset: int
    url: str
    size: int
    fffd: int | None  # in trafilatura's text; None: trafilatura found no text
    too_large: bool = False


@dataclass
class Row:
    name: str
    warcio_pages: list[WarcioPage] = field(default_factory=list)
    warcio_stopped: str = ""
    written: int = 0
    lost: list[str] = field(default_factory=list)
    worse: list[str] = field(default_factory=list)
    fffd_ours: int = 0
    fffd_alone: int = 0
    seconds: float = 0.0
    peak_mb: float = 0.0
    exit: int = 0
    said: int = 0
    last_line: str = ""


def warcio_pages(path: Path, max_page: int) -> tuple[list[WarcioPage], str]:
    """What warcio alone reads, and why it stopped if it did not reach the end."""
    import trafilatura
    from warcio.archiveiterator import ArchiveIterator

    pages: list[WarcioPage] = []
    stopped = ""
    with open(path, "rb") as fh, contextlib.redirect_stderr(io.StringIO()):
        it = ArchiveIterator(fh, arc2warc=True)
        try:
            for rec in it:
                if rec.rec_type == "response" and rec.http_headers is not None:
                    if rec.http_headers.get_statuscode() != "200":
                        continue
                    kind = rec.http_headers.get_header("Content-Type") or ""
                elif rec.rec_type == "resource":
                    kind = rec.rec_headers.get_header("Content-Type") or ""
                else:
                    continue
                if not kind.split(";")[0].strip().lower().startswith(HTML):
                    continue
                url = rec.rec_headers.get_header("WARC-Target-URI") or ""
                stream = rec.content_stream() if rec.http_headers is not None else rec.raw_stream
                body = stream.read(max_page + 1)
                offset = it.get_record_offset()
                if len(body) > max_page:
                    pages.append(WarcioPage(offset, url, len(body), None, too_large=True))
                    continue
                text = trafilatura.extract(body) if body.strip() else None
                pages.append(
                    WarcioPage(offset, url, len(body), text.count("\ufffd") if text else None)
                )
        except Exception as exc:  # warcio gives up on the file here
            stopped = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0][:60]}"
    return pages, stopped


def _peak_kb(pid: int, done: threading.Event, peak: list[int]) -> None:
    """The process's VmHWM until it ends. (``ru_maxrss`` from ``wait4`` would not do: Linux
    carries a process's high-water mark over fork and exec, so a child would show this
    script's own size.)"""
    while not done.is_set():
        try:
            with open(f"/proc/{pid}/status", "rb") as f:
                for line in f:
                    if line.startswith(b"VmHWM:"):
                        peak[0] = max(peak[0], int(line.split()[1]))
        except (OSError, ValueError):
            pass
        done.wait(0.02)


def run_ours(path: Path, out: Path, max_page: int) -> tuple[float, float, int, str]:
    cmd = [sys.executable, "-m", "scrapy", "extract", "--all-pages", str(path), "-o", str(out)]
    cmd += ["-s", f"EXTRACT_MAX_PAGE_BYTES={max_page}"]
    started = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err)
        done, peak = threading.Event(), [0]
        watcher = threading.Thread(target=_peak_kb, args=(proc.pid, done, peak), daemon=True)
        watcher.start()
        returncode = proc.wait()
        done.set()
        watcher.join()
        wall = time.perf_counter() - started
        err.seek(0)
        said = err.read().decode("utf-8", "replace")
    return wall, peak[0] / 1024, returncode, said


def measure(path: Path, max_page: int, tmp: Path) -> Row:
    import trafilatura

    row = Row(path.name)
    row.warcio_pages, row.warcio_stopped = warcio_pages(path, max_page)
    out = tmp / "out.jsonl"
    row.seconds, row.peak_mb, row.exit, said = run_ours(path, out, max_page)
    lines = [line for line in said.splitlines() if line.strip()]
    row.said = max(0, len(lines) - 1)
    row.last_line = lines[-1] if lines else ""
    records = [json.loads(line) for line in out.read_bytes().splitlines()] if out.exists() else []
    row.written = len(records)
    by_offset = {r["warc"]["offset"]: r for r in records}
    by_url = {r["url"]: r for r in records}
    for page in row.warcio_pages:
        record = by_offset.get(page.offset) or by_url.get(page.url)
        if record is None:
            if page.fffd is not None and not page.too_large:
                row.lost.append(page.url)
            continue
        ours = record["text"].count("\ufffd")
        alone = page.fffd or 0
        row.fffd_ours += ours
        row.fffd_alone += alone
        if ours > alone:
            row.worse.append(f"{page.url} ({ours} vs {alone})")
    # pages warcio does not reach (it gave up on the file): U+FFFD against trafilatura alone
    # on the body our reader decoded
    seen = {p.offset for p in row.warcio_pages} | {p.url for p in row.warcio_pages}
    extra = [r for r in records if r["warc"]["offset"] not in seen and r["url"] not in seen]
    if extra:
        from crawler.warc.read import Capture, iter_records

        wanted = {r["warc"]["offset"]: r for r in extra}
        for event in iter_records(path, lambda c: True, max_page):
            if isinstance(event, Capture) and event.warc.get("offset") in wanted and event.body:
                text = trafilatura.extract(event.body) or ""
                ours = wanted[event.warc["offset"]]["text"].count("\ufffd")
                row.fffd_ours += ours
                row.fffd_alone += text.count("\ufffd")
                if ours > text.count("\ufffd"):
                    row.worse.append(f"{event.url} ({ours} vs {text.count(chr(0xFFFD))})")
    if out.exists():
        out.unlink()
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", default=str(DEFAULT_FOLDER))
    parser.add_argument("--max-page", type=int, default=None, help="EXTRACT_MAX_PAGE_BYTES")
    args = parser.parse_args(argv)
    folder = Path(args.folder)
    if not folder.is_dir():
        print(f"no folder {folder}: nothing to measure")
        return 0
    if args.max_page is None:
        from crawler import settings

        args.max_page = settings.EXTRACT_MAX_PAGE_BYTES
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix != ".md")
    head = (
        f"{'file':58} {'warcio':>6} {'ours':>5} {'lost':>4} {'FFFD ours/alone':>15} "
        f"{'worse':>5} {'s':>6} {'MB':>6} {'exit':>4} {'said':>4}"
    )
    print(head)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for path in files:
            row = measure(path, args.max_page, Path(tmp))
            rows.append(row)
            note = f"  warcio stopped: {row.warcio_stopped}" if row.warcio_stopped else ""
            print(
                f"{row.name[:58]:58} {len(row.warcio_pages):>6} {row.written:>5} "
                f"{len(row.lost):>4} {f'{row.fffd_ours}/{row.fffd_alone}':>15} "
                f"{len(row.worse):>5} {row.seconds:>6.1f} {row.peak_mb:>6.0f} {row.exit:>4} "
                f"{row.said:>4}{note}",
                flush=True,
            )
            for url in row.lost:
                print(f"    lost: {url}")
            for what in row.worse:
                print(f"    more U+FFFD than trafilatura alone: {what}")
    total_warcio = sum(len(r.warcio_pages) for r in rows)
    readable = sum(1 for r in rows for p in r.warcio_pages if p.fffd is not None)
    print(
        f"totals: {len(rows)} files; warcio finds {total_warcio} HTML 200 pages "
        f"({readable} with text for trafilatura alone); ours wrote "
        f"{sum(r.written for r in rows)}; lost {sum(len(r.lost) for r in rows)}; "
        f"U+FFFD ours {sum(r.fffd_ours for r in rows)} vs trafilatura alone "
        f"{sum(r.fffd_alone for r in rows)}, pages worse {sum(len(r.worse) for r in rows)}; "
        f"{sum(r.seconds for r in rows):.0f} s in all, peak memory "
        f"{max((r.peak_mb for r in rows), default=0):.0f} MB; exit codes "
        f"{sorted({r.exit for r in rows})}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
