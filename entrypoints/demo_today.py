"""The demo's day shown: a working day of weeks 3 and 4 on site.

Its meetings were planned the working day before; this morning the KIT was
moved twice, the partner meeting cancelled, a request asked of a worker
directly; after the KIT, its notes, actions and requests, a document through
the whole chain and another waiting for its final check; an inspector browsing
cases; tomorrow's KIT booked and the blog written.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from commands import models as m
from entrypoints.demo_calendar import Calendar
from entrypoints.demo_documents import DemoDocument
from entrypoints.demo_steps import LEAD_INSPECTOR, TEAM_INSPECTOR, Step, every


def today(
    cal: Calendar, preparer: str, documents: tuple[DemoDocument, DemoDocument]
) -> Iterator[Step]:
    t = cal.today
    before = cal.working_day_before(t)
    at = cal.at
    lead, team = "@" + LEAD_INSPECTOR, "@" + TEAM_INSPECTOR
    yield from todays_meetings(cal, before, lead, team)
    yield Step(
        at(t, 8, 50),
        "lead",
        m.RescheduleMeeting(
            starts_at=at(t, 9, 30),
            ends_at=at(t, 10),
            reason="lead inspector delayed at the front door",
        ),
        on="kit",
    )
    yield Step(
        at(t, 8, 55),
        "lead",
        m.MoveMeeting(venue="War room", reason="Room 2.14 double-booked"),
        on="kit",
    )
    yield Step(
        at(t, 9, 5),
        "rapid_response",
        m.CancelMeeting(reason="health lead unavailable; to be rebooked"),
        on="partners",
    )
    yield Step(
        at(t, 9, 10),
        "gatekeeper",
        m.RecordRequest(
            title="Supervision records, North team",
            requested_by=team,
            channel="direct_to_worker",
            due_at=None,
            detail="Asked a team manager directly for copies",
            line_of_enquiry=None,
        ),
    )
    yield Step(
        at(t, 9, 20),
        "gatekeeper",
        m.RecordRequest(
            title="Missing children return interviews",
            requested_by=team,
            channel="email",
            due_at=at(t, 12),
            detail="The last six months, North and South",
            line_of_enquiry=None,
        ),
        keep_as="missing children",
    )
    yield Step(
        at(t, 9, 25),
        "gatekeeper",
        m.AssignRequest(assignee=preparer),
        on="missing children",
    )
    strategy, caseloads = documents
    yield from kit(cal, t, lead, preparer, strategy)
    # Approved, waiting for its final check: due by the end of the day.
    yield from handed_over(cal, t, lead, caseloads, "waiting", (14, 30), steps=2)

    yield Step(
        at(t, 10, 40),
        "gatekeeper",
        m.RecordRequest(
            title="Personnel files of all social workers",
            requested_by=team,
            channel="email",
            due_at=None,
            detail=None,
            line_of_enquiry=None,
        ),
        keep_as="declined",
    )
    yield Step(
        at(t, 10, 50),
        "gatekeeper",
        m.DeclineRequest(reason="Out of scope; offered the workforce strategy instead"),
        on="declined",
    )
    browsed = every(at(t, 11, 40), timedelta(minutes=5))
    for ref in ("A-001", "A-002", "T-001"):
        yield Step(
            next(browsed),
            "rapid_response",
            m.RecordCaseBrowsed(inspector=team, item="chronology"),
            on=ref,
        )
    # The case system's access log, imported as it comes, a couple of minutes
    # after the last browse it holds.
    yield Step(
        at(t, 11, 28),
        "rapid_response",
        m.ImportAccessLog(
            rows=[
                m.AccessRow(
                    line=n + 2,
                    user="Tom Bright",
                    case_ref=ref,
                    item=item,
                    accessed_at=at(t, 11, 5 + 7 * n),
                )
                for n, (ref, item) in enumerate(BROWSED)
            ]
        ),
    )
    judged = every(at(t, 13, 30), timedelta(minutes=5))
    for ref in ("A-004", "A-008", "A-012", "A-016"):
        yield Step(
            next(judged),
            "rapid_response",
            m.JudgeCase(judgement="requires_improvement"),
            on=ref,
        )
    yield Step(
        at(t, 15, 30),
        "rapid_response",
        m.ScheduleMeeting(
            title="KIT with the lead inspector",
            kind="kit",
            starts_at=at(cal.next_working_day(t), 9),
            ends_at=at(cal.next_working_day(t), 9, 30),
            venue="War room",
            attendees=["Vince Clark"],
            inspectors=[lead],
            topics=["tomorrow's case discussions"],
        ),
    )
    yield Step(
        at(t, 16, 40),
        "rapid_response",
        m.WriteBlogPost(
            day=t,
            title=f"Day {cal.today_n}: on site",
            body="Inspectors tracked cases and met newly qualified social workers "
            "today. Thank you all for keeping diaries free.",
        ),
    )


def todays_meetings(cal: Calendar, before: date, lead: str, team: str) -> list[Step]:
    """Planned the working day before, as the war room plans each day."""
    t, at = cal.today, cal.at
    meetings: list[tuple[str, m.ScheduleMeeting]] = [
        (
            "kit",
            m.ScheduleMeeting(
                title="KIT with the lead inspector",
                kind="kit",
                starts_at=at(t, 9),
                ends_at=at(t, 9, 30),
                venue="Room 2.14",
                attendees=["Vince Clark"],
                inspectors=[lead],
                topics=["Annex A gaps", "case sample"],
            ),
        ),
        (
            "interview",
            m.ScheduleMeeting(
                title="Staff interview: North locality",
                kind="staff_interview",
                starts_at=at(t, 10),
                ends_at=at(t, 11),
                venue="Room 1.02",
                attendees=["Amanda Amesbury"],
                inspectors=[team],
                topics=["supervision", "caseloads"],
            ),
        ),
        (
            "focus group",
            m.ScheduleMeeting(
                title="Focus group: newly qualified social workers",
                kind="focus_group",
                starts_at=at(t, 11, 15),
                ends_at=at(t, 12),
                venue="Room 1.02",
                attendees=["Shelly Kipling"],
                inspectors=[team],
                topics=["induction"],
            ),
        ),
        (
            "partners",
            m.ScheduleMeeting(
                title="Partner meeting: health",
                kind="partner_meeting",
                starts_at=at(t, 14),
                ends_at=at(t, 15),
                venue="Room 2.14",
                attendees=["Vince Clark"],
                inspectors=[lead],
                topics=["health assessments"],
            ),
        ),
        (
            "end of day",
            m.ScheduleMeeting(
                title="End-of-day briefing",
                kind="end_of_day_briefing",
                starts_at=at(t, 17),
                ends_at=at(t, 17, 30),
                venue="War room",
                attendees=["Vince Clark", "Shelly Kipling", "Linda Evans"],
                inspectors=[],
                topics=["today's findings", "tomorrow's meetings"],
            ),
        ),
    ]
    when = every(at(before, 16, 0), timedelta(minutes=3))
    return [
        Step(next(when), "rapid_response", command, keep_as=name)
        for name, command in meetings
    ]


def kit(
    cal: Calendar, t: date, lead: str, preparer: str, document: DemoDocument
) -> Iterator[Step]:
    """Today's KIT (09:30 to 10:00, after the move) and what came of it."""
    at = cal.at
    yield Step(
        at(t, 10, 2),
        "lead",
        m.RecordKitNote(
            text="Inspector keen to see evidence of management grip on caseloads.",
            lines_of_enquiry=["Management oversight of caseloads"],
            actions=[
                "Pull caseload report by team",
                "Book a room for the afternoon focus group",
            ],
        ),
        on="kit",
    )
    yield Step(
        at(t, 10, 5), "lead", m.AssignKitAction(owner="Mark Leaver"), on="kit", part="0"
    )
    yield Step(
        at(t, 10, 8),
        "gatekeeper",
        m.RecordRequest(
            title="Annex A: Sufficiency Strategy",
            requested_by=lead,
            channel="kit",
            due_at=at(t, 16),
            detail="The current draft, with its action plan",
            line_of_enquiry=None,
        ),
        keep_as="released",
    )
    yield Step(
        at(t, 10, 9), "gatekeeper", m.AssignRequest(assignee=preparer), on="released"
    )
    yield Step(
        at(t, 10, 12),
        "gatekeeper",
        m.RecordRequest(
            title="Caseload report by team",
            requested_by=lead,
            channel="kit",
            due_at=at(t, 17, 30),
            detail="Caseloads per worker, by team, this month and last",
            line_of_enquiry=None,
        ),
        keep_as="waiting",
    )
    yield Step(
        at(t, 10, 13), "gatekeeper", m.AssignRequest(assignee=preparer), on="waiting"
    )
    yield Step(
        at(t, 10, 20),
        "gatekeeper",
        m.MarkKitActionDone(note="Room 1.02, from 11:00"),
        on="kit",
        part="1",
    )
    yield from handed_over(cal, t, lead, document, "released", (11, 30))


def handed_over(
    cal: Calendar,
    t: date,
    lead: str,
    document: DemoDocument,
    request: str,
    attached: tuple[int, int],
    steps: int = 4,
) -> Iterator[Step]:
    """A document through the chain, its first `steps` links ten minutes
    apart: attached by its preparer, approved by the lead, checked, released
    by the gatekeeper."""
    start = cal.at(t, *attached)
    sha = document.sha256
    commands: list[tuple[str, m.Command]] = [
        (
            "preparer",
            m.AttachDocument(
                sha256=sha,
                name=document.name,
                version=document.version,
                size=len(document.content),
            ),
        ),
        ("lead", m.ApproveDocument(sha256=sha)),
        ("rapid_response", m.CheckDocument(sha256=sha)),
        ("gatekeeper", m.ReleaseDocument(sha256=sha, to=lead, medium="electronic")),
    ]
    for n, (by, command) in enumerate(commands[:steps]):
        yield Step(start + timedelta(minutes=10 * n), by, command, on=request)


BROWSED = (
    ("A-001", "chronology"),
    ("A-001", "case notes"),
    ("A-004", "plan"),
    ("T-002", "review minutes"),
)
