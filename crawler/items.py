"""The two records that travel through the crawl.

``ArticleCapture`` is what the spider hands over: the page as fetched and where it was archived.
``Article`` is what the JSON Lines hold; its fields, in this order, are the documented schema
(``crawler/schema/article.schema.json``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields


@dataclass(slots=True)
class ArticleCapture:
    url: str
    item_id: int
    body: bytes  # decoded of any Content-Encoding, not of its charset
    content_type: str | None
    warc: dict | None  # where the response record is (filename, offset, length, ...)
    fetched_at: str | None  # the response record's WARC-Date
    section_hint: str | None = None  # slug of the listing that linked it, if any


@dataclass(slots=True)
class Article:
    url: str
    item_id: int
    section: str | None
    title: str
    authors: list[str]
    published: str | None
    issue_date: str | None
    summary: str | None
    text: str
    images: list[dict] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    pdf_urls: list[str] = field(default_factory=list)
    hits: int | None = None
    language: str | None = None
    word_count: int = 0
    fetched_at: str | None = None
    warc: dict | None = None
    extractor: dict = field(default_factory=dict)


class CheckedArticle(Article):
    """An Article already checked against the record schema where it was extracted (an
    extraction worker, off the crawl's reactor); ``schema_errors`` is the outcome (None: valid)
    and is no field of the record, so it is never exported."""

    __slots__ = ("schema_errors",)

    @classmethod
    def of(cls, article: Article, schema_errors: str | None) -> CheckedArticle:
        checked = cls.__new__(cls)
        for f in fields(Article):
            setattr(checked, f.name, getattr(article, f.name))
        checked.schema_errors = schema_errors
        return checked
