"""The crawl's state across runs, in pure code (no Scrapy): the journal of a JOBDIR, what
earlier crawls into the folder archived, and captures read back from the WARC files."""
