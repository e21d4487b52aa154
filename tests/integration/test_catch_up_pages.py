"""Catch-up pages, read from a real log: a stream resuming from partway
through the history reads the pages other streams read, not pages of its own.

A wall of screens coming back after a network blip resumes from as many
places as there are screens; if each read the rest of the log from its own
place, the crowd would read it that many times over (what the stall
benchmark saw: a catch-up thread encoding pages all through the crowd).
"""

from __future__ import annotations

import asyncio
import time

from tests.benchmarks.logbuilder import LogBuilder, add_users, open_inspection
from warroom.application import WarRoom
from warroom.config import Database
from web.catchup import CatchUp, Page
from web.pacing import Pace

EVENTS = 1500


def _chain(catch_up: CatchUp, inspection_id: str) -> list[Page]:
    async def read_all() -> list[Page]:
        pages: list[Page] = []
        last = 0
        while True:
            page = await catch_up.page(inspection_id, last)
            pages.append(page)
            if not page.full:
                return pages
            last = page.scanned_to

    return asyncio.run(read_all())


def test_a_stream_resuming_midway_gets_the_pages_others_read(
    database_url: str,
) -> None:
    app = WarRoom(Database.from_url(database_url))
    catch_up = CatchUp(app, threads=1, cache_bytes=64 << 20, pace=Pace(1 << 30))
    try:
        cast = add_users(app)
        inspection = open_inspection(app, cast, "Resume")
        LogBuilder(app, cast, inspection, seed=3).build(
            EVENTS, 100, time.monotonic() + 300
        )
        read_from_0 = _chain(catch_up, inspection.id)
        assert len(read_from_0) >= 3, "the log should span several pages"
        middle = read_from_0[1]
        resume_at = middle.positions[len(middle.positions) // 2]

        async def resume() -> tuple[Page, bytes, int]:
            page = await catch_up.page(inspection.id, resume_at)
            chunk, reached = page.between(resume_at, None)
            return page, chunk, reached

        page, chunk, reached = asyncio.run(resume())
    finally:
        catch_up.close()
        app.close()

    assert page is middle  # the same page, not one read again from resume_at
    assert reached == middle.scanned_to
    ids = [int(line[4:]) for line in chunk.decode().splitlines() if line[:4] == "id: "]
    assert ids == [p for p in middle.positions if p > resume_at]
