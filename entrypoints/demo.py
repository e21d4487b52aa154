"""A demo inspection drawn from the seed's situations, loaded through the commands.

It runs today, so the page has something to show: day 3 on site of a SIF
inspection, with a KIT meeting moved twice, an inspector with no time to
breathe, a request asked of a worker directly, and a document re-versioned
after approval.
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


class Demo:
    def __init__(self, app: WarRoom) -> None:
        self.app = app
        self.actors: dict[str, Actor] = {}
        self.tokens: dict[str, str] = {}
        self.today = datetime.now(LONDON).date()

    def do(
        self,
        who: str,
        command: m.Command,
        iid: str | None = None,
        target: str | None = None,
    ) -> dict[str, Any]:
        return execute(
            self.app, self.actors[who], command, inspection_id=iid, target_id=target
        ).body

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
        iid: str = self.do(
            "lead",
            m.OpenInspection(
                title=DEMO_TITLE,
                framework="SIF",
                starts_on=self.today - timedelta(days=2),
            ),
        )["id"]
        lead = self.do(
            "lead", m.AddInspector(name="Helen Ward (lead inspector)", lead=True), iid
        )["id"]
        team = self.do("lead", m.AddInspector(name="Tom Bright"), iid)["id"]
        for phase in PHASES_SO_FAR:
            self.do("lead", m.EnterPhase(phase=phase), iid)
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
        )
        return iid

    def run(self, iid: str, steps: Iterable[Step]) -> None:
        """Sends the steps in order, each on the result of the step it names."""
        kept: dict[str, str] = {}
        for step in steps:
            target = kept[step.on] if step.on else None
            body = self.do(step.by, step.command, iid, target)
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
                    actions=["Pull caseload report by team"],
                ),
                on="kit",
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
