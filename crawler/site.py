"""What the Analyst's URLs mean: hosts, canonical forms, and which pages are worth a request.

Pure code (no Scrapy). The site is Joomla with K2 and search-engine-friendly URLs:
sections at ``/publications/<section>.html`` paginated with ``?start=N``, items at
``/publications/<section>/item/<id>-<alias>.html``, and many other routes (tags, print views,
mail forms, searches, date archives) that repeat the same items endlessly. Besides those, the
home page (``/``), ordinary Joomla pages such as ``/editorial/editorial-principles.html``
(what the site's menus link), and image files (K2 keeps each item image in several sizes,
``/media/k2/items/cache/<md5>_XL.jpg`` the largest) are told apart, so that the spider can
decide which of them a reader's view of the publication needs.
"""

from __future__ import annotations

import enum
import re
import sys
from collections.abc import Iterable, Iterator
from functools import lru_cache
from urllib.parse import parse_qsl, urljoin, urlsplit, urlunsplit

SECTIONS: dict[str, str] = {
    "analytical-articles": "Analytical Articles",
    "field-reports": "Field Reports",
    "news-digest": "News Digest",
    "feature-articles": "Feature Articles",
}

#: Every spelling of the real site's host seen in the wild (with/without www, trailing dot).
SITE_HOSTS = frozenset({"cacianalyst.org", "www.cacianalyst.org"})

# Parameters that change nothing on the page: tracking and session identifiers.
_DROP_PARAMS = re.compile(
    r"^(utm_\w+|fbclid|gclid|mc_cid|mc_eid|phpsessid|sid|sessionid|jsessionid|ref)$", re.I
)

_SECTION_RE = "|".join(re.escape(s) for s in SECTIONS)
_LISTING = re.compile(rf"^/publications/(?P<section>{_SECTION_RE})\.html$")
_IMAGE = re.compile(r"\.(?:jpe?g|png|gif|webp|svg|tiff?|bmp)$", re.I)
_ITEM = re.compile(
    rf"^/(?:publications/(?P<section>{_SECTION_RE})|component/k2)/item/(?P<id>\d+)(?:-[^/]*)?\.html$"
)


# every page repeats the menus and sidebars: a URL is classified once (pure functions of it).
# The caches are sized for what repeats (a few hundred hrefs on every page, an article's links
# while its neighbours are fetched), not for the whole crawl: a crawl's memory stays flat
# (sized for the whole crawl, they held 2 kB an article). On a 10,000-article crawl, 4,096
# entries miss 10,000 more of 1.2 million lookups than 16,384 did, and hold 18 MB less.
_URL_CACHE = 1 << 12
_JOIN_CACHE = 1 << 12  # hrefs remembered per scope; started afresh beyond it
_HAS_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_UNSEEN = object()


def _scope(base: str, href: str) -> str:
    """What ``urljoin(base, href)`` depends on besides ``href``: the base's scheme for an
    absolute href, its origin for one from the root, its folder for a relative path; the
    whole base for anything else (queries, fragments, other schemes, odd forms)."""
    scheme_end = base.find("://")
    path_start = base.find("/", scheme_end + 3) if scheme_end > 0 else -1
    if path_start < 0:
        return base
    if href.startswith(("http://", "https://")) or (
        href.startswith("//") and href[2:3] not in ("", "/")
    ):
        return base[:scheme_end]
    if href.startswith("//"):
        return base
    if href.startswith("/"):
        return base[:path_start]
    if not href or href[0] in "?#" or _HAS_SCHEME.match(href) or "#" in base:
        return base
    return base.split("?", 1)[0].rsplit("/", 1)[0]


class Kind(enum.Enum):
    LISTING = "listing"
    ITEM = "item"
    PDF = "pdf"
    TAG = "tag"
    PRINT = "print"
    MAIL = "mail"
    SEARCH = "search"
    FEED = "feed"
    HOME = "home"  # the front page
    PAGE = "page"  # any other page of the site: Joomla articles such as "About"
    IMAGE = "image"  # an image file, such as the full-size (_XL) copy of an item image
    OTHER = "other"


class Site:
    """The site as seen from one base URL (the real site, a mirror, or the test replica)."""

    def __init__(self, base_url: str):
        parts = urlsplit(base_url if "://" in base_url else f"https://{base_url}")
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"base_url must be an http(s) URL, got {base_url!r}")
        self.scheme = parts.scheme
        self.host = parts.hostname.rstrip(".").lower()
        self.port = parts.port
        self.netloc = self.host if self.port is None else f"{self.host}:{self.port}"
        self.base_url = f"{self.scheme}://{self.netloc}/"
        bare = self.host.removeprefix("www.")
        # A mirror's pages may still link the real site's hosts: those links mean the mirror.
        self.hosts = frozenset({self.host, bare, f"www.{bare}"} | SITE_HOSTS)
        # every page repeats the menus, sidebars and stylesheets: an href is resolved once
        self.canonical = lru_cache(maxsize=_URL_CACHE)(self._canonical)
        self._joined: dict[tuple[str, str], str] = {}
        self._resolved: dict[str, dict] = {}  # origin -> href -> canonical URL (or None)

    def is_site_host(self, host: str | None) -> bool:
        return bool(host) and host.rstrip(".").lower() in self.hosts

    def join(self, base: str, href: str) -> str:
        """``urljoin(base, href)``, remembered for what it depends on: an absolute href means
        the same on every page, one from the root on every page of the host, a relative one on
        every page of the same folder."""
        # str(): a str subclass, such as lxml's "smart" strings, would keep its document alive
        key = (_scope(base, href), str(href))
        joined = self._joined.get(key)
        if joined is None:
            if len(self._joined) >= _JOIN_CACHE:
                self._joined.clear()
            joined = urljoin(base, href)
            # one copy of each scope (an origin, a folder) for all the hrefs kept under it
            self._joined[(sys.intern(key[0]), key[1])] = joined
        return joined

    def resolve(self, base: str, href: str) -> str | None:
        """The canonical URL an href of a page at ``base`` points to, or None off the site."""
        return self.canonical(self.join(base, href.strip()))

    def resolve_all(self, base: str, hrefs: Iterable[str]) -> Iterator[str | None]:
        """``resolve`` for the hrefs of one page at ``base``. The menus' and sidebars' hrefs,
        absolute or from the root, come up on every page: those are looked up by the page's
        origin and the href alone first."""
        known = self._resolved.setdefault(_scope(base, "/"), {})
        for href in hrefs:
            url = known.get(href, _UNSEEN)
            if url is _UNSEEN:
                if href.startswith(("http://", "https://", "/")) and not href.startswith("//"):
                    # remembered here alone: join's and canonical's caches would hold it twice
                    # more (a crawl's memory grows with its distinct hrefs)
                    if len(known) >= _JOIN_CACHE:
                        known.clear()
                    url = self._canonical(urljoin(base, href.strip()))
                    known[str(href)] = url  # as in join: never a str subclass
                else:
                    url = self.resolve(base, href)
            yield url

    def _canonical(self, url: str) -> str | None:
        """The one form of ``url`` we request and record, or None when it is not on the site
        (``canonical``, cached)."""
        try:
            parts = urlsplit(url.strip())
            port = parts.port
        except ValueError:
            return None
        if parts.scheme not in ("http", "https") or not self.is_site_host(parts.hostname):
            return None
        if port not in (None, 80, 443, self.port):
            return None  # another service on the same machine is another site
        # Filter the raw parameters, never re-encode them: a stylesheet's "?5e1a8b3c" must stay
        # byte-identical to the reference in the page, or replay will not find it.
        kept = []
        for part in parts.query.split("&") if parts.query else []:
            name, _, value = part.partition("=")
            if _DROP_PARAMS.match(name) or (name in ("start", "limitstart") and value == "0"):
                continue  # tracking noise, and Joomla's first-page alias
            kept.append(f"start={value}" if name == "limitstart" else part)
        return urlunsplit((self.scheme, self.netloc, parts.path or "/", "&".join(kept), ""))

    def listing_url(self, section: str, start: int = 0) -> str:
        url = f"{self.base_url}publications/{section}.html"
        return f"{url}?start={start}" if start else url

    @staticmethod
    @lru_cache(maxsize=_URL_CACHE)
    def classify(url: str) -> Kind:
        parts = urlsplit(url)
        path = parts.path
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        lower = path.lower()
        if lower.endswith(".pdf"):
            return Kind.PDF
        if "/component/mailto" in lower or "/mailto/" in lower:
            return Kind.MAIL
        if query.get("tmpl") == "component" or "print" in query:
            return Kind.PRINT
        if lower.endswith(".feed") or query.get("format") in ("feed", "rss", "atom"):
            return Kind.FEED
        if "/itemlist/tag/" in lower:
            return Kind.TAG
        if "/itemlist/" in lower or "searchword" in query or "/search" in lower:
            return Kind.SEARCH
        if _ITEM.match(path) and not query:
            return Kind.ITEM
        if _LISTING.match(path) and set(query) <= {"start"} and query.get("start", "0").isdigit():
            return Kind.LISTING
        if _IMAGE.search(path):
            return Kind.IMAGE
        if query:
            return Kind.OTHER  # /?q=node/.. (Drupal), forms, views: no page of its own
        if path == "/":
            return Kind.HOME
        if lower.endswith(".html") and not lower.startswith(("/component/", "/publications/")):
            # Joomla's SEF URL of a menu entry; under /publications/ only unknown sections are
            # left, and /component/... are routes without a menu entry
            return Kind.PAGE
        return Kind.OTHER

    @staticmethod
    @lru_cache(maxsize=_URL_CACHE)
    def listing_start(url: str) -> int:
        value = dict(parse_qsl(urlsplit(url).query)).get("start", "0")
        return int(value) if value.isdigit() else 0

    @staticmethod
    def in_section(url: str, section: str) -> str:
        """/component/k2/item/... as /publications/<section>/item/...: the item's own address."""
        parts = urlsplit(url)
        path = parts.path.replace("/component/k2/item/", f"/publications/{section}/item/", 1)
        return urlunsplit(parts._replace(path=path))

    @staticmethod
    @lru_cache(maxsize=_URL_CACHE)
    def item_id(url: str) -> int | None:
        m = _ITEM.match(urlsplit(url).path)
        return int(m.group("id")) if m else None

    @staticmethod
    @lru_cache(maxsize=_URL_CACHE)
    def section_of(url: str) -> str | None:
        path = urlsplit(url).path
        m = _ITEM.match(path) or _LISTING.match(path)
        return m.group("section") if m else None


def entry_urls(urls: Iterable[str]) -> list[str]:
    """Where a reader of the Analyst comes in, among ``urls``: each host's home page, then
    each section's first listing page (in the sections' order). The page list of the
    package's search collection (crawler.archive.collection), whether it is built at the end
    of a crawl or later by ``scrapy package``."""
    found = set(urls)
    homes = sorted(u for u in found if Site.classify(u) is Kind.HOME)
    order = list(SECTIONS)
    listings = sorted(
        (order.index(Site.section_of(u)), u)
        for u in found
        if Site.classify(u) is Kind.LISTING and "?" not in u  # the first page: no ?start=
    )
    return homes + [u for _, u in listings]
