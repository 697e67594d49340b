"""Fixtures shared by test modules."""

from __future__ import annotations

import pytest

from tests.helpers import REPLICA_EXIT, read_articles, run_crawl
from tests.replica import ReplicaServer


@pytest.fixture(scope="session")
def replica_crawl(tmp_path_factory) -> dict:
    """One plain crawl of the replica, for the tests that only read its output (copy the
    folder before changing anything in it)."""
    out = tmp_path_factory.mktemp("replica-crawl")
    with ReplicaServer() as site:
        proc = run_crawl(site.base_url, out)
    assert proc.returncode == REPLICA_EXIT, proc.stderr[-3000:]
    return {"out": out, "proc": proc, "articles": read_articles(out)}
