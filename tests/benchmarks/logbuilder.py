"""Large, realistic logs built fast: aggregates made in Python, saved in batches.

Users and the inspection with its roster come through the real commands (so
the tokens work over HTTP); the bulk of the log is made by calling the
aggregates' own methods and saving many aggregates per `app.save(...)`:
requests through their life cycle (some re-versioned after approval, some
declined, some still open), meetings with their changes and KIT notes, and
cases selected, notified, judged and browsed again and again.
"""

from __future__ import annotations

import contextlib
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from eventsourcing.domain import Aggregate

from commands import models as m
from commands.executor import execute
from commands.run import Actor
from warroom.application import WarRoom
from warroom.domain.base import Context, RuleBroken
from warroom.domain.case import PARTIES, Case
from warroom.domain.meeting import KINDS, Meeting
from warroom.domain.request import CHANNELS, MEDIA, DocumentRequest

CONSOLE = Actor(id="console", name="console", role="admin")
VENUES = ("War room", "Room 1.02", "Room 2.14", "Civic centre", "Teams")
PEOPLE = ("Vince Clark", "Linda Evans", "Shelly Kipling", "Amanda Amesbury", "Jo Hart")
TOPICS = ("caseloads", "supervision", "Annex A gaps", "case sample", "induction")
CASES_PER_INSPECTION = 30
# The inspection's four weeks end this many days before today.
WEEKS = 4


@dataclass
class Cast:
    """Who acts, with their bearer tokens, and the inspections they work on."""

    actors: dict[str, Actor] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)


@dataclass
class InspectionCast:
    id: str
    lead_inspector: str
    inspectors: list[str]
    starts_on: date


def add_users(app: WarRoom) -> Cast:
    cast = Cast()
    people = {
        "lead": ("Vince Clark", "lead"),
        "gatekeeper": ("Eloise Marsh", "gatekeeper"),
        "rapid_response": ("Karen Andrews", "rapid_response"),
        "preparer": ("Mark Leaver", "rapid_response"),
        "auditor": ("Edwina Grant", "auditor"),
    }
    for key, (name, role) in people.items():
        command = m.AddUser(name=name, role=role)  # type: ignore[arg-type]
        body = execute(app, CONSOLE, command).body
        cast.actors[key] = Actor(id=body["id"], name=name, role=role)
        cast.tokens[key] = body["token"]
    return cast


def open_inspection(app: WarRoom, cast: Cast, title: str) -> InspectionCast:
    lead = cast.actors["lead"]
    starts_on = datetime.now(UTC).date() - timedelta(days=7 * WEEKS)
    iid = execute(
        app,
        lead,
        m.OpenInspection(title=title, framework="SIF", starts_on=starts_on),
    ).body["id"]
    names = ("Helen Ward", "Tom Bright", "Asha Patel")
    inspectors = [
        execute(
            app,
            lead,
            m.AddInspector(name=name, lead=i == 0),
            inspection_id=iid,
        ).body["id"]
        for i, name in enumerate(names)
    ]
    return InspectionCast(
        id=iid,
        lead_inspector=inspectors[0],
        inspectors=inspectors,
        starts_on=starts_on,
    )


@dataclass
class Built:
    events: int
    seconds: float
    first_position: int
    last_position: int
    first_instant: datetime
    last_instant: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "events": self.events,
            "seconds": round(self.seconds, 2),
            "events_per_s": round(self.events / self.seconds) if self.seconds else 0,
        }


class LogBuilder:
    def __init__(
        self, app: WarRoom, cast: Cast, inspection: InspectionCast, seed: int
    ) -> None:
        self.app = app
        self.cast = cast
        self.inspection = inspection
        self.rng = random.Random(seed)
        self.cases: list[Case] = []
        self.counter = 0

    def ctx(self, who: str) -> Context:
        actor = self.cast.actors[who]
        start = datetime.combine(self.inspection.starts_on, datetime.min.time(), UTC)
        occurred = start + timedelta(minutes=self.rng.randrange(7 * WEEKS * 24 * 60))
        return Context(
            actor=actor.id,
            actor_name=actor.name,
            occurred_at=occurred,
            inspection_id=self.inspection.id,
        )

    def build(self, events: int, batch: int, deadline: float) -> Built:
        """Appends about `events` events (never fewer), `batch` per transaction."""
        start = time.perf_counter()
        before = self.app.recorder.max_notification_id() or 0
        first_instant = datetime.now(UTC)
        written = 0
        while written < events:
            if time.monotonic() > deadline:
                raise TimeoutError(f"building the log: {written} of {events} events")
            # Cases are kept and browsed again: staged once per batch, by identity.
            staged: dict[int, Aggregate] = {}
            pending = 0
            while pending < batch:
                made, count = self._unit()
                staged.update((id(a), a) for a in made)
                pending += count
            self.app.save(*staged.values())
            written += pending
        last = self.app.recorder.max_notification_id() or 0
        return Built(
            events=written,
            seconds=time.perf_counter() - start,
            first_position=before + 1,
            last_position=last,
            first_instant=first_instant,
            last_instant=datetime.now(UTC),
        )

    def _unit(self) -> tuple[list[Aggregate], int]:
        """Some aggregates with new events, and how many new events they hold."""
        self.counter += 1
        roll = self.rng.random()
        made: Aggregate
        if len(self.cases) < CASES_PER_INSPECTION:
            made = self._select_case()
        elif roll < 0.5:
            made = self._request()
        elif roll < 0.8:
            made = self._meeting()
        else:
            browsed = self._browse_cases()
            return browsed, len(browsed)
        return [made], len(made.pending_events)

    def _request(self) -> DocumentRequest:
        rng, ins = self.rng, self.inspection
        channel = rng.choice(CHANNELS[:3])
        request = DocumentRequest(
            inspection_id=ins.id,
            title=f"Supervision records, team {self.counter % 40}",
            requested_by=rng.choice(ins.inspectors),
            channel=channel,
            due_at=None,
            detail="Last six months, with the managers' sign-off.",
            line_of_enquiry=None,
            meta=self.ctx("rapid_response").meta(),
        )
        fate = rng.random()
        if fate < 0.05:
            request.decline("not held by the council", self.ctx("gatekeeper"))
            return request
        request.assign(self.cast.actors["preparer"].id, self.ctx("rapid_response"))
        if fate < 0.15:
            return request  # still being prepared
        sha = f"{self.counter:064x}"
        request.attach(sha, "supervision.pdf", "1", 48_213, self.ctx("preparer"))
        request.approve(sha, self.ctx("lead"))
        if fate < 0.25:
            # Re-versioned after approval: the approval is void, approve again.
            sha = f"{self.counter + 10**12:064x}"
            request.attach(sha, "supervision.pdf", "2", 49_001, self.ctx("preparer"))
            request.approve(sha, self.ctx("lead"))
        request.check(sha, self.ctx("rapid_response"))
        if fate < 0.3:
            return request  # checked, waiting for the gatekeeper
        request.release(
            sha,
            rng.choice(ins.inspectors),
            rng.choice(MEDIA),
            self.ctx("gatekeeper"),
        )
        return request

    def _meeting(self) -> Meeting:
        rng, ins = self.rng, self.inspection
        day = ins.starts_on + timedelta(days=rng.randrange(7 * WEEKS))
        hour = rng.randrange(9, 17)
        starts = datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC)
        meeting = Meeting(
            inspection_id=ins.id,
            title=f"Staff interview {self.counter}",
            kind=rng.choice(KINDS),
            starts_at=starts.isoformat(),
            ends_at=(starts + timedelta(minutes=45)).isoformat(),
            venue=rng.choice(VENUES),
            attendees=rng.sample(PEOPLE, 2),
            inspectors=[rng.choice(ins.inspectors)],
            topics=rng.sample(TOPICS, 2),
            meta=self.ctx("rapid_response").meta(),
        )
        for number in range(rng.randrange(4)):
            # A change the domain refuses is simply not in the log.
            with contextlib.suppress(RuleBroken):
                self._change_meeting(meeting, starts, number)
        if meeting.kind == "kit":
            meeting.record_kit_note(
                "Inspector keen to see management grip on caseloads.",
                [],
                ["Pull caseload report by team"],
                self.ctx("lead"),
            )
        elif rng.random() < 0.08:
            meeting.cancel("the partner could not attend", self.ctx("rapid_response"))
        return meeting

    def _change_meeting(self, meeting: Meeting, starts: datetime, number: int) -> None:
        rng = self.rng
        change = rng.random()
        if change < 0.35:
            later = starts + timedelta(minutes=rng.choice((15, 30, 60)))
            meeting.reschedule(
                later.isoformat(),
                (later + timedelta(minutes=45)).isoformat(),
                "the inspector was delayed",
                self.ctx("rapid_response"),
            )
        elif change < 0.6:
            venue = rng.choice([v for v in VENUES if v != meeting.venue])
            meeting.move(venue, "room clash", self.ctx("rapid_response"))
        elif change < 0.8:
            meeting.change_topics(rng.sample(TOPICS, 3), self.ctx("lead"))
        else:
            observer = f"Observer {self.counter}.{number}"
            meeting.change_attendees([observer], [], self.ctx("rapid_response"))

    def _select_case(self) -> Case:
        n = len(self.cases)
        case = Case(
            inspection_id=self.inspection.id,
            ref=f"C-{n:05d}",
            selection="audited" if n < 18 else "tracked",
            plan=("CIN", "CP", "LAC")[n % 3],
            social_worker="Social worker",
            team_manager="Team manager",
            iro=None,
            meta=self.ctx("rapid_response").meta(),
        )
        for party in PARTIES[:3]:
            case.notify(party, self.ctx("rapid_response"))
        if case.selection == "audited":
            case.judge("good", self.ctx("lead"))
        self.cases.append(case)
        return case

    def _browse_cases(self) -> list[Aggregate]:
        """Three different cases, one new event each."""
        chosen = self.rng.sample(self.cases, 3)
        for case in chosen:
            case.browse(
                self.rng.choice(self.inspection.inspectors),
                self.rng.choice(("chronology", "plan", "supervision notes")),
                self.ctx("rapid_response"),
            )
        return list(chosen)
