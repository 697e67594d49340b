"""The crawl report as one HTML page a librarian opens in a browser.

Pure code: the JSON report's summary in, a self-contained page out (inline CSS and SVG, no
script, nothing loaded from the network), so it opens from a file anywhere, years from now.
What it shows: the outcome, "did we get everything?" per section with every missing item
named, articles in the archive per year and section as a bar chart, failures and skips, and
the files the crawl wrote.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

# one colour per section (colour-blind safe, Okabe-Ito), then any other
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#999999")

STYLE = """
body{font-family:Georgia,'Times New Roman',serif;margin:2em auto;max-width:60em;color:#222;
padding:0 1em;line-height:1.4}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.25em;margin-top:2em;
border-bottom:1px solid #ccc}
.outcome{padding:.6em 1em;border-left:6px solid #2a7;background:#eef8f1}
.outcome.bad{border-color:#c33;background:#fbeeee}
table{border-collapse:collapse;margin:.5em 0;font-size:.95em}
th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
tr.gap td{background:#fbeeee}tfoot td{font-weight:bold}
code{font-size:.9em;word-break:break-all}.muted{color:#666}
svg text{font-family:Helvetica,Arial,sans-serif;font-size:11px;fill:#333}
"""


def esc(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], numeric=(), cls="") -> str:
    """``rows`` hold HTML already escaped; ``numeric`` are the right-aligned column indexes."""
    head = "".join(
        f'<th{" class=n" if i in numeric else ""} scope="col">{esc(h)}</th>'
        for i, h in enumerate(headers)
    )
    body = []
    for row in rows:
        row_cls, cells = ("", row) if not isinstance(row, tuple) else row
        tds = "".join(
            f"<td{' class=n' if i in numeric else ''}>{cell}</td>" for i, cell in enumerate(cells)
        )
        body.append(f"<tr{f' class={row_cls}' if row_cls else ''}>{tds}</tr>")
    return (
        f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>'
        + "".join(body)
        + "</tbody></table>"
    )


def completeness_html(result: dict | None) -> str:
    if not result or not result.get("sections"):
        return "<p class=muted>No section listing was read in this crawl.</p>"
    rows = []
    for s in result["sections"]:
        cells = [
            esc(s["name"]),
            str(s["listed"]),
            str(s["archived"]),
            str(s["archived_now"]),
            str(s["archived_before"]),
            str(s["missing"]),
        ]
        rows.append(("gap" if s["missing"] else "", cells))
    t = result["totals"]
    totals = "".join(
        f"<td{' class=n' if i else ''}>{v}</td>"
        for i, v in enumerate(
            [
                "All sections",
                t["listed"],
                t["archived"],
                t["archived_now"],
                t["archived_before"],
                t["missing"],
            ]
        )  # fmt: skip
    )
    table = _table(
        [
            "Section",
            "Listed on the site",
            "Archived",
            "by this crawl",
            "by earlier crawls",
            "Missing",
        ],  # fmt: skip
        rows,
        numeric=(1, 2, 3, 4, 5),
        cls="completeness",
    ).replace("</tbody></table>", f"</tbody><tfoot><tr>{totals}</tr></tfoot></table>")
    names = {s["section"]: s["name"] for s in result["sections"]}
    missing = result.get("missing") or []
    if not missing:
        return table + "<p>Every item the site's listings show is in the archive.</p>"
    items = _table(
        ["Item", "Title", "Section", "Why it is not archived"],
        (
            [
                str(m["item_id"]),
                f'<a href="{esc(m["url"])}">{esc(m.get("title") or m["url"])}</a>',
                esc(names.get(m["section"], m["section"])),
                esc(m["reason"]) + (" <em>(worth another run)</em>" if m.get("retryable") else ""),
            ]
            for m in missing
        ),
        numeric=(0,),
        cls="missing",
    )
    return table + f"<h3>Listed but not archived ({len(missing)})</h3>" + items


def chart_svg(by_year: Sequence[dict], width: int = 880, bar_area: int = 240) -> str:
    """Stacked bars: one per year, one colour per section; each bar part carries its numbers
    in data- attributes and a <title> (the browser's tooltip)."""
    if not by_year:
        return "<p class=muted>No article is in the archive yet.</p>"
    known = sorted({r["year"] for r in by_year if r["year"] is not None})
    # every year from the first to the last, so a year with nothing archived shows as a gap
    years: list = list(range(known[0], known[-1] + 1)) if known else []
    if any(r["year"] is None for r in by_year):
        years.append(None)  # records without a date
    sections = sorted({r["section"] or "(no section)" for r in by_year})
    colour = {s: PALETTE[min(i, len(PALETTE) - 1)] for i, s in enumerate(sections)}
    counts: dict = {}
    for r in by_year:
        key = (r["year"], r["section"] or "(no section)")
        counts[key] = counts.get(key, 0) + r["articles"]
    totals = {y: sum(counts.get((y, s), 0) for s in sections) for y in years}
    top = max(totals.values()) or 1
    left, legend_h, label_h = 40, 22 * ((len(sections) + 3) // 4), 40
    step = (width - left - 10) / len(years)
    bar_w = max(2.0, step * 0.75)
    height = legend_h + bar_area + label_h
    base = legend_h + bar_area
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}">',
        "<title>Articles in the archive per year and section</title>",
    ]
    for i, s in enumerate(sections):
        x, y = left + (i % 4) * 210, 4 + (i // 4) * 22
        parts.append(
            f'<rect class="legend" x="{x}" y="{y}" width="14" height="14" fill="{colour[s]}"/>'
            f'<text x="{x + 20}" y="{y + 12}">{esc(s)}</text>'
        )
    parts.append(
        f'<line x1="{left}" y1="{base}" x2="{width - 10}" y2="{base}" stroke="#888"/>'
        f'<text x="{left - 6}" y="{base}" text-anchor="end">0</text>'
    )
    for tick in _ticks(top):
        y = base - bar_area * tick / top
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{tick}</text>'
        )
    for i, year in enumerate(years):
        x = left + i * step + (step - bar_w) / 2
        y = float(base)
        label = "?" if year is None else str(year)
        for s in sections:
            n = counts.get((year, s), 0)
            if not n:
                continue
            h = bar_area * n / top
            y -= h
            parts.append(
                f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" '
                f'height="{h:.1f}" fill="{colour[s]}" data-year="{esc(label)}" '
                f'data-section="{esc(s)}" data-articles="{n}">'
                f"<title>{esc(label)}, {esc(s)}: {n}</title></rect>"
            )
        cx = x + bar_w / 2
        parts.append(
            f'<text class="year" x="{cx:.1f}" y="{base + 8}" text-anchor="end" '
            f'transform="rotate(-60 {cx:.1f} {base + 8})">{esc(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _ticks(top: int) -> list[int]:
    """Up to five round values for the y axis, the largest at most ``top``."""
    step = 1
    while top / step > 5:
        for factor in (2, 2.5, 2):
            step = int(step * factor)
            if top / step <= 5:
                break
    return list(range(step, top + 1, step))


def _events(entries: Sequence[dict], empty: str) -> str:
    if not entries:
        return f"<p>{esc(empty)}</p>"
    return _table(
        ["URL", "Reason"],
        ([f"<code>{esc(e.get('url'))}</code>", esc(e.get("reason"))] for e in entries),
    )


def _files(summary: dict, warc_files: Sequence[str]) -> str:
    rows = [["WARC file", f"<code>{esc(f)}</code>"] for f in warc_files]
    n = summary.get("warc_files", 0)
    if summary.get("warc_dir"):
        rows.append(
            [
                "WARC folder",
                f"<code>{esc(summary['warc_dir'])}</code> ({n} WARC "
                f"{'file' if n == 1 else 'files'} written, {summary.get('warc_bytes', 0):,} bytes)",
            ]
        )
    rows += [["Articles JSON", f"<code>{esc(f)}</code>"] for f in summary.get("json") or ()]
    if summary.get("wacz"):
        rows.append(["WACZ package", f"<code>{esc(summary['wacz'])}</code>"])
    if summary.get("index"):
        rows.append(["CDXJ index", f"<code>{esc(summary['index'])}</code>"])
    if summary.get("report"):
        rows.append(["JSON report", f"<code>{esc(summary['report'])}</code>"])
    if not rows:
        return "<p>No file was written.</p>"
    return _table(["What", "Path"], rows, cls="files")


def render_report(summary: dict, warc_files: Sequence[str] = (), title: str = "") -> str:
    """The whole page for one crawl's summary (the JSON report's object)."""
    outcome = summary.get("outcome") or {}
    code = outcome.get("exit_status")
    bad = code not in (0, None)
    result = summary.get("completeness") or {}
    heading = title or "Crawl report: Central Asia-Caucasus Analyst"
    counts = _table(
        ["This crawl", ""],
        [
            ["Articles archived in this crawl", str(summary.get("articles_archived", 0))],
            ["In the folder before this crawl", str(summary.get("articles_in_folder_before", 0))],
            ["Pages fetched", str(summary.get("pages_fetched", 0))],
            ["Exchanges in WARC files", str(summary.get("exchanges_archived", 0))],
            ["Failures", str(len(summary.get("failures") or ()))],
            ["Skipped on purpose", str(len(summary.get("skipped_urls") or ()))],
        ],
        numeric=(1,),
        cls="counts",
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(heading)} ({esc(summary.get("finished", "")[:19])})</title>
<style>{STYLE}</style>
</head>
<body>
<h1>{esc(heading)}</h1>
<p class="muted">Started {esc(summary.get("started"))}, finished {esc(summary.get("finished"))}
(Scrapy's finish reason: {esc(summary.get("finish_reason"))}).</p>
<p class="outcome{" bad" if bad else ""}" id="outcome"><strong>Exit status {esc(code)}</strong>:
crawl {esc(outcome.get("message"))}.</p>
{counts}
<h2 id="completeness">Did we get everything?</h2>
<p>Items the site's section listings show, against the articles in this folder's archive
(archived by this crawl or by earlier crawls into the same folder).</p>
{completeness_html(result)}
<h2 id="chart">Articles in the archive per year and section</h2>
{chart_svg(result.get("by_year") or ())}
<h2 id="failures">Failures ({len(summary.get("failures") or ())})</h2>
{_events(summary.get("failures") or (), "No page failed.")}
<h2 id="skipped">Skipped on purpose ({len(summary.get("skipped_urls") or ())})</h2>
{_events(summary.get("skipped_urls") or (), "Nothing was skipped.")}
<h2 id="files">Files written</h2>
{_files(summary, warc_files)}
</body>
</html>
"""
