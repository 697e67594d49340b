"""URL canonicalisation and classification of the Analyst's routes."""

import pytest

from crawler.site import Kind, Site

REAL = Site("https://www.cacianalyst.org/")
MIRROR = Site("http://127.0.0.1:8123")


@pytest.mark.parametrize(
    "url",
    [
        "http://cacianalyst.org/publications/field-reports.html",
        "https://cacianalyst.org/publications/field-reports.html",
        "http://www.cacianalyst.org/publications/field-reports.html",
        "https://cacianalyst.org./publications/field-reports.html",
        "https://WWW.CACIANALYST.ORG/publications/field-reports.html#top",
        "https://www.cacianalyst.org/publications/field-reports.html?limitstart=0",
        "https://www.cacianalyst.org/publications/field-reports.html?utm_source=x&fbclid=y",
    ],
)
def test_host_variants_and_noise_collapse_to_one_url(url):
    assert REAL.canonical(url) == "https://www.cacianalyst.org/publications/field-reports.html"


def test_mirror_maps_real_site_hosts_onto_itself():
    url = "https://cacianalyst.org./publications/news-digest/item/11476-x.html"
    assert (
        MIRROR.canonical(url) == "http://127.0.0.1:8123/publications/news-digest/item/11476-x.html"
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.2:8123/publications/field-reports.html",
        "http://127.0.0.1:9999/publications/field-reports.html",
        "https://www.silkroadstudies.org/",
        "https://evil.com/cacianalyst.org",
        "mailto:someone@cacianalyst.org",
        "javascript:void(0)",
        "ftp://www.cacianalyst.org/x",
    ],
)
def test_other_hosts_are_off_site(url):
    assert MIRROR.canonical(url) is None


def test_pagination_keeps_start():
    assert (
        REAL.canonical("https://www.cacianalyst.org/publications/field-reports.html?start=8")
        == "https://www.cacianalyst.org/publications/field-reports.html?start=8"
    )
    assert REAL.listing_url("field-reports", 8).endswith("field-reports.html?start=8")


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/publications/field-reports.html", Kind.LISTING),
        ("/publications/field-reports.html?start=12", Kind.LISTING),
        ("/publications/analytical-articles/item/12889-indias-challenges.html", Kind.ITEM),
        ("/component/k2/item/12889-indias-challenges.html", Kind.ITEM),
        ("/publications/analytical-articles/item/12889-x.html?tmpl=component&print=1", Kind.PRINT),
        ("/component/mailto/?tmpl=component&link=aHR0cA==", Kind.MAIL),
        ("/publications/field-reports/itemlist/tag/conflict%20settlement.html", Kind.TAG),
        ("/component/k2/itemlist/tag/Georgia.html?start=5", Kind.TAG),
        ("/publications/field-reports/itemlist/search.html?searchword=oil", Kind.SEARCH),
        ("/publications/itemlist/date/2014/07.html", Kind.SEARCH),
        ("/component/k2/itemlist/user/62-admin.html", Kind.SEARCH),
        ("/publications/analytical-articles.feed", Kind.FEED),
        ("/?format=feed", Kind.FEED),
        ("/resources/pdf/issues/20031008Analyst.pdf", Kind.PDF),
        ("/editorial/editorial-principles.html", Kind.PAGE),
        ("/about.html", Kind.PAGE),
        ("/", Kind.HOME),
        ("/?q=taxonomy/term/3&page=94", Kind.OTHER),  # the Drupal site before Joomla
        ("/index.php", Kind.OTHER),  # the home page's other address
        ("/component/acymailing/", Kind.OTHER),
        ("/media/k2/items/cache/0a1b2c_XL.jpg", Kind.IMAGE),
        ("/images/stories/maps/map-large.JPG", Kind.IMAGE),
        ("/templates/caci/css/template.css", Kind.OTHER),
        ("/publications/unknown-section.html", Kind.OTHER),
    ],
)
def test_classify(path, kind):
    assert Site.classify("https://www.cacianalyst.org" + path) is kind


def test_item_id_and_section():
    url = "https://www.cacianalyst.org/publications/news-digest/item/11476-news-digest-caci-analyst-2007-9-5-art-11476.html"
    assert Site.item_id(url) == 11476
    assert Site.section_of(url) == "news-digest"
    assert Site.section_of("https://www.cacianalyst.org/component/k2/item/5-x.html") is None


def test_bad_base_url():
    with pytest.raises(ValueError):
        Site("ftp://example.org/")


def test_component_item_moves_into_its_section():
    url = "http://127.0.0.1:8123/component/k2/item/1402-x.html"
    assert Site.in_section(url, "field-reports") == (
        "http://127.0.0.1:8123/publications/field-reports/item/1402-x.html"
    )


def test_query_strings_are_kept_byte_for_byte():
    url = "https://www.cacianalyst.org/media/jui/js/jquery.min.js?5e1a8b3c"
    assert REAL.canonical(url) == url
    url = "https://www.cacianalyst.org/x.html?a=%20b&utm_source=z&c"
    assert REAL.canonical(url) == "https://www.cacianalyst.org/x.html?a=%20b&c"


def test_join_remembers_hrefs_but_always_agrees_with_urljoin():
    """Site.join caches an href per what it depends on (scheme, origin, folder); whatever
    order pages come in, it gives what urljoin gives."""
    import itertools
    import random
    from urllib.parse import urljoin

    bases = [
        "http://h:8/a/b/c.html?x=1#f", "http://h:8/", "http://h:8", "https://h/a/", "http://h/a/b",
        "http://h/a/b?q", "http://h/a/b/../c.html", "https://h/x?y#z",
        "http://h/a/b/c.html?x=/y/z", "http://h/a/b/c.html?x=/y/z/",
    ]  # fmt: skip
    hrefs = [
        "x.html", "../y", "/z", "//o/p", "?s=1", "#t", "", "https://q/r", "mailto:a", "./k?x#y",
        "..", "?", "/sp", "javascript:void(0)", "http:rel", "https:rel", "HTTP://Q/x", "ftp:x",
        "//", "/", "a?b#c", "#", "?#", "///x", "http://Q/x/../y?", "x:y", "a:b/c", "./",
        "../../../../q", " x", "x y", "%2e%2e/x", ";p", "a;b",
    ]  # fmt: skip
    site = Site("http://h:8/")
    pairs = list(itertools.product(bases, hrefs))
    rng = random.Random(7)
    for _ in range(3):
        rng.shuffle(pairs)
        for base, href in pairs:
            assert site.join(base, href) == urljoin(base, href), (base, href)
        for base in bases:  # a page's hrefs at once, remembered by origin
            assert list(site.resolve_all(base, hrefs)) == [
                site.canonical(urljoin(base, href.strip())) for href in hrefs
            ], base


def test_entry_urls_are_the_home_page_and_each_sections_first_listing_page():
    from crawler.archive.entry_pages import site_roots
    from crawler.site import entry_urls

    captured = [
        "http://h/publications/news-digest.html?start=4",
        "http://h/publications/news-digest.html",
        "http://h/about.html",
        "http://h/publications/field-reports/item/12-x.html",
        "http://h/publications/analytical-articles.html",
        "http://h/",
        "http://h/component/k2/itemlist/tag/Energy.html",
    ]
    assert entry_urls(captured) == [
        "http://h/",
        "http://h/publications/analytical-articles.html",
        "http://h/publications/news-digest.html",
    ]
    assert site_roots(captured) == ["http://h/"]  # what any other collection lists
