"""Worker processes for the crawl's CPU-heavy work (article extraction), beside Twisted.

Pure code: no Scrapy. The crawl process is single-threaded Python running a reactor; work that
costs milliseconds of CPU per page has to run elsewhere or every download waits for it.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.connection import wait


def cpu_count() -> int:
    """CPUs this process may run on: a taskset or container limit, not the machine's total."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def start_method() -> str:
    """How workers start: "forkserver" where it exists, else "spawn"; never "fork".

    By the time the first page reaches a pipeline the reactor is running, with Twisted's DNS
    thread pool, the asyncio loop's descriptors, the HTTP connections and the ``.open`` WARC
    file. fork() copies all of it into the child, including locks that another thread holds at
    that instant (a child that then logs or resolves a name can deadlock) and every descriptor
    (a worker would keep the WARC file and sockets open). A forkserver is a fresh interpreter
    started with exec, single-threaded, with the extraction modules imported once; each worker
    is forked from it, so it starts in milliseconds and shares those modules' memory. "spawn"
    is as clean but imports everything again in every worker.
    """
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


def worker_pool(workers: int, preload: Sequence[str] = ()) -> ProcessPoolExecutor:
    """A process pool of ``workers`` started by :func:`start_method`, ``preload`` imported once
    in the forkserver (the setting is per process; the first pool started decides)."""
    method = start_method()
    context = multiprocessing.get_context(method)
    if method == "forkserver" and preload:
        context.set_forkserver_preload(list(preload))
    return ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker)


def _init_worker() -> None:
    # Ctrl-C goes to the whole process group. The crawl decides how to stop (finish the pages
    # in hand, then close); a worker interrupted mid-page would fail that page or break the pool.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_with_parent, args=(parent.sentinel,), daemon=True).start()


def _exit_with_parent(sentinel: int) -> None:
    # after a kill -9 of the crawl nobody tells the worker to stop: it would wait for work forever
    wait([sentinel])
    os._exit(0)
