"""For any valid sequence of commands, live, rebuilt and replayed read models agree.

Each example runs a real app (its lifespan, its read side following the log)
on a database of its own, drives it with random commands through the command
executor, and then asks three ways for the read models:

- live: what the running read side folded in as the events were stored;
- rebuilt: `warroom rebuild`'s fold of the whole log, and a fresh fold;
- as of each position: the read side's replay from its nearest checkpoint,
  against a fresh fold of the log stopped at that position.
"""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commands import models as m
from commands.executor import execute
from commands.run import Actor
from projections.audit import Checkpoints
from projections.follower import ReadSide, read_events
from projections.rebuild import rebuild
from projections.views import Views, ViewsJson
from tests.days import moment
from tests.integration.fresh import fresh_database
from warroom.application import WarRoom
from warroom.config import Settings
from warroom.domain.base import DomainError
from warroom.domain.case import JUDGEMENTS, PARTIES, PLANS, SELECTIONS
from warroom.domain.inspection import PHASES
from warroom.domain.inspection import Inspection as InspectionAggregate
from warroom.domain.meeting import Meeting
from warroom.domain.request import DocumentRequest
from web.app import create_app
from web.state import ServerState

MEETING_DAY = moment(0, 8, tzinfo=UTC)
PEOPLE = ("Jo Smith", "Ravi Patel", "Ann Lee")
VENUES = ("Room 1", "Room 2", "Council chamber")
ZONES = ("Europe/London", "America/New_York")

Op = tuple[Any, ...]

# Which thing an op works on: an index taken modulo how many there are.
pick = st.integers(min_value=0, max_value=50)
hours_ago = st.none() | st.integers(min_value=0, max_value=72)
minutes = st.integers(min_value=0, max_value=4 * 24 * 4).map(lambda q: q * 15)
length = st.integers(min_value=1, max_value=8).map(lambda q: q * 15)
people = st.lists(st.sampled_from(PEOPLE), unique=True, max_size=3)
inspectors = st.lists(st.booleans(), min_size=2, max_size=2)

OPS = st.one_of(
    st.tuples(st.just("schedule"), pick, minutes, length, pick, people, inspectors),
    st.tuples(st.just("reschedule"), pick, minutes, length),
    st.tuples(st.just("move"), pick),
    st.tuples(st.just("attendees"), pick, people.filter(bool)),
    st.tuples(st.just("topics"), pick, st.lists(st.sampled_from(["a", "b"]))),
    st.tuples(st.just("cancel"), pick),
    st.tuples(st.just("kit_note"), pick, st.integers(min_value=0, max_value=2)),
    st.tuples(st.just("raise_line"), pick),
    st.tuples(st.just("answer_line"), pick),
    st.tuples(st.just("record_request"), pick, st.booleans(), st.booleans()),
    st.tuples(st.just("advance"), pick),
    st.tuples(st.just("walk_to_release"), pick),
    st.tuples(st.just("reattach"), pick),
    st.tuples(st.just("reassign"), pick, st.sampled_from(["preparer", "lead"])),
    st.tuples(st.just("close"), pick, st.sampled_from(["decline", "withdraw"])),
    st.tuples(st.just("escalate"), pick),
    st.tuples(st.just("select_case"), pick, pick),
    st.tuples(st.just("notify"), pick, pick),
    st.tuples(st.just("judge"), pick, pick),
    st.tuples(st.just("browse"), pick, st.booleans(), st.sampled_from(["plan", "x"])),
    st.tuples(st.just("blog"), pick, st.integers(min_value=-1, max_value=2)),
    st.tuples(st.just("next_phase"), pick),
)
# Each op, and how many hours ago it happened (None: now).
STEPS = st.tuples(OPS, hours_ago)


@dataclass
class Inspection:
    id: str
    lead_inspector: str
    team_inspector: str


@dataclass
class World:
    """A running app and the things made in it so far, for ops to refer to."""

    state: ServerState
    actors: dict[str, Actor] = field(default_factory=dict)
    inspections: list[Inspection] = field(default_factory=list)
    # (inspection id, thing id), in the order they were made.
    meetings: list[tuple[str, str]] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)
    lines: list[tuple[str, str]] = field(default_factory=list)
    cases: list[tuple[str, str]] = field(default_factory=list)
    attached: int = 0
    occurred_at: datetime | None = None

    @property
    def app(self) -> WarRoom:
        return self.state.app

    def do(
        self,
        role: str,
        command: m.Command,
        inspection_id: str | None = None,
        target_id: str | None = None,
    ) -> dict[str, Any]:
        if self.occurred_at is not None:
            command.occurred_at = self.occurred_at
        return execute(
            self.app,
            self.actors[role],
            command,
            inspection_id=inspection_id,
            target_id=target_id,
            calendar=self.state.reader.calendar,
        ).body

    def add_users(self) -> None:
        console = Actor(id="console", name="console", role="admin")
        for role in ("admin", "lead", "gatekeeper", "rapid_response", "preparer"):
            real_role = "rapid_response" if role == "preparer" else role
            user = m.AddUser(name=f"A {role}", role=real_role)  # type: ignore[arg-type]
            body = execute(self.app, console, user).body
            self.actors[role] = Actor(id=body["id"], name=body["name"], role=real_role)

    def open_inspection(self, timezone: str) -> None:
        iid = self.do(
            "lead",
            m.OpenInspection(
                title="SIF",
                framework="SIF",
                starts_on=MEETING_DAY.date(),
                timezone=timezone,
            ),
        )["id"]
        lead = self.do("lead", m.AddInspector(name="Helen Ward", lead=True), iid)["id"]
        team = self.do("lead", m.AddInspector(name="Tom Bright"), iid)["id"]
        self.inspections.append(Inspection(iid, lead, team))

    def run(self, op: Op, hours: int | None) -> None:
        self.occurred_at = (
            None if hours is None else datetime.now(UTC) - timedelta(hours=hours)
        )
        # A refused op stores nothing: the next one goes on.
        with contextlib.suppress(DomainError):
            getattr(self, f"_{op[0]}")(*op[1:])

    # The ops. Each picks what it works on by index, modulo what there is.

    def _inspection(self, n: int) -> Inspection:
        return self.inspections[n % len(self.inspections)]

    def _schedule(
        self, n: int, start: int, mins: int, venue: int, who: list[str], by: list[bool]
    ) -> None:
        inspection = self._inspection(n)
        starts_at = MEETING_DAY + timedelta(minutes=start)
        chosen = [inspection.lead_inspector, inspection.team_inspector]
        body = self.do(
            "rapid_response",
            m.ScheduleMeeting(
                title=f"Meeting {len(self.meetings)}",
                kind="kit" if n % 2 else "staff_interview",
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=mins),
                venue=VENUES[venue % len(VENUES)],
                attendees=who,
                inspectors=[i for i, chose in zip(chosen, by, strict=True) if chose],
                topics=["performance data"],
            ),
            inspection.id,
        )
        self.meetings.append((inspection.id, body["id"]))

    def _meeting(self, role: str, n: int, command: m.Command) -> dict[str, Any]:
        if not self.meetings:
            return {}
        iid, mid = self.meetings[n % len(self.meetings)]
        return self.do(role, command, iid, mid)

    def _reschedule(self, n: int, start: int, mins: int) -> None:
        starts_at = MEETING_DAY + timedelta(minutes=start)
        ends_at = starts_at + timedelta(minutes=mins)
        command = m.RescheduleMeeting(
            starts_at=starts_at, ends_at=ends_at, reason="inspector's request"
        )
        self._meeting("gatekeeper", n, command)

    def _load_meeting(self, n: int) -> Meeting | None:
        if not self.meetings:
            return None
        return self.app.load(Meeting, self.meetings[n % len(self.meetings)][1])

    def _move(self, n: int) -> None:
        meeting = self._load_meeting(n)
        if meeting is not None:
            venue = VENUES[(VENUES.index(meeting.venue) + 1) % len(VENUES)]
            self._meeting("lead", n, m.MoveMeeting(venue=venue))

    def _attendees(self, n: int, toggled: list[str]) -> None:
        """Removes those of `toggled` who attend, adds those who do not."""
        meeting = self._load_meeting(n)
        if meeting is not None:
            add = [name for name in toggled if name not in meeting.attendees]
            remove = [name for name in toggled if name in meeting.attendees]
            self._meeting("lead", n, m.ChangeAttendees(add=add, remove=remove))

    def _topics(self, n: int, topics: list[str]) -> None:
        self._meeting("lead", n, m.ChangeTopics(topics=topics))

    def _cancel(self, n: int) -> None:
        self._meeting("gatekeeper", n, m.CancelMeeting(reason="no longer needed"))

    def _kit_note(self, n: int, lines: int) -> None:
        if not self.meetings:
            return
        iid, _ = self.meetings[n % len(self.meetings)]
        titles = [f"KLOE {len(self.lines) + k}" for k in range(lines)]
        command = m.RecordKitNote(
            text="findings so far", lines_of_enquiry=titles, actions=["chase data"]
        )
        raised = self._meeting("lead", n, command).get("lines_of_enquiry", [])
        self.lines += [(iid, lid) for lid in raised]

    def _raise_line(self, n: int) -> None:
        inspection = self._inspection(n)
        command = m.RaiseLineOfEnquiry(title="Step-down from CP", owner="Head of CP")
        body = self.do("gatekeeper", command, inspection.id)
        self.lines.append((inspection.id, body["id"]))

    def _answer_line(self, n: int) -> None:
        if self.lines:
            iid, lid = self.lines[n % len(self.lines)]
            self.do("lead", m.AnswerLineOfEnquiry(response="see audit"), iid, lid)

    def _record_request(self, n: int, with_line: bool, overdue: bool) -> None:
        inspection = self._inspection(n)
        lines = [lid for iid, lid in self.lines if iid == inspection.id]
        due = datetime.now(UTC) + timedelta(hours=-5 if overdue else 5)
        body = self.do(
            "gatekeeper",
            m.RecordRequest(
                title=f"Request {len(self.requests)}",
                requested_by=inspection.team_inspector,
                channel="direct_to_worker" if n % 5 == 0 else "kit",
                due_at=due,
                line_of_enquiry=lines[n % len(lines)] if with_line and lines else None,
            ),
            inspection.id,
        )
        self.requests.append((inspection.id, body["id"]))

    def _request(self, n: int) -> tuple[str, str, DocumentRequest] | None:
        if not self.requests:
            return None
        iid, rid = self.requests[n % len(self.requests)]
        return iid, rid, self.app.load(DocumentRequest, rid)

    def _advance(self, n: int) -> None:
        """Takes a request one step along requested -> ... -> released."""
        found = self._request(n)
        if found is None:
            return
        iid, rid, request = found
        current = request.current["sha256"] if request.current else ""
        if request.state == "requested":
            assignee = self.actors["preparer"].id
            self.do("gatekeeper", m.AssignRequest(assignee=assignee), iid, rid)
        elif request.state == "assigned":
            self._reattach(n)
        elif request.state == "attached":
            self.do("lead", m.ApproveDocument(sha256=current), iid, rid)
        elif request.state == "approved":
            self.do("rapid_response", m.CheckDocument(sha256=current), iid, rid)
        elif request.state == "checked":
            inspection = next(i for i in self.inspections if i.id == iid)
            release = m.ReleaseDocument(
                sha256=current, to=inspection.lead_inspector, medium="electronic"
            )
            self.do("gatekeeper", release, iid, rid)

    def _walk_to_release(self, n: int) -> None:
        for _ in range(6):
            self._advance(n)

    def _reattach(self, n: int) -> None:
        if not self.requests:
            return
        iid, rid = self.requests[n % len(self.requests)]
        self.attached += 1
        content = f"{rid} {self.attached}".encode()
        command = m.AttachDocument(
            sha256=hashlib.sha256(content).hexdigest(),
            name="annex-a.pdf",
            version=str(self.attached),
            size=len(content),
        )
        self.do("preparer", command, iid, rid)

    def _reassign(self, n: int, who: str) -> None:
        if self.requests:
            iid, rid = self.requests[n % len(self.requests)]
            assignee = m.AssignRequest(assignee=self.actors[who].id)
            self.do("rapid_response", assignee, iid, rid)

    def _close(self, n: int, how: str) -> None:
        if self.requests:
            iid, rid = self.requests[n % len(self.requests)]
            if how == "decline":
                self.do("gatekeeper", m.DeclineRequest(reason="out of scope"), iid, rid)
            else:
                self.do("lead", m.WithdrawRequest(reason="no longer wanted"), iid, rid)

    def _escalate(self, n: int) -> None:
        if self.requests:
            iid, rid = self.requests[n % len(self.requests)]
            self.do("gatekeeper", m.EscalateRequest(reason="asked a worker"), iid, rid)

    def _select_case(self, n: int, ref: int) -> None:
        inspection = self._inspection(n)
        command = m.SelectCase.model_validate(
            {
                "ref": f"C-{ref % 8}",
                "selection": SELECTIONS[ref % 3 % 2],
                "plan": PLANS[ref % 3],
                "social_worker": "SW",
            }
        )
        body = self.do("rapid_response", command, inspection.id)
        self.cases.append((inspection.id, body["id"]))

    def _case(self, role: str, n: int, command: m.Command) -> None:
        if self.cases:
            iid, cid = self.cases[n % len(self.cases)]
            self.do(role, command, iid, cid)

    def _notify(self, n: int, party: int) -> None:
        chosen = PARTIES[party % len(PARTIES)]
        command = m.NotifyCaseParty.model_validate({"party": chosen})
        self._case("gatekeeper", n, command)

    def _judge(self, n: int, judgement: int) -> None:
        chosen = JUDGEMENTS[judgement % len(JUDGEMENTS)]
        command = m.JudgeCase.model_validate({"judgement": chosen})
        self._case("lead", n, command)

    def _browse(self, n: int, by_lead: bool, item: str) -> None:
        if not self.cases:
            return
        iid, _ = self.cases[n % len(self.cases)]
        inspection = next(i for i in self.inspections if i.id == iid)
        inspector = inspection.lead_inspector if by_lead else inspection.team_inspector
        self._case(
            "rapid_response", n, m.RecordCaseBrowsed(inspector=inspector, item=item)
        )

    def _blog(self, n: int, day: int) -> None:
        inspection = self._inspection(n)
        command = m.WriteBlogPost(
            day=MEETING_DAY.date() + timedelta(days=day), title="Day", body="Went well"
        )
        self.do("lead", command, inspection.id)

    def _next_phase(self, n: int) -> None:
        inspection = self.app.load(InspectionAggregate, self._inspection(n).id)
        following = PHASES[PHASES.index(inspection.phase) + 1]
        if following != "closed":  # a closed inspection would refuse the rest
            self.do(
                "lead",
                m.EnterPhase.model_validate({"phase": following}),
                str(inspection.id),
            )


def fresh_fold(app: WarRoom, upto: int | None) -> Views:
    views = Views()
    for event in read_events(app, 0, upto):
        views.apply(event)
    return views


def live(read_side: ReadSide) -> ViewsJson:
    return read_side.read(lambda views: views.to_json())


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(STEPS, min_size=15, max_size=40), data=st.data())
def test_live_rebuilt_and_replayed_read_models_agree_for_any_commands(
    database_url: str, ops: list[tuple[Op, int | None]], data: st.DataObject
) -> None:
    with fresh_database(database_url) as url:
        settings_ = Settings(database_url=url, poll_seconds=0.05)
        with TestClient(create_app(settings_)) as http:
            state: ServerState = http.app.state.warroom  # type: ignore[attr-defined]
            read_side = state.read_side
            # Small stretches and a small cap, so that as_of starts from
            # checkpoints, evicts them and makes them again.
            read_side.checkpoints = Checkpoints(every=3, cap=4)
            world = World(state)
            world.add_users()
            for timezone in ZONES:
                world.open_inspection(timezone)
            for op, hours in ops:
                world.run(op, hours)
            last = state.app.recorder.max_notification_id() or 0
            assert read_side.wait_for(last, timeout=30)
            now = live(read_side)

            # (a) Live equals a fresh fold and equals `warroom rebuild`.
            assert now == fresh_fold(state.app, None).to_json()
            rebuilt, timeline = rebuild(state.app)
            assert now == rebuilt.to_json()
            assert read_side.read(lambda _: read_side.timeline.to_json()) == (
                timeline.to_json()
            )

            # (b) As of any position, in any order, equals a fold stopped there.
            positions = [0, *(e.position for e in read_events(state.app, 0, None))]
            for position in data.draw(st.permutations(positions), label="asked"):
                expected = fresh_fold(state.app, position).to_json()
                assert read_side.as_of(position).to_json() == expected, position

            # Asking about the past left the live read models as they were.
            assert live(read_side) == now
