"""A demo inspection drawn from the seed's situations, loaded through the commands.

It runs today, so the page has something to show: day 3 on site of a SIF
inspection, with a KIT meeting moved twice, an inspector with no time to
breathe, a request asked of a worker directly, and a document re-versioned
after approval.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from commands import models as m
from commands.executor import execute
from commands.run import Actor
from warroom.application import WarRoom
from warroom.config import Database
from warroom.domain.case import Plan
from warroom.domain.inspection import Phase

DEMO_TITLE = "Demo: SIF inspection of children's services"
LONDON = ZoneInfo("Europe/London")
PHASES_SO_FAR: tuple[Phase, ...] = ("day2_kick_off", "day3_on_site")
PLANS: tuple[Plan, ...] = ("CIN", "CP", "LAC")
ROLES = {
    "admin": "Ross Milhench",
    "lead": "Vince Clark",
    "gatekeeper": "Eloise Marsh",
    "rapid_response": "Karen Andrews",
    "staff": "Linda Evans",
    "auditor": "Edwina Grant",
}


class Demo:
    def __init__(self, app: WarRoom) -> None:
        self.app = app
        self.actors: dict[str, Actor] = {}
        self.tokens: dict[str, str] = {}
        self.today = datetime.now(LONDON).date()

    def do(
        self,
        role: str,
        command: m.Command,
        iid: str | None = None,
        target: str | None = None,
    ) -> dict[str, Any]:
        return execute(
            self.app, self.actors[role], command, inspection_id=iid, target_id=target
        ).body

    def at(self, hour: int, minute: int = 0, days: int = 0) -> datetime:
        return datetime.combine(
            self.today + timedelta(days=days), time(hour, minute), LONDON
        )

    def add_users(self) -> None:
        console = Actor(id="console", name="console", role="admin")
        for role, name in ROLES.items():
            body = execute(self.app, console, m.AddUser(name=name, role=role)).body  # type: ignore[arg-type]
            self.actors[role] = Actor(id=body["id"], name=name, role=role)
            self.tokens[role] = body["token"]
        # A second rapid response member, so that approving is never self-approval.
        body = execute(
            self.app, console, m.AddUser(name="Mark Leaver", role="rapid_response")
        ).body
        self.actors["preparer"] = Actor(
            id=body["id"], name="Mark Leaver", role="rapid_response"
        )
        self.tokens["preparer"] = body["token"]

    def load(self) -> str:
        iid = self.do(
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
        self._meetings(iid, lead, team)
        self._requests(iid, lead, team)
        self._cases(iid, team)
        self.do(
            "rapid_response",
            m.WriteBlogPost(
                day=self.today,
                title="Day 3: on site",
                body="Inspectors began case tracking today. "
                "Thank you all for keeping diaries free.",
            ),
            iid,
        )
        return str(iid)

    def _meetings(self, iid: str, lead: str, team: str) -> None:
        kit = self.do(
            "lead",
            m.ScheduleMeeting(
                title="KIT with the lead inspector",
                kind="kit",
                starts_at=self.at(9),
                ends_at=self.at(9, 30),
                venue="Room 2.14",
                attendees=["Vince Clark"],
                inspectors=[lead],
                topics=["Annex A gaps", "case sample"],
            ),
            iid,
        )["id"]
        self.do(
            "lead",
            m.RescheduleMeeting(
                starts_at=self.at(9, 30),
                ends_at=self.at(10),
                reason="lead inspector delayed at the front door",
            ),
            iid,
            kit,
        )
        self.do("lead", m.MoveMeeting(venue="War room"), iid, kit)
        self.do(
            "lead",
            m.RecordKitNote(
                text="Inspector keen to see evidence of management grip on caseloads.",
                lines_of_enquiry=["Management oversight of caseloads"],
                actions=["Pull caseload report by team"],
            ),
            iid,
            kit,
        )
        self.do(
            "rapid_response",
            m.ScheduleMeeting(
                title="Staff interview: North locality",
                kind="staff_interview",
                starts_at=self.at(10),
                ends_at=self.at(11),
                venue="Room 1.02",
                attendees=["Amanda Amesbury"],
                inspectors=[team],
                topics=["supervision", "caseloads"],
            ),
            iid,
        )
        self.do(
            "rapid_response",
            m.ScheduleMeeting(
                title="Focus group: newly qualified social workers",
                kind="focus_group",
                starts_at=self.at(11, 5),
                ends_at=self.at(12),
                venue="Room 1.02",
                attendees=["Shelly Kipling"],
                inspectors=[team],
                topics=["induction"],
            ),
            iid,
        )
        partners = self.do(
            "rapid_response",
            m.ScheduleMeeting(
                title="Partner meeting: health",
                kind="partner_meeting",
                starts_at=self.at(14),
                ends_at=self.at(15),
                venue="Room 2.14",
                attendees=["Vince Clark"],
                inspectors=[lead],
                topics=["health assessments"],
            ),
            iid,
        )["id"]
        self.do(
            "rapid_response",
            m.CancelMeeting(reason="health lead unavailable; to be rebooked"),
            iid,
            partners,
        )
        self.do(
            "rapid_response",
            m.ScheduleMeeting(
                title="End-of-day briefing",
                kind="end_of_day_briefing",
                starts_at=self.at(17),
                ends_at=self.at(17, 30),
                venue="War room",
                attendees=["Vince Clark", "Shelly Kipling", "Linda Evans"],
                topics=["today's findings", "tomorrow's meetings"],
            ),
            iid,
        )
        self.do(
            "rapid_response",
            m.ScheduleMeeting(
                title="KIT with the lead inspector",
                kind="kit",
                starts_at=self.at(9, days=1),
                ends_at=self.at(9, 30, days=1),
                venue="War room",
                attendees=["Vince Clark"],
                inspectors=[lead],
                topics=["week 2 plan"],
            ),
            iid,
        )

    def _requests(self, iid: str, lead: str, team: str) -> None:
        content = b"Sufficiency Strategy 2016, draft 2"
        sha = hashlib.sha256(content).hexdigest()
        self.app.store.put_document(sha, content)
        released = self.do(
            "gatekeeper",
            m.RecordRequest(
                title="Annex A: Sufficiency Strategy",
                requested_by=lead,
                channel="kit",
                due_at=self.at(16),
            ),
            iid,
        )["id"]
        self.do(
            "gatekeeper",
            m.AssignRequest(assignee=self.actors["preparer"].id),
            iid,
            released,
        )
        self.do(
            "preparer",
            m.AttachDocument(
                sha256=sha,
                name="sufficiency-strategy.pdf",
                version="2",
                size=len(content),
            ),
            iid,
            released,
        )
        self.do("lead", m.ApproveDocument(sha256=sha), iid, released)
        self.do("rapid_response", m.CheckDocument(sha256=sha), iid, released)
        self.do(
            "gatekeeper",
            m.ReleaseDocument(sha256=sha, to=lead, medium="electronic"),
            iid,
            released,
        )
        waiting = self.do(
            "gatekeeper",
            m.RecordRequest(
                title="Caseload report by team",
                requested_by=lead,
                channel="kit",
                due_at=self.at(15),
            ),
            iid,
        )["id"]
        self.do(
            "gatekeeper",
            m.AssignRequest(assignee=self.actors["preparer"].id),
            iid,
            waiting,
        )
        self.do(
            "gatekeeper",
            m.RecordRequest(
                title="Supervision records, North team",
                requested_by=team,
                channel="direct_to_worker",
                detail="Asked a team manager directly for copies",
            ),
            iid,
        )
        self.do(
            "gatekeeper",
            m.RecordRequest(
                title="Missing children return interviews",
                requested_by=team,
                channel="email",
                due_at=datetime.now(UTC) - timedelta(hours=3),
            ),
            iid,
        )
        declined = self.do(
            "gatekeeper",
            m.RecordRequest(
                title="Personnel files of all social workers",
                requested_by=team,
                channel="email",
            ),
            iid,
        )["id"]
        self.do(
            "gatekeeper",
            m.DeclineRequest(
                reason="Out of scope; offered the workforce strategy instead"
            ),
            iid,
            declined,
        )

    def _cases(self, iid: str, team: str) -> None:
        for n in range(1, 31):
            audited = n <= 18
            ref = f"{'A' if audited else 'T'}-{n if audited else n - 18:03d}"
            case = self.do(
                "rapid_response",
                m.SelectCase(
                    ref=ref,
                    selection="audited" if audited else "tracked",
                    plan=PLANS[n % 3],
                    social_worker=f"SW {n}",
                    team_manager=f"TM {n % 5}",
                    iro=f"IRO {n % 4}",
                ),
                iid,
            )["id"]
            if n % 2:
                self.do(
                    "rapid_response",
                    m.NotifyCaseParty(party="social_worker"),
                    iid,
                    case,
                )
            if n % 3 == 0:
                self.do(
                    "rapid_response", m.NotifyCaseParty(party="team_manager"), iid, case
                )
            if audited and n % 4 == 0:
                self.do(
                    "rapid_response",
                    m.JudgeCase(judgement="requires_improvement"),
                    iid,
                    case,
                )
            if n in (1, 2, 19):
                self.do(
                    "rapid_response",
                    m.RecordCaseBrowsed(inspector=team, item="chronology"),
                    iid,
                    case,
                )


def load_demo(database: Database, url: str) -> dict[str, str]:
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
        # The preparer is a second rapid_response member (Mark Leaver).
        label = "rapid_response" if who == "preparer" else who
        name = demo.actors[who].name
        print(f"  {label:15} {name:15} {token}")
    return demo.tokens


def _existing_demo(app: WarRoom) -> str | None:
    from projections.follower import read_events

    for event in read_events(app, 0, None):
        if event.type == "InspectionOpened" and event.data["title"] == DEMO_TITLE:
            return event.aggregate_id
    return None
