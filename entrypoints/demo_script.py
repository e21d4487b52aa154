"""What the demo's war room did, and when: its inspection from the call to today.

Each step is one command, sent at its moment by one of the cast. The steps
are written by theme (the opening days, the cases, the playbook, today) and
sent in time order, so the log reads as the inspection went: every event is
recorded at the moment it happened. A good war room's record: days 1 to 4
and week 2 done and ticked as they were done, one task overdue (tidying case
files never quite ends), today's meetings, requests and KIT as a busy day in
weeks 3 and 4 has them. Every field a command takes is given, as a person
filling in the form would: nothing is left for the server to choose.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from commands import models as m
from entrypoints.demo_calendar import Calendar
from entrypoints.demo_documents import DemoDocument
from entrypoints.demo_steps import LEAD_INSPECTOR, TEAM_INSPECTOR, Step, every
from entrypoints.demo_today import today

DEMO_TITLE = "Demo: SIF inspection of children's services"


# --- Before the call, and day 1: the notification ----------------------------


def opening(cal: Calendar) -> list[Step]:
    d1 = cal.day(1)
    return [
        Step(
            cal.at(d1, 9, 40),
            "lead",
            m.OpenInspection(
                title=DEMO_TITLE,
                framework="SIF",
                starts_on=d1,
                timezone="Europe/London",
                template="SIF",
            ),
            keep_as="inspection",
        ),
        Step(
            cal.at(d1, 9, 45),
            "lead",
            m.AddInspector(name="Helen Ward (lead inspector)", lead=True, agency=None),
            keep_as=LEAD_INSPECTOR,
        ),
        Step(
            cal.at(d1, 9, 46),
            "lead",
            m.AddInspector(name="Tom Bright", lead=False, agency=None),
            keep_as=TEAM_INSPECTOR,
        ),
    ]


def day_one(cal: Calendar) -> Iterator[Step]:
    d1 = cal.day(1)
    when = every(cal.at(d1, 10, 0), timedelta(minutes=2))
    for role, person in RESPONSIBILITIES:
        yield Step(next(when), "lead", m.AssignResponsibility(role=role, person=person))
    when = every(cal.at(d1, 14, 0), timedelta(minutes=6))
    for title, owner, ratings, _ in ANNEX_A:
        yield Step(
            next(when),
            "rapid_response",
            m.ListAnnexADocument(title=title, owner=owner),
            keep_as=title,
        )
        for complete, quality, reason in ratings:
            yield Step(
                next(when),
                "lead",
                m.RateAnnexADocument(
                    rag_complete=complete, rag_quality=quality, reason=reason
                ),
                on=title,
            )
    when = every(cal.at(d1, 17, 0), timedelta(minutes=3))
    for title, _, _, submitted in ANNEX_A:
        if submitted:
            yield Step(next(when), "gatekeeper", m.SubmitAnnexADocument(), on=title)
    # The aide-memoire's contact list, as the rapid response team keeps it.
    when = every(cal.at(d1, 13, 0), timedelta(minutes=2))
    for contact in CONTACTS:
        yield Step(next(when), "rapid_response", m.AddContact.model_validate(contact))
    when = every(cal.at(d1, 15, 0), timedelta(minutes=2))
    for name, address, group in RECIPIENTS:
        yield Step(
            next(when),
            "rapid_response",
            m.AddRecipient(name=name, email=address, group=group),
        )


# --- Days 2 to 4: kick-off, on site, feedback ---------------------------------


def days_two_to_four(cal: Calendar) -> Iterator[Step]:
    d1, d2, d3, d4 = (cal.day(n) for n in (1, 2, 3, 4))
    yield Step(
        cal.at(d1, 10, 30),
        "lead",
        m.ScheduleMeeting(
            title="Kick-off with the lead inspector",
            kind="lead_inspector",
            starts_at=cal.at(d2, 9),
            ends_at=cal.at(d2, 10),
            venue="Room 2.14",
            attendees=["Vince Clark", "Eloise Marsh"],
            inspectors=["@" + LEAD_INSPECTOR],
            topics=["Annex A", "self-assessment", "case sample"],
        ),
    )
    yield Step(cal.at(d2, 8, 30), "lead", m.EnterPhase(phase="day2_kick_off"))
    yield Step(
        cal.at(d2, 8, 5),
        "lead",
        m.WriteAnnexASummary(
            text="Care leavers in touch 91%; suitable accommodation 88%; "
            "repeat referrals down to 21% and each reviewed by a manager."
        ),
    )
    when = every(cal.at(d2, 15, 0), timedelta(minutes=4))
    for title, owner in LINES_OF_ENQUIRY:
        yield Step(
            next(when),
            "lead",
            m.RaiseLineOfEnquiry(title=title, owner=owner),
            keep_as=title,
        )
    yield Step(
        cal.at(d2, 16, 0),
        "lead",
        m.AssignPlaybookTask(owner="Amanda Amesbury"),
        target="d3-plan-kit",
    )
    yield Step(cal.at(d3, 8, 0), "lead", m.EnterPhase(phase="day3_on_site"))
    yield Step(
        cal.at(d2, 17, 0),
        "rapid_response",
        m.ScheduleMeeting(
            title="Case discussion: front door",
            kind="case_discussion",
            starts_at=cal.at(d3, 15),
            ends_at=cal.at(d3, 16),
            venue="Room 1.02",
            attendees=["Linda Evans"],
            inspectors=["@" + TEAM_INSPECTOR],
            topics=["thresholds"],
        ),
        keep_as="front door",
    )
    yield Step(
        cal.at(d3, 16, 30),
        "staff",
        m.RecordDebrief(
            asked="How managers review repeat referrals",
            went_well="The MASH walk-through",
            concerns="Supervision notes thin in the South team",
            follow_ups=["Send the South team's supervision audit"],
        ),
        on="front door",
        keep_as="front door debrief",
    )
    yield Step(
        cal.at(d4, 9, 30),
        "rapid_response",
        m.CompletePlaybookTask(note="Sent to Tom Bright through the gatekeeper"),
        on="front door debrief:0",
    )
    yield Step(
        cal.at(d3, 11, 0),
        "rapid_response",
        m.ScheduleMeeting(
            title="End of week 1 feedback",
            kind="lead_inspector",
            starts_at=cal.at(d4, 15),
            ends_at=cal.at(d4, 16),
            venue="Room 2.14",
            attendees=["Vince Clark", "Shelly Kipling"],
            inspectors=["@" + LEAD_INSPECTOR, "@" + TEAM_INSPECTOR],
            topics=["findings so far", "week 2 timescales"],
        ),
    )
    yield Step(cal.at(d4, 8, 0), "lead", m.EnterPhase(phase="day4_feedback"))
    yield Step(
        cal.at(d4, 16, 10),
        "lead",
        m.RaiseLineOfEnquiry(title=LATE_ENQUIRY, owner="Vince Clark"),
        keep_as=LATE_ENQUIRY,
    )
    yield Step(cal.at(cal.day(8), 8, 0), "lead", m.EnterPhase(phase="week2_off_site"))
    yield Step(
        cal.at(cal.day(15), 8, 0), "lead", m.EnterPhase(phase="weeks3_4_on_site")
    )
    when = every(cal.at(cal.day(11), 14, 0), timedelta(minutes=20))
    for title in (*(title for title, _ in LINES_OF_ENQUIRY), LATE_ENQUIRY):
        yield Step(
            next(when),
            "lead",
            m.AnswerLineOfEnquiry(response=ANSWERS[title]),
            on=title,
        )


# --- The 30 cases: picked on day 2, audited over weeks 1 and 2 ---------------


def case_ref(n: int) -> str:
    return f"A-{n:03d}" if n <= AUDITED else f"T-{n - AUDITED:03d}"


def cases(cal: Calendar) -> Iterator[Step]:
    """Thirty cases: 18 audited, 12 tracked, all notified, the audits concluded
    in week 2 and shared, the tracked cases' folders ready."""
    d2, d3, d4 = cal.day(2), cal.day(3), cal.day(4)
    picked = every(cal.at(d2, 10, 30), timedelta(minutes=2))
    for n in range(1, 31):
        ref = case_ref(n)
        yield Step(
            next(picked),
            "rapid_response",
            m.SelectCase(
                ref=ref,
                selection="audited" if n <= AUDITED else "tracked",
                plan=PLANS[n % 3],
                social_worker=f"SW {n}",
                team_manager=f"TM {n % 5}",
                iro=f"IRO {n % 4}",
            ),
            keep_as=ref,
        )
    told = every(cal.at(d2, 12, 30), timedelta(minutes=1))
    for party in ("social_worker", "team_manager"):
        for n in range(1, 31):
            yield Step(
                next(told),
                "rapid_response",
                m.NotifyCaseParty(party=party),
                on=case_ref(n),
            )
    told = every(cal.at(d2, 15, 30), timedelta(minutes=1))
    for n in range(1, 31):
        yield Step(
            next(told),
            "rapid_response",
            m.NotifyCaseParty(party="health"),
            on=case_ref(n),
        )
    told = every(cal.at(d3, 9, 30), timedelta(minutes=2))
    for n in range(1, AUDITED + 1):
        yield Step(
            next(told),
            "rapid_response",
            m.NotifyCaseParty(party="parents_carers"),
            on=case_ref(n),
        )
    yield from audits(cal, d3, d4)
    ready = every(cal.at(cal.day(10), 10, 0), timedelta(minutes=15))
    for n in range(AUDITED + 1, 31):
        yield Step(next(ready), "rapid_response", m.MarkFolderReady(), on=case_ref(n))


def audits(cal: Calendar, d3: date, d4: date) -> Iterator[Step]:
    auditors = ("Amanda Amesbury", "Paul Dempsey", "Shelly Kipling")
    assigned = every(cal.at(d3, 13, 0), timedelta(minutes=2))
    for n in range(1, AUDITED + 1):
        yield Step(
            next(assigned),
            "rapid_response",
            m.AssignCaseAuditor(auditor=auditors[n % 3]),
            on=case_ref(n),
        )
    copied = every(cal.at(d3, 14, 0), timedelta(minutes=1))
    for n in range(1, AUDITED + 1):
        yield Step(
            next(copied),
            "rapid_response",
            m.MakeCaseCopy(copy_for="inspector"),
            on=case_ref(n),
        )
    reviewed = every(cal.at(d4, 9, 0), timedelta(minutes=10))
    for n in range(1, AUDITED + 1):
        yield Step(
            next(reviewed),
            "rapid_response",
            m.RecordMultiAgencyReview(note=f"with health and school, case {n}"),
            on=case_ref(n),
        )
    # Four a day in week 2 (days 8 to 12), the first two on day 4.
    for n in range(1, AUDITED + 1):
        day = d4 if n <= 2 else cal.day(8 + (n - 3) // 4)
        slot = (n - 1) % 2 if n <= 2 else (n - 3) % 4
        done = cal.at(day, 10 + slot, 0)
        ref = case_ref(n)
        judgement, reason = JUDGEMENTS[n % len(JUDGEMENTS)]
        yield Step(done, "rapid_response", m.CompleteAuditForm(), on=ref)
        yield Step(
            done + timedelta(minutes=20),
            "lead",
            m.ConcludeCaseAudit(judgement=judgement, reason=reason),
            on=ref,
        )
        for k, seer in enumerate(SEERS):
            yield Step(
                done + timedelta(minutes=40 + k),
                "rapid_response",
                m.RecordJudgementSeen(by=seer),
                on=ref,
            )
    yield Step(
        cal.at(d4, 12, 0),
        "gatekeeper",
        m.ReleaseCaseCopy(to="@" + TEAM_INSPECTOR, medium="hard_copy"),
        on=case_ref(1),
    )


# --- The playbook: each task ticked when it was done ---------------------------


def playbook(cal: Calendar) -> Iterator[Step]:
    for task, day, hour, minute, note in TICKS:
        yield Step(
            cal.at(cal.day(day), hour, minute),
            "rapid_response",
            m.CompletePlaybookTask(note=note),
            target=task,
        )


def script(
    cal: Calendar, preparer: str, documents: tuple[DemoDocument, DemoDocument]
) -> list[Step]:
    """Every step after the opening, in the order they happened."""
    steps = [
        *day_one(cal),
        *days_two_to_four(cal),
        *cases(cal),
        *playbook(cal),
        *today(cal, preparer, documents),
    ]
    return sorted(steps, key=lambda step: step.at)  # stable: ties keep their order


AUDITED = 18
SEERS: tuple[Any, ...] = ("social_worker", "team_manager")
PLANS: tuple[Any, ...] = ("CIN", "CP", "LAC")
JUDGEMENTS: tuple[tuple[Any, str], ...] = (
    ("good", "Plan right and followed; the child's voice clear throughout"),
    ("requires_improvement", "Plan right, but visits drifted in the spring"),
    ("good", "Timely assessment; partners engaged at every review"),
    ("requires_improvement", "Supervision not recorded for four months"),
)
RECIPIENTS = (
    ("Linda Evans", "linda.evans@council.example.org", "staff"),
    ("Dr Amir Shah", "amir.shah@nhs.example.org", "health"),
    ("DI Jo Marsh", "jo.marsh@police.example.org", "police"),
)
# The seed's contact list and its rapid response team, by role: the names
# are made up, the numbers are Ofcom's for drama (0161 496 0xxx, 07700 900xxx).
CONTACTS: tuple[dict[str, str], ...] = (
    {
        "name": "DI Jo Marsh",
        "organisation": "Greater Manchester Police",
        "role": "Detective Inspector, Public Protection",
        "phone": "0161 496 0101",
        "email": "jo.marsh@police.example.org",
        "group": "Police",
    },
    {
        "name": "Dr Amir Shah",
        "organisation": "Manchester CCG",
        "role": "Designated doctor for safeguarding",
        "phone": "0161 496 0202",
        "email": "amir.shah@nhs.example.org",
        "group": "Health",
    },
    {
        "name": "Claire Dunmore",
        "organisation": "Manchester University NHS Foundation Trust",
        "role": "Named nurse, safeguarding children",
        "phone": "0161 496 0203",
        "group": "Health",
    },
    {
        "name": "Peter Okafor",
        "organisation": "Manchester City Council",
        "role": "Head of Education Services",
        "phone": "0161 496 0301",
        "email": "peter.okafor@council.example.org",
        "group": "Education",
    },
    {
        "name": "Ruth Ellery",
        "organisation": "National Probation Service",
        "role": "Senior probation officer",
        "phone": "0161 496 0401",
        "group": "Probation",
    },
    {
        "name": "Sam Kettering",
        "organisation": "Manchester Safeguarding Children Board",
        "role": "Board manager",
        "phone": "0161 496 0501",
        "email": "sam.kettering@mscb.example.org",
        "group": "Safeguarding board",
    },
    {
        "name": "Margaret Holt",
        "organisation": "Manchester City Council",
        "role": "Chief Executive",
        "phone": "0161 496 0601",
        "email": "chief.executive@council.example.org",
        "group": "Chief Executive's office",
    },
    {
        "name": "Cllr Dev Banerjee",
        "organisation": "Manchester City Council",
        "role": "Executive member for children's services",
        "phone": "07700 900601",
        "group": "Elected members",
    },
    {
        "name": "Cllr Anne Whitfield",
        "organisation": "Manchester City Council",
        "role": "Chair, children and young people scrutiny",
        "phone": "07700 900602",
        "group": "Elected members",
    },
    {
        "name": "Tom Farrier",
        "organisation": "Manchester City Council",
        "role": "Rapid response team lead",
        "phone": "07700 900701",
        "email": "tom.farrier@council.example.org",
        "group": "Rapid response team",
        "location": "War room, Room 2.14, Town Hall Extension",
    },
    {
        "name": "Priya Nair",
        "organisation": "Manchester City Council",
        "role": "Rapid response team: data and performance",
        "phone": "07700 900702",
        "group": "Rapid response team",
        "location": "War room, Room 2.14, Town Hall Extension",
    },
    {
        "name": "Gareth Lloyd",
        "organisation": "Manchester City Council",
        "role": "Rapid response team: case files",
        "phone": "07700 900703",
        "group": "Rapid response team",
        "location": "Records office, Room 1.06",
    },
)
# The aide-memoire's table of who leads what.
RESPONSIBILITIES = (
    ("Guardian of Annex A reports", "Vince Clark"),
    ("Owner/moderator for Annex A documents", "Eloise Marsh"),
    (
        "Lead for the co-ordination, completion and moderation of case audits "
        "and report",
        "Amanda Amesbury",
    ),
    ("Coordinator for tracked cases documentation", "Linda Evans"),
    ("Communication lead for staff and partners", "Shelly Kipling"),
    ("Lead/owner for IT and logistics and inspectors' base set up", "Ross Milhench"),
    (
        "Key point of contact for the lead inspector: timetable, briefing and "
        "debriefing of staff",
        "Vince Clark",
    ),
    ("War room and KIT location and readiness", "Mark Leaver"),
    ("Rapid response team: members, locations, contact details", "Mark Leaver"),
)
LINES_OF_ENQUIRY = (
    ("Quality of supervision in the South team", "Amanda Amesbury"),
    ("Return interviews for children missing from home", "Vince Clark"),
    ("Placement sufficiency for older children", "Paul Dempsey"),
)
# Raised at the end of week 1's feedback (day 4).
LATE_ENQUIRY = "Timeliness of initial child protection conferences"
ANSWERS = {
    LATE_ENQUIRY: "82% within 15 working days this year, up from 64%; the "
    "late ones each explained in the conference chairs' report.",
    "Quality of supervision in the South team": "Supervision audit of the South "
    "team attached; monthly supervision now at 92%.",
    "Return interviews for children missing from home": "Offered within 72 hours "
    "in 87% of episodes; the rest followed up by the missing co-ordinator.",
    "Placement sufficiency for older children": "Sufficiency strategy draft 2 and "
    "the two new children's homes due to open in the spring.",
}
# The Annex A register: title, owner, ratings (present and complete, quality,
# reason), submitted.
ANNEX_A: tuple[tuple[str, str, tuple[tuple[Any, Any, str], ...], bool], ...] = (
    (
        "Children in need list",
        "Eloise Marsh",
        (("green", "green", "complete and checked"),),
        True,
    ),
    (
        "Child protection list",
        "Eloise Marsh",
        (("amber", "red", "missing chairs"), ("green", "green", "fixed")),
        True,
    ),
    (
        "Care leavers list",
        "Paul Dempsey",
        (("green", "amber", "not in touch: 9%"),),
        True,
    ),
    ("Sufficiency strategy", "Paul Dempsey", (("red", "red", "draft only"),), False),
)
# Task, day, hour, minute, note: when each was done. `w2-tidy-case-files` is
# not done yet: the one overdue task of a good war room in week 3.
TICKS: tuple[tuple[str, int, int, int, str | None], ...] = (
    ("d1-activate-plan", 1, 10, 20, "Plan activated; war room open in 2.14"),
    ("d1-leadership", 1, 10, 50, None),
    ("d1-notify-adcs", 1, 11, 10, "Called at 11:10"),
    ("d1-staff-briefing", 1, 15, 45, "60 staff in the town hall"),
    ("d1-debriefing-forms", 1, 16, 10, None),
    ("d1-diary", 1, 16, 40, None),
    (
        "d1-annex-a-ready",
        1,
        17,
        30,
        "Three submitted; the sufficiency strategy to follow",
    ),
    ("d2-annex-a-summary", 2, 8, 15, None),
    ("d2-sa-annex-a", 2, 9, 50, None),
    ("d2-sa-annex-m", 2, 9, 51, None),
    ("d2-sa-service-plan", 2, 9, 52, None),
    ("d2-sa-action-plan", 2, 9, 53, None),
    ("d2-sa-scorecard", 2, 9, 54, None),
    ("d2-sa-structure", 2, 9, 55, None),
    ("d2-sa-serious-incidents", 2, 9, 56, None),
    ("d2-sa-teams", 2, 9, 57, None),
    ("d2-meet-lead-inspector", 2, 9, 59, "Kick-off in 2.14"),
    ("d2-kit-members", 2, 11, 0, "Vince Clark and Eloise Marsh"),
    (
        "d2-pick-cases",
        2,
        11,
        45,
        "18 audited, 12 tracked, agreed with the lead inspector",
    ),
    ("d2-notify-case-workers", 2, 13, 45, None),
    ("d2-case-ownership", 2, 14, 30, "Each service manager has their cases"),
    ("d2-notify-partners", 2, 16, 5, "Health told of all 30 cases"),
    ("d2-lines-of-enquiry", 2, 16, 30, None),
    ("d3-brief-staff", 3, 8, 45, None),
    ("d2-notify-parents", 3, 10, 15, "Each through the allocated social worker"),
    (
        "d2-case-copies",
        3,
        14,
        30,
        "Inspector's copies made; ours and workers' on request",
    ),
    ("d3-debrief-staff", 3, 16, 45, None),
    ("d3-plan-kit", 3, 16, 50, None),
    ("d3-brief-own-staff", 3, 17, 10, None),
    ("d2-audit-multi-agency", 4, 12, 5, None),
    ("d4-feedback", 4, 16, 5, None),
    ("d4-more-lines-of-enquiry", 4, 16, 15, None),
    ("d4-week2-timescales", 4, 16, 20, "Audits to the lead inspector by Friday"),
    (
        "d2-audit-judgements-shared",
        4,
        16,
        30,
        "The first two; the rest as each concludes",
    ),
    ("d4-follow-up-plans", 4, 16, 40, None),
    ("d4-plan-week2", 5, 11, 0, "CMT and the Ofsted preparation team at 10:00"),
    ("w2-tracked-folders", 10, 13, 30, None),
    ("w2-lines-of-enquiry", 11, 15, 30, None),
    ("w2-nurture-staff", 11, 16, 0, "Drop-in for everyone meeting inspectors"),
    ("w2-file-audits", 12, 11, 0, "All 18 concluded, quality checked and sent"),
    ("w2-plan-meetings", 12, 12, 0, "Weeks 3 and 4 agreed with the lead inspector"),
)
