"""How a crawl ended, as the exit status a cron job or a workflow engine acts on.

Pure code. The codes follow Browsertrix Crawler's where the meaning is the same (1, 3, 9, 11,
13), so that tools written for one read the other; the README has the table.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Exit(enum.IntEnum):
    OK = 0  # finished: every item the site lists is archived (or nothing was new)
    ERROR = 1  # an unexpected error in the crawler itself (a bug: please report it)
    BAD_INPUT = 2  # bad arguments or settings, found before anything was written
    OUTPUT_FAILED = 3  # WARC, JSON or report could not be written (disk full, unwritable)
    ITEMS_MISSING = 4  # finished, but items the site lists are not archived (the report names them)
    PAGES_FAILED = 9  # finished, but pages failed after every retry: run again later
    NOTHING_ARCHIVED = 10  # finished, and not one article is archived, now or before
    INTERRUPTED = 11  # stopped early (Ctrl-C, SIGTERM, a limit): run the same command
    FORCED = 13  # stopped by force (a second Ctrl-C): run the same command


CONTINUE = "run the same command to continue"


@dataclass(frozen=True)
class Outcome:
    code: Exit
    message: str  # one line for the summary and for a script's log


def crawl_outcome(stats: dict, reason: str | None) -> Outcome:
    """The exit status of a crawl from its stats and Scrapy's finish reason (None: the
    reactor was stopped before the spider closed, as a second Ctrl-C does)."""
    errors = output_errors(stats)
    if errors:
        return Outcome(Exit.OUTPUT_FAILED, f"output failed: {errors[0]}")
    if reason is None:
        return Outcome(Exit.FORCED, f"stopped by force: {CONTINUE}")
    if reason != "finished":
        return Outcome(Exit.INTERRUPTED, f"interrupted ({reason}): {CONTINUE}")
    retryable = stats.get("crawl/failed_retryable", 0)
    if retryable:
        pages = "page" if retryable == 1 else "pages"
        return Outcome(
            Exit.PAGES_FAILED,
            f"finished, but {retryable} {pages} failed after every retry (the site may have "
            f"been down): run the same command later to fetch them",
        )
    now = stats.get("item_scraped_count", 0)
    before = stats.get("recrawl/archived_before", 0) + stats.get("resume/archived_before", 0)
    if not now and not before:
        return Outcome(
            Exit.NOTHING_ARCHIVED, "finished, but no article was archived (see the failures)"
        )
    done = "finished"
    if not now:
        since = stats.get("recrawl/last_crawl")
        when = f" since {since[:19].replace('T', ' ')} UTC" if since else ""
        done = f"finished: nothing new{when}"
    missing = stats.get("completeness/missing", 0)
    if missing:
        listed = stats.get("completeness/listed", 0)
        return Outcome(
            Exit.ITEMS_MISSING,
            f"{done}, but {missing} of the {listed} items the site lists "
            f"{'is' if missing == 1 else 'are'} not in the archive (the report names each, "
            f"with the reason)",
        )
    return Outcome(Exit.OK, done)


def output_errors(stats: dict) -> list[str]:
    """Every output that failed: WARC writing, a feed (JSON) file, the report, the WACZ."""
    keys = ("warc/write_failed", "report/write_failed", "package/error")
    errors = [str(stats[key]) for key in keys if stats.get(key)]
    for key, value in stats.items():
        if key.startswith("feedexport/failed_count/") and value:
            errors.append(f"{value} JSON feed(s) could not be stored (see the log)")
    return errors
