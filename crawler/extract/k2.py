"""Read a K2 item page: where the item, its intro, full text, image, hits and tags are.

Pure code (lxml only). Class names come from K2's default item template; the Analyst's own
template adds "Published in <a>Section</a>" right after the title.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urljoin

from lxml import etree
from lxml import html as lxml_html

BLOCK_TAGS = (
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "tr", "table",
    "ul", "ol", "pre", "figure", "section", "article", "dd", "dt",
)  # fmt: skip


def norm(text: str | None) -> str:
    # str.split() and the regex's \s agree on what whitespace is (str.isspace); split is faster
    return " ".join(text.split()) if text else ""


def has_class(name: str) -> str:
    # the cheap test first: most elements have no such class at all
    return (
        f"contains(@class, '{name}') and "
        f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"
    )


@lru_cache(maxsize=256)
def compiled(xpath: str) -> etree.XPath:
    """An XPath compiled once: ``el.xpath(string)`` compiles it again on every call, and the
    extraction asks the same dozen on every page."""
    return etree.XPath(xpath)


def first(el, xpath: str):
    found = compiled(xpath)(el)
    return found[0] if found else None


def element_text(el) -> str:
    return norm(el.text_content()) if el is not None else ""


def caption_elements(el) -> list:
    """Elements that hold image captions: never part of the text."""
    return compiled(
        ".//figcaption | .//*["
        + has_class("itemImageCaption")
        + "] | .//*["
        + has_class("wp-caption-text")
        + "] | .//*["
        + has_class("caption-text")
        + "]"
    )(el)


def element_lines(el) -> list[str]:
    """The element's visible text, one line per block or <br>, captions left out."""
    el = copy.deepcopy(el)
    for cap in caption_elements(el):
        cap.drop_tree()
    for node in el.iter("br", *BLOCK_TAGS):
        node.tail = "\n" + (node.tail or "")
        if node.tag != "br":
            node.text = "\n" + (node.text or "")
    return [line for line in (norm(t) for t in el.text_content().split("\n")) if line]


@dataclass
class K2Item:
    root: object  # the page's lxml root
    container: object  # div#k2Container.itemView
    title: str
    created_text: str
    section_name: str | None
    intro: object | None  # div.itemIntroText
    full: object | None  # div.itemFullText
    hits: int | None
    tags: list[str] = field(default_factory=list)
    images: list[dict] = field(default_factory=list)
    pdf_links: list[tuple[str, str]] = field(default_factory=list)  # (url, link text)
    language: str | None = None


def parse_html(text: str):
    return lxml_html.document_fromstring(text)


def page_language(root) -> str | None:
    lang = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")
    if not lang:
        lang = first(root, "//meta[@http-equiv='content-language']/@content")
    return lang.split("-")[0].split("_")[0].strip().lower() or None if lang else None


def _section_name(container) -> str | None:
    # "Published in <a>Section</a>": the text may sit in the element or in a text node before <a>
    for a in compiled(".//a")(container):
        prev = a.getprevious()
        before = norm(prev.tail if prev is not None else a.getparent().text)
        if before.endswith("Published in"):
            return element_text(a) or None
    cat = first(container, ".//*[" + has_class("itemCategory") + "]//a")
    return element_text(cat) or None if cat is not None else None


def _images(container, base_url: str) -> list[dict]:
    images, seen = [], set()

    def add(src: str | None, caption: str | None) -> None:
        if not src:
            return
        url = urljoin(base_url, src.strip())
        if url not in seen:
            seen.add(url)
            images.append({"url": url, "caption": norm(caption) or None})

    block = first(container, ".//*[" + has_class("itemImageBlock") + "]")
    if block is not None:
        img = first(block, ".//img")
        cap = first(block, ".//*[" + has_class("itemImageCaption") + "]")
        if img is not None:
            add(img.get("src"), element_text(cap) or img.get("title"))
    body = first(container, ".//*[" + has_class("itemBody") + "]")
    for img in compiled(".//img")(body if body is not None else container):
        figure = first(img, "ancestor::figure[1]")
        caption = None
        if figure is not None:
            caption = element_text(first(figure, ".//figcaption"))
        elif "caption" in (img.get("class") or "").split():
            caption = img.get("title")
        add(img.get("src"), caption)
    return images


def read_k2_item(root, base_url: str) -> K2Item | None:
    """The item of a K2 item page, or None when the page is not one."""
    container = first(root, "//*[@id='k2Container'][" + has_class("itemView") + "]")
    if container is None:
        return None
    title_el = first(container, ".//*[" + has_class("itemTitle") + "]")
    hits_el = first(container, ".//*[" + has_class("itemHits") + "]")
    hits = re.search(r"\d[\d,.]*", element_text(hits_el)) if hits_el is not None else None
    tags = [
        element_text(a)
        for a in compiled(".//*[" + has_class("itemTagsBlock") + "]//a")(container)
        if element_text(a)
    ]
    intro = first(container, ".//*[" + has_class("itemIntroText") + "]")
    full = first(container, ".//*[" + has_class("itemFullText") + "]")
    pdfs = []
    for el in (e for e in (intro, full) if e is not None):
        for a in compiled(".//a[@href]")(el):
            href = a.get("href").strip()
            if href.lower().split("?")[0].split("#")[0].endswith(".pdf"):
                pdfs.append((urljoin(base_url, href), element_text(a)))
    links = list(dict.fromkeys(pdfs))
    # the link's own line is navigation, not prose: neither the summary nor the text keep it
    intro, full = (_without_link_lines(el, links) for el in (intro, full))
    return K2Item(
        root=root,
        container=container,
        title=element_text(title_el),
        created_text=element_text(first(container, ".//*[" + has_class("itemDateCreated") + "]")),
        section_name=_section_name(container),
        intro=intro,
        full=full,
        hits=int(re.sub(r"\D", "", hits.group())) if hits else None,
        tags=list(dict.fromkeys(tags)),
        images=_images(container, base_url),
        pdf_links=links,
        language=page_language(root),
    )


def _without_link_lines(el, links: list[tuple[str, str]]):
    """A copy of ``el`` without the blocks that hold nothing but one of ``links`` (the
    "Click Here to download PDF" line, in the full text or right after the intro's summary)."""
    if el is None or not links:
        return el
    texts = {text for _, text in links if text}
    el = copy.deepcopy(el)
    for a in compiled(".//a[@href]")(el):
        block = a
        while block is not None and block is not el and block.tag not in BLOCK_TAGS:
            block = block.getparent()
        if block is None or block is el or block.getparent() is None:
            continue
        if element_text(block) in texts and element_text(block) == element_text(a):
            block.drop_tree()
    return el
