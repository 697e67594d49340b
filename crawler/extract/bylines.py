"""Recognise the byline at the top of a Central Asia-Caucasus Analyst article.

The author is not K2's author field but the first line(s) of the intro text. Styles seen:

1. "By Marat Yermukanov (10/8/2003 issue of the CACI Analyst)" (2000-2012, month first)
2. "By Marat Yermukanov, Kazakhstan (3/13/2002 issue of the CACI Analyst)" (location dropped)
3. "By Jane Doe (the 18/09/2013 issue of the CACI Analyst)" (2013, day first) and
   "(07/02/2014 issue of the CACI Analyst)" (ambiguous, resolved by the created date)
4. "By Eka Janashia" + "November 16th, 2015, The CACI Analyst" (or year-less
   "November 19th, the CACI Analyst": year from the created date)
5. "By X" + "March 14, 2019, the CACI Analyst"
6. "Svante E. Cornell" + "July 12, 2024" (2024-2025 feature articles, no "By")
7. "By empty (4/19/2002 issue of the CACI Analyst)" (early news digests: no author)
8. "By X" alone, with no date line.

Several authors ("A and B", "A, B and C", "A & B") are split by :func:`split_authors`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from crawler.extract.dates import parse_numeric_date, parse_textual_date, textual_date_parts

__all__ = ["Byline", "parse_byline", "split_authors"]

# More words than this before the parenthesis (or in the whole "By ..." line): a sentence.
MAX_BYLINE_WORDS = 12
# More words than this in one author's name: not a name.
MAX_NAME_WORDS = 5
# More words than this on a name line without "By": not a name line.
MAX_BARE_NAME_WORDS = 8

_BY_RE = re.compile(r"by(?:\s*:\s*|\s+)", re.IGNORECASE)
_PAREN_RE = re.compile(r"(?P<names>[^()]*?)\s*\((?P<note>[^()]*)\)\s*[.,;:]?")
_NOTE_LINE_RE = re.compile(r"\((?P<note>[^()]*\bissue\b[^()]*)\)\s*[.,;:]?", re.IGNORECASE)
_NUMERIC_IN_NOTE_RE = re.compile(r"\d{1,2}\s*/\s*\d{1,2}\s*/\s*\d{4}")
_NOTE_TEXTUAL_RE = re.compile(r"(?:the\s+)?(?P<date>.+?)\s+issue\b", re.IGNORECASE)
_ANALYST_SUFFIX_RE = re.compile(
    r"\s*[,;:\-\u2013\u2014]?\s*(?:the\s+)?(?:caci|central\s+asia[-\s]+caucasus)\s+analyst\W*",
    re.IGNORECASE,
)
_CONJUNCTION_RE = re.compile(r"\s*&\s*|\s+and\s+|^and\s+|^&\s*", re.IGNORECASE)
_NAME_SUFFIX_RE = re.compile(r"(?:jr|sr|ii|iii|iv)\.?", re.IGNORECASE)
_BAD_NAME_CHARS_RE = re.compile(r"[\d:;!?()\[\]{}<>@/\\|\"“”«»=+*#%$]")
_LOWER_PREFIX_RE = re.compile(r"[^\W\d_]{1,3}['’\-][^\W\d_]")
# fmt: off
_PARTICLES = frozenset({
    "al", "as", "ben", "bin", "bint", "da", "das", "de", "del", "della", "der", "des", "di",
    "do", "dos", "du", "el", "ibn", "la", "le", "ter", "ul", "van", "von", "y", "zu",
})
# Words that mark an affiliation, not a person ("Central Asia-Caucasus Institute").
_NOT_NAME_WORDS = frozenset({
    "academy", "agency", "analyst", "association", "center", "centre", "college", "committee",
    "council", "department", "director", "editor", "embassy", "fellow", "foundation",
    "government", "institute", "ministry", "office", "policy", "professor", "program",
    "programme", "project", "republic", "research", "researcher", "school", "service",
    "society", "studies", "university",
})
# fmt: on
_TRAILING = ".,;:-\u2013\u2014 "


@dataclass(frozen=True)
class Byline:
    """A parsed byline."""

    authors: tuple[str, ...]  # empty for "By empty"
    issue_date: date | None
    lines: int  # how many leading lines the byline occupied (``lines[n:]`` is the rest)


def _normalize(text: str) -> str:
    return " ".join(text.split())


def _strip_trailing(text: str) -> str:
    text = text.strip().rstrip(_TRAILING.replace(".", "")).strip()
    if text.endswith(".") and not _NAME_SUFFIX_RE.fullmatch(text.rsplit(maxsplit=1)[-1]):
        text = text.rstrip(_TRAILING).strip()
    return text


def _split_conjunctions(text: str) -> list[str]:
    parts = (_strip_trailing(p) for p in _CONJUNCTION_RE.split(text.strip()))
    return [p for p in parts if p]


def split_authors(text: str) -> tuple[str, ...]:
    """Split the author part of a byline (the text after "By") into names.

    "A and B", "A & B" and "A, B and C" (also with an Oxford comma) give several names.
    Without a conjunction after the first comma, what follows the comma is a location or
    affiliation and is dropped ("Marat Yermukanov, Kazakhstan"); so is a tail that does not
    read as a list of names ("X, Bosnia and Herzegovina"). "Jr."/"III" stay with the name.
    "empty" (the early news digests) gives ().
    """
    text = _strip_trailing(_normalize(text))
    if not text or text.lower() == "empty":
        return ()
    pieces: list[str] = []
    for piece in (p.strip() for p in text.split(",")):
        if pieces and _NAME_SUFFIX_RE.fullmatch(piece):
            pieces[-1] = f"{pieces[-1]}, {piece}"
        elif piece:
            pieces.append(piece)
    if not pieces:
        return ()
    head = _split_conjunctions(pieces[0])
    rest = pieces[1:]
    if rest and any(_CONJUNCTION_RE.search(p) for p in rest):
        tail = [name for p in rest for name in _split_conjunctions(p)]
        names_ok = all(_looks_like_name(n) for n in head + tail)
        # "Marat Yermukanov, Bosnia and Herzegovina": one-word "names" after full names.
        mixed = any(len(n.split()) > 1 for n in head) and any(len(n.split()) == 1 for n in tail)
        if names_ok and not mixed:
            return tuple(head + tail)
    return tuple(head)


def _looks_like_name(name: str) -> bool:
    """True for "S. Frederick Starr", "Ерлан Карин", "Fuad Şahbazov", "Ahmad al-Rashid"."""
    words = name.split()
    if not 1 <= len(words) <= MAX_NAME_WORDS or _BAD_NAME_CHARS_RE.search(name):
        return False
    if any(word.lower().strip(".,") in _NOT_NAME_WORDS for word in words):
        return False
    if any(word.endswith(("'s", "’s")) for word in words):  # "Turkey's Role": a title
        return False
    capitalized = False
    for word in words:
        if word[0].isupper():
            capitalized = True
        elif word.lower() not in _PARTICLES and not (
            _LOWER_PREFIX_RE.match(word) and any(c.isupper() for c in word)
        ):
            return False
    return capitalized


def _authors_from(text: str) -> tuple[str, ...] | None:
    """Authors of a "By ..." text, or None when the text reads as a sentence, not names."""
    text = _normalize(text)
    if text.lower().rstrip(_TRAILING) == "empty":
        return ()
    if not text or len(text.split()) > MAX_BYLINE_WORDS or text.endswith(("!", "?")):
        return None
    authors = split_authors(text)
    if not authors or not all(_looks_like_name(a) for a in authors):
        return None
    if text.endswith(".") and any(
        word.islower() and word.lower() not in _PARTICLES | {"and"} for word in text.split()
    ):
        # Ends with a full stop and has a lowercase word (even in a dropped location part):
        # a sentence ("By Contrast, Russia has been slow."), not "By Eka Janashia.".
        return None
    return authors


def _date_from_note(note: str, reference: date | None) -> date | None:
    """The issue date of "(10/8/2003 issue of the CACI Analyst)" and its variants."""
    numeric = _NUMERIC_IN_NOTE_RE.search(note)
    if numeric:
        return parse_numeric_date(numeric.group(), reference)
    textual = _NOTE_TEXTUAL_RE.match(note.strip())
    return parse_textual_date(textual.group("date"), reference) if textual else None


def _date_line(line: str, reference: date | None) -> tuple[bool, date | None, bool]:
    """Recognise a date line: "November 16th, 2015, The CACI Analyst" or "July 12, 2024".

    Returns (is a date line, its date or None, whether it is a bare date with a year).
    """
    text = _normalize(line)
    suffix = _ANALYST_SUFFIX_RE.search(text)
    has_suffix = suffix is not None and suffix.end() == len(text) and suffix.start() > 0
    if has_suffix:
        text = text[: suffix.start()]
    parts = textual_date_parts(text)
    if parts is None:
        return False, None, False
    return True, parse_textual_date(text, reference), not has_suffix and parts[2] is not None


def _next_nonblank(lines: Sequence[str], start: int) -> int:
    while start < len(lines) and not lines[start].strip():
        start += 1
    return start


def parse_byline(lines: Sequence[str], reference: date | None = None) -> Byline | None:
    """Parse the byline at the start of an article's intro lines, or return None.

    ``lines`` are the first text lines of the intro (split on <br>/paragraphs, stripped);
    leading blank lines are skipped and counted in ``Byline.lines``. ``reference`` is the
    article's created date: it resolves ambiguous numeric issue dates and year-less dates.
    """
    first = _next_nonblank(lines, 0)
    if first >= len(lines):
        return None
    line = _normalize(lines[first])
    by = _BY_RE.match(line)
    if by is None:
        return _parse_bare_name(lines, first, line, reference)
    text = line[by.end() :]

    paren = _PAREN_RE.fullmatch(text)
    if paren is not None:
        names = paren.group("names")
        issue_date = _date_from_note(paren.group("note"), reference)
        authors = _authors_from(names) if names.strip() else (() if issue_date else None)
        if authors is None:
            return None
        return Byline(authors, issue_date, first + 1)
    if "(" in text or ")" in text:
        return None
    authors = _authors_from(text)
    if authors is None:
        return None

    following = _next_nonblank(lines, first + 1)
    if following < len(lines):
        next_line = _normalize(lines[following])
        is_date, issue_date, _ = _date_line(next_line, reference)
        if is_date:
            return Byline(authors, issue_date, following + 1)
        note = _NOTE_LINE_RE.fullmatch(next_line)
        if note is not None:
            return Byline(authors, _date_from_note(note.group("note"), reference), following + 1)
    return Byline(authors, None, first + 1)


def _parse_bare_name(
    lines: Sequence[str], first: int, line: str, reference: date | None
) -> Byline | None:
    """Style 6: a name line without "By", accepted only when a bare date line follows."""
    words = line.split()
    if (
        len(words) > MAX_BARE_NAME_WORDS
        or len(line) > 80
        or line.endswith((".", "!", "?", ":", ";", ","))
        or line.islower()
    ):
        return None
    authors = split_authors(line)
    if not authors or not all(_looks_like_name(a) for a in authors):
        return None
    following = _next_nonblank(lines, first + 1)
    if following >= len(lines):
        return None
    is_date, issue_date, bare = _date_line(lines[following], reference)
    if not (is_date and bare):
        return None
    return Byline(authors, issue_date, following + 1)
