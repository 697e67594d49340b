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
# compiled once: root.xpath(string) compiles again on every page
_EMBEDS = etree.XPath("//script[@src] | //img | //source | //input[@type='image'] | //video")
_BACKGROUNDS = etree.XPath("//*[@background]")
_STYLED = etree.XPath("//*[@style]")


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
    resolves a reference against the page's URL (the crawl's remembers them: Site.join)."""
    base = root.find(".//base[@href]")
    if base is not None:
        base_url = urljoin(base_url, base.get("href"))
    refs: list[str] = []
    for link in root.iter("link"):
        rels = set((link.get("rel") or "").lower().split())
        if rels & _LINK_RELS and link.get("href"):
            refs.append(link.get("href"))
    for el in _EMBEDS(root):
        for attr in ("src", "data-src", "poster"):
            if el.get(attr):
                refs.append(el.get(attr))
        if el.get("srcset"):
            refs += _srcset(el.get("srcset"))
    for el in _BACKGROUNDS(root):
        refs.append(el.get("background"))
    urls = [join(base_url, r.strip()) for r in refs if r.strip() and not r.startswith("data:")]
    for style in root.iter("style"):
        urls += css_requisites(style.text or "", base_url)
    for el in _STYLED(root):
        urls += css_requisites(el.get("style"), base_url)
    return list(dict.fromkeys(urls))
