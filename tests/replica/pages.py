"""HTML (and other bodies) of the replica, in the markup of Joomla 3 + K2 as the site notes
describe it. Pure functions of the ground truth in ``content.py``: no I/O, no state (the hit
count is passed in).
"""

from __future__ import annotations

import base64
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from urllib.parse import quote

from .content import (
    ABOUT_PARAGRAPH,
    MONTHS,
    NEWSLETTER_LINE,
    OTHER_HOST_MARK,
    ROBOTS_DISALLOWED,
    SECTIONS,
    STAFF_PUBLICATIONS,
    Article,
    Block,
    DeletedItem,
    k2_image_path,
    naive_teaser,
)

LISTING_LIMIT = 4  # items per section listing page
TAG_LIMIT = 5  # items per tag page
GENERIC_LIMIT = 10  # search, date and user listings
HOME_COUNT = 6

K2_VERSION = "v2.10.3"

_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Ctx:
    """What a page needs to know about the request: absolute URLs use ``host_base`` (from the
    Host header, as Joomla does); ``other_base`` replaces the other-host mark in bodies."""

    host_base: str
    other_base: str


def esc(text: str) -> str:
    return escape(text, quote=False)


def attr(text: str) -> str:
    return escape(text, quote=True)


def k2_date(dt: datetime, with_time: bool = False) -> str:
    """K2's "l, d F Y" ("Wednesday, 08 October 2003"), with " H:i" on tag pages."""
    text = f"{_DAYS[dt.weekday()]}, {dt.day:02d} {MONTHS[dt.month - 1]} {dt.year}"
    return text + (f" {dt.hour:02d}:{dt.minute:02d}" if with_time else "")


def section_path(section: str) -> str:
    return f"/publications/{section}.html"


def tag_path(tag: str, prefix: str) -> str:
    return f"{prefix}/itemlist/tag/{quote(tag, safe='')}.html"


# ---------------------------------------------------------------------------------------------
# The Joomla template around every page
# ---------------------------------------------------------------------------------------------

_STYLESHEETS = (
    f"/media/k2/assets/css/k2.fonts.css?{K2_VERSION}",
    f"/media/k2/assets/css/k2.css?{K2_VERSION}",
    "/templates/caci/css/template.css",
)
_SCRIPTS = (
    "/media/jui/js/jquery.min.js?5e1a8b3c",
    "/media/jui/js/jquery-noconflict.js?5e1a8b3c",
    "/media/jui/js/jquery-migrate.min.js?5e1a8b3c",
    f"/media/k2/assets/js/k2.frontend.js?{K2_VERSION}&amp;sitepath=/",
    "/media/jui/js/bootstrap.min.js?5e1a8b3c",
    "/media/system/js/caption.js?5e1a8b3c",
)

_VISIT_ALSO = (
    ("https://www.silkroadstudies.org/", "/images/banners/silkroad.png", "silkroad"),
    ("https://www.afpc.org/", "/images/banners/afpc.png", "AFPC"),
    ("https://isdp.eu/", "/images/banners/isdp.png", "isdp"),
    ("https://www.turkeyanalyst.org/", "/images/banners/turkeyanalyst.png", "turkeyanalyst"),
)

STATIC_IMAGES = tuple(src for _, src, _ in _VISIT_ALSO) + (
    "/images/logo/caci-analyst-logo.png",
    "/images/staffpubs/2305-Starr.png",
    "/images/staffpubs/2206-Starr.png",
    "/templates/caci/images/page-bg.png",  # referenced only from template.css
    "/templates/caci/images/header.png",  # likewise
)


def _head(
    title: str,
    charset: str,
    metas: Sequence[tuple[str, str, str]] = (),
    links: str = "",
) -> str:
    if charset.lower() == "utf-8":
        charset_meta = '\t<meta charset="utf-8" />\n'
    else:
        charset_meta = (
            f'\t<meta http-equiv="Content-Type" content="text/html; charset={charset}" />\n'
        )
    parts = [
        "<head>\n",
        charset_meta,
        '\t<meta name="viewport" content="width=device-width, initial-scale=1.0" />\n',
    ]
    for kind, name, value in metas:
        parts.append(f'\t<meta {kind}="{attr(name)}" content="{attr(value)}" />\n')
    parts.append('\t<meta name="generator" content="Joomla! - Open Source Content Management" />\n')
    parts.append(f"\t<title>{esc(title)}</title>\n")
    parts.append(links)
    parts.append(
        '\t<link href="/templates/caci/favicon.ico" rel="shortcut icon" '
        'type="image/vnd.microsoft.icon" />\n'
    )
    for href in _STYLESHEETS:
        parts.append(f'\t<link href="{href}" rel="stylesheet" type="text/css" />\n')
    for src in _SCRIPTS:
        parts.append(f'\t<script src="{src}" type="text/javascript"></script>\n')
    parts.append(
        "\t<script type=\"text/javascript\">\njQuery(window).on('load',  function() {\n"
        "\t\t\t\tnew JCaption('img.caption');\n\t\t\t});\n\t</script>\n"
    )
    parts.append("</head>\n")
    return "".join(parts)


def _menu(active_section: str | None) -> str:
    items = []
    for slug, name in SECTIONS.items():
        n = 103 + len(items)
        cls = (
            f' class="item-{n} current active"' if slug == active_section else f' class="item-{n}"'
        )
        items.append(f'<li{cls}><a href="{section_path(slug)}">{esc(name)}</a></li>')
    sub = "\n\t\t\t".join(items)
    pub_cls = "item-102 deeper parent" + (" active" if active_section else "")
    return f"""<nav class="navigation" role="navigation">
	<div class="navbar pull-left">
		<a class="btn btn-navbar collapsed" data-toggle="collapse" data-target=".nav-collapse">
			<span class="element-invisible">Toggle Navigation</span>
			<span class="icon-bar"></span>
			<span class="icon-bar"></span>
			<span class="icon-bar"></span>
		</a>
	</div>
	<div class="nav-collapse">
		<ul class="nav menu nav-pills mod-list">
		<li class="item-101 default"><a href="/">Home</a></li>
		<li class="{pub_cls}"><span class="nav-header ">Publications</span>
			<ul class="nav-child unstyled small">
			{sub}
			</ul>
		</li>
		<li class="item-107 deeper parent"><span class="nav-header ">Editorial</span>
			<ul class="nav-child unstyled small">
			<li class="item-108">
				<a href="/editorial/editorial-principles.html">Editorial principles</a>
			</li>
			<li class="item-111">
				<a href="/editorial/submission-guidelines.html">Submission guidelines</a>
			</li>
			</ul>
		</li>
		<li class="item-112 deeper parent"><span class="nav-header ">Topics</span>
			<ul class="nav-child unstyled small">
			<li class="item-113"><a href="/component/k2/itemlist/tag/energy.html">Energy</a></li>
			<li class="item-114">
				<a href="/component/k2/itemlist/tag/conflict%20settlement.html">
					Conflict settlement</a>
			</li>
			</ul>
		</li>
		<li class="item-109"><a href="/about.html">About</a></li>
		<li class="item-115">
			<a href="https://www.silkroadstudies.org/" target="_blank">Silk Road Studies</a>
		</li>
		</ul>
	</div>
</nav>
"""


def _sidebar() -> str:
    visit = "\n".join(
        f'\t\t<div class="banneritem"><a href="{href}" target="_blank" rel="noopener">'
        f'<img src="{src}" alt="{attr(alt)}" /></a><div class="clr"></div></div>'
        for href, src, alt in _VISIT_ALSO
    )
    pubs = []
    for label, text, _title, alt in STAFF_PUBLICATIONS:
        img = ""
        if alt:
            src = "/images/staffpubs/" + ("2305-Starr.png" if "2023" in alt else "2206-Starr.png")
            img = f'<img src="{src}" alt="{attr(alt)}" width="60" height="80" />'
        pubs.append(
            f'\t\t<li>{img}<span class="pubtype">{esc(label)}</span> '
            f'<a href="https://www.silkroadstudies.org/publications.html" target="_blank">'
            f"{esc(text)}</a></li>"
        )
    pub_list = "\n".join(pubs)
    return f"""<div id="aside" class="span3">
	<div class="moduletable">
		<h3>Visit also</h3>
		<div class="bannergroup">
{visit}
		</div>
	</div>
	<div class="moduletable staffpubs">
		<h3>Staff Publications</h3>
		<ul class="latestnews">
{pub_list}
		</ul>
	</div>
	<div class="moduletable">
		<div class="custom">
			<p>{esc(ABOUT_PARAGRAPH)}</p>
		</div>
	</div>
	<div class="moduletable newsletter">
		<h3>Newsletter</h3>
		<div class="acymailing_module" id="acymailing_module_formAcymailing1">
			<p class="acymailing_introtext">{esc(NEWSLETTER_LINE)}</p>
			<form id="formAcymailing1" action="/component/acymailing/" method="post"
				name="formAcymailing1">
				<input id="user_email_formAcymailing1" type="text" name="user[email]"
					placeholder="E-mail" />
				<input class="button subbutton btn btn-primary" type="submit" value="Subscribe"
					name="Submit" />
				<input type="hidden" name="option" value="com_acymailing" />
				<input type="hidden" name="ctrl" value="sub" />
				<input type="hidden" name="task" value="notask" />
			</form>
		</div>
	</div>
</div>
"""


def joomla_page(
    title: str,
    component: str,
    *,
    active_section: str | None = None,
    charset: str = "utf-8",
    metas: Sequence[tuple[str, str, str]] = (),
    links: str = "",
    body_class: str = "site com_k2 view-item",
) -> str:
    """A full page of the site's Joomla 3 template around ``component``."""
    return f"""<!DOCTYPE html>
<html lang="en-gb" dir="ltr">
{_head(title, charset, metas, links)}<body class="{body_class}">
<div class="body">
<div class="container">
<header class="header" role="banner">
	<div class="header-inner clearfix">
		<a class="brand pull-left" href="/">
			<img src="/images/logo/caci-analyst-logo.png" alt="The Central Asia-Caucasus Analyst" />
		</a>
		<div class="header-search pull-right">
			<form action="/itemlist/search.html" method="get" class="form-inline">
				<label for="searchword" class="element-invisible">Search</label>
				<input name="searchword" id="searchword" maxlength="200"
					class="inputbox search-query" type="search" placeholder="Search ..." />
			</form>
		</div>
	</div>
</header>
{_menu(active_section)}<div class="row-fluid">
<main id="content" role="main" class="span9">
<div id="system-message-container">
</div>
{component}
</main>
{_sidebar()}</div>
</div>
</div>
<footer class="footer" role="contentinfo">
	<div class="container">
		<hr />
		<p class="pull-right"><a href="#top" id="back-top">Back to Top</a></p>
		<p>&copy; 2025 The Central Asia-Caucasus Analyst</p>
	</div>
</footer>
</body>
</html>
"""


def bare_page(title: str, component: str, charset: str = "utf-8", metas=()) -> str:
    """tmpl=component: the component alone (print views, the mail form)."""
    return f"""<!DOCTYPE html>
<html lang="en-gb" dir="ltr">
{_head(title, charset, metas)}<body class="contentpane modal">
<div id="system-message-container">
</div>
{component}
</body>
</html>
"""


# ---------------------------------------------------------------------------------------------
# Article bodies
# ---------------------------------------------------------------------------------------------


def _inline(block: Block, ctx: Ctx) -> str:
    if not block.href:
        return esc(block.text)
    pre, _, post = block.text.partition(block.anchor)
    href = block.href.replace("http://" + OTHER_HOST_MARK, ctx.other_base)
    target = ' target="_blank"' if href.endswith(".pdf") or "://" in href else ""
    return f'{esc(pre)}<a href="{attr(href)}"{target}>{esc(block.anchor)}</a>{esc(post)}'


def _image_block(block: Block, article: Article) -> str:
    if article.created.year < 2016:
        img = (
            f'<img class="caption" src="{attr(block.src)}" alt="{attr(block.text)}" '
            f'title="{attr(block.text)}" width="450" height="300" '
            'style="margin: 5px; float: right;" />'
        )
        if block.href:  # the editor linked the image to a larger copy of itself
            img = f'<a href="{attr(block.href)}" target="_blank">{img}</a>'
        return f"<p>{img}</p>"
    return (
        f'<figure class="image"><img src="{attr(block.src)}" alt="{attr(block.text)}" '
        f'width="640" height="400" /><figcaption>{esc(block.text)}</figcaption></figure>'
    )


def render_blocks(article: Article, blocks: Sequence[Block], ctx: Ctx) -> str:
    if article.fulltext_layout == "br":
        return "<p>" + "<br /><br />".join(_inline(b, ctx) for b in blocks) + "</p>\n"
    out: list[str] = []
    in_list = False
    for b in blocks:
        if b.kind == "li" and not in_list:
            out.append("<ul>")
            in_list = True
        elif b.kind != "li" and in_list:
            out.append("</ul>")
            in_list = False
        if b.kind == "p":
            out.append(f"<p>{_inline(b, ctx)}</p>")
        elif b.kind == "li":
            out.append(f"<li>{_inline(b, ctx)}</li>")
        elif b.kind == "h":
            if article.style == "feature":
                out.append(f"<h3>{esc(b.text)}</h3>")
            else:
                out.append(f"<p><strong>{esc(b.text)}</strong></p>")
        elif b.kind == "blockquote":
            out.append(f"<blockquote><p>{esc(b.text)}</p></blockquote>")
        elif b.kind == "table":
            head, *rows = b.cells
            ths = "".join(f"<th>{esc(c)}</th>" for c in head)
            trs = "".join(
                "<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in rows
            )
            out.append(
                f'<table class="table table-bordered"><thead><tr>{ths}</tr></thead>'
                f"<tbody>{trs}</tbody></table>"
            )
        elif b.kind == "img":
            out.append(_image_block(b, article))
        else:  # pragma: no cover - the table is checked at import
            raise ValueError(b.kind)
    if in_list:
        out.append("</ul>")
    return "\n".join(out) + "\n"


def byline_html(article: Article) -> str:
    if not article.byline:
        return ""
    lines = [esc(line) for line in article.byline]
    if article.byline_layout == "br":
        return "<p>" + "<br />".join(lines) + "</p>\n"
    return "".join(f"<p>{line}</p>\n" for line in lines)


def intro_html(article: Article, ctx: Ctx) -> str:
    """K2's introtext: what listings show and what div.itemIntroText (or, for items without
    full text, div.itemFullText) holds."""
    if article.intro == "teaser":
        return byline_html(article) + f"<p>{esc(naive_teaser(article.body[0].text))}</p>\n"
    if article.intro == "summary":
        pdf = _pdf_link(article) if article.pdf_in_intro else ""
        return byline_html(article) + f"<p>{esc(article.summary or '')}</p>\n" + pdf
    return byline_html(article) + render_blocks(article, article.body, ctx) + _pdf_link(article)


def _pdf_link(article: Article) -> str:
    if not article.article_pdf:
        return ""
    return (
        f'<p><strong><a href="{attr(article.article_pdf)}" target="_blank" rel="noopener">'
        "Click Here to download PDF</a></strong></p>\n"
    )


def fulltext_html(article: Article, ctx: Ctx) -> str | None:
    if article.intro == "none":
        return None
    pdf = "" if article.pdf_in_intro else _pdf_link(article)
    return render_blocks(article, article.body, ctx) + pdf


# ---------------------------------------------------------------------------------------------
# Item view
# ---------------------------------------------------------------------------------------------


def _popup(name: str, width: int, height: int, resizable: str) -> str:
    features = (
        f"width={width},height={height},location=no,menubar=no,resizable={resizable},"
        f"scrollbars={resizable}"
    )
    return f"window.open(this.href,'{name}','{features}'); return false;"


def _item_metas(article: Article, ctx: Ctx) -> list[tuple[str, str, str]]:
    desc = article.summary or naive_teaser(article.body[0].text if article.body else "")
    metas = [
        ("name", "keywords", ", ".join(article.tags)),
        ("name", "rights", "Central Asia-Caucasus Institute & Silk Road Studies Program"),
        ("name", "author", "Super User"),
        ("property", "og:url", ctx.host_base + article.path),
        ("property", "og:type", "article"),
        ("property", "og:title", article.title),
        ("property", "og:description", desc[:160]),
        ("name", "description", desc[:160]),
    ]
    if article.has_item_image:
        metas.insert(6, ("property", "og:image", ctx.host_base + article.images[0][0]))
    return metas


def _item_image_block(article: Article) -> str:
    """K2's item image, linked to its full-size (_XL) copy. The notes give only "image,
    caption", so the link varies: around the image (K2 2.10's data-k2-modal, or 2.6's
    mootools modal), or a text link of its own after the caption or before the image."""
    if not article.has_item_image:
        return ""
    src, caption = article.images[0]
    full = k2_image_path(article.item_id, "XL")
    img = f'<img src="{src}" alt="{attr(caption)}" style="width:600px; height:auto;" />'
    caption_html = f'<span class="itemImageCaption">{esc(caption)}</span>'
    style = article.item_id % 4
    if style == 0:
        image = f"""<span class="itemImage">
				<a data-k2-modal="image" href="{full}" title="Click to preview image">
					{img}
				</a>
			</span>
			{caption_html}"""
    elif style == 1:
        image = f"""<span class="itemImage">
				<a class="modal" rel="{{handler: 'image'}}" href="{full}"
					title="Click to preview image">{img}</a>
			</span>
			{caption_html}"""
    elif style == 2:
        link = f'<a href="{full}" target="_blank">View full size</a>'
        image = f"""<span class="itemImage">{img}</span>
			{caption_html}
			<span class="itemImageFullSize">{link}</span>"""
    else:
        link = f'<a href="{full}" title="Click to preview image">Enlarge</a>'
        image = f"""<span class="itemImageZoom">{link}</span>
			<span class="itemImage">{img}</span>
			{caption_html}"""
    return f"""		<div class="itemImageBlock">
			{image}
			<div class="clr"></div>
		</div>
"""


def _tags_block(article: Article) -> str:
    if not article.tags:
        return ""
    prefix = f"/publications/{article.section}"
    lis = "\n".join(
        f'\t\t\t\t<li><a href="{tag_path(t, prefix)}">{esc(t)}</a></li>' for t in article.tags
    )
    return f"""		<div class="itemTagsBlock">
			<span>Tagged under</span>
			<ul class="itemTags">
{lis}
			</ul>
			<div class="clr"></div>
		</div>
"""


def item_component(
    article: Article,
    hits: int,
    ctx: Ctx,
    *,
    print_view: bool = False,
    prev_item: Article | None = None,
    next_item: Article | None = None,
) -> str:
    url = article.path
    section = article.section
    if print_view:
        toolbar = """	<a class="itemPrintThisPage" rel="nofollow" href="#"
		onclick="window.print(); return false;">
		<span>Print this page</span>
	</a>
"""
    else:
        link = base64.b64encode((ctx.host_base + url).encode()).decode()
        toolbar = f"""	<div class="itemToolbar">
		<ul>
			<li>
				<a class="itemPrintLink" rel="nofollow" href="{url}?tmpl=component&amp;print=1"
					onclick="{_popup("printWindow", 900, 600, "yes")}">
					<span>Print</span>
				</a>
			</li>
			<li>
				<a class="itemEmailLink" rel="nofollow"
					href="/component/mailto/?tmpl=component&amp;template=caci&amp;link={link}"
					onclick="{_popup("emailWindow", 400, 350, "no")}">
					<span>Email</span>
				</a>
			</li>
		</ul>
		<div class="clr"></div>
	</div>
"""
    full = fulltext_html(article, ctx)
    if full is None:
        text = f'\t\t<div class="itemFullText">\n{intro_html(article, ctx)}\t\t</div>\n'
    else:
        text = (
            f'\t\t<div class="itemIntroText">\n{intro_html(article, ctx)}\t\t</div>\n'
            f'\t\t<div class="itemFullText">\n{full}\t\t</div>\n'
        )
    modified = ""
    if article.modified:
        modified = (
            '\t\t\t<span class="itemDateModified">Last modified on '
            f"{k2_date(article.modified, with_time=True)}</span>\n"
        )
    nav = ""
    if not print_view and (prev_item or next_item):
        parts = ['\t<div class="itemNavigation">\n\t\t<span class="itemNavigationTitle">'
                 "More in this category:</span>\n"]  # fmt: skip
        if prev_item:
            parts.append(
                f'\t\t<a class="itemPrevious" href="{prev_item.path}">'
                f"&laquo; {esc(prev_item.title)}</a>\n"
            )
        if next_item:
            parts.append(
                f'\t\t<a class="itemNext" href="{next_item.path}">'
                f"{esc(next_item.title)} &raquo;</a>\n"
            )
        parts.append("\t</div>\n")
        nav = "".join(parts)
    back = ""
    if not print_view:
        back = (
            f'\t<div class="itemBackToTop">\n\t\t<a class="k2Anchor" '
            f'href="{url}#startOfPageId{article.item_id}">back to top</a>\n\t</div>\n'
        )
    return f"""<!-- Start K2 Item Layout -->
<span id="startOfPageId{article.item_id}"></span>
<div id="k2Container" class="itemView">
	<div class="itemHeader">
		<span class="itemDateCreated">{k2_date(article.created)}</span>
		<h2 class="itemTitle">{esc(article.title)}</h2>
		<div class="itemCategory">
			<span>Published in</span>
			<a href="{section_path(section)}">{esc(SECTIONS[section])}</a>
		</div>
	</div>
{toolbar}	<div class="clr"></div>
	<div class="itemBody">
{_item_image_block(article)}{text}		<div class="clr"></div>
		<div class="itemContentFooter">
			<span class="itemHits">Read <b>{hits}</b> times</span>
{modified}			<div class="clr"></div>
		</div>
	</div>
	<div class="itemLinks">
{_tags_block(article)}		<div class="clr"></div>
	</div>
{nav}{back}	<div class="clr"></div>
</div>
<!-- End K2 Item Layout -->
"""


def item_page(
    article: Article,
    hits: int,
    ctx: Ctx,
    *,
    print_view: bool = False,
    prev_item: Article | None = None,
    next_item: Article | None = None,
) -> str:
    component = item_component(
        article, hits, ctx, print_view=print_view, prev_item=prev_item, next_item=next_item
    )
    metas = _item_metas(article, ctx)
    if print_view:
        return bare_page(article.title, component, charset=article.encoding, metas=metas)
    return joomla_page(
        article.title,
        component,
        active_section=article.section,
        charset=article.encoding,
        metas=metas,
    )


# ---------------------------------------------------------------------------------------------
# Listings
# ---------------------------------------------------------------------------------------------


def clamp_start(start: int, total: int, limit: int) -> int:
    """Joomla's JPagination: a start past the end shows the last page."""
    start = max(0, start)
    if total and start > total - limit:
        start = max(0, min(start, ((total - 1) // limit) * limit))
    return start


def pagination(total: int, limit: int, start: int, base: str, query: str = "") -> str:
    """Joomla 3 pagination in K2's div.k2Pagination ("" when one page suffices)."""
    pages = (total + limit - 1) // limit
    if pages <= 1:
        return ""
    current = start // limit + 1
    sep = "&amp;" if query else ""

    def href(page: int) -> str:
        if page == 1:
            return f"{base}?{query}{sep}limitstart=0"
        return f"{base}?{query}{sep}start={(page - 1) * limit}"

    def li(cls: str, label: str, page: int | None) -> str:
        c = f' class="{cls}"' if cls else ""
        if page is None:
            return f'<li{c}><span class="pagenav">{label}</span></li>'
        title = f' title="{label}"' if not label.isdigit() else ""
        return f'<li{c}><a{title} href="{href(page)}" class="pagenav">{label}</a></li>'

    items = []
    first_page = max(1, min(current - 4, pages - 9))
    last_page = min(pages, first_page + 9)
    items.append(li("pagination-start", "Start", 1 if current > 1 else None))
    items.append(li("pagination-prev", "Prev", current - 1 if current > 1 else None))
    for p in range(first_page, last_page + 1):
        items.append(li("", str(p), None if p == current else p))
    items.append(li("pagination-next", "Next", current + 1 if current < pages else None))
    items.append(li("pagination-end", "End", pages if current < pages else None))
    lis = "\n\t\t".join(items)
    return f"""	<div class="k2Pagination">
		<ul>
		{lis}
		</ul>
		<div class="clr"></div>
		Page {current} of {pages}
	</div>
"""


def listing_link(entry: Article | DeletedItem, component_ids=(), old_aliases=None) -> str:
    if entry.item_id in component_ids:
        return f"/component/k2/item/{entry.item_id}-{entry.alias}.html"
    if old_aliases and entry.item_id in old_aliases:
        old = old_aliases[entry.item_id]
        return f"/publications/{entry.section}/item/{entry.item_id}-{old}.html"
    return entry.path


def _entry(
    entry: Article | DeletedItem, link: str, ctx: Ctx, prefix: str, with_time: bool = False
) -> str:
    intro = entry.intro_html if isinstance(entry, DeletedItem) else intro_html(entry, ctx)
    title_tag = "h3" if prefix == "catItem" else "h2"
    return f"""		<div class="{prefix}View">
			<div class="{prefix}Header">
				<span class="{prefix}DateCreated">{k2_date(entry.created, with_time)}</span>
				<{title_tag} class="{prefix}Title">
					<a href="{link}">{esc(entry.title)}</a>
				</{title_tag}>
				<div class="{prefix}Category">
					<span>Published in</span>
					<a href="{section_path(entry.section)}">{esc(SECTIONS[entry.section])}</a>
				</div>
			</div>
			<div class="{prefix}Body">
				<div class="{prefix}IntroText">
{intro}				</div>
				<div class="clr"></div>
			</div>
			<div class="clr"></div>
			<div class="{prefix}ReadMore">
				<a class="k2ReadMore" href="{link}">Read more...</a>
			</div>
			<div class="clr"></div>
		</div>
"""


def listing_page(
    section: str,
    entries: Sequence[Article | DeletedItem],
    start: int,
    ctx: Ctx,
    *,
    component_ids=(),
    old_aliases=None,
) -> str:
    """A section (K2 category) listing, LISTING_LIMIT items from ``start``."""
    total = len(entries)
    start = clamp_start(start, total, LISTING_LIMIT)
    shown = entries[start : start + LISTING_LIMIT]
    items = "".join(
        '\t<div class="itemContainer" style="width:100.0%;">\n'
        + _entry(e, listing_link(e, component_ids, old_aliases), ctx, "catItem")
        + "\t</div>\n"
        for e in shown
    )
    component = f"""<!-- Start K2 Category Layout -->
<div id="k2Container" class="itemListView">
	<div class="itemListCategoriesBlock">
		<div class="itemListCategory">
			<h2>{esc(SECTIONS[section])}</h2>
			<div class="clr"></div>
		</div>
	</div>
	<div class="itemList">
	<div id="itemListLeading">
{items}	<div class="clr"></div>
	</div>
	</div>
{pagination(total, LISTING_LIMIT, start, section_path(section))}</div>
<!-- End K2 Category Layout -->
"""
    feed = f"/publications/{section}.feed?type=rss"
    links = f'\t<link href="{feed}" rel="alternate" type="application/rss+xml" title="RSS 2.0" />\n'
    return joomla_page(
        SECTIONS[section],
        component,
        active_section=section,
        links=links,
        body_class="site com_k2 view-itemlist task-category",
        metas=[("name", "description", SECTIONS[section] + " - The CACI Analyst")],
    )


def tag_page(tag: str, items: Sequence[Article], start: int, prefix: str, ctx: Ctx) -> str:
    """K2 tag listing (site-wide), TAG_LIMIT items from ``start``, dates with time."""
    total = len(items)
    start = clamp_start(start, total, TAG_LIMIT)
    shown = items[start : start + TAG_LIMIT]
    entries = "".join(_entry(a, a.path, ctx, "tagItem", with_time=True) for a in shown)
    component = f"""<!-- Start K2 Tag Layout -->
<div id="k2Container" class="tagView">
	<div class="tagItemList">
{entries}	</div>
{pagination(total, TAG_LIMIT, start, tag_path(tag, prefix))}</div>
<!-- End K2 Tag Layout -->
"""
    return joomla_page(
        f"Displaying items by tag: {tag}",
        component,
        body_class="site com_k2 view-itemlist task-tag",
    )


def generic_page(
    title: str,
    items: Sequence[Article],
    start: int,
    base: str,
    query: str,
    ctx: Ctx,
    *,
    view: str = "generic",
) -> str:
    """K2's search, date and user listings (genericView / userView)."""
    total = len(items)
    start = clamp_start(start, total, GENERIC_LIMIT)
    shown = items[start : start + GENERIC_LIMIT]
    prefix = "userItem" if view == "user" else "genericItem"
    entries = "".join(_entry(a, a.path, ctx, prefix) for a in shown)
    if not entries:
        entries = "\t\t<p>No items found.</p>\n"
    component = f"""<!-- Start K2 Generic ({view}) Layout -->
<div id="k2Container" class="{view}View">
	<div class="{view}ItemListHeader"><h2>{esc(title)}</h2></div>
	<div class="{view}ItemList">
{entries}	</div>
{pagination(total, GENERIC_LIMIT, start, base, query)}</div>
<!-- End K2 Generic Layout -->
"""
    return joomla_page(title, component, body_class=f"site com_k2 view-itemlist task-{view}")


def home_page(items: Sequence[Article], ctx: Ctx) -> str:
    entries = "".join(
        '\t<div class="itemContainer" style="width:100.0%;">\n'
        + _entry(a, a.path, ctx, "catItem")
        + "\t</div>\n"
        for a in items
    )
    component = f"""<!-- Start K2 Category Layout -->
<div id="k2Container" class="itemListView">
	<div class="itemList">
	<div id="itemListLeading">
{entries}	<div class="clr"></div>
	</div>
	</div>
</div>
<!-- End K2 Category Layout -->
"""
    links = (
        '\t<link href="/?format=feed&amp;type=rss" rel="alternate" '
        'type="application/rss+xml" title="RSS 2.0" />\n'
    )
    return joomla_page(
        "The Central Asia-Caucasus Analyst",
        component,
        links=links,
        body_class="site com_k2 view-itemlist task-category",
    )


# ---------------------------------------------------------------------------------------------
# Other pages
# ---------------------------------------------------------------------------------------------

EDITORIAL_PARAGRAPHS = (
    "The Central Asia-Caucasus Analyst publishes analysis written by specialists for a "
    "practitioner audience. Articles are commissioned and reviewed by the editors.",
    "Authors are expected to base their analysis on verifiable facts and to distinguish "
    "clearly between reporting and opinion. Sources are cited where appropriate.",
    "The views expressed in the Analyst are those of the authors and do not necessarily "
    "reflect those of the Institute or its partners.",
)

SUBMISSION_PARAGRAPHS = (
    "The Analyst welcomes submissions of analytical articles of 1,100 to 1,500 words and field "
    "reports of 700 to 1,000 words on current events in Central Asia and the Caucasus.",
    "Submissions should be sent to the editors with a short biography of the author.",
)

ABOUT_PARAGRAPHS = (
    ABOUT_PARAGRAPH,
    "The Analyst is published by the Central Asia-Caucasus Institute & Silk Road Studies "
    "Program. Submissions and inquiries may be sent to the editors.",
)


def content_article_page(title: str, paragraphs: Sequence[str]) -> str:
    """An ordinary Joomla (com_content) article, not a K2 item."""
    body = "\n".join(f"\t\t<p>{esc(p)}</p>" for p in paragraphs)
    component = f"""<div class="item-page" itemscope itemtype="https://schema.org/Article">
	<meta itemprop="inLanguage" content="en-GB" />
	<div class="page-header">
		<h2 itemprop="headline">{esc(title)}</h2>
	</div>
	<div itemprop="articleBody">
{body}
	</div>
</div>
"""
    return joomla_page(title, component, body_class="site com_content view-article")


def mailto_page(link: str) -> str:
    component = f"""<div id="mailto-window">
	<h2>Email this link to a friend.</h2>
	<div class="mailto-close">
		<a href="javascript: void window.close()" title="Close Window"><span>Close Window</span></a>
	</div>
	<form action="/component/mailto/?task=send&amp;tmpl=component" id="mailtoForm" method="post">
		<div class="formelm"><label for="mailto_field">Email to</label>
			<input type="text" id="mailto_field" name="mailto" class="inputbox" size="25" /></div>
		<div class="formelm"><label for="sender_field">Sender</label>
			<input type="text" id="sender_field" name="sender" class="inputbox" size="25" /></div>
		<div class="formelm"><label for="from_field">Your Email</label>
			<input type="text" id="from_field" name="from" class="inputbox" size="25" /></div>
		<div class="formelm"><label for="subject_field">Subject</label>
			<input type="text" id="subject_field" name="subject" class="inputbox" size="25" /></div>
		<p>
			<button class="button" type="submit">Send</button>
			<button class="button" onclick="window.close();return false;">Cancel</button>
		</p>
		<input type="hidden" name="layout" value="default" />
		<input type="hidden" name="option" value="com_mailto" />
		<input type="hidden" name="task" value="send" />
		<input type="hidden" name="tmpl" value="component" />
		<input type="hidden" name="link" value="{attr(link)}" />
		<input type="hidden" name="3f6a0c2e9b1d4a7c8e5f2a1b0c9d8e7f" value="1" />
	</form>
</div>
"""
    return bare_page("The Central Asia-Caucasus Analyst", component)


def error_page(code: int, message: str) -> str:
    """Joomla 3's system error page (templates/system/error.php)."""
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en-gb" lang="en-gb" dir="ltr">
<head>
	<meta name="viewport" content="width=device-width, initial-scale=1.0" />
	<title>{code} - Error: {code}</title>
	<link rel="stylesheet" href="/templates/system/css/error.css" type="text/css" />
</head>
<body>
	<div class="error">
		<div id="outline">
		<div id="errorboxoutline">
			<div id="errorboxheader">{code} - {esc(message)}</div>
			<div id="errorboxbody">
			<p><strong>You may not be able to visit this page because of:</strong></p>
				<ol>
					<li>an <strong>out-of-date bookmark/favourite</strong></li>
					<li>a search engine that has an
						<strong>out-of-date listing for this site</strong></li>
					<li>a <strong>mistyped address</strong></li>
					<li>you have <strong>no access</strong> to this page</li>
					<li>The requested resource was not found.</li>
					<li>An error has occurred while processing your request.</li>
				</ol>
			<p><strong>Please try one of the following pages:</strong></p>
			<ul>
				<li><a href="/index.php" title="Go to the Home Page">Home Page</a></li>
			</ul>
			<p>If difficulties persist, please contact the System Administrator of this site
				and report the error below.</p>
			<div id="techinfo">
			<p>{esc(message)}</p>
			</div>
			</div>
		</div>
		</div>
	</div>
</body>
</html>
"""


SERVICE_UNAVAILABLE = """<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">
<html><head>
<title>503 Service Unavailable</title>
</head><body>
<h1>Service Unavailable</h1>
<p>The server is temporarily unable to service your
request due to maintenance downtime or capacity
problems. Please try again later.</p>
</body></html>
"""

ACYMAILING_PAGE_TEXT = "Please enter a valid e-mail address."


def robots_txt() -> str:
    rules = "".join(f"Disallow: {p}\n" for p in ROBOTS_DISALLOWED)
    return (
        "# If the Joomla site is installed within a folder such as at\n"
        "# e.g. www.example.com/joomla/ the robots.txt file MUST be\n"
        "# moved to the site root at e.g. www.example.com/robots.txt\n"
        "# AND the joomla folder name MUST be prefixed to the disallowed\n"
        "# path, e.g. the Disallow rule for the /administrator/ folder\n"
        "# MUST be changed to read Disallow: /joomla/administrator/\n"
        "#\n"
        "# For more information about the robots.txt standard, see:\n"
        "# http://www.robotstxt.org/orig.html\n"
        "#\n"
        "# For syntax checking, see:\n"
        "# http://tool.motoricerca.info/robots-checker.phtml\n"
        "\n"
        "User-agent: *\n" + rules
    )


def rss_feed(
    title: str,
    link_path: str,
    self_path: str,
    description: str,
    items: Sequence[Article],
    ctx: Ctx,
    build_date: datetime,
) -> bytes:
    """Joomla 3's RSS 2.0 document."""

    def cdata(text: str) -> str:
        return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"

    def rfc822(dt: datetime) -> str:
        return format_datetime(dt.replace(tzinfo=UTC))

    parts = [
        '<?xml version="1.0" encoding="utf-8"?>\n',
        '<!-- generator="Joomla! - Open Source Content Management" -->\n',
        '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">\n',
        "\t<channel>\n",
        f"\t\t<title>{esc(title)}</title>\n",
        f"\t\t<description>{cdata(description)}</description>\n",
        f"\t\t<link>{esc(ctx.host_base + link_path)}</link>\n",
        f"\t\t<lastBuildDate>{rfc822(build_date)}</lastBuildDate>\n",
        "\t\t<generator>Joomla! - Open Source Content Management</generator>\n",
        f'\t\t<atom:link rel="self" type="application/rss+xml" '
        f'href="{attr(ctx.host_base + self_path)}"/>\n',
        "\t\t<language>en-gb</language>\n",
    ]
    for a in items:
        url = esc(ctx.host_base + a.path)
        parts += [
            "\t\t<item>\n",
            f"\t\t\t<title>{esc(a.title)}</title>\n",
            f"\t\t\t<link>{url}</link>\n",
            f'\t\t\t<guid isPermaLink="true">{url}</guid>\n',
            f"\t\t\t<description>{cdata(intro_html(a, ctx))}</description>\n",
            f"\t\t\t<category>{esc(a.section_name)}</category>\n",
            f"\t\t\t<pubDate>{rfc822(a.created)}</pubDate>\n",
            "\t\t</item>\n",
        ]
    parts += ["\t</channel>\n", "</rss>\n"]
    return "".join(parts).encode("utf-8")


# ---------------------------------------------------------------------------------------------
# Binary bodies: PDFs, images, static files
# ---------------------------------------------------------------------------------------------


def make_pdf(title: str) -> bytes:
    """A small, valid one-page PDF showing ``title`` (hand-built, correct xref table)."""
    safe = title.encode("ascii", "replace").decode("ascii")
    safe = safe.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    stream = (
        f"BT /F1 16 Tf 72 720 Td ({safe}) Tj ET\n"
        "BT /F1 10 Tf 72 700 Td (The Central Asia-Caucasus Analyst) Tj ET\n"
    ).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"endstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Title (" + safe.encode("ascii") + b") /Producer (CACI replica) >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n" % (len(objects) + 1)
    out += b"0000000000 65535 f \n"
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def _jpeg() -> bytes:
    """A valid 1x1 grey baseline JPEG (one DC code, one AC end-of-block code)."""

    def seg(marker: int, payload: bytes) -> bytes:
        return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload

    one_code = bytes([1] + [0] * 15)
    return (
        b"\xff\xd8"
        + seg(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
        + seg(0xDB, b"\x00" + b"\x01" * 64)
        + seg(0xC0, b"\x08\x00\x01\x00\x01\x01\x01\x11\x00")
        + seg(0xC4, b"\x00" + one_code + b"\x00")
        + seg(0xC4, b"\x10" + one_code + b"\x00")
        + seg(0xDA, b"\x01\x01\x00\x00\x3f\x00")
        + b"\x3f"
        + b"\xff\xd9"
    )


def _png() -> bytes:
    """A valid 1x1 white PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00\xff\xff\xff")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


JPEG_BYTES = _jpeg()
PNG_BYTES = _png()

STATIC_FILES: dict[str, tuple[str, bytes]] = {
    "/templates/caci/css/template.css": (
        "text/css",
        b'@import url("typography.css");\n'
        b"body{font-family:Georgia,serif;color:#222;"
        b"background:#fff url(../images/page-bg.png) repeat-x}\n"
        b".itemHits{color:#777}\n"
        b"#header{background-image:url('/templates/caci/images/header.png')}\n",
    ),
    "/templates/caci/css/typography.css": (
        "text/css",
        b"@font-face{font-family:Caci;src:url(../fonts/caci.woff) format('woff')}\n"
        b"h2.itemTitle{font-family:Caci,Georgia,serif}\n",
    ),
    "/templates/caci/fonts/caci.woff": ("font/woff", b"wOFF\x00\x01\x00\x00stub-font"),
    "/media/k2/assets/css/k2.css": ("text/css", b"#k2Container{padding:0 0 24px 0}\n"),
    "/media/k2/assets/css/k2.fonts.css": ("text/css", b"/* K2 fonts */\n"),
    "/templates/system/css/error.css": ("text/css", b"#outline{margin:0 auto}\n"),
    "/media/jui/js/jquery.min.js": ("application/javascript", b"/* jQuery stub */\n"),
    "/media/jui/js/jquery-noconflict.js": ("application/javascript", b"jQuery.noConflict();\n"),
    "/media/jui/js/jquery-migrate.min.js": ("application/javascript", b"/* migrate */\n"),
    "/media/jui/js/bootstrap.min.js": ("application/javascript", b"/* bootstrap */\n"),
    "/media/k2/assets/js/k2.frontend.js": ("application/javascript", b"/* K2 */\n"),
    "/media/system/js/caption.js": (
        "application/javascript",
        b"var JCaption=function(s){};\n",
    ),
}
