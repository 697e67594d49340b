"""Index and package: a CDXJ index of the WARC files and a WACZ of the collection. No Scrapy."""

from .cdxj import IndexEntry, read_cdxj, write_cdxj
from .folder import (
    INDEX_PATH,
    PackageError,
    PackageResult,
    default_name,
    find_warcs,
    package_folder,
)
from .wacz import WACZ_VERSION, Page, read_pages, write_wacz

__all__ = [
    "INDEX_PATH",
    "WACZ_VERSION",
    "IndexEntry",
    "PackageError",
    "PackageResult",
    "Page",
    "default_name",
    "find_warcs",
    "package_folder",
    "read_cdxj",
    "read_pages",
    "write_cdxj",
    "write_wacz",
]
