"""Checks before a crawl writes anything: every setting's type and range, and every output.

Pure code: settings are read through ``.get(name)`` (a Scrapy ``Settings`` or a dict). A bad
value is one ``PreflightError`` naming the setting, what it must be, and what it got, so the
command can print one line and exit 2 before any request or file. Without this, a typo costs a
whole crawl: ``WARC_GZIP_LEVEL=12`` fetched the site and archived nothing.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from crawler.errors import PreflightError

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_HOST = re.compile(r"[\w.-]+|[0-9a-f:.]+", re.I)  # a name, an IPv4 or an IPv6 address


@dataclass(frozen=True)
class Rule:
    kind: str  # bool, int, float, str, ints (a list of integers), choice, dict
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    check: str = ""  # for str: "url", "name" (a file name part), "nonempty"
    size: int | None = None  # for ints: exactly this many

    def describe(self) -> str:
        if self.kind == "bool":
            return "true or false"
        if self.kind == "dict":
            return "a JSON object"
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices)
        if self.kind == "ints":
            many = f"{self.size} integers" if self.size else "integers"
            return f"a list of {many} {self.low:g}-{self.high:g}"
        if self.kind in ("int", "float"):
            noun = "an integer" if self.kind == "int" else "a number"
            if self.low is not None and self.high is not None:
                return f"{noun} {self.low:g}-{self.high:g}"
            if self.low is not None:
                return f"{noun} >= {self.low:g}" if self.low else f"{noun} >= 0"
            return noun
        return {
            "url": "an http(s) URL",
            "url?": "an http(s) URL",
            "name": "a file name without / or spaces",
            "nonempty": "a non-empty text",
        }.get(self.check, "a text")


BOOL = Rule("bool")
SECONDS = Rule("float", 0)
COUNT = Rule("int", 1)
BYTES = Rule("int", 0)
TEXT = Rule("str")

#: Every setting the project reads, ours and Scrapy's that the crawl relies on.
RULES: dict[str, Rule] = {
    # the site
    "ANALYST_BASE_URL": Rule("str", check="url?"),  # empty: -a base_url must say it
    "ANALYST_SECTIONS": TEXT,  # checked against the section names by the spider's preflight
    "ANALYST_FOLLOW_PDFS": BOOL,
    "ANALYST_FOLLOW_MENUS": BOOL,
    "ANALYST_FOLLOW_FULL_IMAGES": BOOL,
    "ANALYST_FOLLOW_ALIASES": BOOL,
    "ANALYST_MAX_LISTING_PAGES": COUNT,
    "ANALYST_REFRESH": Rule("choice", choices=("new", "all")),
    "ANALYST_PREFLIGHT_TIMEOUT": Rule("float", 0.1, 600),
    "STATE_ENABLED": BOOL,
    "STATE_JOURNAL_FSYNC": BOOL,
    "REQUISITES_ENABLED": BOOL,
    # politeness
    "CONTACT_URL": Rule("str", check="url"),
    "USER_AGENT": Rule("str", check="nonempty"),
    "ROBOTSTXT_OBEY": BOOL,
    "CONCURRENT_REQUESTS": COUNT,
    "CONCURRENT_REQUESTS_PER_DOMAIN": COUNT,
    "CONCURRENT_ITEMS": COUNT,
    "WARN_ON_GENERATOR_RETURN_VALUE": BOOL,
    "DOWNLOAD_DELAY": SECONDS,
    "DOWNLOAD_DELAY_JITTER": Rule("float", 0, 1),
    "AUTOTHROTTLE_ENABLED": BOOL,
    "AUTOTHROTTLE_START_DELAY": SECONDS,
    "AUTOTHROTTLE_MAX_DELAY": SECONDS,
    "AUTOTHROTTLE_TARGET_CONCURRENCY": Rule("float", 0.01),
    "COOKIES_ENABLED": BOOL,
    "DOWNLOAD_TIMEOUT": Rule("float", 0.1),
    "RETRY_ENABLED": BOOL,
    "RETRY_TIMES": Rule("int", 0),
    "RETRY_AFTER_ENABLED": BOOL,
    "RETRY_AFTER_HTTP_CODES": Rule("ints", 100, 599),
    "RETRY_AFTER_MAX_WAIT": SECONDS,
    "ROBOTSTXT_MAX_CRAWL_DELAY": SECONDS,
    "REDIRECT_MAX_TIMES": Rule("int", 0),
    "DOWNLOAD_FAIL_ON_DATALOSS": BOOL,
    "DOWNLOAD_MAXSIZE": BYTES,
    "DOWNLOAD_WARNSIZE": BYTES,
    "HTTPCACHE_ENABLED": BOOL,
    "DOWNLOAD_HANDLERS": Rule("dict"),
    "CLOSESPIDER_TIMEOUT": SECONDS,
    "CLOSESPIDER_ITEMCOUNT": Rule("int", 0),
    "CLOSESPIDER_PAGECOUNT": Rule("int", 0),
    "CLOSESPIDER_ERRORCOUNT": Rule("int", 0),
    "LOG_LEVEL": Rule("choice", choices=("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")),
    # output
    "OUTPUT_DIR": Rule("str", check="nonempty"),
    "WARC_ENABLED": BOOL,
    "WARC_DIR": TEXT,
    "WARC_PREFIX": Rule("str", check="name"),
    # smaller than one exchange would give a file per exchange
    "WARC_MAX_SIZE": Rule("int", 10_000),
    "WARC_MAX_BODY_SIZE": BYTES,
    "WARC_MAX_DECODED_SIZE": BYTES,
    "WARC_GZIP_LEVEL": Rule("int", 0, 9),
    "WARC_OPERATOR": TEXT,
    "WARC_IS_PART_OF": TEXT,
    "WARC_DESCRIPTION": TEXT,
    "EXTRACT_ENABLED": BOOL,
    "EXTRACT_WORKERS": Rule("int", -1, 256),
    "EXTRACT_MAX_PENDING": COUNT,
    "EXTRACT_MAX_PAGE_BYTES": COUNT,  # scrapy extract
    "EXTRACT_CLUSTER_UNIT_BYTES": COUNT,
    "EXTRACT_CLUSTER_CONNECT_TIMEOUT": Rule("float", 0.1),
    "VALIDATE_ENABLED": BOOL,
    "VALIDATE_DROP_INVALID": BOOL,
    "REPORT_ENABLED": BOOL,
    "REPORT_PROGRESS_INTERVAL": SECONDS,
    "REPORT_HTML": BOOL,
    "PACKAGE_ENABLED": BOOL,
    "PACKAGE_NAME": Rule("str", check="name?"),
    "PACKAGE_TITLE": TEXT,
    "PACKAGE_DESCRIPTION": TEXT,
    "PACKAGE_SEARCH_TEXT_BYTES": Rule("int", low=0),
    # the crawl process
    "GC_TUNING_ENABLED": BOOL,
    "GC_TUNING_THRESHOLDS": Rule("ints", 1, 999_999, size=3),
    "GC_TUNING_FREEZE": BOOL,
}


def _number(rule: Rule, value):
    if isinstance(value, bool):
        raise ValueError
    if rule.kind == "int":
        if isinstance(value, float):
            if not value.is_integer():
                raise ValueError
            return int(value)
        return int(str(value).strip())
    number = float(str(value).strip())
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError
    return number


def check_value(name: str, rule: Rule, value) -> None:
    """Raises PreflightError when ``value`` breaks ``rule``."""

    def bad() -> PreflightError:
        return PreflightError(f"{name} must be {rule.describe()}, got {value!r}")

    if rule.kind == "bool":
        if isinstance(value, bool) or value in (0, 1):
            return
        if not isinstance(value, str) or value.strip().lower() not in _TRUE | _FALSE:
            raise bad()
    elif rule.kind in ("int", "float"):
        try:
            number = _number(rule, value)
        except (TypeError, ValueError):
            raise bad() from None
        if (rule.low is not None and number < rule.low) or (
            rule.high is not None and number > rule.high
        ):
            raise bad()
    elif rule.kind == "ints":
        items = value.split(",") if isinstance(value, str) else value
        try:
            numbers = [int(str(v).strip()) for v in items]
        except (TypeError, ValueError):
            raise bad() from None
        if any(not rule.low <= n <= rule.high for n in numbers):
            raise bad()
        if rule.size is not None and len(numbers) != rule.size:
            raise bad()
    elif rule.kind == "dict":
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                raise bad() from None
        if not isinstance(value, Mapping):
            raise bad()
    elif rule.kind == "choice":
        if str(value).strip().lower() not in {c.lower() for c in rule.choices}:
            raise bad()
    elif rule.kind == "str":
        if not isinstance(value, str):
            raise bad()
        text = value.strip()
        if rule.check == "nonempty" and not text:
            raise bad()
        if rule.check == "url?" and not text:
            return
        if rule.check in ("url", "url?"):
            parts = urlsplit(text if "://" in text else f"https://{text}")
            host = parts.hostname or ""
            if parts.scheme not in ("http", "https") or not _HOST.fullmatch(host):
                raise bad()
        if rule.check in ("name", "name?"):
            if not text and rule.check == "name":
                raise bad()
            if re.search(r"[\s/\\]", text) or text in (".", ".."):
                raise bad()


def check_settings(settings, given: set[str] = frozenset(), known: set[str] = frozenset()):
    """Every rule against the settings; ``given`` are the names set on the command line, and
    one close to a known name (``known``) but not it is a typo, refused too."""
    for name, rule in RULES.items():
        value = settings.get(name)
        if value is not None:
            check_value(name, rule, value)
    names = set(RULES) | set(known)
    for name in sorted(given - names):
        close = difflib.get_close_matches(name, names, n=1, cutoff=0.85)
        if close:
            raise PreflightError(f"unknown setting {name}; did you mean {close[0]}?")


def check_writable(folder: Path, what: str = "output folder") -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise PreflightError(f"{what} {folder} is not writable: {exc.strerror or exc}") from None


def feed_path(uri: str, params: dict[str, str]) -> Path | None:
    """The local file a FEEDS URI writes, placeholders filled in; None for stdout or remote."""
    uri = str(uri)
    if uri in ("-", "stdout:") or uri.startswith("stdout:"):
        return None
    scheme = urlsplit(uri).scheme
    if scheme not in ("", "file") and len(scheme) > 1:  # s3://, ftp://: checked by Scrapy
        return None
    path = uri.removeprefix("file://")
    for key, value in params.items():
        path = path.replace(f"%({key})s", value)
    return Path(re.sub(r"%\(\w+\)s", "x", path))


def check_feeds(feeds: dict, output_dir: str, spider_name: str) -> None:
    """Each local feed file can be created: its folder is writable and it is not a folder."""
    stamp = datetime.now(UTC).replace(microsecond=0).isoformat().replace(":", "-")
    params = {"output_dir": output_dir or ".", "name": spider_name, "time": stamp}
    for uri in feeds:
        path = feed_path(uri, params)
        if path is None:
            continue
        if path.is_dir():
            raise PreflightError(f"JSON output {uri} is a folder, not a file")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if path.exists():
                if not os.access(path, os.W_OK):
                    raise PermissionError(13, "Permission denied")
                with open(path, "ab"):
                    pass
            else:
                with tempfile.TemporaryFile(dir=path.parent):
                    pass
        except OSError as exc:
            raise PreflightError(
                f"JSON output {uri} is not writable: {exc.strerror or exc}"
            ) from None
