"""WARC/1.1 writing: records (``records``) and rotating files (``writer``); reading any WARC, ARC
or WACZ back: HTTP bodies (``bodies``), records (``read``), input files (``inputs``). No Scrapy."""

from .records import FIDELITY_POLICY, Exchange, sha1_digest, warc_date
from .writer import RecordLocation, WarcWriter

__all__ = [
    "FIDELITY_POLICY",
    "Exchange",
    "RecordLocation",
    "WarcWriter",
    "sha1_digest",
    "warc_date",
]
