"""The garbage collector's settings while a crawl runs, and Python's own back after it."""

from __future__ import annotations

import gc

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from crawler.extensions.garbage_collection import GarbageCollection
from tests.helpers import project_settings


def crawler_with(**settings):
    return get_crawler(settings_dict={**project_settings("GC_TUNING_"), **settings})


@pytest.fixture
def python_gc():
    before = gc.get_threshold()
    yield before
    gc.set_threshold(*before)
    gc.unfreeze()


def test_set_while_the_engine_runs_and_put_back_after(python_gc):
    ext = GarbageCollection.from_crawler(crawler_with(GC_TUNING_THRESHOLDS="20000,5,7"))
    ext.engine_started()
    assert gc.get_threshold() == (20000, 5, 7)
    assert gc.get_freeze_count() > 10_000  # what importing Scrapy left is out of collections
    young = []
    young.append(young)  # a cycle made after the freeze is still collected
    del young
    assert gc.collect() >= 1
    ext.engine_stopped()
    assert gc.get_threshold() == python_gc
    assert gc.get_freeze_count() == 0


def test_without_freezing(python_gc):
    ext = GarbageCollection.from_crawler(crawler_with(GC_TUNING_FREEZE=False))
    ext.engine_started()
    assert gc.get_threshold() == (10_000, 10, 10)  # the project's default
    assert gc.get_freeze_count() == 0
    ext.engine_stopped()
    assert gc.get_threshold() == python_gc


def test_off_leaves_python_as_it_is():
    with pytest.raises(NotConfigured, match="GC_TUNING_ENABLED is off"):
        GarbageCollection.from_crawler(crawler_with(GC_TUNING_ENABLED=False))
