"""The reading of WARC files under its first name: it lives in ``crawler.warc`` now, beside the
writing (``bodies``: HTTP bodies, ``read``: records, ``inputs``: files and their kinds)."""

from crawler.warc.bodies import (
    DEFAULT_MAX_BODY,
    BodyError,
    BodyTooLarge,
    dechunk,
    decode_body,
    is_html,
    may_be_html,
    media_type,
    payload_digest,
)
from crawler.warc.inputs import find_warc_files
from crawler.warc.read import Capture, ReadError, iter_records

__all__ = [
    "DEFAULT_MAX_BODY",
    "BodyError",
    "BodyTooLarge",
    "Capture",
    "ReadError",
    "dechunk",
    "decode_body",
    "find_warc_files",
    "is_html",
    "iter_records",
    "may_be_html",
    "media_type",
    "payload_digest",
]
