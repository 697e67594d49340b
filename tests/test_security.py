"""Nothing fetched is executed or evaluated; nothing from the network names a file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crawler.warc.writer import WarcWriter, safe_name_part

ROOT = Path(__file__).resolve().parents[1]
CODE = sorted([*ROOT.joinpath("crawler").rglob("*.py"), *ROOT.joinpath("spiders").rglob("*.py")])
FORBIDDEN = re.compile(
    r"\b(eval|exec)\s*\(|pickle\.loads?\(|marshal\.loads?\(|os\.system\(|shell\s*=\s*True|"
    r"yaml\.load\(|__import__\("
)


@pytest.mark.parametrize("path", CODE, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_code_path_evaluates_what_it_reads(path):
    source = path.read_text("utf-8")
    assert not FORBIDDEN.search(source), FORBIDDEN.search(source).group()


@pytest.mark.parametrize(
    "hostile", ["../../../etc/cron.d/x", "/etc/passwd", "a\x00b", "..", "C:\\Windows", "ok-name"]
)
def test_warc_files_stay_in_their_folder(tmp_path, hostile):
    out = tmp_path / "warc"
    writer = WarcWriter(out, prefix=hostile, hostname=hostile)
    from datetime import UTC, datetime

    from crawler.warc import Exchange

    writer.write_exchange(
        Exchange(
            url="http://h/",
            date=datetime.now(UTC),
            method="GET",
            target="/",
            request_headers=[],
            protocol="HTTP/1.1",
            status=200,
            response_headers=[],
            body=b"x",
        )  # fmt: skip
    )
    writer.close()
    (only,) = list(out.iterdir())
    assert only.parent == out and only.name.endswith(".warc.gz")
    assert "/" not in safe_name_part(hostile) and not safe_name_part(hostile).startswith(".")
