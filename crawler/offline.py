"""Keep the crawl's only network peer the site itself.

Scrapy's cookie middleware asks tldextract whether a cookie's domain is a public suffix, and
tldextract's default is to download the Public Suffix List on first use. An archiving crawl
must not talk to third parties (and these machines cannot): use the list tldextract ships.
"""

from __future__ import annotations


def use_bundled_public_suffix_list() -> None:
    from scrapy.downloadermiddlewares import cookies
    from tldextract import TLDExtract

    cookies._split_domain = TLDExtract(
        suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True
    )
