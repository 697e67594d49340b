"""Holding a host's downloader slot: what a polite crawl does when the site asks it to wait."""

from __future__ import annotations

from scrapy.utils.asyncio import call_later


def pause_slot(crawler, request, seconds: float, floor: float | None = None) -> None:
    """Hold every request to the request's host for ``seconds`` (and keep its delay >= floor)."""
    downloader = crawler.engine.downloader
    slot = downloader.slots.get(downloader.get_slot_key(request))
    if slot is None:
        return
    if floor is not None and slot.delay < floor:
        slot.delay = floor
    if seconds > 0:
        # the downloader leaves a slot alone while it has a pending latercall: make it ours
        if slot.latercall is not None:
            slot.latercall.cancel()
        slot.latercall = call_later(seconds, downloader._latercall, slot)
