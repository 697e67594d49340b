"""The body text a WACZ's ``pages/pages.jsonl`` carries for ReplayWeb.page's search box.

Pure code: no Scrapy. wabac.js (the engine of ReplayWeb.page 2.x) builds its search index
from at most the first 1 MiB of the ``pages.jsonl`` of a single WACZ (``MAX_TEXT_INDEX``);
a page past that point is not found even by its title. So the text is fitted to that budget:
every page keeps its URL and title; the bytes left are shared out evenly, an article short
enough keeps all its text, a longer one keeps its distinct words in order of first
appearance (the search matches whole words, so a repeated word adds nothing) cut to its
share. When even the titles do not fit, no page carries text and ``hasText`` is left out: the
app then searches the titles of every page from the page list, which has no such limit. The
full text is always in the article JSON.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

MAX_TEXT_INDEX = 1 << 20  # wabac.js: bytes of pages.jsonl read for a single WACZ's index
HEADROOM = 4096  # the header line and rounding
_WORD = re.compile(r"\w[\w'’-]*", re.UNICODE)


def encoded_size(value) -> int:
    return len(json.dumps(value, ensure_ascii=False).encode("utf-8"))


def text_share(base_sizes: Sequence[int], text_sizes: Sequence[int], budget: int) -> int | None:
    """The most bytes of text any one page may carry so that the lines (``base_sizes``: a
    line without its text; ``text_sizes``: what the text would add) fit in ``budget``:
    pages with less text keep all of it, the others are cut to the share. None when not
    even the lines without text fit."""
    left = budget - HEADROOM - sum(base_sizes)
    if left < 0:
        return None
    sizes = sorted(text_sizes)
    n = len(sizes)
    for i, size in enumerate(sizes):
        share = left // (n - i)
        if size > share:
            return share
        left -= size
    return max(sizes, default=0)


def fitted_text(text: str, limit: int) -> str:
    """``text`` if its JSON string fits ``limit`` bytes, else its distinct words, in order of
    first appearance, as many as fit."""
    if encoded_size(text) <= limit:
        return text
    seen: set[str] = set()
    words: list[str] = []
    size = 2  # the quotes
    for word in _WORD.findall(text):
        key = word.lower()
        if key in seen:
            continue
        cost = encoded_size(word) - 2 + (1 if words else 0)
        if size + cost > limit:
            break
        seen.add(key)
        words.append(word)
        size += cost
    return " ".join(words)
