"""A demo inspection drawn from the seed's situations, loaded through the commands.

A SIF inspection in its third week on site (see `entrypoints.demo_calendar`
for which day, `entrypoints.demo_script` for what happened): a KIT meeting
moved twice, an inspector with no time to breathe, a request asked of a
worker directly, a document released after approval and a final check.

Its events are recorded at the moments they happened, over three weeks, not
in the second it takes to load them: the loader runs on a moving clock
(`warroom.domain.aggregate.recorded_on`), set to each step's moment before it
is sent, and says the same moment happened (`occurred_at`). So ages, the
blog, replay by `as_of` and by `happened_by` all read as a real day's. The
server that serves it afterwards keeps the real clock.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from commands import models as m
from commands.executor import execute
from commands.membership import organisation_of, user_named
from commands.run import Actor
from entrypoints.console import CONSOLE
from entrypoints.demo_calendar import LONDON, Calendar, calendar_for
from entrypoints.demo_documents import caseload_report, sufficiency_strategy
from entrypoints.demo_script import DEMO_TITLE, opening, script
from entrypoints.demo_steps import Step
from entrypoints.program import program
from projections.follower import read_events
from warroom.application import WarRoom
from warroom.config import Database, Settings
from warroom.domain.aggregate import recorded_on
from warroom.domain.user import Role
from warroom.mail import outbox_folder
from warroom.quiet import keep_quiet_up_to

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


class MovingClock:
    """The loader's now: the moment of the step being sent.

    Never earlier than what the log already holds (`floor`), so that recorded
    times stay non-decreasing in log order even when the demo is loaded into
    a log with later events (then its times are recorded late, at the floor,
    while `occurred_at` still says when each step happened)."""

    def __init__(self, floor: datetime | None) -> None:
        self.moment = floor

    def advance(self, to: datetime) -> None:
        self.moment = to if self.moment is None else max(self.moment, to)

    def __call__(self) -> datetime:
        assert self.moment is not None, "advance the clock before recording"
        return self.moment


class Demo:
    def __init__(self, app: WarRoom, *, now: datetime | None = None) -> None:
        """`now`: when the demo is loaded (the real clock's if None); the
        calendar and everything scripted follow from it."""
        self.app = app
        self.actors: dict[str, Actor] = {}
        self.tokens: dict[str, str] = {}
        self.now = now or datetime.now(UTC)
        self.calendar: Calendar = calendar_for(self.now)
        self.clock = MovingClock(last_recorded(app))
        # What earlier steps made, by the names the steps give them.
        self.kept: dict[str, str] = {}

    def add_users(self) -> None:
        for who, (role, name) in CAST.items():
            existing = user_named(self.app, name, organisation_of(self.app, None))
            if existing is None:
                command = m.AddUser(name=name, role=role, expires_at=None)
                body = execute(self.app, CONSOLE, command).body
                user_id, token = body["id"], body["token"]
            else:
                # Run again: names are unique, so the cast's tokens are rotated.
                user_id = str(existing)
                token = execute(
                    self.app, CONSOLE, m.RotateToken(expires_at=None), target_id=user_id
                ).body["token"]
            self.actors[who] = Actor(id=user_id, name=name, role=role)
            self.tokens[who] = token

    def load(self) -> str:
        """The cast (set up the Friday before the call), then the inspection,
        each step recorded at its moment; the inspection's id."""
        cal = self.calendar
        with recorded_on(self.clock):
            self.clock.advance(cal.at(cal.working_day_before(cal.day(1)), 15, 0))
            self.add_users()
            for step in opening(cal):
                self.send(step, self.kept.get("inspection"))
            iid = self.kept["inspection"]
            documents = (sufficiency_strategy(), caseload_report())
            for document in documents:
                self.app.store.put_document(document.sha256, document.content)
            preparer = self.actors["preparer"].id
            for step in script(cal, preparer, documents):
                if step.at > cal.until:
                    break  # not happened yet
                self.send(step, iid)
        return iid

    def send(self, step: Step, iid: str | None) -> dict[str, Any]:
        self.clock.advance(step.at)
        command = resolved(step.command, self.kept).model_copy(
            update={"occurred_at": step.at}
        )
        target = self.kept[step.on] if step.on else step.target
        body = execute(
            self.app,
            self.actors[step.by],
            command,
            inspection_id=iid,
            target_id=target,
            part=step.part,
        ).body
        if step.keep_as:
            self.kept[step.keep_as] = body["id"]
            # A debrief's follow-ups, each a task: "<keep_as>:<n>".
            for n, task_id in enumerate(body.get("task_ids", [])):
                self.kept[f"{step.keep_as}:{n}"] = task_id
        return body


def resolved(command: m.Command, kept: dict[str, str]) -> m.Command:
    """The command with each "@name" (an id an earlier step made, such as an
    inspector's) replaced by that id."""

    def value(v: Any) -> Any:
        if isinstance(v, str) and v.startswith("@") and v[1:] in kept:
            return kept[v[1:]]
        if isinstance(v, list):
            return [value(item) for item in v]
        return v

    return command.model_copy(
        update={
            name: value(getattr(command, name)) for name in type(command).model_fields
        }
    )


def last_recorded(app: WarRoom) -> datetime | None:
    """The latest recording time of the log's newest events (None for an empty
    log). Several, not the last alone: one save's events can be a few
    microseconds out of order (each took its time as it was made)."""
    newest = app.recorder.max_notification_id() or 0
    times = [e.recorded_at for e in read_events(app, max(newest - 100, 0), newest)]
    return max(times, default=None)


# Who a newcomer opens first (the product's first rule is the gatekeeper's),
# and who writes the daily blog (the communication lead is a member of the
# rapid response team: the role that writes blog posts).
OPEN_FIRST = "gatekeeper"
COMMUNICATION_LEAD = "rapid_response"


def load_demo(
    database: Database,
    url: str,
    *,
    now: datetime | None = None,
    verifier_key: str | None = None,
) -> None:
    """Loads the demo inspection once; issues fresh demo tokens every time.
    `verifier_key`: the log's, printed last for the auditor."""
    app = WarRoom(database)
    try:
        demo = Demo(app, now=now)
        inspection_id = _existing_demo(app)
        if inspection_id is None:
            inspection_id = demo.load()
        else:
            demo.add_users()  # now, on the real clock: fresh tokens
        # Nobody is sent an invitation for the demo's meetings.
        keep_quiet_up_to(app)
    finally:
        app.close()
    print(f"\nThe war room: {url}/  (API docs: {url}/docs)")
    print(f"Demo inspection: {inspection_id}")
    shown = demo.calendar
    print(f"The day it shows: {shown.today:%A %-d %B %Y}, day {shown.today_n}")
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
            f"  send today's now: {program()} blog send --inspection {inspection_id} "
            f"--day {datetime.now(LONDON).date()}"
        )
    first = demo.actors[OPEN_FIRST]
    talker = demo.actors[COMMUNICATION_LEAD]
    print(
        f"Open first: {first.name}'s link ({first.role}): "
        f"{url}/#token={demo.tokens[OPEN_FIRST]}\n"
        "  the wall, where requests are recorded and documents released; "
        "the five-minute tour is in README.md"
    )
    print(
        f"The communication lead (writes the daily blog): {talker.name} ({talker.role})"
    )
    if verifier_key:
        print(
            "The verifier key an auditor needs (to check receipts and "
            f"checkpoints): {verifier_key}"
        )


def _existing_demo(app: WarRoom) -> str | None:
    for event in read_events(app, 0, None):
        if event.type == "InspectionOpened" and event.data["title"] == DEMO_TITLE:
            return event.aggregate_id
    return None
