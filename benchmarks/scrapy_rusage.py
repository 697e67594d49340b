"""``python -m benchmarks.scrapy_rusage FILE ARGS...``: ``scrapy ARGS...``, then the process's own
peak memory and CPU time written to FILE as JSON.

RUSAGE_SELF, not the parent's RUSAGE_CHILDREN: the crawl's own memory, whatever its worker
processes use.
"""

from __future__ import annotations

import atexit
import json
import resource
import sys


def _write(path: str) -> None:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    with open(path, "w") as f:
        json.dump({"maxrss_kb": usage.ru_maxrss, "cpu": usage.ru_utime + usage.ru_stime}, f)


# guarded: worker processes import the main module again (as __mp_main__)
if __name__ == "__main__":
    atexit.register(_write, sys.argv[1])
    from scrapy.cmdline import execute

    execute(["scrapy", *sys.argv[2:]])
