"""Raw response heads, as the download handler keeps them."""

from crawler.wire import parse_status_line, split_head


def test_split_head_keeps_names_order_repeats_and_connection_headers():
    head = (
        b"HTTP/1.1 200 Fine Thanks\r\nserver: Apache\r\nTransfer-Encoding: chunked\r\n"
        b"Set-Cookie: a=1\r\nSet-Cookie: b=2\r\nX-Folded: one\r\n two\r\n"
        b"Connection: keep-alive\r\n\r\n"
    )
    status, headers = split_head(head)
    assert parse_status_line(status) == ("HTTP/1.1", 200, "Fine Thanks")
    assert headers == [
        (b"server", b"Apache"),
        (b"Transfer-Encoding", b"chunked"),
        (b"Set-Cookie", b"a=1"),
        (b"Set-Cookie", b"b=2"),
        (b"X-Folded", b"one two"),
        (b"Connection", b"keep-alive"),
    ]


def test_status_line_without_reason_and_garbage():
    assert parse_status_line(b"HTTP/1.0 404") == ("HTTP/1.0", 404, "")
    assert split_head(b"garbage\r\n\r\n") is None
    assert parse_status_line(b"HTTP/1.1 abc") is None
