"""A page's one lxml parse in the crawl process, for whoever reads the page (the spider's walk
of its links, then the requisites middleware), and let go as soon as they are done.

Scrapy's ``response.selector`` keeps its tree on the response, and Scrapy keeps a response until
every item from it has left the item pipelines. When extraction falls behind fetching,
hundreds of article pages wait there (bounded by their bodies' bytes, not their trees'), and
a page's tree weighs many times its body: on the replica, a crawl with extraction slowed
below fetching held 440 MB, growing, against 130 MB, flat, once each tree went with its walk.

With the requisites middleware off (``REQUISITES_ENABLED``) nobody lets go, and a tree goes
with its response, as Scrapy's own would. Scrapy glue (a Selector, as ``response.selector``
would build it: the same parse).
"""

from __future__ import annotations

from weakref import WeakKeyDictionary

from scrapy.http import TextResponse
from scrapy.selector import Selector

# a response that goes away takes its entry with it, whoever forgot to let it go
_TREES: WeakKeyDictionary = WeakKeyDictionary()


def page_root(response: TextResponse):
    """The page's parsed tree (an lxml root), parsed on the first call for this response."""
    root = _TREES.get(response)
    if root is None:
        root = _TREES[response] = Selector(response=response).root
    return root


def let_go(response) -> None:
    """The page's last reader is done with its tree."""
    _TREES.pop(response, None)
