"""When the demo's inspection happens: a real calendar, whatever day it is loaded.

Ofsted rings on a Monday morning (the seed: "SIF notification phone calls on
Monday morning"), so day 1 is a Monday, day 2's kick-off a Tuesday, and days 1
to 4 are Monday to Thursday; the template's week 2 ends on day 12, a Friday,
and weeks 3 and 4 run from day 15 to day 26. The demo shows a working day of
weeks 3 and 4 on site, the busiest time: the day it is loaded, when that is a
weekday and its morning's KIT is over (half past ten), or else the last
working day before it, shown whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
# Before this, today's work has barely begun: the demo shows the day before.
SHOWN_FROM = time(10, 30)
# The demo's day ends with its end-of-day briefing.
DAY_ENDS = time(18, 0)
SATURDAY = 5


@dataclass(frozen=True)
class Calendar:
    today: date  # the working day the demo shows
    starts_on: date  # day 1, the Monday of the notification call
    until: datetime  # nothing scripted after this has happened yet

    def day(self, n: int) -> date:
        """The inspection's day n (day 1 is the day of the call)."""
        return self.starts_on + timedelta(days=n - 1)

    @property
    def today_n(self) -> int:
        return (self.today - self.starts_on).days + 1

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        """A London wall-clock time on `day`, as a UTC instant."""
        return datetime.combine(day, time(hour, minute), LONDON).astimezone(UTC)

    def next_working_day(self, day: date) -> date:
        day += timedelta(days=1)
        while day.weekday() >= SATURDAY:
            day += timedelta(days=1)
        return day

    def working_day_before(self, day: date) -> date:
        day -= timedelta(days=1)
        while day.weekday() >= SATURDAY:
            day -= timedelta(days=1)
        return day


def calendar_for(now: datetime) -> Calendar:
    """The demo's calendar when it is loaded at `now` (timezone-aware)."""
    local = now.astimezone(LONDON)
    today = local.date()
    if today.weekday() >= SATURDAY or local.time() < SHOWN_FROM:
        today -= timedelta(days=1)
        while today.weekday() >= SATURDAY:
            today -= timedelta(days=1)
    # Two weeks before the Monday of the day shown: today is day 15 to 19.
    starts_on = today - timedelta(days=today.weekday() + 14)
    end_of_day = datetime.combine(today, DAY_ENDS, LONDON).astimezone(UTC)
    return Calendar(today=today, starts_on=starts_on, until=min(now, end_of_day))
