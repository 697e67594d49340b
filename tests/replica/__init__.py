"""A replica of www.cacianalyst.org (Joomla 3 + K2) for end-to-end tests and the demo.

``ReplicaServer`` serves it on a loopback port; ``ARTICLES`` is its ground truth and
``expected_records(base_url)`` what a perfect extractor outputs for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .content import ARTICLES, SECTIONS, expected_boilerplate, expected_records

if TYPE_CHECKING:
    from .server import ReplicaServer

__all__ = ["ARTICLES", "SECTIONS", "ReplicaServer", "expected_boilerplate", "expected_records"]


def __getattr__(name: str):
    # Imported lazily, so that `python -m tests.replica.server` does not import the server
    # module twice (once as part of the package, once as __main__).
    if name == "ReplicaServer":
        from .server import ReplicaServer

        return ReplicaServer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
