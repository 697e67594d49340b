"""What the crawl's extraction workers run, importable without the extraction itself.

The crawl process hands each job to a worker by name (pickle), so it imports this module; the
worker imports it too, on its first job. Neither should pay for more than the job needs: the
crawl process never imports trafilatura, htmldate or jsonschema (a quarter of a second at
every start), and a worker never imports Scrapy. Each job imports ``crawler.records`` where it
runs (the workers' forkserver has it loaded already).
"""

from __future__ import annotations

from collections.abc import Callable

from crawler.items import ArticleCapture


def extract_capture(capture: ArticleCapture):
    """``crawler.records.article_from_capture``."""
    from crawler.records import article_from_capture

    return article_from_capture(capture)


def extract_and_check(extract: Callable, capture: ArticleCapture):
    """``crawler.records.checked_article``: the record checked against the schema there."""
    from crawler.records import checked_article

    return checked_article(extract, capture)
