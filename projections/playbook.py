"""The playbook: who leads what, and each task's owner, due time and state.

A task is overdue when it is not done and its due time has passed, or the
inspection has moved on past the phase it belongs to; both are reckoned at
the moment asked about (now, or the `as_of` of a past read).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, NotRequired
from zoneinfo import ZoneInfo

from typing_extensions import TypedDict

from projections.base import Folds, ReadModel, each_rendered
from projections.events import LoggedEvent
from warroom.domain.inspection import PHASES


class Responsibility(TypedDict):
    role: str
    person: str | None
    assigned_by: str | None
    assigned_at: str | None
    # The commands the caller may send on it now (GET /api/meta's names;
    # added per caller by web/offers.py, empty in the past).
    actions: NotRequired[list[str]]


class TaskRecord(TypedDict):
    id: str
    title: str
    phase: str
    owner: str | None
    due: str | None
    done: bool
    done_by: str | None
    done_at: str | None
    note: str | None
    # Where an added task came from (a debrief's follow-up); None from a template.
    source: str | None


class TaskRow(TaskRecord):
    overdue: bool
    # The day it is due, in the inspection's time zone.
    due_day: str | None
    # The commands the caller may send on it now (GET /api/meta's names):
    # none from the read model, which knows no caller; web/offers.py adds them.
    actions: list[str]


class PlaybookAnswer(TypedDict):
    template: str | None
    responsibilities: list[Responsibility]
    tasks: list[TaskRow]
    # Today, in the inspection's time zone, at the moment asked about.
    today: str
    due_today: list[str]
    overdue: int
    done: int


class Playbook(ReadModel):
    name = "playbook"

    def __init__(self) -> None:
        self.template: str | None = None
        self.responsibilities: dict[str, Responsibility] = {}
        self.tasks: dict[str, TaskRecord] = {}

    def on_PlaybookStarted(self, e: LoggedEvent) -> None:
        self.template = e.data["template"]
        for r in e.data["responsibilities"]:
            self.responsibilities[r["role"]] = {
                "role": r["role"],
                "person": r["person"],
                "assigned_by": None,
                "assigned_at": None,
            }
        for t in e.data["tasks"]:
            self._add(t["id"], t["title"], t["phase"], t["owner"], t["due"], None)

    def on_PlaybookTaskAdded(self, e: LoggedEvent) -> TaskRecord:
        d = e.data
        return self._add(
            d["task_id"], d["title"], d["phase"], d["owner"], d["due"], d["source"]
        )

    def on_PlaybookTaskAssigned(self, e: LoggedEvent) -> TaskRecord:
        task_id = e.data["task_id"]
        task: TaskRecord = {**self.tasks[task_id], "owner": e.data["owner"]}
        self.tasks[task_id] = task
        return task

    def on_PlaybookTaskDone(self, e: LoggedEvent) -> TaskRecord:
        task_id = e.data["task_id"]
        task: TaskRecord = {
            **self.tasks[task_id],
            "done": True,
            "done_by": e.actor_name,
            "done_at": e.occurred_iso,
            "note": e.data["note"],
        }
        self.tasks[task_id] = task
        return task

    def on_PlaybookResponsibilityAssigned(self, e: LoggedEvent) -> Responsibility:
        role = e.data["role"]
        responsibility: Responsibility = {
            "role": role,
            "person": e.data["person"],
            "assigned_by": e.actor_name,
            "assigned_at": e.occurred_iso,
        }
        self.responsibilities[role] = responsibility
        return responsibility

    def _add(
        self,
        task_id: str,
        title: str,
        phase: str,
        owner: str | None,
        due: str | None,
        source: str | None,
    ) -> TaskRecord:
        task: TaskRecord = {
            "id": task_id,
            "title": title,
            "phase": phase,
            "owner": owner,
            "due": due,
            "done": False,
            "done_by": None,
            "done_at": None,
            "note": None,
            "source": source,
        }
        self.tasks[task_id] = task
        return task

    folds: ClassVar[Folds] = {
        "PlaybookStarted": on_PlaybookStarted,
        "PlaybookTaskAdded": on_PlaybookTaskAdded,
        "PlaybookTaskAssigned": on_PlaybookTaskAssigned,
        "PlaybookTaskDone": on_PlaybookTaskDone,
        "PlaybookResponsibilityAssigned": on_PlaybookResponsibilityAssigned,
    }

    def render(self, now: datetime, phase: str, timezone: str) -> PlaybookAnswer:
        zone = ZoneInfo(timezone)
        today = now.astimezone(zone).date()
        tasks = each_rendered(
            self.tasks.values(), lambda t: self.row(t, now, phase, zone)
        )
        return {
            "template": self.template,
            "responsibilities": list(self.responsibilities.values()),
            "tasks": tasks,
            "today": today.isoformat(),
            "due_today": [
                t["id"] for t in tasks if t.get("due_day") == today.isoformat()
            ],
            "overdue": sum(1 for t in tasks if t.get("overdue")),
            "done": sum(1 for t in tasks if t["done"]),
        }

    @staticmethod
    def row(task: TaskRecord, now: datetime, phase: str, zone: ZoneInfo) -> TaskRow:
        due = datetime.fromisoformat(task["due"]) if task["due"] else None
        past_its_phase = PHASES.index(phase) > PHASES.index(task["phase"])
        overdue = not task["done"] and (
            (due is not None and due < now) or past_its_phase
        )
        due_day: date | None = due.astimezone(zone).date() if due else None
        return {
            **task,
            "overdue": overdue,
            "due_day": due_day.isoformat() if due_day else None,
            "actions": [],
        }
