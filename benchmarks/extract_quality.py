"""`scrapy extract --all-pages` text quality against trafilatura alone, on other sites' pages.

Our site knowledge must never make the generic path worse than trafilatura: on real article
pages of other sites, `--all-pages` must score at least trafilatura's own F1.

Usage: python benchmarks/extract_quality.py PATH/TO/zyte-aeb

PATH holds the Zyte article-extraction benchmark (html/<id>.html.gz and ground-truth.json;
evaluation only: the pages are read from there at run time, never copied into the project).
The pages are wrapped into a temporary WARC file (as if a crawl had archived them), run
through the real `scrapy extract --all-pages`, and both outputs are scored the benchmark's way:
word tokens, 4-token shingles, per-page precision/recall over the shingle multisets,
precision averaged over pages where the extractor returned something, recall over all pages,
F1 of those means.
"""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
import tempfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import trafilatura

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.records import canonical_url  # noqa: E402
from crawler.warc import Exchange, WarcWriter  # noqa: E402

_WORD = re.compile(r"\w+")


def shingles(text: str, n: int = 4) -> Counter:
    tokens = _WORD.findall(text or "")
    return Counter(tuple(tokens[i : i + n]) for i in range(max(0, len(tokens) - n + 1)))


def score(predictions: dict[str, str], truth: dict[str, str]) -> tuple[float, float, float]:
    precisions, recalls = [], []
    for page_id, expected in truth.items():
        want, got = shingles(expected), shingles(predictions.get(page_id, ""))
        tp = sum((want & got).values())
        fp = sum(got.values()) - tp
        fn = sum(want.values()) - tp
        if got:
            precisions.append(tp / (tp + fp) if tp + fp else 0.0)
        recalls.append(tp / (tp + fn) if tp + fn else 1.0)
    p = sum(precisions) / len(precisions) if precisions else 0.0
    r = sum(recalls) / len(recalls)
    return (2 * p * r / (p + r) if p + r else 0.0), p, r


def main(bench: Path) -> None:
    truth_raw = json.loads((bench / "ground-truth.json").read_text("utf-8"))
    truth = {k: v["articleBody"] for k, v in truth_raw.items()}
    urls = {k: v["url"] for k, v in truth_raw.items()}
    pages = {p.name.split(".")[0]: gzip.decompress(p.read_bytes()) for p in
             sorted((bench / "html").glob("*.html.gz"))}  # fmt: skip
    alone = {pid: trafilatura.extract(html.decode("utf-8"), url=urls[pid]) or ""
             for pid, html in pages.items()}  # fmt: skip

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        with WarcWriter(tmp / "warc") as writer:
            for pid, html in pages.items():
                url = urls[pid]
                writer.write_exchange(
                    Exchange(
                        url=url,
                        date=datetime.now(UTC),
                        method="GET",
                        target="/",
                        request_headers=[],
                        protocol="HTTP/1.1",
                        status=200,
                        response_headers=[(b"Content-Type", b"text/html; charset=utf-8")],
                        body=html,
                    )  # fmt: skip
                )
        out = tmp / "all-pages.jsonl"
        subprocess.run(
            [str(Path(sys.executable).with_name("scrapy")), "extract", str(tmp / "warc"),
             "-o", str(out), "--all-pages"],
            cwd=ROOT, check=True, capture_output=True,
        )  # fmt: skip
        by_url = {}
        for line in out.read_text("utf-8").splitlines():
            record = json.loads(line)
            by_url[record["url"]] = record["text"]
    # records carry the canonical URL (no fragment, no tracking parameters)
    ours = {pid: by_url.get(canonical_url(urls[pid]), "") for pid in pages}

    f_alone, p_alone, r_alone = score(alone, truth)
    f_ours, p_ours, r_ours = score(ours, truth)
    print(f"pages: {len(pages)}")
    print(f"trafilatura.extract alone: F1 {f_alone:.4f} (P {p_alone:.3f}, R {r_alone:.3f})")
    print(f"scrapy extract --all-pages: F1 {f_ours:.4f} (P {p_ours:.3f}, R {r_ours:.3f})")
    print(f"all-pages F1 / trafilatura F1: {f_ours / f_alone:.3f}x (target >= 1.000x)")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python benchmarks/extract_quality.py PATH/TO/zyte-aeb")
    main(Path(sys.argv[1]))
