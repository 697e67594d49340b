"""A file written beside its final name and renamed into place: readers of the old file never
see a half-written new one, and a failure leaves the old file (or none) and no debris.

Pure code: no Scrapy.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

OPEN_SUFFIX = ".open"


@contextmanager
def replacing(dest: Path, suffix: str = OPEN_SUFFIX) -> Iterator[Path]:
    """The path to write ``dest`` at; renamed over ``dest`` when the block ends, removed if
    the block raises."""
    partial = dest.with_name(dest.name + suffix)
    try:
        yield partial
        os.replace(partial, dest)
    finally:
        partial.unlink(missing_ok=True)
