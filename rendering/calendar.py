"""Meetings as an iCalendar feed (RFC 5545), made with the `icalendar` library.

Each meeting is one VEVENT whose UID never changes. Its SEQUENCE is the number
of changes it went through (every reschedule, move, attendee or topic change,
cancellation): a calendar program replaces what it holds with a higher one. A
cancelled meeting stays in the feed with STATUS:CANCELLED, so the calendars
that hold it cross it out rather than keep it. Times carry the inspection's
zone, described by a VTIMEZONE. Text from the log is made printable
(warroom/text.py) and one line where iCalendar means one line: a title stored
with a control character before commands refused them reaches no calendar.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress, vText

from projections.schedule import MeetingRecord
from warroom.text import one_line, printable
from warroom.words import value_words

PRODID = "-//warroom//inspection war room//EN"


@dataclass(frozen=True)
class Feed:
    """Whose calendar, and the names that go with it."""

    name: str
    timezone: str
    inspector_names: dict[str, str]
    uid_domain: str = "warroom"


def calendar(
    feed: Feed, meetings: Iterable[MeetingRecord], removed: frozenset[str] = frozenset()
) -> bytes:
    """The feed; meetings whose ids are in `removed` show as cancelled for the
    person whose feed it is (they were taken off the meeting)."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", one_line(feed.name))
    cal.add("x-wr-timezone", feed.timezone)
    zone = ZoneInfo(feed.timezone)
    starts: list[datetime] = []
    for meeting in meetings:
        event = _event(feed, zone, meeting, meeting["id"] in removed)
        cal.add_component(event)
        starts.append(event.decoded("dtstart"))
    if starts:
        # The zone's rules for the years the meetings span, a year either
        # side, not every year since 1970.
        year = timedelta(days=366)
        cal.add_missing_timezones(
            first_date=(min(starts) - year).date(),
            last_date=(max(starts) + year).date(),
        )
    ical: bytes = cal.to_ical()
    return ical


@dataclass(frozen=True)
class Invitee:
    """Whom an invitation is for, and whom it is from (iTIP's ORGANIZER)."""

    name: str
    address: str
    organizer_name: str
    organizer_address: str


def invitation(feed: Feed, meeting: MeetingRecord, method: str, to: Invitee) -> bytes:
    """One meeting as an iTIP message (RFC 5546) for one attendee: REQUEST
    (the meeting as it stands) or CANCEL (cancelled, or they were taken off).
    Its UID and SEQUENCE are the feed's, so a calendar that holds the meeting
    from the feed updates that entry instead of adding another."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    zone = ZoneInfo(feed.timezone)
    event = _event(feed, zone, meeting, method == "CANCEL" and not meeting["cancelled"])
    organizer = vCalAddress(f"mailto:{to.organizer_address}")
    organizer.params["cn"] = vText(one_line(to.organizer_name))
    event.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{to.address}")
    attendee.params["cn"] = vText(one_line(to.name))
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = vText("NEEDS-ACTION")
    attendee.params["rsvp"] = vText("FALSE")
    event.add("attendee", attendee)
    cal.add_component(event)
    start = event.decoded("dtstart")
    year = timedelta(days=366)
    cal.add_missing_timezones(
        first_date=(start - year).date(), last_date=(start + year).date()
    )
    ical: bytes = cal.to_ical()
    return ical


def _event(feed: Feed, zone: ZoneInfo, m: MeetingRecord, removed: bool) -> Event:
    event = Event()
    event.add("uid", f"{m['id']}@{feed.uid_domain}")
    event.add("sequence", len(m["history"]))
    changed = m["history"][-1]["when"] if m["history"] else m["scheduled_at"]
    event.add("dtstamp", datetime.fromisoformat(changed))
    event.add("created", datetime.fromisoformat(m["scheduled_at"]))
    event.add("last-modified", datetime.fromisoformat(changed))
    event.add("dtstart", datetime.fromisoformat(m["starts_at"]).astimezone(zone))
    event.add("dtend", datetime.fromisoformat(m["ends_at"]).astimezone(zone))
    event.add("summary", one_line(m["title"]))
    event.add("location", one_line(m["venue"]))
    event.add("categories", [one_line(value_words(m["kind"]))])
    cancelled = m["cancelled"] or removed
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    description = describe(m, feed.inspector_names, removed, feed.timezone)
    event.add("description", printable(description))
    return event


def describe(
    m: MeetingRecord,
    inspector_names: dict[str, str],
    removed: bool,
    timezone: str | None = None,
) -> str:
    """What to prepare, who is there, and what changed: the event's text."""
    lines: list[str] = []
    if removed:
        lines += ["You were taken off this meeting.", ""]
    elif m["cancelled"]:
        lines += ["This meeting is cancelled.", ""]
    lines.append("Topics to prepare:")
    lines += [f"- {topic}" for topic in m["topics"]] or ["- (none named)"]
    inspectors = [inspector_names.get(i, i) for i in m["inspectors"]]
    lines += ["", "Who: " + ", ".join([*m["attendees"], *inspectors] or ["(nobody)"])]
    if m["history"]:
        lines += ["", "Changes:"]
        for change in m["history"]:
            why = f" ({change['why']})" if change["why"] else ""
            lines.append(f"- {change_text(change, timezone)}{why}, by {change['who']}")
    return "\n".join(lines)


def change_text(change: object, timezone: str | None = None) -> str:
    """One line of a meeting's history in words; with a zone, a change of
    time reads as local times ("Thu 26 Nov 10:00-11:00"), not ISO instants."""
    assert isinstance(change, dict)
    what, before, after = change["what"], change["from"], change["to"]
    if what == "time" and timezone is not None:
        before, after = span_words(before, timezone), span_words(after, timezone)
    if before and after:
        return f"{what}: {before} -> {after}"
    return f"{what}: {after or before}" if (after or before) else str(what)


def span_words(span: str | None, timezone: str) -> str | None:
    """A history's "start - end" (ISO instants) as local times; anything else
    as it is."""
    if not span:
        return span
    try:
        start, end = (
            datetime.fromisoformat(part).astimezone(ZoneInfo(timezone))
            for part in span.split(" - ")
        )
    except ValueError:
        return span
    ends = end.strftime("%H:%M" if end.date() == start.date() else "%a %d %b %H:%M")
    return f"{start.strftime('%a %d %b %H:%M')}-{ends}"
