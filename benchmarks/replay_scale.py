"""ReplayWeb.page at the publication's size: time to the first article, and body search.

Crawls the scaled replica (benchmarks/scaled_replica.py) at 120, 2,000 and 15,000 articles
(``--sizes``), each into its own folder with the crawl's own WACZ at the end, stops the
replica, then opens each WACZ in ReplayWeb.page (``npm pack``ed, tests/tool_cache.py) in a
fresh headless Chromium, served from a Range-answering static server on 127.0.0.1, as a
librarian does. Printed per size, side by side:

- the time from opening the app on the WACZ to the first article's first paragraph shown in
  the replay frame, and its ratio to the smallest size (target: <= 2x);
- whether the app's search index (its ``textIndex``, built from ``pages/pages.jsonl``) holds
  two body words of the last article of the pages list, and whether the search box then lists
  that article; and what ``pages.jsonl`` carries (full text, fitted text or titles only).

Each file is opened ``--rounds`` times (3), the files in turn, each time in a fresh browser
profile; the median time counts.

``python -m benchmarks.replay_scale [--sizes 120,2000,15000] [--rounds 3] [--keep DIR]``
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
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
    collection_id,
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


def body_words(article: dict, pages: list[dict], articles: dict[str, dict]) -> list[str]:
    """Two words of the article's body that are in no page's title or URL (so only body text
    can match them), chosen so that the fewest other articles hold both: searched together,
    they pick out the article (and the replica's clones of it, which share its title) from
    the 25 results the search box shows."""
    titles = " ".join(f"{p['title']} {p['url']}" for p in pages).lower()
    words = {w.lower() for w in re.findall(r"[A-Za-z]{7,}", article["text"])} - set(
        re.findall(r"[a-z]+", titles)
    )
    if len(words) < 2:
        raise SystemExit(f"no two body-only words in {article['url']}")
    holders: dict[str, set[str]] = {w: set() for w in words}
    for other in articles.values():
        if other["title"] == article["title"]:
            continue
        for word in words & {w.lower() for w in re.findall(r"[A-Za-z]{7,}", other["text"])}:
            holders[word].add(other["url"])
    rarest = sorted(sorted(words), key=lambda w: len(holders[w]))[:40]
    pairs = [(a, b) for i, a in enumerate(rarest) for b in rarest[i + 1 :]]
    return list(min(pairs, key=lambda pair: len(holders[pair[0]] & holders[pair[1]])))


def open_in_replaywebpage(
    wacz: Path,
    first: dict,
    last: dict,
    words: list[str],
    control: dict,
    tmp: Path,
    search: bool = True,
    search_wait: float = 60,
) -> dict:
    """Time to the first article; the search index and the search box on ``words``: listed
    when the results show the last article's title and not ``control``'s (an article without
    the words; the replica's clones share their original's title and body)."""
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

        coll = wait_for(cdp, lambda: collection_id(cdp), 600, "no collection")
        opened = {"server": server, "coll": coll}
        paragraph = " ".join(first["text"].splitlines()[0].split())
        context = replay_frame(cdp, opened, first["url"], timeout=600)
        wait_for(cdp, lambda: paragraph in frame_text(cdp, context), 600, "no first paragraph")
        first_seconds = time.perf_counter() - began
        if not search:
            return {"first": first_seconds}

        index = evaluate(cdp, f"fetch('/w/api/c/{opened['coll']}/textIndex').then(r => r.text())")
        entries = [json.loads(x) for x in index.splitlines() if x.strip()]
        in_index = any(
            e.get("url") == last["url"]
            and all(re.search(rf"\b{word}\b", e.get("text", ""), re.I) for word in words)
            for e in entries
        )
        cdp.call("Page.navigate", url="about:blank")
        cdp.pump(0.5)
        cdp.call("Page.navigate", url=f"{source}#view=pages&query={quote(' '.join(words))}")
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
    parser.add_argument("--rounds", type=int, default=3, help="openings of each file (median)")
    args = parser.parse_args(argv)
    sizes = [int(x) for x in args.sizes.split(",")]
    work = args.keep or Path(tempfile.mkdtemp(prefix="replay-scale-"))
    try:
        cases = []
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
            words = body_words(last, pages, articles)
            control = next(
                a for a in articles.values() if not all(w in a["text"].lower() for w in words)
            )
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
                if opened.exists():
                    cases.append((n, crawl_seconds, opened, what, first, last, words, control))
        # rounds alternate the files, so a busy moment of the machine does not fall on one
        times: dict[Path, list[float]] = {}
        searched: dict[Path, dict] = {}
        for round_ in range(args.rounds):
            for n, crawl_seconds, opened, what, first, last, words, control in cases:
                with tempfile.TemporaryDirectory() as tmp:
                    seen = open_in_replaywebpage(
                        opened, first, last, words, control, Path(tmp), search=round_ == 0
                    )
                times.setdefault(opened, []).append(seen["first"])
                if round_:
                    continue
                searched[opened] = seen
                print(
                    f"{n} articles, {opened.name}: crawl {crawl_seconds:.0f} s, "
                    f"{opened.stat().st_size / 2**20:.0f} MiB, {what}; "
                    f"'{' '.join(words)}' of the last article in the search index: "
                    f"{seen['in_index']} ({seen['index_lines']} lines), listed by the search "
                    f"box: {seen['listed']} ({seen['search']:.1f} s)",
                    flush=True,
                )
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    base = statistics.median(times[cases[0][2]])
    for n, _, opened, what, *_ in cases:
        seen = searched[opened]
        first = statistics.median(times[opened])
        rounds = ", ".join(f"{t:.1f}" for t in times[opened])
        print(
            f"time to first article, {n} vs {cases[0][0]} articles ({what}): {first:.1f} s "
            f"(rounds {rounds}), {first / base:.2f}x (target <= 2x); body search finds the "
            f"last article: {seen['in_index'] and seen['listed']}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
