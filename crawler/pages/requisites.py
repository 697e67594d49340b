"""What a page needs to replay looking like the site: stylesheets, scripts, images, fonts.

Pure code (lxml and a regex). Links are returned absolute and unfiltered; the spider decides
which are on the site and fetches each once per crawl.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

from lxml import etree
from lxml import html as lxml_html

# url(...) and @import "..." in stylesheets and style attributes
_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+?)\1\s*\)|@import\s+(['"])([^'"]+)\3""", re.I)
_LINK_RELS = {"stylesheet", "icon", "shortcut", "apple-touch-icon", "preload", "manifest"}
# Elements that load something by their tag (found by lxml's own tag filter, in C) and, in a
# second walk, by an attribute any element may bear: two walks of the tree, not seven
_EMBEDS = ("script", "img", "source", "input", "video")
_TAGS = ("link", "style", *_EMBEDS)
_STYLED = etree.XPath("//*[@style or @background]")


def _srcset(value: str) -> list[str]:
    return [part.strip().split()[0] for part in value.split(",") if part.strip()]


def css_requisites(css: str, base_url: str) -> list[str]:
    found = []
    for m in _CSS_URL.finditer(css):
        ref = (m.group(2) or m.group(4) or "").strip()
        if ref and not ref.startswith(("data:", "#")):
            found.append(urljoin(base_url, ref))
    return list(dict.fromkeys(found))


def html_requisites(html: str, base_url: str) -> list[str]:
    """Every resource the page loads by itself (not the pages it links to)."""
    try:
        root = lxml_html.document_fromstring(html)
    except (ValueError, lxml_html.etree.ParserError):
        return []
    return tree_requisites(root, base_url)


def tree_requisites(root, base_url: str, join=urljoin) -> list[str]:
    """The same, from a page already parsed by lxml (the crawl's own parse of it); ``join``
    resolves a reference against the page's URL (the crawl's remembers them: Site.join).
    In order: links, embedded resources, backgrounds, then what stylesheets name."""
    base = root.find(".//base[@href]")
    if base is not None:
        base_url = urljoin(base_url, base.get("href"))
    links: list[str] = []
    embeds: list[str] = []
    styles: list[str] = []
    for el in root.iter(_TAGS):
        tag = el.tag
        if tag == "link":
            rels = set((el.get("rel") or "").lower().split())
            if rels & _LINK_RELS and el.get("href"):
                links.append(el.get("href"))
        elif tag == "style":
            styles.append(el.text or "")
        else:  # one of _EMBEDS
            if tag == "script" and el.get("src") is None:
                continue
            if tag == "input" and el.get("type") != "image":
                continue
            for attr in ("src", "data-src", "poster"):
                if el.get(attr):
                    embeds.append(el.get(attr))
            if el.get("srcset"):
                embeds += _srcset(el.get("srcset"))
    backgrounds: list[str] = []
    for el in _STYLED(root):
        if el.get("background") is not None:
            backgrounds.append(el.get("background"))
        if el.get("style") is not None:
            styles.append(el.get("style"))
    refs = links + embeds + backgrounds
    urls = [join(base_url, r.strip()) for r in refs if r.strip() and not r.startswith("data:")]
    for css in styles:
        urls += css_requisites(css, base_url)
    return list(dict.fromkeys(urls))
