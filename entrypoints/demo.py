"""A demo inspection drawn from the seed's situations, loaded through the commands.

It runs today, so the page has something to show: day 3 on site of a SIF
inspection, with a KIT meeting moved twice, an inspector with no time to
breathe, a request asked of a worker directly, and a document re-versioned
after approval.

Its events happened over the inspection's days, not in the second it takes
to load them: each command says when it happened (`occurred_at`), the first
two days' on those days and today's spread from the morning until a minute
ago, so ages, the blog and the auditor's replay look like a real day's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from commands import models as m
from commands.executor import execute
from commands.membership import organisation_of, user_named
from commands.run import Actor
from entrypoints.console import CONSOLE
from projections.follower import read_events
from warroom.application import WarRoom
from warroom.config import Database, Settings
from warroom.domain.case import PLANS
from warroom.domain.inspection import Phase
from warroom.domain.user import Role
from warroom.mail import outbox_folder

DEMO_TITLE = "Demo: SIF inspection of children's services"
LONDON = ZoneInfo("Europe/London")
# The plan's steps (issue 15) fill the last PLAN_TIME before the demo loads,
# one every PLAN_TICK (fewer than 90 steps).
PLAN_TIME = timedelta(minutes=25)
PLAN_TICK = timedelta(seconds=15)
PHASES_SO_FAR: tuple[Phase, ...] = ("day2_kick_off", "day3_on_site")
# Who the demo acts as: the name the steps use, then their role and name. The
# preparer is a second rapid response member, so that approving a document is
# never self-approval.
CAST: dict[str, tuple[Role, str]] = {
    "admin": ("admin", "Ross Milhench"),
    "lead": ("lead", "Vince Clark"),
    "gatekeeper": ("gatekeeper", "Eloise Marsh"),
    "rapid_response": ("rapid_response", "Karen Andrews"),
    "staff": ("staff", "Linda Evans"),
    "auditor": ("auditor", "Edwina Grant"),
    "preparer": ("rapid_response", "Mark Leaver"),
}
DOCUMENT = b"Sufficiency Strategy 2016, draft 2"
DOCUMENT_SHA = hashlib.sha256(DOCUMENT).hexdigest()


@dataclass(frozen=True)
class Step:
    """One command of the demo's inspection, sent by one of the cast.

    `on` names the earlier step whose result it acts upon (a meeting, a
    request, a case); `keep_as` names this step's result for later steps.
    """

    by: str
    command: m.Command
    on: str | None = None
    keep_as: str | None = None
    # A part of what `on` names: a KIT action's number.
    part: str | None = None


class Demo:
    def __init__(self, app: WarRoom) -> None:
        self.app = app
        self.actors: dict[str, Actor] = {}
        self.tokens: dict[str, str] = {}
        self.today = datetime.now(LONDON).date()
        # The plan's steps come last in the day: each on the next tick of
        # this clock, so that the log's order is the order things happened.
        self.clock: datetime | None = None

    def do(
        self,
        who: str,
        command: m.Command,
        iid: str | None = None,
        target: str | None = None,
        *,
        when: datetime | None = None,
        part: str | None = None,
    ) -> dict[str, Any]:
        if when is None and self.clock is not None:
            when = self.tick()
        if when is not None:
            command = command.model_copy(update={"occurred_at": when})
        return execute(
            self.app,
            self.actors[who],
            command,
            inspection_id=iid,
            target_id=target,
            part=part,
        ).body

    def tick(self) -> datetime:
        assert self.clock is not None
        self.clock += PLAN_TICK
        return self.clock

    def at(self, hour: int, minute: int = 0, days: int = 0) -> datetime:
        return datetime.combine(
            self.today + timedelta(days=days), time(hour, minute), LONDON
        )

    def add_users(self) -> None:
        for who, (role, name) in CAST.items():
            existing = user_named(self.app, name, organisation_of(self.app, None))
            if existing is None:
                body = execute(self.app, CONSOLE, m.AddUser(name=name, role=role)).body
                user_id, token = body["id"], body["token"]
            else:
                # Run again: names are unique, so the cast's tokens are rotated.
                user_id = str(existing)
                token = execute(
                    self.app, CONSOLE, m.RotateToken(), target_id=user_id
                ).body["token"]
            self.actors[who] = Actor(id=user_id, name=name, role=role)
            self.tokens[who] = token

    def load(self) -> str:
        # Day 1: the call came; day 2: kick-off; today, day 3: on site.
        day1 = self.at(9, days=-2)
        iid: str = self.do(
            "lead",
            m.OpenInspection(
                title=DEMO_TITLE,
                framework="SIF",
                starts_on=self.today - timedelta(days=2),
                template="SIF",
            ),
            when=day1,
        )["id"]
        lead = self.do(
            "lead",
            m.AddInspector(name="Helen Ward (lead inspector)", lead=True),
            iid,
            when=day1 + timedelta(minutes=5),
        )["id"]
        team = self.do(
            "lead",
            m.AddInspector(name="Tom Bright"),
            iid,
            when=day1 + timedelta(minutes=6),
        )["id"]
        starts = self.day_starts()
        for phase, when in zip(
            PHASES_SO_FAR, (self.at(8, 30, days=-1), starts), strict=True
        ):
            self.do("lead", m.EnterPhase(phase=phase), iid, when=when)
        self.app.store.put_document(DOCUMENT_SHA, DOCUMENT)
        self.run(
            iid,
            [
                *self.meetings(lead, team),
                *self.requests(lead, team),
                *cases(team),
                self.blog_post(),
                *distribution_list(),
            ],
            starts + timedelta(minutes=5),
        )
        self.clock = datetime.now(UTC) - PLAN_TIME
        self.plan(iid, team)
        self.clock = None
        return iid

    def plan(self, iid: str, team: str) -> None:
        """The aide-memoire's plan (issue 15): who leads what, days 1 and 2
        done, Annex A on its way to green, audits under way, a debrief, and
        what the inspectors browsed in the case system."""
        for role, person in RESPONSIBILITIES:
            self.do("lead", m.AssignResponsibility(role=role, person=person), iid)
        for task, note in TASKS_DONE:
            self.do("rapid_response", m.CompletePlaybookTask(note=note), iid, task)
        self.do(
            "lead", m.AssignPlaybookTask(owner="Amanda Amesbury"), iid, "d3-plan-kit"
        )
        for title, owner, ratings, submitted in ANNEX_A:
            did = self.do(
                "rapid_response", m.ListAnnexADocument(title=title, owner=owner), iid
            )["id"]
            for complete, quality, reason in ratings:
                rating = m.RateAnnexADocument(
                    rag_complete=complete, rag_quality=quality, reason=reason
                )
                self.do("lead", rating, iid, did)
            if submitted:
                self.do("gatekeeper", m.SubmitAnnexADocument(), iid, did)
        self.do(
            "lead",
            m.WriteAnnexASummary(
                text="Care leavers in touch 91%; suitable accommodation 88%; "
                "repeat referrals down to 21% and each reviewed by a manager."
            ),
            iid,
        )
        self.audits(iid, team)
        self.debrief(iid, team)
        rows = [
            m.AccessRow(
                line=n + 2,
                user="Tom Bright",
                case_ref=ref,
                item=item,
                accessed_at=self.tick(),
            )
            for n, (ref, item) in enumerate(BROWSED)
        ]
        self.do("rapid_response", m.ImportAccessLog(rows=rows), iid)

    def audits(self, iid: str, team: str) -> None:
        cases = {
            event.data["ref"]: event.aggregate_id
            for event in read_events(self.app, 0, None)
            if event.type == "CaseSelected" and event.inspection_id == iid
        }
        for ref in ("A-001", "A-002", "A-003"):
            self.do(
                "rapid_response",
                m.AssignCaseAuditor(auditor="Amanda Amesbury"),
                iid,
                cases[ref],
            )
        self.do(
            "rapid_response",
            m.RecordMultiAgencyReview(note="with health"),
            iid,
            cases["A-001"],
        )
        self.do("rapid_response", m.CompleteAuditForm(), iid, cases["A-001"])
        self.do(
            "lead",
            m.ConcludeCaseAudit(
                judgement="requires_improvement",
                reason="Plan right, but visits drifted in the spring",
            ),
            iid,
            cases["A-001"],
        )
        self.do(
            "rapid_response",
            m.RecordJudgementSeen(by="social_worker"),
            iid,
            cases["A-001"],
        )
        for copy in ("inspector", "council", "social_worker"):
            self.do(
                "rapid_response", m.MakeCaseCopy(copy_for=copy), iid, cases["A-001"]
            )
        self.do(
            "gatekeeper",
            m.ReleaseCaseCopy(to=team, medium="hard_copy"),
            iid,
            cases["A-001"],
        )
        self.do("rapid_response", m.MarkFolderReady(), iid, cases["T-001"])

    def debrief(self, iid: str, team: str) -> None:
        meeting = self.do(
            "rapid_response",
            m.ScheduleMeeting(
                title="Case discussion: front door",
                kind="case_discussion",
                starts_at=self.at(15, days=-1),
                ends_at=self.at(16, days=-1),
                venue="Room 1.02",
                attendees=["Linda Evans"],
                inspectors=[team],
                topics=["thresholds"],
            ),
            iid,
        )["id"]
        self.do(
            "staff",
            m.RecordDebrief(
                asked="How managers review repeat referrals",
                went_well="The MASH walk-through",
                concerns="Supervision notes thin in the South team",
                follow_ups=["Send the South team's supervision audit"],
            ),
            iid,
            meeting,
        )

    def day_starts(self) -> datetime:
        """When today's work began: half past seven, or, for a demo loaded
        before about half past nine, two hours ago (never in the future)."""
        now = datetime.now(UTC)
        return min(self.at(7, 30), now - timedelta(hours=2))

    def run(self, iid: str, steps: Iterable[Step], since: datetime) -> None:
        """Sends the steps in order, each on the result of the step it names,
        spread evenly from `since` until a minute ago."""
        steps = list(steps)
        until = datetime.now(UTC) - PLAN_TIME - timedelta(minutes=1)
        gap = (until - since) / max(len(steps), 1)
        kept: dict[str, str] = {}
        for n, step in enumerate(steps):
            target = kept[step.on] if step.on else None
            body = self.do(
                step.by, step.command, iid, target, when=since + gap * n, part=step.part
            )
            if step.keep_as:
                kept[step.keep_as] = body["id"]

    def meetings(self, lead: str, team: str) -> list[Step]:
        at = self.at
        return [
            Step(
                "lead",
                m.ScheduleMeeting(
                    title="KIT with the lead inspector",
                    kind="kit",
                    starts_at=at(9),
                    ends_at=at(9, 30),
                    venue="Room 2.14",
                    attendees=["Vince Clark"],
                    inspectors=[lead],
                    topics=["Annex A gaps", "case sample"],
                ),
                keep_as="kit",
            ),
            Step(
                "lead",
                m.RescheduleMeeting(
                    starts_at=at(9, 30),
                    ends_at=at(10),
                    reason="lead inspector delayed at the front door",
                ),
                on="kit",
            ),
            Step("lead", m.MoveMeeting(venue="War room"), on="kit"),
            Step(
                "lead",
                m.RecordKitNote(
                    text="Inspector keen to see evidence of management grip on "
                    "caseloads.",
                    lines_of_enquiry=["Management oversight of caseloads"],
                    actions=[
                        "Pull caseload report by team",
                        "Book a room for the afternoon focus group",
                    ],
                ),
                on="kit",
            ),
            Step(
                "lead",
                m.AssignKitAction(owner="Mark Leaver"),
                on="kit",
                part="0",
            ),
            Step(
                "gatekeeper",
                m.MarkKitActionDone(note="Room 1.02, from 11:00"),
                on="kit",
                part="1",
            ),
            Step(
                "rapid_response",
                m.ScheduleMeeting(
                    title="Staff interview: North locality",
                    kind="staff_interview",
                    starts_at=at(10),
                    ends_at=at(11),
                    venue="Room 1.02",
                    attendees=["Amanda Amesbury"],
                    inspectors=[team],
                    topics=["supervision", "caseloads"],
                ),
            ),
            Step(
                "rapid_response",
                m.ScheduleMeeting(
                    title="Focus group: newly qualified social workers",
                    kind="focus_group",
                    starts_at=at(11, 5),
                    ends_at=at(12),
                    venue="Room 1.02",
                    attendees=["Shelly Kipling"],
                    inspectors=[team],
                    topics=["induction"],
                ),
            ),
            Step(
                "rapid_response",
                m.ScheduleMeeting(
                    title="Partner meeting: health",
                    kind="partner_meeting",
                    starts_at=at(14),
                    ends_at=at(15),
                    venue="Room 2.14",
                    attendees=["Vince Clark"],
                    inspectors=[lead],
                    topics=["health assessments"],
                ),
                keep_as="partners",
            ),
            Step(
                "rapid_response",
                m.CancelMeeting(reason="health lead unavailable; to be rebooked"),
                on="partners",
            ),
            Step(
                "rapid_response",
                m.ScheduleMeeting(
                    title="End-of-day briefing",
                    kind="end_of_day_briefing",
                    starts_at=at(17),
                    ends_at=at(17, 30),
                    venue="War room",
                    attendees=["Vince Clark", "Shelly Kipling", "Linda Evans"],
                    topics=["today's findings", "tomorrow's meetings"],
                ),
            ),
            Step(
                "rapid_response",
                m.ScheduleMeeting(
                    title="KIT with the lead inspector",
                    kind="kit",
                    starts_at=at(9, days=1),
                    ends_at=at(9, 30, days=1),
                    venue="War room",
                    attendees=["Vince Clark"],
                    inspectors=[lead],
                    topics=["week 2 plan"],
                ),
            ),
        ]

    def requests(self, lead: str, team: str) -> list[Step]:
        preparer = self.actors["preparer"].id
        sha = DOCUMENT_SHA
        return [
            Step(
                "gatekeeper",
                m.RecordRequest(
                    title="Annex A: Sufficiency Strategy",
                    requested_by=lead,
                    channel="kit",
                    due_at=self.at(16),
                ),
                keep_as="released",
            ),
            Step("gatekeeper", m.AssignRequest(assignee=preparer), on="released"),
            Step(
                "preparer",
                m.AttachDocument(
                    sha256=sha,
                    name="sufficiency-strategy.pdf",
                    version="2",
                    size=len(DOCUMENT),
                ),
                on="released",
            ),
            Step("lead", m.ApproveDocument(sha256=sha), on="released"),
            Step("rapid_response", m.CheckDocument(sha256=sha), on="released"),
            Step(
                "gatekeeper",
                m.ReleaseDocument(sha256=sha, to=lead, medium="electronic"),
                on="released",
            ),
            Step(
                "gatekeeper",
                m.RecordRequest(
                    title="Caseload report by team",
                    requested_by=lead,
                    channel="kit",
                    due_at=self.at(15),
                ),
                keep_as="waiting",
            ),
            Step("gatekeeper", m.AssignRequest(assignee=preparer), on="waiting"),
            Step(
                "gatekeeper",
                m.RecordRequest(
                    title="Supervision records, North team",
                    requested_by=team,
                    channel="direct_to_worker",
                    detail="Asked a team manager directly for copies",
                ),
            ),
            Step(
                "gatekeeper",
                m.RecordRequest(
                    title="Missing children return interviews",
                    requested_by=team,
                    channel="email",
                    due_at=datetime.now(UTC) - timedelta(hours=3),
                ),
            ),
            Step(
                "gatekeeper",
                m.RecordRequest(
                    title="Personnel files of all social workers",
                    requested_by=team,
                    channel="email",
                ),
                keep_as="declined",
            ),
            Step(
                "gatekeeper",
                m.DeclineRequest(
                    reason="Out of scope; offered the workforce strategy instead"
                ),
                on="declined",
            ),
        ]

    def blog_post(self) -> Step:
        return Step(
            "rapid_response",
            m.WriteBlogPost(
                day=self.today,
                title="Day 3: on site",
                body="Inspectors began case tracking today. "
                "Thank you all for keeping diaries free.",
            ),
        )


def distribution_list() -> Iterator[Step]:
    """Who the daily blog goes to (issue 13): example addresses, so a demo
    pointed at a real SMTP server mails no one."""
    for name, address, group in (
        ("Linda Evans", "linda.evans@council.example.org", "staff"),
        ("Dr Amir Shah", "amir.shah@nhs.example.org", "health"),
        ("DI Jo Marsh", "jo.marsh@police.example.org", "police"),
    ):
        yield Step(
            "rapid_response", m.AddRecipient(name=name, email=address, group=group)
        )


def cases(team: str) -> Iterator[Step]:
    """Thirty cases: 18 audited, 12 tracked, some notified, judged or browsed."""
    for n in range(1, 31):
        audited = n <= 18
        ref = f"{'A' if audited else 'T'}-{n if audited else n - 18:03d}"
        yield Step(
            "rapid_response",
            m.SelectCase(
                ref=ref,
                selection="audited" if audited else "tracked",
                plan=PLANS[n % 3],
                social_worker=f"SW {n}",
                team_manager=f"TM {n % 5}",
                iro=f"IRO {n % 4}",
            ),
            keep_as=ref,
        )
        if n % 2:
            yield Step("rapid_response", m.NotifyCaseParty(party="social_worker"), ref)
        if n % 3 == 0:
            yield Step("rapid_response", m.NotifyCaseParty(party="team_manager"), ref)
        if audited and n % 4 == 0:
            yield Step(
                "rapid_response", m.JudgeCase(judgement="requires_improvement"), ref
            )
        if n in (1, 2, 19):
            yield Step(
                "rapid_response",
                m.RecordCaseBrowsed(inspector=team, item="chronology"),
                ref,
            )


def load_demo(database: Database, url: str) -> None:
    """Loads the demo inspection once; issues fresh demo tokens every time."""
    app = WarRoom(database)
    try:
        demo = Demo(app)
        demo.add_users()
        inspection_id = _existing_demo(app) or demo.load()
    finally:
        app.close()
    print(f"\nThe war room: {url}/  (API docs: {url}/docs)")
    print(f"Demo inspection: {inspection_id}")
    print("Demo tokens (send as 'Authorization: Bearer TOKEN'):")
    for who, token in demo.tokens.items():
        actor = demo.actors[who]
        print(f"  {actor.role:15} {actor.name:15} {token}")
    print("Sign-in links (open one in a browser to sign in as that person):")
    for who, token in demo.tokens.items():
        actor = demo.actors[who]
        print(f"- {actor.name} ({actor.role}): {url}/#token={token}")
    settings = Settings()
    if not settings.smtp_host:
        print(
            f"The daily blog is emailed at {settings.blog_send_at} "
            f"(WARROOM_BLOG_SEND_AT) into the outbox: {outbox_folder(settings)}\n"
            f"  send today's now: warroom blog send --inspection {inspection_id} "
            f"--day {datetime.now(LONDON).date()}"
        )


def _now() -> datetime:
    return datetime.now(UTC)


def _existing_demo(app: WarRoom) -> str | None:
    for event in read_events(app, 0, None):
        if event.type == "InspectionOpened" and event.data["title"] == DEMO_TITLE:
            return event.aggregate_id
    return None


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
TASKS_DONE = (
    ("d1-notify-adcs", "Called at 11:10"),
    ("d1-leadership", None),
    ("d1-activate-plan", None),
    ("d1-staff-briefing", "60 staff in the town hall"),
    ("d1-debriefing-forms", None),
    ("d1-diary", None),
    ("d2-meet-lead-inspector", None),
    ("d2-pick-cases", "18 audited, 12 tracked, agreed with the lead inspector"),
)
# Title, owner, ratings (present and complete, quality, reason), submitted.
ANNEX_A: tuple[tuple[str, str, tuple[tuple[Any, Any, str | None], ...], bool], ...] = (
    ("Children in need list", "Eloise Marsh", (("green", "green", None),), True),
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
    ("Sufficiency strategy", "Paul Dempsey", (("red", None, "draft only"),), False),
)
BROWSED = (
    ("A-001", "chronology"),
    ("A-001", "case notes"),
    ("A-004", "plan"),
    ("T-002", "review minutes"),
)
