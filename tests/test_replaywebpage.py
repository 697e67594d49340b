"""The crawl's WACZ in ReplayWeb.page, the replay tool most librarians open (no install).

The built app (``npm pack replaywebpage``: index.html, ui.js, sw.js; tests/tool_cache.py) and
the WACZ are served from one static server on 127.0.0.1 that answers Range requests, and
opened in Debian's headless Chromium, as a user opens ``?source=<url of the .wacz>``. The
replica is stopped by then: everything must come from the archive. Checked: the collection
shows under the crawl's title; every article is in the Pages list under its JSON title; the
search box finds an article by a word of its body; one article of each section replays with
every paragraph of its JSON text and every stylesheet and image served by the app's service
worker from the archive; a section listing's article links replay; and the article the
replica answered 503 before 200 replays its good capture when asked for at the time of a page
captured before the retry.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.archive import read_cdxj
from crawler.settings import PACKAGE_TITLE
from crawler.site import SECTIONS, Site, entry_urls
from tests.browser import CHROMIUM, launch_chromium
from tests.replica.content import RETRY_ONCE_ID
from tests.static_server import StaticServer
from tests.test_replay import chromium, requisite_requests  # noqa: F401
from tests.tool_cache import replaywebpage_app

# every text node, shadow roots included (the app is made of web components)
ALL_TEXT = """(() => { const out = [];
  const walk = (n) => {
    if (!n) return;
    if (n.nodeType === 3) { const t = n.data.trim(); if (t) out.push(t); return; }
    if (n.nodeName === 'SCRIPT' || n.nodeName === 'STYLE') return;
    if (n.shadowRoot) walk(n.shadowRoot);
    for (const c of n.childNodes) walk(c);
  };
  walk(document.documentElement); return out.join('\\n'); })()"""


def ts14(iso: str) -> str:
    return re.sub(r"\D", "", iso)[:14]


def evaluate(cdp, expression: str):
    result = cdp.call(
        "Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True
    )
    if "exceptionDetails" in result:
        raise RuntimeError(f"{expression[:80]}: {result['exceptionDetails']}")
    return result["result"].get("value")


def wait_for(cdp, predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        cdp.pump(0.5)
    raise TimeoutError(f"ReplayWeb.page: {what} within {timeout:.0f} s")


@pytest.fixture(scope="module")
def app(replica_crawl, tmp_path_factory):
    out = replica_crawl["out"]
    (wacz,) = out.glob("*.wacz")
    site = tmp_path_factory.mktemp("replaywebpage")
    built = replaywebpage_app()
    for name in ("index.html", "ui.js", "sw.js"):
        (site / name).symlink_to(built / name)
    (site / "crawl.wacz").symlink_to(wacz.resolve())
    with StaticServer(site) as server:
        yield {"server": server, "out": out, "articles": replica_crawl["articles"]}


@pytest.fixture(scope="module")
def opened(app, chromium):  # noqa: F811
    """The WACZ opened as a user would; returns the collection id the app gave it."""
    origin = app["server"].origin
    chromium.call("Page.enable")
    chromium.call("Page.navigate", url=f"{origin}/?source={origin}/crawl.wacz")

    coll = wait_for(chromium, lambda: collection_id(chromium), 120, "the collection did not load")
    return {**app, "coll": coll, "cdp": chromium}


def collection_id(cdp) -> str | None:
    """The id the app gave the collection it opened, once it has one."""
    try:
        colls = json.loads(evaluate(cdp, "fetch('/w/api/coll-index').then(r => r.text())"))
    except (RuntimeError, ValueError, TypeError):  # between two documents, or not yet served
        return None
    return colls["colls"][0]["id"] if colls.get("colls") else None


def test_collection_shows_under_the_crawl_title(opened):
    cdp = opened["cdp"]
    text = wait_for(
        cdp,
        lambda: (t := evaluate(cdp, ALL_TEXT)) and PACKAGE_TITLE in t and t,
        60,
        f"the title {PACKAGE_TITLE!r} was not shown",
    )
    assert "crawl.wacz" not in text.split(PACKAGE_TITLE)[0].splitlines()[-3:]


def test_every_article_is_in_the_pages_list_under_its_title(opened):
    """The list the Pages tab shows, as the app's service worker gives it."""
    cdp = opened["cdp"]
    pages = json.loads(
        evaluate(cdp, f"fetch('/w/api/c/{opened['coll']}/pages').then(r => r.text())")
    )["pages"]
    assert {(p["url"], p["title"]) for p in pages} == {
        (a["url"], a["title"]) for a in opened["articles"]
    }


def distinctive_word(article: dict, articles: list[dict]) -> str:
    """A word of the article's body found in no other article, nor in any title or URL."""
    others = " ".join(
        f"{a['title']} {a['url']} " + (a["text"] if a is not article else "") for a in articles
    ).lower()
    words = sorted(set(re.findall(r"[A-Za-z]{6,}", article["text"])), key=str.lower)
    for word in words:
        if not re.search(rf"\b{word.lower()}\b", others):
            return word
    return None


def last_searchable(articles: list[dict]) -> tuple[dict, str]:
    """The article latest in pages.jsonl that has a word of its own (a short news digest item
    may have none), and that word: the end of the text index is what a size cap would lose."""
    for article in sorted(articles, key=lambda a: a["fetched_at"], reverse=True):
        if word := distinctive_word(article, articles):
            return article, word
    raise AssertionError("no article has a word of its own")


def search_lists(cdp, found: str, not_found: str) -> bool:
    """The results show ``found`` and not ``not_found`` (so the list is filtered, not the
    whole page list shown before the search applies)."""
    try:
        shown = evaluate(cdp, ALL_TEXT) or ""
    except RuntimeError:  # between two documents
        return False
    return found in shown and not_found not in shown


def test_search_box_finds_a_body_word(opened):
    cdp, origin, articles = opened["cdp"], opened["server"].origin, opened["articles"]
    article, word = last_searchable(articles)
    other = next(a["title"] for a in articles if a["title"] != article["title"])
    cdp.call("Page.navigate", url="about:blank")
    cdp.call("Page.navigate", url=f"{origin}/?source={origin}/crawl.wacz#view=pages&query={word}")
    wait_for(
        cdp,
        lambda: search_lists(cdp, article["title"], other),
        60,
        f"searching {word!r} did not find {article['title']!r} alone",
    )


def load_replay(cdp, url: str, timeout: float = 60) -> None:
    """Open ``url`` afresh (a new document, not a hash change); wait for the load event, then
    until no event came for 2 s or 20 s passed. (Requests the service worker answers do not
    all report their end to the page, so the wait is not for every request to finish, as
    tests/test_replay.py does with pywb.)"""
    cdp.call("Network.enable")
    cdp.call("Page.enable")
    cdp.call("Page.navigate", url="about:blank")
    cdp.pump(0.5)
    cdp.events.clear()
    cdp.call("Page.navigate", url=url)
    deadline = time.monotonic() + timeout
    loaded_at = quiet_since = None
    while time.monotonic() < deadline:
        seen = len(cdp.events)
        cdp.pump(0.2)
        if loaded_at is None and any(e.get("method") == "Page.loadEventFired" for e in cdp.events):
            loaded_at = time.monotonic()
        if loaded_at is None:
            continue
        if len(cdp.events) == seen:
            quiet_since = quiet_since or time.monotonic()
            if time.monotonic() - quiet_since >= 2.0:
                return
        else:
            quiet_since = None
        if time.monotonic() - loaded_at > 20:
            return
    raise TimeoutError(f"{url} did not load in {timeout:.0f} s")


def replay_url(opened, ts: str, url: str) -> str:
    """The app's own replay view (a top-level /w/ URL is sent back to it)."""
    origin = opened["server"].origin
    return f"{origin}/?source={origin}/crawl.wacz#view=replay&url={quote(url, safe='')}&ts={ts}"


def replay_frame(cdp, opened, url: str, timeout: float = 60) -> int:
    """The execution context of the frame the app replays ``url`` in."""
    prefix = f"{opened['server'].origin}/w/{opened['coll']}/"

    def find(tree):
        frame = tree["frame"]
        if frame["url"].startswith(prefix) and frame["url"].endswith("_/" + url):
            return frame["id"]
        for child in tree.get("childFrames", []):
            if found := find(child):
                return found
        return None

    frame_id = wait_for(
        cdp, lambda: find(cdp.call("Page.getFrameTree")["frameTree"]), timeout, f"no frame {url}"
    )
    return cdp.call("Page.createIsolatedWorld", frameId=frame_id)["executionContextId"]


def frame_text(cdp, context: int) -> str:
    result = cdp.call(
        "Runtime.evaluate",
        expression="document.body ? document.body.innerText : ''",
        contextId=context,
        returnByValue=True,
    )
    return " ".join((result["result"].get("value") or "").split())


def paragraphs_missing(cdp, opened, article: dict) -> list[str]:
    context = replay_frame(cdp, opened, article["url"])
    shown = frame_text(cdp, context)
    return [line for line in article["text"].splitlines() if " ".join(line.split()) not in shown]


def sample(articles: list[dict]) -> list[dict]:
    """One article of each section and era (migrated, before 2010, and K2-native), the one
    with the most images (requisites)."""
    chosen: dict[tuple, dict] = {}
    for a in sorted(articles, key=lambda a: (-len(a["images"]), a["item_id"])):
        chosen.setdefault((a["section"], (a["published"] or "") < "2010"), a)
    return list(chosen.values())


def test_articles_replay_whole_from_the_archive(opened):
    cdp, origin = opened["cdp"], opened["server"].origin
    for article in sample(opened["articles"]):
        load_replay(cdp, replay_url(opened, ts14(article["fetched_at"]), article["url"]))
        missing = paragraphs_missing(cdp, opened, article)
        assert not missing, f"{article['url']}: {len(missing)} paragraphs missing: {missing[:3]}"
        cdp.pump(2)
        # the replayed page's own (the app's icons and styles are not the archive's)
        requests = {
            k: r for k, r in requisite_requests(cdp.events).items() if "/w/" in r["urls"][0]
        }
        assert any(r["type"] == "Stylesheet" for r in requests.values()), article["url"]
        bad = [
            r
            for r in requests.values()
            if r["failed"]
            or r["status"] != 200
            or any(not u.startswith(f"{origin}/w/{opened['coll']}/") for u in r["urls"])
        ]
        assert not bad, f"{article['url']}: requisites not from the archive: {bad[:5]}"


def listing_capture(out: Path, section_path: str):
    return next(
        e
        for e in read_cdxj(out / "indexes" / "index.cdxj")
        if urlsplit(e.url).path == section_path and not urlsplit(e.url).query
    )


def listing_with_component_link(out: Path):
    """The capture of a section listing page that links an article by /component/k2/item/."""
    for warc in sorted((out / "warc").glob("*.warc.gz")):
        with open(warc, "rb") as f:
            for record in ArchiveIterator(f):
                url = record.rec_headers.get_header("WARC-Target-URI") or ""
                if record.rec_type != "response" or not re.search(
                    r"/publications/[a-z-]+\.html", url
                ):
                    continue
                if b"/component/k2/item/" in record.content_stream().read():
                    return next(
                        e for e in read_cdxj(out / "indexes" / "index.cdxj") if e.url == url
                    )
    raise AssertionError("no listing page with a /component/k2/item/ link in the crawl")


def test_listing_links_replay(opened):
    cdp = opened["cdp"]
    listing = listing_with_component_link(opened["out"])
    load_replay(cdp, replay_url(opened, listing.timestamp, listing.url))
    context = replay_frame(cdp, opened, listing.url)
    links = cdp.call(
        "Runtime.evaluate",
        expression="[...document.querySelectorAll('a[href*=\"/item/\"]')].map(a => a.href)",
        contextId=context,
        returnByValue=True,
    )["result"]["value"]
    # the item's own address, and the platform's other route (/component/k2/item/...) some
    # listing entries use, which the crawl archives as it answered
    links = sorted(set(links))
    assert len(links) >= 3, f"the replayed listing links too few articles: {links}"
    assert any("/component/k2/item/" in link for link in links), links
    titles = {Site.item_id(a["url"]): a["title"] for a in opened["articles"]}
    for link in links:
        status, body = evaluate(
            cdp, f"fetch({json.dumps(link)}).then(async r => [r.status, await r.text()])"
        )
        target = link.split("mp_/", 1)[-1]
        assert status == 200, link
        if Site.item_id(target) in titles:
            title = titles[Site.item_id(target)]
            assert title in body.replace("&#039;", "'").replace("&amp;", "&"), link


def retry_captures(out: Path, url: str) -> list[tuple[str, str]]:
    """(status, 14-digit time) of every response record of ``url`` in the WARC files."""
    found = []
    for warc in sorted((out / "warc").glob("*.warc.gz")):
        with open(warc, "rb") as f:
            for record in ArchiveIterator(f):
                if record.rec_type == "response" and record.rec_headers["WARC-Target-URI"] == url:
                    found.append(
                        (
                            record.http_headers.get_statuscode(),
                            ts14(record.rec_headers["WARC-Date"]),
                        )
                    )
    return found


def test_retried_article_replays_its_good_capture(opened):
    cdp = opened["cdp"]
    article = next(a for a in opened["articles"] if a["item_id"] == RETRY_ONCE_ID)
    captures = retry_captures(opened["out"], article["url"])
    failed = [ts for status, ts in captures if status == "503"]
    assert failed and any(status == "200" for status, _ in captures), captures
    before = listing_capture(opened["out"], "/publications/analytical-articles.html")
    assert before.timestamp <= min(failed), "the listing was not captured before the retry"
    load_replay(cdp, replay_url(opened, before.timestamp, article["url"]))
    shown = frame_text(cdp, replay_frame(cdp, opened, article["url"]))
    assert "Service Unavailable" not in shown
    assert not paragraphs_missing(cdp, opened, article)


def test_search_collection_of_a_large_crawl(replica_crawl, tmp_path):
    """The multi-WACZ written when pages.jsonl cannot carry text (shrunk limit here): opened
    as one collection under the crawl's title, its page list holds the entry pages only (so
    it opens fast at any size), "Include Non-Seed Pages" lists every article, its search box
    finds a body word, and an article replays from the WACZ inside it."""
    from crawler.archive import folder

    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing")
    out = tmp_path / "copy"
    shutil.copytree(replica_crawl["out"], out)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(folder, "MAX_TEXT_INDEX", 4096)
        result = folder.package_folder(
            out, out / "big.wacz", title=PACKAGE_TITLE, search_text_budget=1 << 20,
            entries=entry_urls,
        )  # fmt: skip
    base = replica_crawl["articles"][0]["url"].split("/publications/")[0]
    entries = [f"{base}/"] + [f"{base}/publications/{s}.html" for s in SECTIONS]
    assert result.text == "none" and result.search_collection
    site = tmp_path / "site"
    site.mkdir()
    built = replaywebpage_app()
    for name in ("index.html", "ui.js", "sw.js"):
        (site / name).symlink_to(built / name)
    (site / "crawl.wacz").symlink_to(result.search_collection)
    articles = replica_crawl["articles"]
    article, word = last_searchable(articles)
    other = next(a["title"] for a in articles if a["title"] != article["title"])
    with StaticServer(site) as server, launch_chromium(tmp_path / "browser") as cdp:
        origin = server.origin
        cdp.call("Page.enable")
        cdp.call(
            "Page.navigate", url=f"{origin}/?source={origin}/crawl.wacz#view=pages&query={word}"
        )
        wait_for(
            cdp,
            lambda: (
                search_lists(cdp, article["title"], other)
                and PACKAGE_TITLE in evaluate(cdp, ALL_TEXT)
            ),
            120,
            f"searching {word!r} in the search collection did not find {article['title']!r}",
        )
        opened = {"server": server, "coll": collection_id(cdp)}
        api = f"/w/api/c/{opened['coll']}"
        pages = json.loads(evaluate(cdp, f"fetch('{api}/pages').then(r => r.text())"))["pages"]
        assert sorted(p["url"] for p in pages) == sorted(entries)  # in the app's own order
        index = evaluate(cdp, f"fetch('{api}/textIndex').then(r => r.text())")
        indexed = [json.loads(line) for line in index.splitlines() if line.strip()]
        assert {(e["url"], e["title"]) for e in indexed if "url" in e} == {
            (a["url"], a["title"]) for a in articles
        }
        # the Pages tab: the entry pages, and every article once the box is ticked
        cdp.call("Page.navigate", url="about:blank")
        cdp.call("Page.navigate", url=f"{origin}/?source={origin}/crawl.wacz#view=pages")
        newest = max(articles, key=lambda a: a["fetched_at"])["title"]
        wait_for(
            cdp,
            lambda: "Include Non-Seed Pages" in (evaluate(cdp, ALL_TEXT) or ""),
            60,
            "no 'Include Non-Seed Pages' box",
        )
        assert newest not in evaluate(cdp, ALL_TEXT)
        evaluate(cdp, TICK_NON_SEED_PAGES)
        wait_for(cdp, lambda: newest in evaluate(cdp, ALL_TEXT), 60, f"{newest!r} not listed")
        load_replay(cdp, replay_url(opened, ts14(article["fetched_at"]), article["url"]))
        assert not paragraphs_missing(cdp, opened, article)


# the Pages tab's "Include Non-Seed Pages" box, inside the app's shadow roots
TICK_NON_SEED_PAGES = """(() => {
  const find = (n) => {
    if (!n) return null;
    if (n.nodeName === 'LABEL' && n.textContent.includes('Include Non-Seed Pages'))
      return n.querySelector('input');
    for (const c of [n.shadowRoot, ...n.childNodes]) { const f = c && find(c); if (f) return f; }
    return null;
  };
  const box = find(document.documentElement);
  box.click();
  return box.checked; })()"""
