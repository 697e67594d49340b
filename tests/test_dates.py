import calendar
import locale
from datetime import date, datetime

import pytest

from crawler.extract.dates import (
    parse_created,
    parse_numeric_date,
    parse_textual_date,
    textual_date_parts,
)

# --- parse_created -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Wednesday, 08 October 2003", datetime(2003, 10, 8)),
        ("Wednesday, 02 July 2014 12:32", datetime(2014, 7, 2, 12, 32)),
        ("Wednesday, 02 July 2014 12:32:05", datetime(2014, 7, 2, 12, 32, 5)),
        ("  Wednesday,   08   October  2003 \n", datetime(2003, 10, 8)),
        ("Wednesday,\xa008\xa0October\xa02003", datetime(2003, 10, 8)),
        ("Wednesday, 02\u00a0July 2014\u00a012:32", datetime(2014, 7, 2, 12, 32)),
        ("08 October 2003", datetime(2003, 10, 8)),
        ("8 October 2003", datetime(2003, 10, 8)),
        ("Wed, 08 Oct 2003", datetime(2003, 10, 8)),
        ("WEDNESDAY, 08 OCTOBER 2003", datetime(2003, 10, 8)),
        ("Monday, 29 February 2016 00:00", datetime(2016, 2, 29)),
        ("Friday, 31 December 1999 23:59", datetime(1999, 12, 31, 23, 59)),
    ],
)
def test_parse_created(text, expected):
    assert parse_created(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "Wednesday",
        "Published in Field Reports",
        "Wednesday, 31 February 2003",  # no such day
        "Sunday, 29 February 2015",  # not a leap year
        "Wednesday, 08 Octember 2003",  # no such month
        "Wednesday, 08 Oktober 2003",  # German month name
        "Mittwoch, 08 October 2003",  # not an English weekday
        "Wednesday, 02 July 2014 25:00",  # no such hour
        "Wednesday, 02 July 2014 12:61",  # no such minute
        "Wednesday, 08 October 03",  # two-digit year
        "2003-10-08",
        "Read 3129 times",
    ],
)
def test_parse_created_rejects(text):
    assert parse_created(text) is None


# --- parse_textual_date ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("November 16th, 2015", date(2015, 11, 16)),
        ("March 14, 2019", date(2019, 3, 14)),
        ("July 12, 2024", date(2024, 7, 12)),
        ("16 November 2015", date(2015, 11, 16)),
        ("16th of November, 2015", date(2015, 11, 16)),
        ("March 1st, 2016", date(2016, 3, 1)),
        ("May 2nd 2016", date(2016, 5, 2)),
        ("June 3rd, 2016.", date(2016, 6, 3)),
        ("Sept. 9, 2015", date(2015, 9, 9)),
        ("  July\xa012,\xa02024 ", date(2024, 7, 12)),
        ("JULY 12, 2024", date(2024, 7, 12)),
        ("February 29, 2024", date(2024, 2, 29)),
    ],
)
def test_parse_textual_date(text, expected):
    assert parse_textual_date(text) == expected
    # A reference never overrides an explicit year.
    assert parse_textual_date(text, reference=date(2001, 1, 1)) == expected


@pytest.mark.parametrize(
    ("text", "reference", "expected"),
    [
        ("November 19th", date(2015, 11, 20), date(2015, 11, 19)),
        ("November 19th", date(2016, 2, 1), date(2015, 11, 19)),
        ("December 30th", date(2016, 1, 5), date(2015, 12, 30)),  # across new year, back
        ("January 3rd", date(2015, 12, 28), date(2016, 1, 3)),  # across new year, forward
        ("19 November", date(2015, 11, 25), date(2015, 11, 19)),
        ("June 15", date(2015, 6, 1), date(2015, 6, 15)),
        ("February 29", date(2016, 3, 1), date(2016, 2, 29)),  # only the leap year is valid
        ("February 29", date(2017, 2, 1), date(2016, 2, 29)),
    ],
)
def test_parse_textual_date_without_year(text, reference, expected):
    assert parse_textual_date(text, reference) == expected


@pytest.mark.parametrize(
    ("text", "reference"),
    [
        ("November 19th", None),  # no year and no reference
        ("February 29", date(2022, 6, 1)),  # no leap year in 2021-2023
        ("February 30", date(2016, 2, 1)),
        ("February 30, 2015", None),
        ("February 29, 2015", None),
        ("November 31st, 2015", None),
        ("November 0, 2015", None),
        ("November 32, 2015", None),
        ("Movember 16th, 2015", None),
        ("16 Nov", None),
        ("", None),
        ("2015", None),
        ("10/8/2003", None),
        ("November 16th, 2015, The CACI Analyst", None),  # the suffix is the byline's job
        ("By the end of November 2015", None),
    ],
)
def test_parse_textual_date_rejects(text, reference):
    assert parse_textual_date(text, reference) is None


def test_parse_textual_date_tie_prefers_earlier():
    # 2015-07-02 is 182 days after 2015-01-01 and 183 days before 2016-01-01.
    assert parse_textual_date("January 1", date(2015, 7, 2)) == date(2015, 1, 1)
    # 2016-07-02 is exactly 183 days from both 2016-01-01 and 2017-01-01: take the earlier.
    assert parse_textual_date("January 1", date(2016, 7, 2)) == date(2016, 1, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("November 19th", (11, 19, None)),
        ("November 16th, 2015", (11, 16, 2015)),
        ("February 30", (2, 30, None)),  # recognised, even though no year makes it valid
        ("Tbilisi, Georgia", None),
        ("November 19th, the CACI Analyst", None),
    ],
)
def test_textual_date_parts(text, expected):
    assert textual_date_parts(text) == expected


# --- parse_numeric_date ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reference", "expected"),
    [
        # Unambiguous: only one reading is a valid date.
        ("3/13/2002", None, date(2002, 3, 13)),
        ("18/09/2013", None, date(2013, 9, 18)),
        ("18/09/2013", date(2013, 1, 1), date(2013, 9, 18)),
        ("12/31/2005", date(2005, 1, 1), date(2005, 12, 31)),
        ("31/12/2005", None, date(2005, 12, 31)),
        # Same date both ways.
        ("5/5/2010", None, date(2010, 5, 5)),
        # Ambiguous, no reference: month first up to 2012 ...
        ("10/8/2003", None, date(2003, 10, 8)),
        ("03/12/2003", None, date(2003, 3, 12)),
        ("4/19/2002", None, date(2002, 4, 19)),
        ("11/12/2012", None, date(2012, 11, 12)),
        # ... and day first from 2013 on.
        ("07/02/2014", None, date(2014, 2, 7)),
        ("01/10/2013", None, date(2013, 10, 1)),
        # Ambiguous, with a reference: the reading nearest to it.
        ("07/02/2014", date(2014, 7, 2), date(2014, 7, 2)),
        ("07/02/2014", date(2014, 2, 5), date(2014, 2, 7)),
        ("10/8/2003", date(2003, 10, 8), date(2003, 10, 8)),
        ("10/8/2003", date(2003, 8, 12), date(2003, 8, 10)),  # reference beats the 2003 rule
        ("01/10/2013", date(2013, 1, 9), date(2013, 1, 10)),  # reference beats the 2013 rule
        # Tolerated formatting.
        (" 10 / 8 / 2003 ", None, date(2003, 10, 8)),
        ("10/8/2003.", None, date(2003, 10, 8)),
    ],
)
def test_parse_numeric_date(text, reference, expected):
    assert parse_numeric_date(text, reference) == expected


def test_parse_numeric_date_tie_uses_year_rule():
    # 2003-03-12 and 2003-12-03 are both 133 days from 2003-07-23.
    reference = date(2003, 7, 23)
    assert (date(2003, 12, 3) - reference).days == (reference - date(2003, 3, 12)).days
    assert parse_numeric_date("03/12/2003", reference) == date(2003, 3, 12)
    assert parse_numeric_date("12/03/2013", date(2013, 7, 23)) == date(2013, 3, 12)


@pytest.mark.parametrize(
    "text",
    [
        "13/13/2003",
        "0/5/2003",
        "5/0/2003",
        "2/30/2003",
        "30/2/2003",
        "29/2/2015",
        "32/1/2015",
        "10/8/03",  # two-digit year
        "10-8-2003",
        "10/8",
        "",
        "October 8, 2003",
        "10/8/2003 issue of the CACI Analyst",
    ],
)
def test_parse_numeric_date_rejects(text):
    assert parse_numeric_date(text) is None
    assert parse_numeric_date(text, date(2003, 10, 8)) is None


# --- locale independence -----------------------------------------------------------------


@pytest.fixture
def german_calendar_names(monkeypatch):
    """Make the calendar module's (normally locale-driven) names German."""
    months = ["", "Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August"]
    months += ["September", "Oktober", "November", "Dezember"]
    days = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"]
    monkeypatch.setattr(calendar, "month_name", months)
    monkeypatch.setattr(calendar, "month_abbr", [m[:3] for m in months])
    monkeypatch.setattr(calendar, "day_name", days)
    monkeypatch.setattr(calendar, "day_abbr", [d[:2] for d in days])


def _assert_english_dates_parse():
    assert parse_created("Wednesday, 08 October 2003") == datetime(2003, 10, 8)
    assert parse_created("Wednesday, 02 July 2014 12:32") == datetime(2014, 7, 2, 12, 32)
    assert parse_created("Mittwoch, 08 Oktober 2003") is None
    assert parse_textual_date("March 14, 2019") == date(2019, 3, 14)
    assert parse_textual_date("Mai 14, 2019") is None
    assert parse_textual_date("December 30th", date(2016, 1, 5)) == date(2015, 12, 30)


def test_independent_of_calendar_names(german_calendar_names):
    _assert_english_dates_parse()


_LOCALES = ("C", "C.UTF-8", "de_DE.UTF-8", "fr_FR.UTF-8", "ru_RU.UTF-8", "tr_TR.UTF-8")


def test_independent_of_process_locale():
    """Parse under every installed locale of a few (non-English ones when available)."""
    saved = locale.setlocale(locale.LC_ALL)
    tested = []
    try:
        for name in _LOCALES:
            try:
                locale.setlocale(locale.LC_ALL, name)
            except locale.Error:
                continue
            _assert_english_dates_parse()
            tested.append(name)
    finally:
        locale.setlocale(locale.LC_ALL, saved)
    assert "C" in tested
