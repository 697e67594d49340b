"""Loaded into the test cluster's workers with ``dask worker --preload``: the page at a URL
with ``kill-the-worker`` in it kills the worker process that extracts it, as a record that
crashes lxml or exhausts memory would. Nothing else changes."""

from __future__ import annotations

import os
import signal

from crawler import records


def poisoned(read):
    def page_from_capture(capture):
        if "kill-the-worker" in capture.url:
            os.kill(os.getpid(), signal.SIGKILL)
        return read(capture)

    page_from_capture.poisoned = True
    return page_from_capture


# a preload may run more than once in a process (nanny and worker): wrap once
if not getattr(records.page_from_capture, "poisoned", False):
    records.page_from_capture = poisoned(records.page_from_capture)
