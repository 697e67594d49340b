"""The Dask glue of ``scrapy extract --cluster``: units to the scheduler, results in order.

No Scrapy; Dask is imported when a run starts (it is an optional extra). Dask does the
scheduling, the data transfer and the retries after a worker dies (a task whose worker died is
run again elsewhere, and its result is taken once): nothing here is a queue or an RPC of our
own. What is ours: at most a window of units in flight (the client's memory stays flat
however large the collection), the output written in input order, and a unit that keeps
killing its workers (Dask gives up with ``KilledWorker`` after the scheduler's
``allowed-failures``) split into its records, so that only the record at fault is lost, and
reported like a damaged record.
"""

from __future__ import annotations

import contextlib
import logging
import urllib.request
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, fields

from crawler.cluster.output import PartFiles, SingleFile
from crawler.cluster.plan import Piece, Unit, make_units, starts_for
from crawler.cluster.sources import Source
from crawler.cluster.work import UnitResult, run_unit
from crawler.extract.article import extractor_info
from crawler.records import Tally


class ClusterError(Exception):
    """The run cannot go on (no scheduler, scheduler gone, workers that cannot extract)."""


def add_tally(into: Tally, more: Tally) -> None:
    for f in fields(Tally):
        if f.name != "files":
            setattr(into, f.name, getattr(into, f.name) + getattr(more, f.name))


def _versions() -> dict:
    """On each worker: what decides the bytes of a record."""
    from crawler.extract.article import extractor_info

    return extractor_info()


@dataclass
class _Job:
    unit: Unit
    future: object = None
    result: UnitResult | None = None
    counted: bool = False
    lone: bool = False  # one record, already tried again on its own once


@dataclass
class _Slot:
    """One unit of the plan, done as one job or, after KilledWorker, as one job per record."""

    unit: Unit
    jobs: list[_Job] = field(default_factory=list)

    @property
    def done(self) -> bool:
        return all(job.result is not None for job in self.jobs)


class ClusterRun:
    def __init__(
        self,
        client,
        sources: list[Source],
        output: SingleFile | PartFiles,
        *,
        all_pages: bool,
        max_body: int,
        unit_bytes: int,
        report: Callable[[str], None],
        progress: Callable[[Tally], None],
    ):
        self.client = client
        self.sources = sources
        self.output = output
        self.all_pages = all_pages
        self.max_body = max_body
        self.unit_bytes = unit_bytes
        self.report = report
        self.progress = progress
        self.token = uuid.uuid4().hex[:12]
        self.tally = Tally()
        self.live = Tally()  # what the progress line shows: units done, written or not
        self.scans: dict[str, object] = {}

    # --- submitting ---

    def _submit(self, unit: Unit, key: str) -> _Job:
        parts_dir = self.output.parts_dir
        future = self.client.submit(
            run_unit,
            unit,
            self.all_pages,
            self.max_body,
            parts_dir,
            key=f"extract-{self.token}-{key}",
            pure=False,
        )
        return _Job(unit, future)

    def _starts_of(self, source: Source) -> list[int] | None:
        future = self.scans.get(source.location)
        try:
            return future.result() if future is not None else None
        except Exception:
            # unreadable, or it killed its workers: the file is one piece, which reports what
            # is wrong with it as the local run does (and is split into records if need be)
            self._check_scheduler()
            return None

    # --- the run ---

    def run(self) -> Tally:
        from distributed import wait

        # record starts of every large file, first (priority), on the workers that read them
        for i, source in enumerate(self.sources):
            if source.size > self.unit_bytes:
                self.scans[source.location] = self.client.submit(
                    starts_for,
                    source,
                    self.unit_bytes,
                    key=f"record-starts-{self.token}-{i}",
                    priority=10,
                    pure=False,
                )
        units = make_units(self.sources, self._starts_of, self.unit_bytes)
        pending: deque[_Slot] = deque()
        exhausted = False
        while True:
            # a few units per worker thread in flight, however many workers have joined
            window = max(4, 3 * sum(self.client.nthreads().values()))
            while not exhausted and len(pending) < window:
                unit = next(units, None)
                if unit is None:
                    exhausted = True
                    break
                pending.append(_Slot(unit, [self._submit(unit, str(unit.index))]))
            if not pending:
                break
            running = [j.future for s in pending for j in s.jobs if j.result is None]
            if running:
                # a short wait: the scheduler's health is checked between waits
                with contextlib.suppress(TimeoutError):
                    wait(running, timeout=0.5, return_when="FIRST_COMPLETED")
            self._check_scheduler()
            for slot in pending:
                self._collect(slot)
            while pending and pending[0].done:
                self._write(pending.popleft())
        self.tally.files = len(self.sources)
        self.output.commit(self.tally, extractor_info())
        return self.tally

    def _check_scheduler(self) -> None:
        if self.client.status not in ("running", "connecting", "newly-created"):
            raise ClusterError(f"lost the Dask scheduler at {self.client.scheduler.address}")

    def _collect(self, slot: _Slot) -> None:
        for job in list(slot.jobs):
            if job.result is not None or not job.future.done():
                continue
            status = job.future.status
            if status == "finished":
                job.result = job.future.result()
                job.future = None
            elif status == "error":
                exc = job.future.exception()
                if not _is_killed_worker(exc):
                    raise ClusterError(f"the workers cannot extract: {exc!r}")
                self._split(slot, job, exc)
                continue
            else:  # cancelled: the scheduler dropped it, which it does when it goes away
                self._check_scheduler()
                raise ClusterError("the Dask scheduler cancelled the work (restarted?)")
            if not job.counted:
                job.counted = True
                add_tally(self.live, job.result.tally)
                self.progress(self.live)

    def _split(self, slot: _Slot, job: _Job, exc: BaseException) -> None:
        """A unit that killed its workers: again, record by record. A record is tried on its
        own twice (a record that only shared a dying worker with the guilty one may have been
        unlucky once); one that kills its workers again is lost, and reported like a damaged
        record."""
        at = slot.jobs.index(job)
        pieces = [q for p in job.unit.pieces for q in self._record_pieces(p)]
        if len(pieces) <= 1 and not job.lone:
            again = self._submit(job.unit, f"{job.unit.index}-{job.unit.pieces[0].start}-again")
            again.lone = True
            slot.jobs[at] = again
            return
        if len(pieces) <= 1:
            piece = job.unit.pieces[0]
            where = f"offset {piece.start}: " if piece.end is not None else ""
            why = f"{piece.source.label}: {where}skipped: its extraction killed a worker " + (
                "every time it was tried (Dask's allowed-failures)"
            )
            job.result = UnitResult(job.unit.index, Tally(errors=1), [why], data=b"")
            job.future = None
            return
        jobs = [
            self._submit(Unit(job.unit.index, (p,)), f"{job.unit.index}-{p.start}-{n}")
            for n, p in enumerate(pieces)
        ]
        slot.jobs[at : at + 1] = jobs

    def _record_pieces(self, piece: Piece) -> list[Piece]:
        if piece.end is not None:
            return piece.split()
        # a file sent whole: find its records now (reading alone does not kill workers)
        key = f"record-starts-{self.token}-{uuid.uuid4().hex}"
        try:
            starts = self.client.submit(starts_for, piece.source, 1, key=key).result()
        except Exception:
            starts = None
        if not starts or starts[0] != 0:
            return [piece]
        edges = [*starts, piece.source.size]
        return [Piece(piece.source, a, b) for a, b in zip(edges, edges[1:], strict=False)]

    def _write(self, slot: _Slot) -> None:
        results = [job.result for job in slot.jobs]
        for result in results:
            for line in result.reports:
                self.report(line)
            add_tally(self.tally, result.tally)
        one = results[0] if len(results) == 1 else None
        if one is not None and (one.part is not None or isinstance(self.output, SingleFile)):
            self.output.add(slot.unit, one)
        else:
            data = b"".join(r.data or b"" for r in results)
            self.output.add_lines(slot.unit, data, sum(r.tally.articles for r in results))


def _is_killed_worker(exc: BaseException | None) -> bool:
    try:
        from distributed.scheduler import KilledWorker
    except ImportError:  # pragma: no cover - dask is there if a run got this far
        return False
    return isinstance(exc, KilledWorker)


def address_problem(address: str) -> str | None:
    """What is wrong with a scheduler address, before any connection is tried."""
    from distributed.comm import parse_address
    from distributed.comm.addressing import parse_host_port

    try:
        protocol, location = parse_address(address)
        if protocol in ("tcp", "tls"):
            parse_host_port(location)
    except ValueError as exc:
        return str(exc)
    return None


def connect(address: str, timeout: float):
    """A Dask client of the scheduler at ``address``; ClusterError when there is none."""
    from distributed import Client

    try:
        # the default client of this process: distributed.wait() and friends use it
        return Client(address, timeout=timeout)
    except (OSError, TimeoutError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: {reason}") from None


def dashboard_link(client) -> str | None:
    """The dashboard's address when it answers: without bokeh the scheduler still serves HTTP
    on that port, with no dashboard behind it."""
    try:
        if "dashboard" not in client.scheduler_info().get("services", {}):
            return None
        link = client.dashboard_link
        with urllib.request.urlopen(link, timeout=3) as answer:
            return link if answer.status == 200 else None
    except Exception:
        return None


def check_workers(client) -> None:
    """Every worker must extract as this machine does, or the records would differ."""
    ours = extractor_info()
    try:
        theirs = client.run(_versions)
    except Exception as exc:
        raise ClusterError(f"the workers cannot run the extraction: {exc!r}") from None
    for worker, info in sorted(theirs.items()):
        if info != ours:
            raise ClusterError(
                f"worker {worker} extracts with {info}, this machine with {ours}: install the "
                "same versions on both"
            )


def extract_on_cluster(
    address: str,
    sources: list[Source],
    output: SingleFile | PartFiles,
    *,
    all_pages: bool,
    max_body: int,
    unit_bytes: int,
    connect_timeout: float,
    report: Callable[[str], None],
    progress: Callable[[Tally], None],
    announce: Callable[[str], None],
) -> Tally:
    """The local run's extraction of ``sources`` into ``output``, on the cluster at ``address``.

    ``output`` is committed (renamed into place) only when every unit is written; on any
    failure it is aborted and ClusterError (or the original exception) raised.
    """
    # Dask logs its own retries and reconnections on stderr; what they come to (a record
    # reported, one `error:` line) is said here, once
    for name in ["distributed", *logging.root.manager.loggerDict]:
        if name.split(".")[0] == "distributed":  # dask's config sets levels per module
            logging.getLogger(name).setLevel(logging.CRITICAL)
    try:
        client = connect(address, connect_timeout)
        try:
            link = dashboard_link(client)
            if link:
                announce(f"extract: Dask dashboard at {link}")
            if not client.nthreads():
                announce(f"extract: waiting for Dask workers to join {address}")
            check_workers(client)
            run = ClusterRun(
                client,
                sources,
                output,
                all_pages=all_pages,
                max_body=max_body,
                unit_bytes=unit_bytes,
                report=report,
                progress=progress,
            )
            return run.run()
        finally:
            # closing a client whose scheduler is gone may fail too
            with contextlib.suppress(Exception):
                client.close(timeout=5)
    except BaseException as exc:
        output.abort()
        if isinstance(exc, ClusterError | KeyboardInterrupt | SystemExit):
            raise
        if isinstance(exc, OSError | TimeoutError) or _is_comm_error(exc):
            raise ClusterError(f"lost the Dask scheduler at {address}: {exc!r}") from None
        raise ClusterError(f"the cluster run failed: {exc!r}") from None


def _is_comm_error(exc: BaseException) -> bool:
    try:
        from distributed.comm.core import CommClosedError
    except ImportError:  # pragma: no cover
        return False
    import asyncio
    import concurrent.futures

    return isinstance(
        exc, CommClosedError | asyncio.CancelledError | concurrent.futures.CancelledError
    )
