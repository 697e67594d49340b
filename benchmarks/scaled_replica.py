"""The test replica scaled to any number of articles, for benchmarks.

``ScaledReplica(n)`` is ``tests.replica.ReplicaServer`` with its section listings and item pages
answered from ``n`` articles cloned from the 60 of the ground truth (``tests/replica/content.py``):
clone ``i`` is article ``i % 60`` with the id ``CLONE_BASE + i`` and the alias ``<alias>-<i>``,
same section, dates, byline, body, images and PDFs (the full-size copy of its item image is
named after its own id, as K2 names it, and served too). Every other route (robots.txt, stylesheets,
images, PDFs, the 60 originals themselves) is the replica's own. So a crawl of it fetches the
``n`` clones, the listings that link them (four per page), and a fixed set whatever ``n``: the
requisites, the PDFs, and the originals that article bodies link to (with their special cases,
such as the 503 answered once). Served on 127.0.0.1 only.

``python -m benchmarks.scaled_replica --articles 2000`` serves one until Ctrl-C.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import time
from urllib.parse import parse_qs, unquote, urlsplit

from tests.replica import pages
from tests.replica.content import ARTICLES, SECTIONS, Article, full_size_images
from tests.replica.server import ReplicaServer, Response, item_response

CLONE_BASE = 100_000  # clone ids start here, far above the site's real ids

_ITEM = re.compile(r"/publications/(?P<sec>[a-z-]+)/item/(?P<id>\d+)-(?P<alias>[^/]+)\.html")
_LISTING = re.compile(r"/publications/(?P<sec>[a-z-]+)\.html")


def cloned_articles(n: int) -> list[Article]:
    """``n`` articles, each a ground-truth article under a new id and alias."""
    return [
        dataclasses.replace(
            ARTICLES[i % len(ARTICLES)],
            item_id=CLONE_BASE + i,
            alias=f"{ARTICLES[i % len(ARTICLES)].alias}-{i}",
        )
        for i in range(n)
    ]


class ScaledReplica(ReplicaServer):
    def __init__(self, articles: int, **kwargs) -> None:
        kwargs["host"] = "127.0.0.1"
        super().__init__(**kwargs)
        self.articles = cloned_articles(articles)
        self.by_id = {a.item_id: a for a in self.articles}
        # K2 orders a category by id, newest (highest) first
        self.listings = {
            s: sorted((a for a in self.articles if a.section == s), key=lambda a: -a.item_id)
            for s in SECTIONS
        }
        # the full-size (_XL) copy of a clone's item image is named after the clone's own id
        self.full_size = {p for a in self.articles for p in full_size_images(a)}
        self.neighbours: dict[int, tuple[Article | None, Article | None]] = {}
        for entries in self.listings.values():
            for i, a in enumerate(entries):
                before = entries[i - 1] if i else None
                after = entries[i + 1] if i + 1 < len(entries) else None
                self.neighbours[a.item_id] = (before, after)

    @property
    def item_paths(self) -> list[str]:
        return [a.path for a in self.articles]

    def route(self, method: str, raw_path: str, host: str | None) -> Response:
        split = urlsplit(raw_path)
        path = unquote(split.path)
        query = parse_qs(split.query, keep_blank_values=True)
        if method in ("GET", "HEAD") and "format" not in query and "tmpl" not in query:
            ctx = pages.Ctx(
                host_base=f"http://{host}" if host else self.base_url, other_base=self.other_base
            )
            if (m := _LISTING.fullmatch(path)) and m["sec"] in SECTIONS:
                return self._listing(m["sec"], query, ctx)
            if (m := _ITEM.fullmatch(path)) and int(m["id"]) in self.by_id:
                return self._clone(self.by_id[int(m["id"])], m, ctx)
            if path in self.full_size:
                return Response(200, pages.JPEG_BYTES, "image/jpeg", kind="image")
        return super().route(method, raw_path, host)

    def _listing(self, section: str, query: dict, ctx: pages.Ctx) -> Response:
        raw = (query.get("start") or query.get("limitstart") or ["0"])[0]
        entries = self.listings[section]
        start = int(raw) if raw.isdigit() else 0
        start = pages.clamp_start(start, len(entries), pages.LISTING_LIMIT)
        body = pages.listing_page(section, entries, start, ctx)
        odd = (start // pages.LISTING_LIMIT) % 2 == 1
        return self._html(body, kind="listing", chunked=odd)

    def _clone(self, article: Article, m: re.Match, ctx: pages.Ctx) -> Response:
        if m["sec"] != article.section or m["alias"] != article.alias:
            return self._not_found("Item not found")
        before, after = self.neighbours[article.item_id]
        hits = article.hits + self._state.view(article.item_id)
        return item_response(article, hits, ctx, before, after)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    with ScaledReplica(args.articles, port=args.port) as server:
        print(server.base_url, flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
