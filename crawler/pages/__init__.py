"""Reading a fetched page in the crawl process: its one lxml parse, shared by whoever reads it
(``parsed``, Scrapy glue), and the resources it loads to replay (``requisites``, pure)."""
