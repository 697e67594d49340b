"""Parse the date styles seen on the Central Asia-Caucasus Analyst (Joomla + K2).

Stdlib only and locale independent: English month and weekday names come from the tables
below, never from ``strptime``'s ``%B``/``%A`` (which follow the process locale).

Site styles covered:

- :func:`parse_created`: K2's created date of ``span.itemDateCreated`` /
  ``span.catItemDateCreated``: "Wednesday, 08 October 2003" (item and listing pages) and
  "Wednesday, 02 July 2014 12:32" (tag pages, sister site). Weekday optional.
- :func:`parse_textual_date`: the byline date lines of 2015-2025:
  "November 16th, 2015", "March 14, 2019", "July 12, 2024", also "16 November 2015", and the
  year-less "November 19th" (2015-2016), whose year is inferred from a reference date.
- :func:`parse_numeric_date`: the issue date of the 2000-2014 bylines
  "(10/8/2003 issue of the CACI Analyst)": month first up to 2012 ("10/8/2003",
  "03/12/2003"), day first from 2013 ("18/09/2013"); ambiguous dates are resolved with a
  reference date when one is given.
- :func:`textual_date_parts`: recognises a textual date without resolving it (used to tell a
  date line from text even when its year is missing and cannot be inferred).
"""

from __future__ import annotations

import datetime
import re

__all__ = [
    "parse_created",
    "parse_numeric_date",
    "parse_textual_date",
    "textual_date_parts",
]

_MONTHS: dict[str, int] = {}
for _number, _name in enumerate(
    (
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ),
    start=1,
):
    _MONTHS[_name] = _number
    _MONTHS[_name[:3]] = _number
_MONTHS["sept"] = 9

_WEEKDAYS = frozenset(
    name
    for full in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    for name in (full, full[:3])
)

# Year that the site switched its numeric issue dates from month first to day first.
DAY_FIRST_SINCE = 2013

_MONTH = r"(?P<month>[^\W\d_]+)\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4})"
_WEEKDAY = r"(?:(?P<weekday>[^\W\d_]+)\.?\s*,?\s+)?"

_CREATED_RE = re.compile(
    rf"{_WEEKDAY}{_DAY}\s+{_MONTH},?\s+{_YEAR}"
    r"(?:,?\s+(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?)?",
    re.IGNORECASE,
)
_TEXTUAL_RES = (
    # "November 16th, 2015", "March 14, 2019", "November 19th"
    re.compile(rf"{_WEEKDAY}{_MONTH}\s+{_DAY}(?:\s*,?\s+{_YEAR})?", re.IGNORECASE),
    # "16 November 2015", "16th of November, 2015", "19 November"
    re.compile(rf"{_WEEKDAY}{_DAY}\s+(?:of\s+)?{_MONTH}(?:\s*,?\s+{_YEAR})?", re.IGNORECASE),
)
_NUMERIC_RE = re.compile(r"(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})")


def _normalize(text: str) -> str:
    """Collapse all Unicode whitespace (including no-break spaces) to single spaces."""
    return " ".join(text.split())


def _weekday_ok(match: re.Match[str]) -> bool:
    weekday = match.group("weekday")
    return weekday is None or weekday.lower() in _WEEKDAYS


def _make_date(year: int, month: int, day: int) -> datetime.date | None:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def parse_created(text: str) -> datetime.datetime | None:
    """Parse a K2 created date: "Wednesday, 08 October 2003" or "... 02 July 2014 12:32".

    The weekday is optional (and not checked against the date); seconds are accepted.
    Returns a naive datetime, at 00:00 when the text has no time, or None.
    """
    match = _CREATED_RE.fullmatch(_normalize(text))
    if match is None or not _weekday_ok(match):
        return None
    month = _MONTHS.get(match.group("month").lower())
    if month is None:
        return None
    hour, minute, second = (int(match.group(g) or 0) for g in ("hour", "minute", "second"))
    try:
        return datetime.datetime(
            int(match.group("year")), month, int(match.group("day")), hour, minute, second
        )
    except ValueError:
        return None


def textual_date_parts(text: str) -> tuple[int, int, int | None] | None:
    """Return ``(month, day, year or None)`` when the whole text is an English textual date.

    Accepts "November 16th, 2015", "March 14, 2019", "16 November 2015", "November 19th";
    a trailing full stop or comma is ignored. The day is not checked against the month.
    """
    text = _normalize(text).rstrip(".,;: ")
    for pattern in _TEXTUAL_RES:
        match = pattern.fullmatch(text)
        if match is None or not _weekday_ok(match):
            continue
        month = _MONTHS.get(match.group("month").lower())
        day = int(match.group("day"))
        if month is None or not 1 <= day <= 31:
            continue
        year = match.group("year")
        return month, day, int(year) if year else None
    return None


def parse_textual_date(text: str, reference: datetime.date | None = None) -> datetime.date | None:
    """Parse an English textual date such as "November 16th, 2015" or "16 November 2015".

    A year-less date ("November 19th") takes the year (reference's year, or the one before or
    after) that puts it nearest to ``reference``; without a reference it gives None.
    Invalid dates ("February 30, 2015") give None.
    """
    parts = textual_date_parts(text)
    if parts is None:
        return None
    month, day, year = parts
    if year is not None:
        return _make_date(year, month, day)
    if reference is None:
        return None
    candidates = [
        d
        for y in (reference.year - 1, reference.year, reference.year + 1)
        if (d := _make_date(y, month, day)) is not None
    ]
    if not candidates:
        return None
    # Nearest to the reference; on a tie, the earlier date.
    return min(candidates, key=lambda d: (abs((d - reference).days), d))


def parse_numeric_date(text: str, reference: datetime.date | None = None) -> datetime.date | None:
    """Parse a numeric issue date "10/8/2003", "03/12/2003" or "18/09/2013".

    When only one of month-first and day-first gives a valid date, that one is returned.
    When both do, the one nearest to ``reference`` (the article's created date) wins; without
    a reference, or on a tie, month first for years up to 2012 and day first from 2013 on.
    Four-digit years only; invalid dates give None.
    """
    match = _NUMERIC_RE.fullmatch(_normalize(text).rstrip(".,;: "))
    if match is None:
        return None
    first, second, year = (int(g) for g in match.groups())
    month_first = _make_date(year, first, second)
    day_first = _make_date(year, second, first)
    if month_first is None or day_first is None or month_first == day_first:
        return month_first or day_first
    default, other = (
        (day_first, month_first) if year >= DAY_FIRST_SINCE else (month_first, day_first)
    )
    if reference is not None and abs((other - reference).days) < abs((default - reference).days):
        return other
    return default
