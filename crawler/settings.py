"""Every default of the project, grouped. Override any of them with ``-s NAME=VALUE``."""

from scrapy.settings import default_settings

BOT_NAME = "caci-analyst-archiver"
SPIDER_MODULES = ["spiders"]  # where `scrapy crawl analyst` finds the spider
NEWSPIDER_MODULE = "spiders"  # where `scrapy genspider` would put a new one
COMMANDS_MODULE = "crawler.commands"  # our `crawl` (preflight, exit codes) and extra commands

# --- The site -------------------------------------------------------------------------------
ANALYST_BASE_URL = "https://www.cacianalyst.org/"  # canonical site; `-a base_url=` crawls a mirror
ANALYST_SECTIONS = ""  # comma-separated section slugs to crawl; empty means all four
ANALYST_FOLLOW_PDFS = True  # also archive the PDFs that articles link to
ANALYST_FOLLOW_MENUS = True  # also archive the home page and the pages of the site's menus
ANALYST_FOLLOW_FULL_IMAGES = True  # also archive the full-size images that articles link to
ANALYST_FOLLOW_ALIASES = (
    True  # also archive an article's other linked addresses (/component/k2/item/...)
)
ANALYST_MAX_LISTING_PAGES = 5000  # per section: a bound against pagination traps
ANALYST_REFRESH = "new"  # re-crawl into an archive: "new" articles only, or "all" (corrections)
ANALYST_PREFLIGHT_TIMEOUT = 10.0  # seconds to wait for the base URL's host to accept a connection

# --- Politeness (the real site is a small non-profit's server) ------------------------------
CONTACT_URL = "https://www.cacianalyst.org/"  # who runs this crawl; put your own page here
USER_AGENT = "caci-analyst-archiver/{version} (+{contact_url})"  # {placeholders} are filled in
ROBOTSTXT_OBEY = True  # obey robots.txt, and archive it
CONCURRENT_REQUESTS = 4  # global cap; the per-host cap below is what the site feels
CONCURRENT_REQUESTS_PER_DOMAIN = 1  # one request at a time per host
DOWNLOAD_DELAY = 2.0  # seconds between requests to the site (tests lower it with -s)
DOWNLOAD_DELAY_JITTER = 0.5  # each delay varies by up to +-50%, as a person's would
AUTOTHROTTLE_ENABLED = True  # back off when the server slows down
AUTOTHROTTLE_START_DELAY = 2.0  # first delay AutoThrottle uses
AUTOTHROTTLE_MAX_DELAY = 60.0  # slowest it will go
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0  # never more than one request in flight on average
COOKIES_ENABLED = True  # Joomla sets a session cookie; sending it back is what browsers do
TELNETCONSOLE_ENABLED = False  # no listening ports on an archiving machine...
REMOTE_CONTROL_ENABLED = False  # ...and no remote-control HTTP server either
# Scrapy's own extensions less that server's, whose import (aiohttp) costs every start 0.15 s
EXTENSIONS_BASE = {
    path: order
    for path, order in default_settings.EXTENSIONS_BASE.items()
    if path != "scrapy.extensions.remote_control.RemoteControl"
}
DOWNLOAD_TIMEOUT = 60  # seconds before a request is given up
RETRY_ENABLED = True  # 5xx, 429 and timeouts are retried...
RETRY_TIMES = 3  # ...this many times
RETRY_AFTER_ENABLED = True  # 429/503 with Retry-After: wait as asked (host paused), then retry
RETRY_AFTER_HTTP_CODES = [429, 503]  # the statuses whose Retry-After is honoured
RETRY_AFTER_MAX_WAIT = 300  # seconds; a longer Retry-After is not waited for
ROBOTSTXT_MAX_CRAWL_DELAY = 60  # seconds; a longer Crawl-delay in robots.txt is capped here
REDIRECT_MAX_TIMES = 5  # a redirect chain longer than this is a loop: reported, not followed
DOWNLOADER_MIDDLEWARES = {
    # Scrapy's, plus RFC 9309 (5xx robots.txt: disallow all) and Crawl-delay
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.downloadermiddlewares.robotstxt.PoliteRobotsTxtMiddleware": 100,
    # sees 429/503 before Scrapy's RetryMiddleware (550) does
    "crawler.downloadermiddlewares.retry_after.RetryAfterMiddleware": 560,
}
DOWNLOAD_FAIL_ON_DATALOSS = False  # keep (and archive) bodies cut short; the spider retries them

DOWNLOAD_HANDLERS = {  # Scrapy's HTTP/1.1 handler, keeping each response head as received
    "http": "crawler.wire.WireHTTP11DownloadHandler",
    "https": "crawler.wire.WireHTTP11DownloadHandler",
}

# --- Crawl state across runs (crawler.spidermiddlewares.crawl_state) ------------------------
STATE_ENABLED = True  # skip what earlier crawls archived, re-export lost JSON, keep a journal
STATE_JOURNAL_FSYNC = True  # with JOBDIR: fsync each journal line, so kill -9 loses nothing

# --- Page requisites (crawler.spidermiddlewares.requisites) ---------------------------------
REQUISITES_ENABLED = True  # also archive the stylesheets, scripts, images and fonts pages use

# --- Output ---------------------------------------------------------------------------------
OUTPUT_DIR = "output"  # WARC files go to OUTPUT_DIR/warc, JSON Lines to OUTPUT_DIR
FEEDS = {  # the article JSON; -o/-O replace it as usual; %(output_dir)s is the spider's
    "%(output_dir)s/articles-%(time)s.jsonl": {"format": "jsonlines", "encoding": "utf8"},
}
FEED_STORE_EMPTY = False  # no empty JSON file when a crawl archived nothing
FEED_EXPORT_ENCODING = "utf-8"  # keep Cyrillic, Turkish and Azerbaijani names readable

# --- WARC capture (crawler.extensions.warc_capture) ----------------------------------------
WARC_ENABLED = True  # capture every HTTP exchange into WARC files
WARC_DIR = ""  # where WARC files go; empty means OUTPUT_DIR/warc
WARC_PREFIX = "analyst"  # first part of every WARC file name
WARC_MAX_SIZE = 1_000_000_000  # rotate to a new file once one reaches this many bytes
WARC_MAX_BODY_SIZE = 200_000_000  # keep at most this many body bytes; longer: WARC-Truncated
WARC_MAX_DECODED_SIZE = 50_000_000  # refuse to decompress a body beyond this (gzip bombs)
WARC_GZIP_LEVEL = 6  # zlib level of each record's gzip member
WARC_OPERATOR = ""  # warcinfo `operator`: who ran the crawl (name, e-mail)
WARC_IS_PART_OF = "cacianalyst"  # warcinfo `isPartOf`: the collection these files belong to
WARC_DESCRIPTION = (
    "Central Asia-Caucasus Analyst (www.cacianalyst.org), archiving crawl"  # warcinfo
)

# --- Extraction and validation (crawler.pipelines) ------------------------------------------
EXTRACT_ENABLED = True  # turn captured article pages into clean JSON records
EXTRACT_WORKERS = -1  # extraction processes: -1 one per CPU, 0 none (in the crawl, to debug)
EXTRACT_MAX_PENDING = 16  # pages in the workers' hands at most; beyond that the spider waits
VALIDATE_ENABLED = True  # check every record against crawler/schema/article.schema.json

# --- Re-extraction from archives (scrapy extract) --------------------------------------------
EXTRACT_MAX_PAGE_BYTES = 10_000_000  # larger pages (decoded) are reported and skipped, not read
VALIDATE_DROP_INVALID = True  # drop (and count) records that fail the schema

# --- Crawl report (crawler.extensions.report) ----------------------------------------------
REPORT_ENABLED = True  # print a summary at the end of the crawl
REPORT_PROGRESS_INTERVAL = 60.0  # seconds between progress lines in the log (0: none)
REPORT_HTML = True  # also write OUTPUT_DIR/reports/crawl-TIME.html, for a browser

# --- The crawl process's garbage collector (crawler.extensions.garbage_collection) -------------
GC_TUNING_ENABLED = True  # set Python's cyclic collector for a crawl while the engine runs
GC_TUNING_THRESHOLDS = [10_000, 10, 10]  # gc.set_threshold (Python's own: 700, 10, 10)
GC_TUNING_FREEZE = True  # leave start-up's objects out of every collection (gc.freeze)

# --- Components -----------------------------------------------------------------------------
EXTENSIONS = {
    "crawler.extensions.garbage_collection.GarbageCollection": 50,  # before any other starts
    "crawler.extensions.warc_capture.WarcCapture": 100,  # before FeedExporter closes feeds
    "crawler.extensions.package.WaczPackage": 950,  # CDXJ + WACZ once everything is closed
    "crawler.extensions.report.CrawlReport": 990,  # the summary, last: it tells all of the above
}
SPIDER_MIDDLEWARES = {
    # next to the spider (highest numbers), so Scrapy's own see only the requests that go out
    "crawler.spidermiddlewares.requisites.Requisites": 960,  # adds each page's requisites
    "crawler.spidermiddlewares.crawl_state.CrawlState": 950,  # drops what earlier runs did
}
ITEM_PIPELINES = {
    "crawler.pipelines.ExtractionPipeline": 300,  # capture -> clean article record
    "crawler.pipelines.ValidationPipeline": 800,  # record -> checked against the JSON Schema
}

# --- Scrapy housekeeping --------------------------------------------------------------------
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"  # Scrapy's default
LOG_LEVEL = "INFO"  # per-request DEBUG lines drown the summary on long crawls
# Scrapy reads each generator callback's source again for every response (its cache misses on
# bound methods): a tenth of the crawl process's CPU; ruff checks our callbacks instead
WARN_ON_GENERATOR_RETURN_VALUE = False
# a page gives at most one article: Scrapy's default (100) starts 100 tasks per response
CONCURRENT_ITEMS = 8

# --- Index and package (crawler.extensions.package) ---
PACKAGE_ENABLED = True  # after the crawl: CDXJ index to OUTPUT_DIR/indexes, WACZ to OUTPUT_DIR
PACKAGE_NAME = ""  # WACZ name without .wacz; empty: WARC_PREFIX-<time of the first WARC file>
PACKAGE_TITLE = "Central Asia-Caucasus Analyst (www.cacianalyst.org)"  # datapackage.json title
PACKAGE_DESCRIPTION = (  # datapackage.json description, shown by ReplayWeb.page (Markdown)
    "Archiving crawl of the Central Asia-Caucasus Analyst (www.cacianalyst.org) in WARC files; "
    "one page entry per archived article."
)
# too many articles for the WACZ to carry all body text within ReplayWeb.page's 1 MiB: also
# write NAME-search.wacz (entry pages as page list, this much article text as index); 0: never
PACKAGE_SEARCH_TEXT_BYTES = 32 * 1024 * 1024

# --- `scrapy extract --cluster` (crawler.cluster) ---
EXTRACT_CLUSTER_UNIT_BYTES = 32_000_000  # WARC bytes per task: large files cut, small batched
EXTRACT_CLUSTER_CONNECT_TIMEOUT = 20.0  # seconds to reach the Dask scheduler before giving up
