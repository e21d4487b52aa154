"""Days closed at a configured hour (`WARROOM_CLOSE_DAYS_AT`, e.g. "18:00").

At that time of day, in each inspection's own time zone, the war room's clock
closes the day of every inspection that is not closed, from its first day on,
just as the lead would (`CloseDay`): the log is signed and the day's blog
prints the seal. Several server processes may race to close the same day:
the day's aggregate id is derived from the inspection and the day, so one
stores it and the others are refused, which is no matter.

A day whose meetings are still to come at that hour (an end-of-day briefing
at 17:30-18:30) is left open, and the clock closes it at its first tick after
the last of them has ended (the next morning, for one that ends after
midnight). The clock keeps the rule a person keeps: a day is sealed early
only with a reason, and a clock has none of its own to give. What is said
in those meetings (the debrief, the KIT note, the inspectors' last word) is
what the day's seal and blog are for, so waiting an hour for them is worth
more than sealing on the hour without them. The wait is logged once per day
and process, with what it waits for.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from eventsourcing.persistence import IntegrityError

from commands.executor import execute
from commands.models import CloseDay
from commands.run import Actor
from projections.server import Server
from projections.views import Views
from warroom.domain.base import DomainError, RuleBroken
from warroom.domain.inspection import Inspection
from warroom.domain.window import OutOfWindow

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
    def __init__(self, state: Server, at: time, every: float = 30.0) -> None:
        self.state = state
        self.at = at
        self.every = every
        # The days this process has logged as waiting for their meetings.
        self._waiting: set[tuple[str, date]] = set()
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
            for day in self._due(inspection_id, now.astimezone(ZoneInfo(zone))):
                if day >= starts_on and self._close(inspection_id, day, now):
                    closed.append((inspection_id, day.isoformat()))
        return closed

    def _due(self, inspection_id: str, local: datetime) -> list[date]:
        """Today once the hour has come; yesterday too if one of its meetings
        went on past midnight (the clock had to wait for it)."""
        today = local.date()
        due = [today] if local.time() >= self.at else []
        yesterday = today - timedelta(days=1)
        midnight = datetime.combine(today, time(), local.tzinfo)
        slots = self.state.reader.calendar(inspection_id)
        if any(
            s.starts_at.astimezone(local.tzinfo).date() == yesterday
            and s.ends_at > midnight
            for s in slots
        ):
            due.insert(0, yesterday)
        return due

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
                # The day's meetings: one still to come keeps the day open.
                calendar=self.state.reader.calendar,
            )
        except RuleBroken as refused:
            if refused.rule == "meetings_to_come":
                self._wait(inspection_id, day, refused)
            return False  # or closed already (by a person or another server)
        except (DomainError, OutOfWindow, IntegrityError):
            return False
        self._waiting.discard((inspection_id, day))
        return True

    def _wait(self, inspection_id: str, day: date, refused: RuleBroken) -> None:
        if (inspection_id, day) in self._waiting:
            return
        self._waiting.add((inspection_id, day))
        log.warning(
            "the clock leaves %s of inspection %s open at %s: %s; it closes the "
            "day once they have ended (%s)",
            day.isoformat(),
            inspection_id,
            self.at.strftime("%H:%M"),
            _meetings(len(refused.details.get("meetings_to_come", ()))),
            f"the last ends at {refused.details.get('last_ends_at')}",
        )


def _meetings(count: int) -> str:
    return (
        "1 meeting still to come" if count == 1 else f"{count} meetings still to come"
    )
