"""Finding what a page needs to replay: stylesheets, scripts, images, fonts, CSS url()s."""

from crawler.pages.requisites import css_requisites, html_requisites

BASE = "http://127.0.0.1:8000/publications/x.html"


def test_html_requisites():
    html = """<html><head><base href="/"><link rel="stylesheet" href="t.css">
    <link rel="shortcut icon" href="/favicon.ico"><link rel="alternate" href="/feed.rss">
    <script src="/j.js"></script><style>body{background:url(bg.png)}</style></head>
    <body style="background-image:url('/s.png')"><img src="a.jpg" srcset="a2.jpg 2x, a3.jpg 3x">
    <img src="data:image/png;base64,xx"><a href="/not-a-requisite.html">x</a></body></html>"""
    found = html_requisites(html, BASE)
    assert found == [
        "http://127.0.0.1:8000/t.css",
        "http://127.0.0.1:8000/favicon.ico",
        "http://127.0.0.1:8000/j.js",
        "http://127.0.0.1:8000/a.jpg",
        "http://127.0.0.1:8000/a2.jpg",
        "http://127.0.0.1:8000/a3.jpg",
        "http://127.0.0.1:8000/bg.png",
        "http://127.0.0.1:8000/s.png",
    ]


def test_css_requisites_resolve_against_the_stylesheet():
    css = """@import url("typography.css"); @import 'print.css';
    body{background:url(../images/bg.png)} h1{background:url( "/h.png" )}
    .x{background:url(data:image/gif;base64,R0lG)} @font-face{src:url(../fonts/f.woff)}"""
    found = css_requisites(css, "http://h/templates/caci/css/template.css")
    assert found == [
        "http://h/templates/caci/css/typography.css",
        "http://h/templates/caci/css/print.css",
        "http://h/templates/caci/images/bg.png",
        "http://h/h.png",
        "http://h/templates/caci/fonts/f.woff",
    ]


def test_garbage_is_not_an_error():
    assert html_requisites("", BASE) == []
    assert css_requisites("}}}{{{url(", BASE) == []


def test_every_kind_in_one_walk_keeps_the_order_of_kinds():
    """One walk of the tree finds them all, listed as before: stylesheets and icons, then what
    elements embed (scripts, images, sources, image inputs, video posters), then background
    attributes, then the CSS of style elements and of style attributes; the first base counts."""
    html = """<html><head><base href="/b/"><base href="/ignored/">
    <style>@import "i.css";</style><script src="s.js"></script><script>var x;</script>
    <link rel="icon" href=""><link rel="stylesheet" href="t.css"></head>
    <body><td background="td.gif" style="background:url(td.png)">x</td>
    <input type="text" src="no.png"><input type="image" src="go.png">
    <video poster="p.jpg"><source src="v.mp4"></video>
    <picture><source srcset="w1.webp, w2.webp 2x"><img data-src="lazy.jpg"></picture>
    <p style="background:url(data:image/gif;base64,R0lG)">y</p></body></html>"""
    found = html_requisites(html, BASE)
    assert [url.removeprefix("http://127.0.0.1:8000/b/") for url in found] == [
        "t.css",
        "s.js",
        "go.png",
        "p.jpg",
        "v.mp4",
        "w1.webp",
        "w2.webp",
        "lazy.jpg",
        "td.gif",
        "i.css",
        "td.png",
    ]


def test_html_requisites_order_and_edge_cases():
    """What each element contributes, and in which order: links, embedded resources,
    backgrounds, then what stylesheets name; a script without src and an input that is no
    image load nothing."""
    html = (
        '<html><head><base href="/b/"><link rel="Stylesheet preload" href="a.css">'
        "<style>@import \"i.css\"; body{background:url( 'bg.png' )}</style></head>"
        '<body background="bg2.gif" style="background:url(s.png)"><script>var x</script>'
        '<script data-src="ds.js"></script><script src="s.js" data-src="d2.js"></script>'
        '<input type="IMAGE" src="no.png"><input type="image" src="yes.png"><input src="no2.png">'
        '<video poster="p.jpg"><source srcset="a.webp 1x, b.webp 2x" src="c.mp4"></video>'
        '<img src="data:xx"><img src=" sp.png " data-src="lazy.png" srcset="s1.png 100w">'
        '<div style="x" background=""></div>'
        '<p background="pb.png" style="background-image:url(&quot;q.png&quot;)">t</p>'
        "<style>.x{background:url(z.png)}</style></body></html>"
    )
    found = html_requisites(html, BASE)
    names = ["a.css", "s.js", "d2.js", "yes.png", "p.jpg", "c.mp4", "a.webp", "b.webp",
             "sp.png", "lazy.png", "s1.png", "bg2.gif", "pb.png", "i.css", "bg.png", "z.png",
             "s.png", "q.png"]  # fmt: skip
    assert found == ["http://127.0.0.1:8000/b/" + name for name in names]
