"""`warroom rebuild`: drop every read model and fold the whole log in again."""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Callable
from typing import TextIO

from eventsourcing.persistence import Tracking

from projections import saved
from projections.audit import Timeline
from projections.follower import read_events
from projections.views import Views
from warroom.application import WarRoom
from warroom.config import Database
from warroom.storage import SavedInspection

Progress = Callable[[int, int], None]


def rebuild(app: WarRoom, progress: Progress | None = None) -> tuple[Views, Timeline]:
    """Folds every event into fresh read models and saves them with tracking.

    The objects alive at the end (the rebuilt read models among them) are
    frozen out of the garbage collector's sight (`gc.freeze`): they are
    freed as usual when dropped, but never walked by a collection again.
    """
    app.store.reset_views(app.name)
    views, timeline = Views(), Timeline()
    total = app.recorder.max_notification_id() or 0
    # The fold only adds to what it keeps and makes no reference cycles, but
    # the garbage collector would walk everything kept, again and again, as
    # it grows: a million events made the rebuild a third slower. It stays
    # off through the save, and what the fold made is frozen before it is
    # back on: else the first collection after would walk all of it once
    # more (seen as 7 % of a rebuild, in the save).
    collecting = gc.isenabled()
    gc.disable()
    try:
        for event in read_events(app, 0, total, batch=5000):
            views.apply(event)
            timeline.add(event.position, event.recorded_at)
            if progress is not None and event.position % 5000 == 0:
                progress(event.position, total)
        if progress is not None:
            progress(total, total)
        if views.position:
            # Saved as a server saves them: the global part, one row each.
            rows = [
                SavedInspection(i, v.position, saved.encode_inspection(v))
                for i, v in views.inspections.items()
            ]
            app.store.save_views(
                saved.encode_global(views, timeline),
                Tracking(app.name, views.position),
                rows,
            )
    finally:
        gc.freeze()
        if collecting:
            gc.enable()
    return views, timeline


def progress_bar(out: TextIO) -> Progress:
    started = time.perf_counter()

    def show(done: int, total: int) -> None:
        width = 30
        filled = width * done // total if total else width
        rate = done / max(time.perf_counter() - started, 1e-9)
        out.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] "
            f"{done}/{total} events, {rate:,.0f}/s"
        )
        out.flush()

    return show


def rebuild_and_report(database: Database) -> int:
    app = WarRoom(database)
    try:
        started = time.perf_counter()
        views, _ = rebuild(app, progress_bar(sys.stderr))
        seconds = time.perf_counter() - started
    finally:
        app.close()
    sys.stderr.write("\n")
    rate = views.position / seconds if seconds else 0.0
    print(
        f"rebuilt every read model from {views.position} events "
        f"in {seconds:.2f} s ({rate:,.0f} events/s)"
    )
    return 0
