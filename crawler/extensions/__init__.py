"""Scrapy extensions of the project: WARC capture and the crawl report."""
