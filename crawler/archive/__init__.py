"""Index and package: CDXJ indexes of the WARC/ARC files and a WACZ of the collection. No Scrapy."""

from .cdxj import IndexEntry, read_cdxj, write_cdxj, write_zipnum
from .folder import (
    INDEX_PATH,
    PackageError,
    PackageResult,
    RefusedFiles,
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
    "RefusedFiles",
    "Page",
    "default_name",
    "find_warcs",
    "package_folder",
    "read_cdxj",
    "read_pages",
    "write_cdxj",
    "write_zipnum",
    "write_wacz",
]
