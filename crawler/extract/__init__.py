"""From captured pages to clean article records, in pure code (no Scrapy): K2's markup (``k2``),
bylines (``bylines``), dates (``dates``), the text (``article``), and the worker processes that
run extraction beside the crawl (``workers``). The record itself, its schema check and the
reading of whole archives are ``crawler.records``; what the workers run,
``crawler.extraction_jobs``."""
