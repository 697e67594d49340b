"""The replica "two weeks later": new articles on top of the listings, one article corrected.

``two_weeks_later()`` changes the live replica (the content module's lists, which every route
reads) and puts everything back on exit, so one server can be crawled before and after.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from .content import ARTICLES, BY_ID, Block

FIRST_NEW_ID = 13918  # the newest id seen on the real site is 13917 (January 2026)
CORRECTED_ID = 13640
CORRECTION = (
    "Correction: an earlier version of this article misstated the date of the agreement; "
    "it was signed in March, not in May."
)


def _sources(section: str, n: int):
    plain = [
        a for a in ARTICLES
        if a.section == section and not a.images and not a.pdfs and a.encoding == "utf-8"
    ]  # fmt: skip
    return sorted(plain, key=lambda a: a.item_id)[:n]


def _new_articles() -> list:
    start = datetime(2026, 2, 4, 10, 0)
    plan = [*_sources("analytical-articles", 3), *_sources("feature-articles", 2)]
    added = []
    for n, source in enumerate(plan):
        item_id = FIRST_NEW_ID + n
        title = f"New Developments in the Region, Part {n + 1}"
        added.append(
            dataclasses.replace(
                source,
                item_id=item_id,
                alias=f"new-developments-in-the-region-part-{n + 1}",
                title=title,
                created=start + timedelta(days=n),
                hits=5,
            )
        )
    return added


def corrected(article):
    body = (Block("p", CORRECTION), *article.body)
    return dataclasses.replace(article, body=body, modified=datetime(2026, 2, 10, 9, 0))


@contextmanager
def two_weeks_later() -> Iterator[tuple[list, object]]:
    saved_list, saved_map = list(ARTICLES), dict(BY_ID)
    added = _new_articles()
    fixed = corrected(BY_ID[CORRECTED_ID])
    ARTICLES[:] = [fixed if a.item_id == CORRECTED_ID else a for a in ARTICLES] + added
    BY_ID.clear()
    BY_ID.update({a.item_id: a for a in ARTICLES})
    try:
        yield added, fixed
    finally:
        ARTICLES[:] = saved_list
        BY_ID.clear()
        BY_ID.update(saved_map)
