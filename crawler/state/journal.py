"""The crawl journal: what was scheduled and what is archived, safe against ``kill -9``.

Pure code. Scrapy's JOBDIR queue and dupefilter files can be left damaged by a killed process,
or hold requests that were already taken off the queue and lost in flight. The journal is an
append-only JSON Lines file, flushed and fsynced per event, read back tolerantly (a torn last
line is ignored): from it, a resumed crawl knows exactly what is left to fetch.

Events: ``{"s": url, "k": kind, "x": section}`` when a request is scheduled,
``{"f": url}`` when it was fetched and handled, ``{"a": item_id, "u": requested url,
"i": article url, "w": WARC pointer}`` when an article's record was exported.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class JournalState:
    scheduled: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # url -> kind, sec
    fetched: set[str] = field(default_factory=set)
    archived: dict[int, dict] = field(default_factory=dict)  # item id -> {"w": ..., "u": ...}
    finished: bool = False

    @property
    def pending(self) -> list[tuple[str, str, str | None]]:
        """Scheduled, not yet handled, in the order they were scheduled."""
        return [(u, k, s) for u, (k, s) in self.scheduled.items() if u not in self.fetched]


def load(path: Path) -> JournalState:
    state = JournalState()
    if not path.exists():
        return state
    with open(path, "rb") as f:
        for raw in f:
            if not raw.endswith(b"\n"):
                break  # torn by a kill in the middle of a write
            try:
                event = json.loads(raw)
            except ValueError:
                continue
            if "s" in event:
                state.scheduled.setdefault(event["s"], (event.get("k", ""), event.get("x")))
            elif "f" in event:
                state.fetched.add(event["f"])
            elif event.get("end") == "finished":
                state.finished = True
            elif "a" in event:
                state.archived[int(event["a"])] = {
                    "w": event.get("w"),
                    "u": event.get("u"),
                    "i": event.get("i") or event.get("u"),
                }
    return state


class Journal:
    def __init__(self, path: str | os.PathLike, *, sync: bool = True):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.state = load(self.path)
        self._trim_torn_tail()
        self._file = open(self.path, "ab")  # noqa: SIM115 - open for the crawl's lifetime
        self.sync = sync

    @property
    def resumed(self) -> bool:
        return bool(self.state.scheduled)

    def _trim_torn_tail(self) -> None:
        if not self.path.exists():
            return
        with open(self.path, "r+b") as f:
            data = f.read()
            if data and not data.endswith(b"\n"):
                f.truncate(data.rfind(b"\n") + 1)

    def _write(self, event: dict) -> None:
        self._file.write(json.dumps(event, separators=(",", ":")).encode() + b"\n")
        self._file.flush()
        if self.sync:
            os.fsync(self._file.fileno())

    def scheduled(self, url: str, kind: str, section: str | None) -> None:
        if url not in self.state.scheduled:
            self.state.scheduled[url] = (kind, section)
            self._write({"s": url, "k": kind, "x": section})

    def fetched(self, url: str) -> None:
        if url not in self.state.fetched:
            self.state.fetched.add(url)
            self._write({"f": url})

    def archived(self, item_id: int, requested: str, url: str, pointer: dict | None) -> None:
        self.state.archived[item_id] = {"w": pointer, "u": requested, "i": url}
        self._write({"a": item_id, "u": requested, "i": url, "w": pointer})

    def finish(self) -> None:
        self.state.finished = True
        self._write({"end": "finished"})

    def close(self) -> None:
        if not self._file.closed:
            self._file.close()


def repair_jsonl(path: Path) -> int:
    """Cut a JSON Lines file back to its last whole line; returns the bytes dropped."""
    with open(path, "r+b") as f:
        data = f.read()
        if not data or data.endswith(b"\n"):
            return 0
        keep = data.rfind(b"\n") + 1
        f.truncate(keep)
        return len(data) - keep


def exported_ids(paths) -> set[int]:
    """K2 ids of the records already in JSON Lines files (whole lines only)."""
    ids = set()
    for path in paths:
        with open(path, "rb") as f:
            for raw in f:
                if not raw.endswith(b"\n"):
                    break
                try:
                    ids.add(int(json.loads(raw)["item_id"]))
                except (ValueError, KeyError, TypeError):
                    continue
    return ids
