"""From the bytes of an article page to a clean article record.

Pure code: w3lib for the charset, lxml for K2's markup, trafilatura for the text itself.
A K2 item page is read through what we know of K2 (``k2.py``): the item container bounds the
article, so menus, modules, hits, tags and navigation never reach the text. Inside the item,
the byline becomes metadata, the teaser of migrated items is dropped (its paragraph is repeated
whole in the full text), a human-written intro becomes ``summary``, and trafilatura turns the
full text into clean lines. Pages that do not look like a K2 item go to trafilatura's generic
extraction.
"""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass, field
from functools import cache

import trafilatura
from htmldate import find_date
from lxml import etree
from lxml import html as lxml_html
from trafilatura.metadata import examine_meta, extract_meta_json, extract_title
from trafilatura.settings import Extractor
from trafilatura.utils import decode_file, detect_encoding
from w3lib.encoding import html_to_unicode

from crawler import __version__

from .bylines import parse_byline
from .dates import parse_created
from .errors import ExtractionError
from .k2 import K2Item, element_lines, norm, page_language, parse_html, read_k2_item

_WORD = re.compile(r"\w+")
_TABLE_RULE = re.compile(r"^\|?(\s*:?-{3,}:?\s*\|)+\s*$")
# how many leading lines may hold a byline (name, date line, "By ... (issue)")
_BYLINE_WINDOW = 3
#: characters under which trafilatura's fast reading may have missed the text: twice its own
#: MIN_EXTRACTED_SIZE, the length under which it calls an extraction short
FULL_READING_BELOW = 2 * trafilatura.settings.DEFAULT_CONFIG.getint("DEFAULT", "MIN_EXTRACTED_SIZE")


@cache
def extractor_info() -> dict:
    return {
        "name": "caci-analyst-archiver",
        "version": __version__,
        "trafilatura": trafilatura.__version__,
    }


@dataclass
class Extraction:
    method: str  # "k2" or "generic"
    title: str
    section: str | None
    authors: list[str]
    published: str | None
    issue_date: str | None
    summary: str | None
    text: str
    images: list[dict] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    pdf_urls: list[str] = field(default_factory=list)
    hits: int | None = None
    language: str | None = None

    @property
    def word_count(self) -> int:
        return len(_WORD.findall(self.text))


def _sniff_charset(body: bytes) -> str:
    """An unlabelled page's charset, as browsers guess it: UTF-8 when it is valid UTF-8, else
    what detection finds (trafilatura's own: charset_normalizer), windows-1252 when it is one
    of the candidates or nothing else fits."""
    try:
        body.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    guesses = detect_encoding(body)
    if "cp1252" in guesses:  # a close call goes to the browsers' default
        return "cp1252"
    for guess in guesses:
        try:
            body.decode(guess)
            return guess
        except (LookupError, UnicodeDecodeError):
            continue
    return "cp1252"


def decode(body: bytes, content_type: str | None) -> str:
    """The page as text, with the charset browsers would pick: BOM, header, meta, then
    detection and windows-1252 (w3lib's order, Scrapy's). A label that does not fit the bytes
    never costs more U+FFFD than trafilatura's own decoding of the same bytes, which ignores
    labels: where it reads cleaner, its reading is taken."""
    _, text = html_to_unicode(content_type, body, auto_detect_fun=_sniff_charset)
    if "\ufffd" in text:
        alone = decode_file(body)
        if alone.count("\ufffd") < text.count("\ufffd"):
            return alone
    return text


def _clean_lines(text: str, drop: set[str]) -> list[str]:
    lines = []
    for raw in text.splitlines():
        line = norm(raw)
        if not line or _TABLE_RULE.match(line) or line in drop:
            continue
        if line.startswith("|") and line.endswith("|"):
            line = " | ".join(c.strip() for c in line.strip("|").split("|"))
        lines.append(line)
    return lines


@cache
def _fragment_options() -> Extractor:
    """trafilatura's options for an item's text, made once (trafilatura shares them safely):
    made per call they cost a fifth of a millisecond an article."""
    return Extractor(
        output_format="txt",
        recall=True,
        tables=True,
        images=False,
        comments=False,
        links=False,
        dedup=False,
        fast=True,
    )


def fragment_text(el, drop: set[str]) -> list[str]:
    """Clean lines of one part of the item, by trafilatura, falling back to the plain walk."""
    html = (
        "<html><body><article>"
        + lxml_html.tostring(el, encoding="unicode")
        + "</article></body></html>"
    )
    result = trafilatura.extract(html, options=_fragment_options())
    lines = _clean_lines(result or "", drop)
    walked = [line for line in element_lines(el) if line not in drop]
    # trafilatura may judge a short fragment boilerplate; never lose the article for it
    if len(_WORD.findall(" ".join(lines))) < 0.9 * len(_WORD.findall(" ".join(walked))):
        return walked
    return lines


def _strip_byline(lines: list[str], byline_lines: list[str]) -> list[str]:
    """Drop the byline's lines from the head of trafilatura's output, however it joined them."""
    text = " ".join(byline_lines)
    while lines and norm(lines[0]) and norm(lines[0]) in text:
        lines = lines[1:]
    return lines


def _is_teaser(intro: str, full: str) -> bool:
    """Migrated items: the intro is the full text cut after its third "." (naive split)."""
    intro, full = norm(intro), norm(full)
    if not intro or not full:
        return False
    return full.startswith(intro) or full.startswith(intro.rstrip(". ").rstrip())


def _k2(item: K2Item, url: str) -> Extraction:
    created = parse_created(item.created_text)
    ref = created.date() if created else None
    intro_lines = element_lines(item.intro) if item.intro is not None else []
    full_lines = element_lines(item.full) if item.full is not None else []
    head = intro_lines if item.intro is not None else full_lines
    byline = parse_byline(head[:_BYLINE_WINDOW], ref)
    byline_lines = head[: byline.lines] if byline else []
    pdf_texts = {text for _, text in item.pdf_links if text}

    summary = None
    if item.intro is not None and item.full is not None:
        rest = intro_lines[len(byline_lines) :]
        if rest and not _is_teaser(" ".join(rest), " ".join(full_lines)):
            summary = "\n".join(rest)
    body_el = item.full if item.full is not None else item.intro
    lines = fragment_text(body_el, pdf_texts) if body_el is not None else []
    if body_el is item.full and item.intro is None or body_el is item.intro:
        lines = _strip_byline(lines, byline_lines)

    return Extraction(
        method="k2",
        title=item.title,
        section=item.section_name,
        authors=list(byline.authors) if byline else [],
        published=created.date().isoformat() if created else None,
        issue_date=byline.issue_date.isoformat() if byline and byline.issue_date else None,
        summary=summary,
        text="\n".join(lines),
        images=item.images,
        tags=item.tags,
        pdf_urls=list(dict.fromkeys(u for u, _ in item.pdf_links)),
        hits=item.hits,
        language=item.language,
    )


def generic_extraction(html: str, url: str, *, clean_lines: bool = True) -> Extraction:
    """trafilatura's generic reading. ``clean_lines=False`` keeps its text exactly as
    ``trafilatura.extract`` gives it (for other sites' pages: tables and preformatted text
    stay as trafilatura wrote them)."""
    result = trafilatura.extract(
        html,
        url=url,
        output_format="json",
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        deduplicate=False,
    )
    if not result:
        raise ExtractionError("no text found")
    data = json.loads(result)
    authors = _authors(data.get("author"))
    return Extraction(
        method="generic",
        title=data.get("title") or "",
        section=data.get("categories") or None,
        authors=authors,
        published=data.get("date"),
        issue_date=None,
        summary=None,
        text=(
            "\n".join(_clean_lines(data.get("text") or "", set()))
            if clean_lines
            else (data.get("text") or "").strip()
        ),
        language=data.get("language"),
    )


def _authors(text: str | None) -> list[str]:
    return [a.strip() for a in re.split(r";|,", text or "") if a.strip()]


def trafilatura_text(tree, url: str) -> str | None:
    """trafilatura's text of a page: its fast reading, and its full reading (the readability
    and justext fallbacks) where the fast one finds little. On long texts the fallbacks cost a
    third of the time and change nothing or for the worse (on the Zyte benchmark's 181 pages:
    179 identical, F1 0.962 against 0.960 for the full reading everywhere); on stubs, frames
    and odd layouts they are what finds the text."""
    options = {"url": url, "include_comments": False, "include_tables": True}
    text = trafilatura.extract(tree, fast=True, deduplicate=False, **options)
    if not text or len(text) < FULL_READING_BELOW:
        text = trafilatura.extract(tree, deduplicate=False, **options) or text
    return text


def page_extraction(tree, url: str) -> Extraction:
    """Any site's page, from a tree parsed once (``trafilatura.utils.load_html``): the text is
    ``trafilatura.extract``'s on the same HTML (comments off, tables on; ``trafilatura_text``),
    the metadata what the page declares (meta tags, JSON-LD, the title, the date htmldate finds
    without its extensive search, ``<html lang>``). trafilatura's own metadata pass would cost
    a third of the time again for guesses (authors and categories searched in the page's text)
    that are not worth it here; the crawl's articles are read through K2, not this."""
    text = trafilatura_text(tree, url)
    if not text:
        raise ExtractionError("no text found")
    meta = examine_meta(tree)
    if meta.author and " " not in meta.author:  # as trafilatura: a lone word is no name
        meta.author = None
    # trafilatura's JSON-LD reading fails on odd JSON; the page still reads
    with contextlib.suppress(Exception):
        meta = extract_meta_json(tree, meta)
    published = find_date(tree, url=url, extensive_search=False, original_date=True)
    return Extraction(
        method="generic",
        title=(meta.title or extract_title(tree) or "").strip(),
        section=";".join(meta.categories) if meta.categories else None,
        authors=_authors(meta.author),
        published=published,
        issue_date=None,
        summary=None,
        text=text.strip(),
        language=page_language(tree),
    )


def extract_article(body: bytes, url: str, content_type: str | None = None) -> Extraction:
    """Read one page. Raises ExtractionError when there is no article to be had."""
    if not body or not body.strip():
        raise ExtractionError("empty body")
    html = decode(body, content_type)
    try:
        root = parse_html(html)
    except (etree.ParserError, ValueError) as exc:
        raise ExtractionError(f"unparseable HTML: {exc}") from None
    item = read_k2_item(root, url)
    if item is not None and (item.full is not None or item.intro is not None):
        return _k2(item, url)
    return generic_extraction(html, url)
