"""What a crawl tells the people and programs that ran it, in pure code (no Scrapy): the exit
status (``outcome``) and the HTML report (``html``). The Scrapy glue that gathers the facts and
writes the summary and JSON report is ``crawler.extensions.report``."""
