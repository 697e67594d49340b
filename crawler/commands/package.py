"""`scrapy package FOLDER [-o FILE.wacz] [--skip-bad]`: (re)build the CDXJ index and WACZ.

The same work the crawl does at its end (crawler.extensions.package), for a folder written
earlier, by a crawl that was killed, with packaging turned off, or by another tool: WARC and
ARC files in any layout (see crawler.archive.inputs). Every file is read through first; each
one that is damaged or cut short costs one ``error:`` line naming it and exit code 2, and
nothing is written, unless ``--skip-bad`` packages the rest and lists what was left out.
Nothing is half-written (index and WACZ are renamed into place).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import NoReturn

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.archive import (
    PackageError,
    RefusedFiles,
    default_name,
    find_warcs,
    package_folder,
)
from crawler.archive.folder import index_path
from crawler.errors import PreflightError
from crawler.preflight import check_writable
from crawler.site import entry_urls


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_LEVEL": "WARNING"}

    def syntax(self) -> str:
        return "FOLDER [-o FILE.wacz] [--skip-bad]"

    def short_desc(self) -> str:
        return "Index the WARC files of an output folder (CDXJ) and package them as a WACZ"

    def add_options(self, parser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "-o",
            "--output",
            metavar="FILE.wacz",
            help="where to write the WACZ (default: FOLDER/<PACKAGE_NAME or derived>.wacz)",
        )
        parser.add_argument(
            "--skip-bad",
            action="store_true",
            help="package the readable files and list the damaged ones left out (default: "
            "refuse the whole folder)",
        )

    def process_options(self, args: list[str], opts) -> None:
        super().process_options(args, opts)
        if len(args) != 1:
            raise UsageError("give exactly one output folder, e.g. `scrapy package output`")

    def run(self, args: list[str], opts) -> None:
        began = time.monotonic()
        try:
            output_dir, warc_dir, dest = self.preflight(Path(args[0]), opts.output)
            result = package_folder(
                output_dir,
                dest,
                warc_dir=warc_dir,
                title=self.settings.get("PACKAGE_TITLE") or "",
                description=self.settings.get("PACKAGE_DESCRIPTION") or "",
                skip_bad=opts.skip_bad,
                search_text_budget=self.settings.getint("PACKAGE_SEARCH_TEXT_BYTES"),
                entries=entry_urls,
            )
        except RefusedFiles as exc:
            for path, reason in exc.refused:
                print(f"error: {path}: {reason}", file=sys.stderr)
            self.fail(f"{len(exc.refused)} file(s) refused, nothing written (--skip-bad "
                      "packages the rest)")  # fmt: skip
        except (PreflightError, PackageError) as exc:
            self.fail(str(exc))
        except OSError as exc:
            where = f" ({exc.filename})" if exc.filename else ""
            self.fail(f"{exc.strerror or exc}{where}")
        wacz = result.wacz
        search = result.search_collection
        print(
            f"WACZ:       {wacz.path} ({wacz.pages} pages, {len(result.warcs)} WARC files, "
            f"{wacz.size} bytes)\n"
            f"CDXJ index: {result.index} ({result.index_lines} lines)\n"
            + (
                f"Search:     {search} (for ReplayWeb.page at this size: opens fast, finds "
                "every article by title or body word)\n"
                if search
                else ""
            )
            + f"Took {time.monotonic() - began:.1f} s",
            flush=True,
        )
        for path, reason in result.left_out:
            print(f"left out: {path}: {reason}", file=sys.stderr, flush=True)
        if result.left_out:
            print(f"{len(result.left_out)} file(s) left out of the package", file=sys.stderr)
        if result.pages_without_capture:
            print(
                f"{len(result.pages_without_capture)} articles left out of the pages: their "
                "captures are not in the WARC files",
                file=sys.stderr,
                flush=True,
            )

    def preflight(self, output_dir: Path, output: str | None) -> tuple[Path, Path | None, Path]:
        try:
            import cdxj_indexer  # noqa: F401
        except ImportError:
            raise PreflightError("cdxj-indexer is missing: pip install cdxj-indexer") from None
        if not output_dir.is_dir():
            raise PreflightError(f"{output_dir} is not a folder")
        warc_dir = Path(self.settings["WARC_DIR"]) if self.settings.get("WARC_DIR") else None
        warcs = find_warcs(warc_dir or output_dir)
        if not warcs:
            raise PreflightError(
                f"no WARC or ARC files (.warc, .warc.gz, .arc, .arc.gz) in {warc_dir or output_dir}"
            )
        if output:
            dest = Path(output)
            if dest.suffix != ".wacz":
                raise PreflightError(f"the WACZ file name must end in .wacz: {output}")
            if dest.is_dir():
                raise PreflightError(f"{output} is a folder")
        else:
            name = self.settings.get("PACKAGE_NAME") or default_name(
                self.settings.get("WARC_PREFIX") or "", warcs
            )
            if Path(name).name != name:
                raise PreflightError(f"PACKAGE_NAME is a file name, not a path: {name!r}")
            dest = output_dir / f"{name.removesuffix('.wacz')}.wacz"
        check_writable(index_path(output_dir, dest, own_layout=warc_dir is not None).parent)
        check_writable(dest.parent)
        return output_dir, warc_dir, dest

    @staticmethod
    def fail(message: str) -> NoReturn:
        print(f"error: {message}", file=sys.stderr, flush=True)
        sys.exit(2)
