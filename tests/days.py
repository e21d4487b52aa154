"""The days the tests' inspections run on, relative to the day the tests run.

Every inspection the tests open starts on `START`: the Monday of the week
of the latest 23 November on or before today (2026-11-23 itself in the
weeks after it). The war room refuses a time more than two years from an
inspection's start (warroom/domain/window.py), and the server stamps what
it records with today's date, so a fixed start would fail the suite once
today had moved two years past it. Tied to 23 November, the start is
always a Monday in London's winter (UTC is local time, as the tests
assume), at most a year and a week ago, and the weeks around it keep the
shapes the tests were written for.

`iso_day(n)` is the ISO date n days from the start (negative: before it);
`moment(n, ...)` and `date_on(n)` the same as a datetime and a date.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo


def start_for(today: date) -> date:
    """The Monday of the week of the latest 23 November on or before `today`."""
    anchor = date(today.year, 11, 23)
    if anchor > today:
        anchor = date(today.year - 1, 11, 23)
    return anchor - timedelta(days=anchor.weekday())


START: date = start_for(date.today())


def date_on(offset: int) -> date:
    return START + timedelta(days=offset)


def iso_day(offset: int) -> str:
    """The ISO date `offset` days from the inspection's start."""
    return date_on(offset).isoformat()


def moment(
    offset: int,
    hour: int = 0,
    minute: int = 0,
    second: int = 0,
    *,
    tzinfo: tzinfo | None = None,
) -> datetime:
    """A time on the day `offset` days from the inspection's start."""
    d = date_on(offset)
    return datetime(d.year, d.month, d.day, hour, minute, second, tzinfo=tzinfo)


def short_day(offset: int) -> str:
    """The day as the war room's short texts name it: "Tue 24 Nov"."""
    d = date_on(offset)
    return f"{d:%a} {d.day} {d:%b}"


def long_day(offset: int) -> str:
    """The day as its pages and emails name it: "Tuesday 24 November"."""
    d = date_on(offset)
    return f"{d:%A} {d.day} {d:%B}"
