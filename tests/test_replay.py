"""Replay, as a librarian would: the crawl's WACZ opened in pywb, read back and looked at.

The replica is stopped before replay starts, so nothing can come from the live site. pywb
(`wb-manager`, `wayback`, from a virtualenv of its own) serves a collection on a loopback
port, set up two ways: the WACZ's WARC files with the crawl's flat ``indexes/index.cdxj``
(pywb's own layout, so pywb reads our CDXJ), and the WACZ's WARC files added with
``wb-manager add`` (pywb indexes them itself). Every article read back through ``id_`` (no
rewriting) must give the text of its JSON record; one article loaded in headless Chromium
through the normal rewriting replay must get every stylesheet and image from the archive, and
leaves a screenshot in ``test-artifacts/``.
"""

from __future__ import annotations

import base64
import os
import time
import urllib.error
import urllib.request
import zipfile
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler.extract.article import extract_article
from tests.browser import CDP, CHROMIUM, launch_chromium  # noqa: F401
from tests.helpers import ROOT
from tests.pywb_server import (
    COLL,
    Wayback,
    collection_from_wacz,
    new_collection,
    run,
    ts14,
)
from tests.tool_cache import pywb_bin

ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="module")
def crawl(replica_crawl):
    out, articles = replica_crawl["out"], replica_crawl["articles"]
    (wacz,) = out.glob("*.wacz")
    assert articles
    return {"out": out, "articles": articles, "wacz": wacz}


@pytest.fixture(scope="module")
def pywb_unzipped(crawl, tmp_path_factory):
    """The WACZ's WARC files and the crawl's flat index: pywb replays from our own CDXJ."""
    root = tmp_path_factory.mktemp("pywb") / "unzipped"
    coll = collection_from_wacz(root, crawl["wacz"], crawl["out"] / "indexes" / "index.cdxj")
    assert (coll / "indexes" / "index.cdxj").stat().st_size > 0
    server = Wayback(root).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def pywb_added(crawl, tmp_path_factory):
    """The WACZ's WARC files added with `wb-manager add`: pywb's own index of them."""
    root = tmp_path_factory.mktemp("pywb") / "added"
    coll = new_collection(root)
    unpacked = root / "unpacked"
    with zipfile.ZipFile(crawl["wacz"]) as zf:
        warcs = [n for n in zf.namelist() if n.startswith("archive/")]
        zf.extractall(unpacked, members=warcs)
    run(str(pywb_bin() / "wb-manager"), "add", COLL, *(str(unpacked / n) for n in warcs), cwd=root)
    assert sorted(p.name for p in (coll / "archive").iterdir()) == sorted(
        Path(n).name for n in warcs
    )
    server = Wayback(root).start()
    yield server
    server.stop()


@pytest.mark.parametrize("setup", ["pywb_unzipped", "pywb_added"])
def test_every_article_replays_with_its_text(crawl, request, setup):
    server: Wayback = request.getfixturevalue(setup)
    wrong = []
    for article in crawl["articles"]:
        replay = f"{server.origin}/{COLL}/{ts14(article['fetched_at'])}id_/{article['url']}"
        with urllib.request.urlopen(replay, timeout=30) as resp:
            assert resp.status == 200, replay
            body = resp.read()
            content_type = resp.headers.get("Content-Type")
            memento = parsedate_to_datetime(resp.headers["Memento-Datetime"])
        assert memento.strftime("%Y%m%d%H%M%S") == ts14(article["fetched_at"]), replay
        text = extract_article(body, article["url"], content_type).text
        if text != article["text"]:
            wrong.append(article["url"])
    assert not wrong, f"{len(wrong)} of {len(crawl['articles'])} replayed differently: {wrong}"


# -- in a browser ----------------------------------------------------------------------------


def ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="module")
def chromium(tmp_path_factory):
    if not CHROMIUM.exists():
        if ci():
            pytest.fail(f"{CHROMIUM} is missing under CI: .ci/run must install Debian's chromium")
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium (CI installs it)")
    with launch_chromium(tmp_path_factory.mktemp("chromium")) as cdp:
        yield cdp


def load_and_settle(cdp: CDP, url: str, timeout: float = 60) -> None:
    """Navigate, wait for the load event, then until no request has been pending for 1 s."""
    cdp.call("Network.enable")
    cdp.call("Page.enable")
    cdp.call("Page.navigate", url=url)
    deadline = time.monotonic() + timeout
    quiet_since = None
    while time.monotonic() < deadline:
        seen = len(cdp.events)
        cdp.pump(0.2)
        methods = [e.get("method") for e in cdp.events]
        pending = pending_requests(cdp.events)
        if "Page.loadEventFired" in methods and not pending and len(cdp.events) == seen:
            quiet_since = quiet_since or time.monotonic()
            if time.monotonic() - quiet_since >= 1.0:
                return
        else:
            quiet_since = None
    urls = {
        e["params"]["requestId"]: e["params"]["request"]["url"]
        for e in cdp.events
        if e.get("method") == "Network.requestWillBeSent"
    }
    raise TimeoutError(
        f"{url} did not finish loading in {timeout:.0f} s (load event: "
        f"{'Page.loadEventFired' in methods}); still pending: "
        + ", ".join(urls[r] for r in pending_requests(cdp.events))
    )


def worker_script(params: dict) -> bool:
    # a worker's own script (pywb's queryWorker.js) starts here but finishes in the worker
    return params.get("type") != "Document" and params["request"]["url"] == params.get(
        "documentURL"
    )


def pending_requests(events: list[dict]) -> set[str]:
    started, done = set(), set()
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Network.requestWillBeSent" and not worker_script(params):
            started.add(params["requestId"])
        elif method in ("Network.loadingFinished", "Network.loadingFailed"):
            done.add(params["requestId"])
    return started - done


def requisite_requests(events: list[dict]) -> dict[str, dict]:
    """Stylesheet and image requests: every URL they went to, final status, failure."""
    found: dict[str, dict] = {}
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        rid = params.get("requestId")
        if method == "Network.requestWillBeSent":
            if params.get("type") not in ("Stylesheet", "Image"):
                continue
            if params["request"]["url"].startswith(("data:", "blob:")):
                continue
            entry = found.setdefault(
                rid, {"type": params["type"], "urls": [], "status": None, "failed": None}
            )
            entry["urls"].append(params["request"]["url"])
        elif rid in found and method == "Network.responseReceived":
            found[rid]["status"] = params["response"]["status"]
        elif rid in found and method == "Network.loadingFailed":
            found[rid]["failed"] = params.get("errorText") or "failed"
    return found


def test_article_renders_from_the_archive_alone(chromium, crawl, pywb_unzipped):
    article = min((a for a in crawl["articles"] if a["images"]), key=lambda a: a["item_id"])
    replay = f"{pywb_unzipped.origin}/{COLL}/{ts14(article['fetched_at'])}/{article['url']}"
    load_and_settle(chromium, replay)
    shot = chromium.call("Page.captureScreenshot", format="png")
    ARTIFACTS.mkdir(exist_ok=True)
    png = ARTIFACTS / f"replay-{article['item_id']}.png"
    png.write_bytes(base64.b64decode(shot["data"]))

    requests = requisite_requests(chromium.events)
    archived = f"{pywb_unzipped.origin}/{COLL}/"
    from_page = [r for r in requests.values() if r["urls"][0].startswith(archived)]
    kinds = {r["type"] for r in from_page}
    assert {"Stylesheet", "Image"} <= kinds, f"the replayed article asked only for {kinds}"
    bad = [
        r
        for r in requests.values()
        if r["failed"]
        or r["status"] != 200
        or any(
            f"{urlsplit(u).scheme}://{urlsplit(u).netloc}" != pywb_unzipped.origin
            for u in r["urls"]
        )
    ]
    assert not bad, (
        f"{len(bad)} of {len(requests)} stylesheet/image requests did not come from the archive "
        f"with 200 (screenshot: {png}):\n" + "\n".join(map(str, bad[:30]))
    )
    assert png.stat().st_size > 10_000
