"""`caci-archiver crawl|extract|package ...`: the project's commands, from any folder.

``scrapy crawl analyst`` finds the project through ``scrapy.cfg`` in the checkout; archives
belong elsewhere (a checkout is not a preservation folder: ``git clean -xdf`` empties it). This
entry point names the project's settings module itself, so the same commands, with exactly the
same options, run from the archive's own folder, and ``OUTPUT_DIR`` (``output``) is there.
"""

from __future__ import annotations

import os
import sys

from crawler import __version__

COMMANDS = {
    "crawl": "crawl the Analyst into WARC files and JSON (`crawl [analyst] [options]`)",
    "extract": "article (or page) JSON from WARC, ARC and WACZ files, ours or anyone's",
    "package": "index a folder of WARC files and package it as a WACZ",
}
USAGE = (
    f"caci-analyst-archiver {__version__}\n\n"
    "usage: caci-archiver COMMAND [options]   (`caci-archiver COMMAND -h` for its options)\n\n"
    + "\n".join(f"  {name:<8} {text}" for name, text in COMMANDS.items())
)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help", "help"):
        print(USAGE)
        return 0 if args else 2
    if args[0] == "--version":
        print(__version__)
        return 0
    command = args[0]
    if command not in COMMANDS:
        print(
            f"error: unknown command {command!r}; commands: {', '.join(COMMANDS)}",
            file=sys.stderr,
        )
        return 2
    if command == "crawl" and (len(args) == 1 or args[1].startswith("-")):
        args.insert(1, "analyst")  # the project's one spider
    # this project's settings, wherever we are (Scrapy looks for scrapy.cfg only without it)
    os.environ["SCRAPY_SETTINGS_MODULE"] = "crawler.settings"
    from scrapy.cmdline import execute

    execute(["scrapy", *args])  # exits with the command's status
    return 0


if __name__ == "__main__":
    sys.exit(main())
