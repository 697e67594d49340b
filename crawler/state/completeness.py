"""Did we get everything? What the site's listings show, against what the folder's archive holds.

Pure code. The crawl feeds it what each section listing page shows, which articles it archived
(and which the folder held before), and why the others were not archived; ``result()`` is the
answer per section, with every listed item that is not archived named with its reason. The
result goes into the JSON report, so that the next crawl can carry forward what a re-crawl
does not walk again (a re-crawl stops at the first listing page with nothing new).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass
class Listed:
    item_id: int
    section: str
    url: str
    title: str | None = None


def year_of(published) -> int | None:
    """2003 from "2003-10-08"; None when the record has no date."""
    if isinstance(published, str) and published[:4].isdigit():
        return int(published[:4])
    return None


STOPPED = "not fetched: the crawl stopped before it"
UNKNOWN = "not archived: no capture of it was exported, and no failure was reported"


class Completeness:
    def __init__(self, sections: Iterable[str], names: Mapping[str, str] | None = None):
        self.sections = list(sections)
        self.names = dict(names or {})
        self.listed: dict[int, Listed] = {}
        self.before: set[int] = set()
        self.now: set[int] = set()
        self.reasons: dict[int, tuple[str, bool]] = {}  # id: (reason, worth retrying)
        # listed in an earlier crawl only: (its reason then, worth retrying), "" if archived
        self.carried: dict[int, tuple[str, bool]] = {}
        self.where: dict[int, tuple[str | None, int | None]] = {}  # archived: (section, year)

    # --- what the crawl found -------------------------------------------------------------

    def saw_listing(self, section: str, items: Mapping[int, Mapping]) -> None:
        """A listing page of ``section`` shows these items (id: {"url", "title"})."""
        for item_id, info in items.items():
            if item_id is None:
                continue
            if item_id not in self.listed or item_id in self.carried:
                url, title = info.get("url") or "", info.get("title")
                self.listed[item_id] = Listed(item_id, section, url, title)
            self.carried.pop(item_id, None)

    def carry(self, earlier: Mapping | None) -> None:
        """What an earlier crawl's listings showed (its report's ``completeness``), for the
        listing pages this crawl does not walk again."""
        if not earlier:
            return
        missing = {m["item_id"]: m for m in earlier.get("missing", ()) if "item_id" in m}
        for section, ids in (earlier.get("listed_ids") or {}).items():
            if section not in self.sections:
                continue
            for item_id in ids:
                if item_id in self.listed:
                    continue
                gone = missing.get(item_id, {})
                self.listed[item_id] = Listed(item_id, section, gone.get("url", ""),
                                              gone.get("title"))  # fmt: skip
                self.carried[item_id] = (gone.get("reason", ""), bool(gone.get("retryable")))

    def archived_before(
        self, item_ids: Iterable[int], where: Mapping[int, tuple[str | None, int | None]] = None
    ) -> None:
        """Articles the folder held before this crawl; ``where``: (section, year) of those
        whose JSON record says."""
        self.before |= set(item_ids)
        self.where.update(where or {})

    def archived(self, item_id: int, section: str | None = None, published=None) -> None:
        self.now.add(item_id)
        self.reasons.pop(item_id, None)
        self.where[item_id] = (section, year_of(published))

    def not_archived(self, item_id: int, reason: str, retryable: bool = False) -> None:
        if item_id not in self.now:
            self.reasons[item_id] = (reason, retryable)

    def missing_from_earlier(self) -> list[Listed]:
        """Items an earlier crawl listed but could not archive for a reason that may go away
        (the host was down): worth asking for again, on listing pages a re-crawl may not walk."""
        return [
            self.listed[i]
            for i, (_, retryable) in self.carried.items()
            if retryable and i not in self.before and self.listed[i].url
        ]

    # --- the answer -----------------------------------------------------------------------

    def by_year(self) -> list[dict]:
        """Articles in the archive (now and before) per year published and section name:
        [{"year": 2003, "section": "Field Reports", "articles": 12}, ...]."""
        counts: dict[tuple[int | None, str | None], int] = {}
        for item_id in self.before | self.now:
            section, year = self.where.get(item_id, (None, None))
            counts[(year, section)] = counts.get((year, section), 0) + 1
        order = sorted(counts, key=lambda k: (k[0] is None, k[0] or 0, k[1] or ""))
        return [{"year": y, "section": s, "articles": counts[(y, s)]} for y, s in order]

    def _reason(self, item_id: int, finished: bool) -> tuple[str, bool]:
        if item_id in self.reasons:
            return self.reasons[item_id]
        if item_id in self.carried:
            earlier, retryable = self.carried[item_id]
            return f"listed in an earlier crawl: {earlier or 'not archived'}", retryable
        if not finished:
            return STOPPED, True
        return UNKNOWN, False

    def result(self, finished: bool) -> dict:
        archived = self.before | self.now
        sections, missing = [], []
        for section in self.sections:
            ids = sorted(i for i, entry in self.listed.items() if entry.section == section)
            got = [i for i in ids if i in archived]
            for item_id in ids:
                if item_id in archived:
                    continue
                entry = self.listed[item_id]
                reason, retryable = self._reason(item_id, finished)
                missing.append(
                    {
                        "item_id": item_id,
                        "section": section,
                        "url": entry.url,
                        "title": entry.title,
                        "reason": reason,
                        "retryable": retryable,
                    }
                )
            sections.append(
                {
                    "section": section,
                    "name": self.names.get(section, section),
                    "listed": len(ids),
                    "archived": len(got),
                    "archived_now": len([i for i in got if i in self.now and i not in self.before]),
                    "archived_before": len([i for i in got if i in self.before]),
                    "missing": len(ids) - len(got),
                    "listed_in_earlier_crawls_only": len([i for i in ids if i in self.carried]),
                }
            )
        totals = {
            key: sum(s[key] for s in sections)
            for key in ("listed", "archived", "archived_now", "archived_before", "missing")
        }
        return {
            "sections": sections,
            "totals": totals,
            "missing": missing,
            "by_year": self.by_year(),
            "listed_ids": {
                s: sorted(i for i, e in self.listed.items() if e.section == s)
                for s in self.sections
            },
        }
