"""Cutting WARC files into work units (``crawler.cluster``), without a cluster.

Every cut must fall where warcio finds a record, and the units' results put end to end must be
the local run's output, reports and tally, for every kind of file the reader takes: one gzip
member per record, uncompressed, one gzip stream for the whole file, and damaged.
"""

from __future__ import annotations

import gzip
import io
import shutil

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.cluster.plan import (
    Piece,
    check_starts,
    indexed_record_starts,
    make_units,
    scan_record_starts,
    starts_for,
)
from crawler.cluster.sources import Window, expand_inputs
from crawler.cluster.work import run_unit
from crawler.records import Tally, extract_files
from crawler.warc.read import ReadError, iter_records


def warcio_offsets(path) -> list[int]:
    with open(path, "rb") as f:
        it = ArchiveIterator(f)
        return [it.get_record_offset() for _ in it]


@pytest.fixture(scope="module")
def files(replica_crawl, tmp_path_factory) -> dict:
    crawl = replica_crawl["out"]
    (warc,) = (crawl / "warc").glob("*.warc.gz")
    folder = tmp_path_factory.mktemp("plan")
    raw = gzip.decompress(warc.read_bytes())
    (folder / "plain.warc").write_bytes(raw)
    (folder / "whole.warc.gz").write_bytes(gzip.compress(raw))
    data = warc.read_bytes()
    starts = scan_record_starts(str(warc))
    # a member cut short in the middle of the file, then the rest of the file
    cut = starts[len(starts) // 2]
    (folder / "damaged.warc.gz").write_bytes(data[: cut + 300] + data[cut:])
    plain = scan_record_starts(str(folder / "plain.warc"))
    at = plain[len(plain) // 2]
    # bytes inserted into a record: its Content-Length no longer ends it
    (folder / "damaged.warc").write_bytes(raw[: at + 900] + b"inserted " * 40 + raw[at + 900 :])
    return {"gz": warc, "index": crawl / "indexes" / "index.cdxj", "folder": folder}


def test_scanned_starts_are_warcios_offsets(files):
    assert scan_record_starts(str(files["gz"])) == warcio_offsets(files["gz"])
    plain = files["folder"] / "plain.warc"
    assert scan_record_starts(str(plain)) == warcio_offsets(plain)
    assert scan_record_starts(str(files["folder"] / "whole.warc.gz")) is None  # cannot be cut


def test_a_member_cut_short_anywhere_loses_no_record_after_it(files, tmp_path):
    """Each member of the crawl's WARC in turn cut short and followed by the rest of the file
    (as damaged.warc.gz, at every record instead of the middle one). At some cuts warcio
    reported the broken deflate data on stderr and returned nothing more, which looked like
    the end of the file: every record after the damage went unread, without a word (9 of 329
    cuts of one crawl). Every cut now says the damage and reads every record after it."""
    warc = files["gz"]
    data = warc.read_bytes()
    starts = scan_record_starts(str(warc))

    def read(path) -> tuple[int, set[str]]:
        """Damage said, and the records read (bodies are not needed: none are wanted)."""
        found = list(iter_records(path, want=lambda capture: False))
        errors = sum(isinstance(r, ReadError) for r in found)
        return errors, {r.warc["record_id"] for r in found if not isinstance(r, ReadError)}

    intact_errors, intact = read(warc)
    assert intact_errors == 0 and len(intact) == len(starts)
    damaged = tmp_path / "damaged.warc.gz"
    silent = []
    for cut in starts[1:-1]:
        damaged.write_bytes(data[: cut + 300] + data[cut:])
        errors, records = read(damaged)
        if not errors or records != intact:
            silent.append((cut, errors, len(records)))
    assert not silent, f"{len(silent)} cuts lost records or said nothing: {silent[:5]}"


def test_scan_stops_at_damage_with_the_starts_before_it(files):
    starts = scan_record_starts(str(files["folder"] / "damaged.warc.gz"))
    good = scan_record_starts(str(files["gz"]))
    assert starts == good[: len(good) // 2 + 1]


def test_the_crawls_index_gives_record_starts_and_is_checked(files, tmp_path):
    (source,) = expand_inputs([str(files["gz"])])
    indexed = indexed_record_starts(source)
    scanned = scan_record_starts(str(files["gz"]))
    assert indexed[0] == 0 and set(indexed) <= set(scanned)
    assert len(indexed) > len(scanned) // 3  # responses (and more) are indexed
    assert starts_for(source, 50_000) == indexed
    # the same index beside another file of the same name: its offsets are refused
    (tmp_path / "warc").mkdir()
    (tmp_path / "indexes").mkdir()
    shutil.copy(files["index"], tmp_path / "indexes" / "index.cdxj")
    other = tmp_path / "warc" / files["gz"].name
    other.write_bytes(gzip.compress(b"x" * 1000) + files["gz"].read_bytes())
    (stale,) = expand_inputs([str(other)])
    assert not check_starts(stale, indexed_record_starts(stale)[1:4])
    assert starts_for(stale, 50_000) == scan_record_starts(str(other))


def test_window_is_a_file_of_its_own(files):
    with open(files["gz"], "rb") as f:
        w = Window(f, 100, 350)
        assert w.read(10) == files["gz"].read_bytes()[100:110]
        w.seek(0)
        assert len(w.read()) == 250
        w.seek(-5, io.SEEK_END)
        assert w.read() == files["gz"].read_bytes()[345:350]


def test_units_cover_every_byte_once_in_order(files):
    sources = expand_inputs([str(files["gz"]), str(files["folder"])])
    units = list(make_units(sources, lambda s: starts_for(s, 60_000), 60_000))
    assert [u.index for u in units] == list(range(len(units)))
    covered: dict[str, list[tuple[int, int]]] = {}
    for unit in units:
        for piece in unit.pieces:
            covered.setdefault(piece.source.location, []).append(
                (piece.start, piece.start + piece.size)
            )
    for source in sources:
        spans = covered[source.location]
        assert spans[0][0] == 0 and spans[-1][1] == source.size
        assert all(a[1] == b[0] for a, b in zip(spans, spans[1:], strict=False))
    assert max(len(v) for v in covered.values()) > 5  # the large files were cut


def test_small_files_are_batched(files):
    sources = expand_inputs([str(files["folder"] / "whole.warc.gz"), str(files["gz"])])
    (unit,) = make_units(sources, lambda s: None, 10_000_000)
    assert [p.source.name for p in unit.pieces] == [s.name for s in sources]
    assert all(p.end is None for p in unit.pieces)


@pytest.mark.parametrize(
    "name", ["gz", "plain.warc", "whole.warc.gz", "damaged.warc.gz", "damaged.warc"]
)
@pytest.mark.parametrize("all_pages", [False, True])
def test_units_together_are_the_local_run(files, name, all_pages):
    path = files["gz"] if name == "gz" else files["folder"] / name
    out, reports = io.BytesIO(), []
    tally = extract_files([path], out, all_pages=all_pages, report=reports.append)
    sources = expand_inputs([str(path)])
    units = list(make_units(sources, lambda s: starts_for(s, 40_000), 40_000))
    results = [run_unit(u, all_pages, 200_000_000) for u in units]
    assert b"".join(r.data for r in results) == out.getvalue()
    assert [line for r in results for line in r.reports] == reports
    total = Tally(files=1)
    for r in results:
        for field in ("records", "articles", "revisit", "truncated", "not_article", "errors"):
            setattr(total, field, getattr(total, field) + getattr(r.tally, field))
    for field in ("records", "articles", "revisit", "truncated", "not_article", "errors"):
        assert getattr(total, field) == getattr(tally, field), field
    if name.startswith("damaged"):
        assert tally.errors >= 1 and len(units) > 3


def test_piece_splits_into_its_records(files):
    (source,) = expand_inputs([str(files["gz"])])
    starts = scan_record_starts(str(files["gz"]))
    piece = Piece(source, starts[2], starts[6], tuple(starts[3:6]))
    assert [(p.start, p.end) for p in piece.split()] == list(
        zip(starts[2:6], starts[3:7], strict=False)
    )
    assert Piece(source).split() == [Piece(source)]  # a file sent whole: found by a scan


def test_part_files_to_a_url_folder_are_the_single_file(files, tmp_path):
    pytest.importorskip("fsspec")
    from crawler.cluster.output import OutputError, open_output

    sources = expand_inputs([str(files["gz"])])
    target = tmp_path / "parts"
    out = open_output(f"file://{target}/")
    assert not target.exists()  # a hidden temporary folder until the end
    for unit in make_units(sources, lambda s: starts_for(s, 100_000), 100_000):
        out.add(unit, run_unit(unit, False, 200_000_000, out.parts_dir))
    out.commit(Tally(), {})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["parts"]
    single = io.BytesIO()
    extract_files([files["gz"]], single)
    parts = sorted(target.glob("part-*.jsonl"))
    assert len(parts) > 3 and b"".join(p.read_bytes() for p in parts) == single.getvalue()
    with pytest.raises(OutputError, match="not empty"):
        open_output(f"{target}/")
    aborted = open_output(str(tmp_path / "one.jsonl"))
    aborted.abort()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["parts"]


def test_cluster_modules_import_neither_scrapy_nor_dask():
    from tests.helpers import packages_imported_by

    loaded = packages_imported_by(
        "import crawler.cluster.plan, crawler.cluster.sources, crawler.cluster.work, "
        "crawler.cluster.output, crawler.cluster.client"
    )
    assert not loaded & {"scrapy", "distributed"}
