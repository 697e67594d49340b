from datetime import date

import pytest

from crawler.extract.bylines import Byline, parse_byline, split_authors

BODY = "Until recently, problems related to human trafficking have been considered a byproduct."


# --- the site's styles -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "reference", "expected"),
    [
        # 1. 2000-2012: one line, month first, sometimes zero-padded.
        (
            ["By Marat Yermukanov (10/8/2003 issue of the CACI Analyst)", BODY],
            date(2003, 10, 8),
            Byline(("Marat Yermukanov",), date(2003, 10, 8), 1),
        ),
        (
            ["By Marat Yermukanov (10/8/2003 issue of the CACI Analyst)", BODY],
            None,
            Byline(("Marat Yermukanov",), date(2003, 10, 8), 1),
        ),
        (
            ["By Marat Yermukanov (03/12/2003 issue of the CACI Analyst)"],
            None,
            Byline(("Marat Yermukanov",), date(2003, 3, 12), 1),
        ),
        # 2. A location after the comma.
        (
            ["By Marat Yermukanov, Kazakhstan (3/13/2002 issue of the CACI Analyst)", BODY],
            date(2002, 3, 13),
            Byline(("Marat Yermukanov",), date(2002, 3, 13), 1),
        ),
        (
            ["By Marat Yermukanov, Astana, Kazakhstan (3/13/2002 issue of the CACI Analyst)"],
            None,
            Byline(("Marat Yermukanov",), date(2002, 3, 13), 1),
        ),
        # 3. 2013: "the", day first; 2014: ambiguous, resolved by the created date.
        (
            ["By Jane Doe (the 18/09/2013 issue of the CACI Analyst)", BODY],
            date(2013, 9, 18),
            Byline(("Jane Doe",), date(2013, 9, 18), 1),
        ),
        (
            ["By Jane Doe (07/02/2014 issue of the CACI Analyst)", BODY],
            date(2014, 7, 2),
            Byline(("Jane Doe",), date(2014, 7, 2), 1),
        ),
        (
            ["By Jane Doe (07/02/2014 issue of the CACI Analyst)", BODY],
            date(2014, 2, 10),
            Byline(("Jane Doe",), date(2014, 2, 7), 1),
        ),
        (
            ["By Jane Doe (07/02/2014 issue of the CACI Analyst)", BODY],
            None,
            Byline(("Jane Doe",), date(2014, 2, 7), 1),  # day first from 2013 on
        ),
        # 4. 2015-2016: name, then a date line.
        (
            ["By Eka Janashia", "November 16th, 2015, The CACI Analyst", BODY],
            date(2015, 11, 16),
            Byline(("Eka Janashia",), date(2015, 11, 16), 2),
        ),
        (
            ["By Eka Janashia", "November 19th, the CACI Analyst", BODY],
            date(2015, 11, 20),
            Byline(("Eka Janashia",), date(2015, 11, 19), 2),
        ),
        (
            ["By Eka Janashia", "December 30th, the CACI Analyst", BODY],
            date(2016, 1, 5),
            Byline(("Eka Janashia",), date(2015, 12, 30), 2),  # year across the boundary
        ),
        (
            ["By Eka Janashia", "November 19th, the CACI Analyst", BODY],
            None,
            Byline(("Eka Janashia",), None, 2),  # a date line, but no year to give it
        ),
        # 5. 2019.
        (
            ["By Eka Janashia", "March 14, 2019, the CACI Analyst", BODY],
            None,
            Byline(("Eka Janashia",), date(2019, 3, 14), 2),
        ),
        (
            ["By Eka Janashia", "March 14, 2019, The Central Asia-Caucasus Analyst", BODY],
            None,
            Byline(("Eka Janashia",), date(2019, 3, 14), 2),
        ),
        # 6. 2024-2025 feature articles: a name line without "By", then a bare date.
        (
            ["Svante E. Cornell", "July 12, 2024", BODY],
            date(2024, 7, 12),
            Byline(("Svante E. Cornell",), date(2024, 7, 12), 2),
        ),
        (
            ["Svante E. Cornell and S. Frederick Starr", "July 12, 2024", BODY],
            None,
            Byline(("Svante E. Cornell", "S. Frederick Starr"), date(2024, 7, 12), 2),
        ),
        (
            ["Fuad Şahbazov", "March 3, 2025"],
            None,
            Byline(("Fuad Şahbazov",), date(2025, 3, 3), 2),
        ),
        # 7. Early news digests: no author.
        (
            ["By empty (4/19/2002 issue of the CACI Analyst)", BODY],
            None,
            Byline((), date(2002, 4, 19), 1),
        ),
        (
            ["BY EMPTY (4/19/2002 issue of the CACI Analyst)"],
            date(2002, 4, 19),
            Byline((), date(2002, 4, 19), 1),
        ),
        # 8. "By X" without a date, alone or before a line that is not a date.
        (["By Eka Janashia"], None, Byline(("Eka Janashia",), None, 1)),
        (["By Eka Janashia", BODY], date(2015, 1, 1), Byline(("Eka Janashia",), None, 1)),
        (["By Eka Janashia", "", BODY], None, Byline(("Eka Janashia",), None, 1)),
        (
            ["By Eka Janashia", "March 14, 2019 was a turning point for Georgia."],
            None,
            Byline(("Eka Janashia",), None, 1),
        ),
        # 9. Several authors.
        (
            ["By Svante E. Cornell and S. Frederick Starr", BODY],
            None,
            Byline(("Svante E. Cornell", "S. Frederick Starr"), None, 1),
        ),
        (
            ["By Svante E. Cornell and S. Frederick Starr (01/10/2013 issue of the CACI Analyst)"],
            date(2013, 10, 1),
            Byline(("Svante E. Cornell", "S. Frederick Starr"), date(2013, 10, 1), 1),
        ),
        (
            ["By Eka Janashia & Johanna Popjanevski", "March 14, 2019, the CACI Analyst"],
            None,
            Byline(("Eka Janashia", "Johanna Popjanevski"), date(2019, 3, 14), 2),
        ),
        # Case, "By:", trailing punctuation, no-break spaces, blank leading lines.
        (["by Eka Janashia"], None, Byline(("Eka Janashia",), None, 1)),
        (["BY MARAT YERMUKANOV"], None, Byline(("MARAT YERMUKANOV",), None, 1)),
        (["By: Eka Janashia"], None, Byline(("Eka Janashia",), None, 1)),
        (["By Eka Janashia,"], None, Byline(("Eka Janashia",), None, 1)),
        (["By Eka Janashia."], None, Byline(("Eka Janashia",), None, 1)),
        (["By\xa0Eka\xa0Janashia"], None, Byline(("Eka Janashia",), None, 1)),
        (
            ["", "  ", "By Eka Janashia", "", "November 16th, 2015, The CACI Analyst", BODY],
            None,
            Byline(("Eka Janashia",), date(2015, 11, 16), 5),
        ),
        (
            ["By Marat Yermukanov", "(10/8/2003 issue of the CACI Analyst)", BODY],
            None,
            Byline(("Marat Yermukanov",), date(2003, 10, 8), 2),
        ),
        # A textual date in the parenthesis; name particles.
        (
            ["By Marat Yermukanov (October 8, 2003 issue of the CACI Analyst)"],
            None,
            Byline(("Marat Yermukanov",), date(2003, 10, 8), 1),
        ),
        (
            ["By Ahmad al-Rashid and Jan van der Berg", "July 12, 2024"],
            None,
            Byline(("Ahmad al-Rashid", "Jan van der Berg"), date(2024, 7, 12), 2),
        ),
        # Non-ASCII names.
        (
            ["By Ерлан Карин (10/8/2003 issue of the CACI Analyst)"],
            None,
            Byline(("Ерлан Карин",), date(2003, 10, 8), 1),
        ),
        (
            ["By Əli Həsənov", "March 14, 2019, the CACI Analyst"],
            None,
            Byline(("Əli Həsənov",), date(2019, 3, 14), 2),
        ),
    ],
)
def test_parse_byline(lines, reference, expected):
    assert parse_byline(lines, reference) == expected


def test_parse_byline_accepts_tuples_and_returns_frozen():
    byline = parse_byline(("By Eka Janashia", "March 14, 2019, the CACI Analyst"))
    assert byline == Byline(("Eka Janashia",), date(2019, 3, 14), 2)
    with pytest.raises(AttributeError):
        byline.lines = 3  # type: ignore[misc]


def test_lines_count_leaves_the_body():
    lines = ["", "By Eka Janashia", "November 16th, 2015, The CACI Analyst", BODY, "More."]
    byline = parse_byline(lines)
    assert byline is not None
    assert lines[byline.lines :] == [BODY, "More."]


# --- not a byline ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "reference"),
    [
        ([], None),
        ([""], None),
        (["", "   "], None),
        (["By the end of 2003, Kazakhstan had become a transit country for trafficking."], None),
        (["By the end of 2003, Kazakhstan had ..."], None),
        (["By 2005, the pipeline was operational.", BODY], None),
        (["By contrast, Uzbekistan remained closed.", BODY], None),
        (["By Contrast, Russia has been slow.", BODY], None),
        (["By doing so, Moscow signalled its intent"], None),
        (["By far the most important reason (according to officials) was money."], None),
        (["By Marat Yermukanov (10/8/2003 issue of the CACI Analyst) Until recently ..."], None),
        (
            ["By Svante Cornell Frederick Starr Johanna Popjanevski Eka Janashia Fuad Sahbazov"],
            None,
        ),
        (["Byzantine politics still shape the region."], None),
        (["BACKGROUND: Kazakhstan has long been a transit country for trafficking.", BODY], None),
        (["BACKGROUND:", "July 12, 2024"], None),
        (["IMPLICATIONS: The meeting in Astana signalled readiness to cooperate."], None),
        ([BODY], date(2003, 10, 8)),
        (["KAZAKHSTAN UNDER PRESSURE FOR HUMAN TRAFFICKING", BODY], None),
        # Style 6 needs a bare date on the next line ...
        (["Svante E. Cornell"], None),
        (["Svante E. Cornell", BODY], None),
        (["Svante E. Cornell", "July 12"], None),  # year-less and no "the CACI Analyst"
        (["Svante E. Cornell", "July 12, 2024 was the day the talks collapsed."], None),
        # ... and the first line to look like a name.
        (["Until recently, nothing happened.", "July 12, 2024"], None),
        (["the region's new reality", "July 12, 2024"], None),
        (["Turkey's role in the South Caucasus after the 2020 war", "July 12, 2024"], None),
        (["Why Central Asia Matters?", "July 12, 2024"], None),
        (["A Long Title That Goes On And On Past Any Name", "July 12, 2024"], None),
        (["July 12, 2024", BODY], None),
        (["Turkey's Role", "July 12, 2024", BODY], None),
        # The "the CACI Analyst" date line only ever follows a "By" line.
        (["Tbilisi Tensions Rise", "November 16th, 2015, The CACI Analyst"], None),
        (["Central Asia-Caucasus Institute", "July 12, 2024"], None),
    ],
)
def test_not_a_byline(lines, reference):
    assert parse_byline(lines, reference) is None


# --- split_authors -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Marat Yermukanov", ("Marat Yermukanov",)),
        ("Marat Yermukanov, Kazakhstan", ("Marat Yermukanov",)),
        ("Marat Yermukanov, Astana, Kazakhstan", ("Marat Yermukanov",)),
        ("Svante E. Cornell and S. Frederick Starr", ("Svante E. Cornell", "S. Frederick Starr")),
        ("A, B and C", ("A", "B", "C")),
        ("A & B", ("A", "B")),
        ("A&B", ("A", "B")),
        ("A AND B", ("A", "B")),
        (
            "Svante E. Cornell, S. Frederick Starr and Johanna Popjanevski",
            ("Svante E. Cornell", "S. Frederick Starr", "Johanna Popjanevski"),
        ),
        (
            "Svante E. Cornell, S. Frederick Starr, and Johanna Popjanevski",
            ("Svante E. Cornell", "S. Frederick Starr", "Johanna Popjanevski"),
        ),
        ("Eka Janashia and Johanna Popjanevski, Tbilisi", ("Eka Janashia", "Johanna Popjanevski")),
        ("Marat Yermukanov, Bosnia and Herzegovina", ("Marat Yermukanov",)),
        (
            "Svante E. Cornell, Central Asia-Caucasus Institute and Silk Road Studies Program",
            ("Svante E. Cornell",),
        ),
        ("Ерлан Карин and Əli Həsənov", ("Ерлан Карин", "Əli Həsənov")),
        ("Andrew Anderson and Sandra Andersen", ("Andrew Anderson", "Sandra Andersen")),
        ("John Smith, Jr.", ("John Smith, Jr.",)),
        ("John Smith Jr., Tbilisi", ("John Smith Jr.",)),
        ("Eka Janashia.", ("Eka Janashia",)),
        ("  Eka\xa0 Janashia ;", ("Eka Janashia",)),
        ("empty", ()),
        ("Empty", ()),
        ("", ()),
        (" , ", ()),
    ],
)
def test_split_authors(text, expected):
    assert split_authors(text) == expected
