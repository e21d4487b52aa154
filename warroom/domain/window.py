"""Which times the war room accepts, written once, with the reasons.

Every time a command names must be one the read models can fold and every
route can show. A meeting from 0001-01-02 to 9999-12-30 was once accepted,
and every agenda of its inspection failed from then on: the clash index
subtracts a meeting's length from its start, and no date comes before year 1.
So there are two bounds, both far beyond anything a council does:

- the era: every time and day a command names lies in the years 2000 to
  2099. Date arithmetic has centuries of room either side, so nothing the
  read models compute (the day before, the day after, a meeting's length)
  can overflow, and no real inspection lies outside it.
- the inspection: a meeting, a due date, a blog day and `occurred_at` lie
  within two years either side of the inspection's first day. That takes in
  the preparation before (self-assessment, the annual conversation) and
  the follow-up after (monitoring visits, the action plan); a time further
  out is a typing slip, such as a wrong year. It is reckoned from the start
  the council gave, not from when someone typed the inspection in, so an
  entry made after the fact is judged by the inspection it belongs to.

And a meeting lasts at most a week: the longest thing in a schedule is an
inspection's week on site.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from warroom.domain import words
from warroom.domain.base import DomainError

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)  # the first instant no longer accepted
AROUND_START = timedelta(days=2 * 366)
LONGEST_MEETING = timedelta(days=7)
ONE_DAY = timedelta(days=1)
# The largest integer a JSON reader anywhere reads exactly (2**53 - 1).
LARGEST_INTEGER = 9_007_199_254_740_991


class OutOfWindow(DomainError):
    """A time outside what the war room accepts; `field` names it (422)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def era_problem(instant: datetime) -> str | None:
    """Why an instant is outside the era, or None if it is within."""
    if EARLIEST <= instant < LATEST:
        return None
    return "must be in the years 2000 to 2099"


def day_problem(day: date) -> str | None:
    """Why a day is outside the era, or None if it is within."""
    if EARLIEST.date() <= day < LATEST.date():
        return None
    return "must be a day in the years 2000 to 2099"


def readable_day_problem(day: date) -> str | None:
    """Why no read can be about this day, or None. One day wider than the era
    each side: an instant in the era can fall on the day before or after it
    in a zone far from UTC (Pacific/Kiritimati is 14 hours ahead)."""
    if EARLIEST.date() - ONE_DAY <= day <= LATEST.date():
        return None
    return "must be a day from 1999-12-31 to 2100-01-01"


def meeting_length_problem(starts_at: datetime, ends_at: datetime) -> str | None:
    """Why a meeting's times cannot be, or None if they can."""
    if ends_at <= starts_at:
        return "must be after the start time"
    if ends_at - starts_at > LONGEST_MEETING:
        return "must be at most a week after the start time: no meeting lasts longer"
    return None


def require_around_start(field: str, instant: datetime, starts_on: date) -> None:
    """Refuses a time more than two years either side of the inspection's start."""
    start = datetime.combine(starts_on, time(), tzinfo=UTC)
    if not start - AROUND_START <= instant <= start + AROUND_START:
        raise OutOfWindow(
            field,
            f"{words.field(field)} must be within two years of the inspection's start "
            f"({starts_on.isoformat()}); {instant.date().isoformat()} is not",
        )


def require_day_around_start(field: str, day: date, starts_on: date) -> None:
    """The same, for a day (a blog post's)."""
    require_around_start(field, datetime.combine(day, time(), tzinfo=UTC), starts_on)
