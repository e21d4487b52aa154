"""Days closed at a configured hour (`WARROOM_CLOSE_DAYS_AT`, e.g. "18:00").

At that time of day, in each inspection's own time zone, the war room's clock
closes the day of every inspection that is not closed, from its first day on,
just as the lead would (`CloseDay`): the log is signed and the day's blog
prints the seal. Several server processes may race to close the same day:
the day's aggregate id is derived from the inspection and the day, so one
stores it and the others are refused, which is no matter.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from eventsourcing.persistence import IntegrityError

from commands.executor import execute
from commands.models import CloseDay
from commands.run import Actor
from projections.views import Views
from warroom.domain.base import DomainError
from warroom.domain.inspection import Inspection
from warroom.domain.window import OutOfWindow
from web.state import ServerState

log = logging.getLogger(__name__)


def parse_hour(text: str) -> time | None:
    """ "HH:MM" -> the time of day; "" -> None (days are closed by command only)."""
    if not text:
        return None
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"WARROOM_CLOSE_DAYS_AT is a time of day such as 18:00, not {text!r}"
        ) from None


class DayCloser:
    def __init__(self, state: ServerState, at: time, every: float = 30.0) -> None:
        self.state = state
        self.at = at
        self.every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name="day-closer", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            try:
                self.tick(datetime.now(UTC))
            except Exception:  # the clock must keep going; the log says why
                log.exception("closing the day failed")

    def tick(self, now: datetime) -> list[tuple[str, str]]:
        """Closes every day due at `now`; the (inspection, day) pairs closed."""
        closed = []
        for inspection_id, zone, starts_on in self._open_inspections():
            local = now.astimezone(ZoneInfo(zone))
            if local.time() < self.at or local.date() < starts_on:
                continue
            day = local.date()
            if self._close(inspection_id, day, now):
                closed.append((inspection_id, day.isoformat()))
        return closed

    def _open_inspections(self) -> list[tuple[str, str, date]]:
        def found(views: Views) -> list[tuple[str, str, date]]:
            # Only the open ones: a closed inspection's read models stay unloaded.
            open_ones = ((i, views.inspections[i]) for i in views.open_inspection_ids())
            return [
                (iid, i.inspection.timezone, date.fromisoformat(s["starts_on"]))
                for iid, i in open_ones
                if (s := i.inspection.summary) is not None and s["phase"] != "closed"
            ]

        return self.state.read_side.read(found)

    def _close(self, inspection_id: str, day: date, now: datetime) -> bool:
        app = self.state.app
        organisation_id = app.load(Inspection, inspection_id).organisation_id
        clock = Actor(
            id="clock",
            name="the war room's clock",
            role="lead",
            organisation_id=organisation_id,
        )
        try:
            execute(
                app,
                clock,
                CloseDay(day=day, occurred_at=now),
                inspection_id=inspection_id,
            )
        except (DomainError, OutOfWindow, IntegrityError):
            return False  # closed already (by a person or another server), or not
        return True
