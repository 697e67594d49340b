"""A minimal Scrapy spider, outside the project: ``python benchmarks/bare_spider.py URLS USAGE C
[links]``.

It fetches every URL in the file URLS (one a line) at concurrency C per host, with Scrapy's
defaults otherwise (robots.txt obeyed, retries, cookies, compression), does nothing with the
responses, and writes its own CPU time to USAGE as JSON. No setting, module or middleware of
the project is loaded: it is what "plain Scrapy fetching the same URLs" costs.

With ``links`` it also reads each HTML page's links (``response.xpath("//a/@href")``, Scrapy's
own parse) and follows none: the least a spider pays that finds its URLs on the pages it
fetches, as every crawler of a site does.
"""

import json
import resource
import sys

import scrapy
from scrapy.crawler import CrawlerProcess


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, urls, links=False, **kwargs):
        super().__init__(**kwargs)
        self.urls = urls
        self.links = links

    async def start(self):
        for url in self.urls:
            yield scrapy.Request(url, callback=self.parse, dont_filter=True)

    def parse(self, response):
        if self.links and isinstance(response, scrapy.http.TextResponse):
            response.xpath("//a/@href").getall()
        return ()


def main() -> None:
    urls_file, usage_file, concurrency = sys.argv[1], sys.argv[2], int(sys.argv[3])
    links = sys.argv[4:] == ["links"]
    with open(urls_file, encoding="utf-8") as f:
        urls = [line.strip() for line in f if line.strip()]
    process = CrawlerProcess(
        {
            "CONCURRENT_REQUESTS": max(concurrency, 4),
            "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
            "DOWNLOAD_DELAY": 0,
            "ROBOTSTXT_OBEY": True,
            "LOG_LEVEL": "WARNING",
            "TELNETCONSOLE_ENABLED": False,
            "REDIRECT_ENABLED": False,  # the list holds both ends of every redirect
        }
    )
    process.crawl(BareSpider, urls=urls, links=links)
    process.start()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    with open(usage_file, "w") as f:
        json.dump({"cpu": usage.ru_utime + usage.ru_stime, "maxrss_kb": usage.ru_maxrss}, f)


if __name__ == "__main__":
    main()
