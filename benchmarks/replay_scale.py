"""ReplayWeb.page at the publication's size: time to the first article, and body search.

Crawls the scaled replica (benchmarks/scaled_replica.py) at 120, 2,000 and 15,000 articles
(``--sizes``), each into its own folder with the crawl's own WACZ at the end, stops the
replica, then opens each WACZ in ReplayWeb.page (``npm pack``ed, tests/tool_cache.py) in a
fresh headless Chromium, served from a Range-answering static server on 127.0.0.1, as a
librarian does. Printed per size, side by side:

- the time from opening the app on the WACZ to the first article's first paragraph shown in
  the replay frame, and its ratio to the smallest size (target: <= 2x);
- whether the app's search index (its ``textIndex``, built from ``pages/pages.jsonl``) holds
  a body word of the last article of the pages list, and whether the search box then lists
  that article; and what ``pages.jsonl`` carries (full text, fitted text or titles only).

``python -m benchmarks.replay_scale [--sizes 120,2000,15000] [--keep DIR]``
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import tempfile
import time
import zipfile
from pathlib import Path
from urllib.parse import quote

from benchmarks.common import crawl
from benchmarks.scaled_replica import ScaledReplica
from tests.browser import launch_chromium
from tests.static_server import StaticServer
from tests.test_replaywebpage import (
    evaluate,
    frame_text,
    replay_frame,
    search_lists,
    wait_for,
)
from tests.tool_cache import replaywebpage_app


def crawl_size(n: int, out: Path) -> float:
    with ScaledReplica(n) as site:
        began = time.perf_counter()
        crawl(site.base_url, out, {"PACKAGE_ENABLED": "True"}, timeout=4 * 3600)
        return time.perf_counter() - began


def pages_of(wacz: Path) -> tuple[dict, list[dict]]:
    with zipfile.ZipFile(wacz) as zf:
        lines = zf.read("pages/pages.jsonl").decode("utf-8").splitlines()
    return json.loads(lines[0]), [json.loads(line) for line in lines[1:]]


def articles_of(out: Path) -> dict[str, dict]:
    found = {}
    for path in sorted(out.glob("articles-*.jsonl")):
        for line in path.read_text("utf-8").splitlines():
            record = json.loads(line)
            found[record["url"]] = record
    return found


def body_word(article: dict, pages: list[dict], articles: dict[str, dict]) -> str:
    """A word of the article's body that is in no page's title or URL (so only body text can
    match it), held by the fewest articles."""
    titles = " ".join(f"{p['title']} {p['url']}" for p in pages).lower()
    words = {w.lower() for w in re.findall(r"[A-Za-z]{7,}", article["text"])} - set(
        re.findall(r"[a-z]+", titles)
    )
    if not words:
        raise SystemExit(f"no body-only word in {article['url']}")
    held: dict[str, int] = dict.fromkeys(words, 0)
    for other in articles.values():
        for word in words & {w.lower() for w in re.findall(r"[A-Za-z]{7,}", other["text"])}:
            held[word] += 1
    return min(sorted(words), key=held.__getitem__)


def open_in_replaywebpage(
    wacz: Path, first: dict, last: dict, word: str, control: dict, tmp: Path, search_wait=120
) -> dict:
    """Time to the first article; the search index and the search box on ``word``: listed
    when the results show the last article's title and not ``control``'s (an article without
    the word; the replica's clones share their original's title and body)."""
    site = tmp / "site"
    site.mkdir()
    app = replaywebpage_app()
    for name in ("index.html", "ui.js", "sw.js"):
        (site / name).symlink_to(app / name)
    (site / "crawl.wacz").symlink_to(wacz.resolve())
    with StaticServer(site) as server, launch_chromium(tmp) as cdp:
        origin = server.origin
        source = f"{origin}/?source={origin}/crawl.wacz"
        cdp.call("Page.enable")
        began = time.perf_counter()
        cdp.call(
            "Page.navigate",
            url=f"{source}#view=replay&url={quote(first['url'], safe='')}&ts={first['ts14']}",
        )

        def coll():
            try:
                colls = json.loads(evaluate(cdp, "fetch('/w/api/coll-index').then(r => r.text())"))
            except (RuntimeError, ValueError, TypeError):
                return None
            return colls["colls"][0]["id"] if colls.get("colls") else None

        opened = {"server": server, "coll": wait_for(cdp, coll, 600, "no collection")}
        paragraph = " ".join(first["text"].splitlines()[0].split())
        context = replay_frame(cdp, opened, first["url"], timeout=600)
        wait_for(cdp, lambda: paragraph in frame_text(cdp, context), 600, "no first paragraph")
        first_seconds = time.perf_counter() - began

        index = evaluate(cdp, f"fetch('/w/api/c/{opened['coll']}/textIndex').then(r => r.text())")
        entries = [json.loads(x) for x in index.splitlines() if x.strip()]
        in_index = any(
            e.get("url") == last["url"] and re.search(rf"\b{word}\b", e.get("text", ""), re.I)
            for e in entries
        )
        cdp.call("Page.navigate", url="about:blank")
        cdp.pump(0.5)
        cdp.call("Page.navigate", url=f"{source}#view=pages&query={word}")
        searched = time.perf_counter()
        try:
            wait_for(
                cdp, lambda: search_lists(cdp, last["title"], control["title"]), search_wait, "x"
            )
            listed = True
        except TimeoutError:
            listed = False
        search_seconds = time.perf_counter() - searched
    return {
        "first": first_seconds,
        "index_lines": len(entries),
        "in_index": in_index,
        "listed": listed,
        "search": search_seconds,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="120,2000,15000")
    parser.add_argument("--keep", type=Path, help="keep the crawls here (and reuse them)")
    args = parser.parse_args(argv)
    sizes = [int(x) for x in args.sizes.split(",")]
    work = args.keep or Path(tempfile.mkdtemp(prefix="replay-scale-"))
    rows = []
    try:
        for n in sizes:
            out = work / f"crawl-{n}"
            crawl_seconds = 0.0
            if not list(out.glob("*.wacz")):
                shutil.rmtree(out, ignore_errors=True)
                crawl_seconds = crawl_size(n, out)
            (wacz,) = (p for p in out.glob("*.wacz") if not p.name.endswith("-search.wacz"))
            header, pages = pages_of(wacz)
            articles = articles_of(out)
            by_time = sorted(pages, key=lambda p: p["ts"])
            first = {
                **articles[by_time[0]["url"]],
                "ts14": re.sub(r"\D", "", by_time[0]["ts"])[:14],
            }
            last = articles[pages[-1]["url"]]
            word = body_word(last, pages, articles)
            control = next(a for a in articles.values() if word not in a["text"].lower())
            text = (
                "titles only"
                if not header.get("hasText")
                else (
                    "full text"
                    if all(p.get("text") == articles[p["url"]]["text"] for p in pages)
                    else "fitted text"
                )
            )
            search = wacz.with_name(wacz.name.removesuffix(".wacz") + "-search.wacz")
            for opened, what in ((wacz, text), (search, "search collection")):
                if not opened.exists():
                    continue
                with tempfile.TemporaryDirectory() as tmp:
                    seen = open_in_replaywebpage(opened, first, last, word, control, Path(tmp))
                rows.append((n, crawl_seconds, opened.stat().st_size, what, word, seen))
                print(
                    f"{n} articles, {opened.name}: crawl {crawl_seconds:.0f} s, "
                    f"{opened.stat().st_size / 2**20:.0f} MiB, {what}; first article in "
                    f"{seen['first']:.1f} s; '{word}' of the last article in the search "
                    f"index: {seen['in_index']} ({seen['index_lines']} lines), listed by the "
                    f"search box: {seen['listed']} ({seen['search']:.1f} s)",
                    flush=True,
                )
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    base = rows[0][5]["first"]
    for n, _, _, text, _, seen in rows:
        print(
            f"time to first article, {n} vs {rows[0][0]} articles ({text}): "
            f"{seen['first'] / base:.2f}x "
            f"(target <= 2x); body search finds the last article: "
            f"{seen['in_index'] and seen['listed']} ({text})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
