"""An inspection's playbook: who leads what, and the tasks of each day and phase.

Started from a template when the inspection is opened (the template's
responsibilities and tasks copied into the event, so a template changed later
never changes it), or empty the first time a debrief's follow-up needs a task.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import event

from warroom.domain.aggregate import Aggregate
from warroom.domain.base import Context, NotFound, RuleBroken, derived_id


class Playbook(Aggregate):
    @staticmethod
    def create_id(inspection_id: str) -> UUID:
        # One playbook per inspection.
        return derived_id("playbook", inspection_id)

    class PlaybookStarted(Aggregate.Created):
        """Version 2 copies the template's case sample (how many cases are
        audited and tracked) with its tasks; version 1 had none."""

        inspection_id: str
        template: str | None
        responsibilities: list[dict[str, Any]]
        tasks: list[dict[str, Any]]
        meta: dict[str, Any]
        sample: dict[str, int] | None
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["sample"] = None

    @event(PlaybookStarted)
    def __init__(
        self,
        inspection_id: str,
        template: str | None,
        responsibilities: list[dict[str, Any]],
        tasks: list[dict[str, Any]],
        meta: dict[str, Any],
        sample: dict[str, int] | None = None,
    ) -> None:
        self.inspection_id = inspection_id
        self.template = template
        # Cases selected beyond it need a reason (`SelectCase.over_reason`).
        self.sample = sample
        self.tasks: dict[str, dict[str, Any]] = {t["id"]: dict(t) for t in tasks}
        self.done: set[str] = set()

    def require_task(self, task_id: str) -> None:
        if task_id not in self.tasks:
            raise NotFound(f"no task {task_id} in this inspection's playbook")

    def assign_task(self, task_id: str, owner: str, ctx: Context) -> None:
        self.require_task(task_id)
        if self.tasks[task_id]["owner"] == owner:
            raise RuleBroken(
                "assign_someone_new", f"{owner} already owns task {task_id}"
            )
        self._task_assigned(task_id=task_id, owner=owner, meta=ctx.meta())

    def complete_task(self, task_id: str, note: str | None, ctx: Context) -> None:
        self.require_task(task_id)
        if task_id in self.done:
            raise RuleBroken("task_done_once", f"task {task_id} is already done")
        self._task_done(task_id=task_id, note=note, meta=ctx.meta())

    def add_task(
        self,
        title: str,
        phase: str,
        owner: str | None,
        due: str | None,
        source: str | None,
        ctx: Context,
    ) -> str:
        task_id = str(uuid4())
        self._task_added(
            task_id=task_id,
            title=title,
            phase=phase,
            owner=owner,
            due=due,
            source=source,
            meta=ctx.meta(),
        )
        return task_id

    def assign_responsibility(self, role: str, person: str, ctx: Context) -> None:
        self._responsibility_assigned(role=role, person=person, meta=ctx.meta())

    @event("PlaybookTaskAssigned")
    def _task_assigned(self, task_id: str, owner: str, meta: dict[str, Any]) -> None:
        self.tasks[task_id] = {**self.tasks[task_id], "owner": owner}

    @event("PlaybookTaskDone")
    def _task_done(self, task_id: str, note: str | None, meta: dict[str, Any]) -> None:
        self.done.add(task_id)

    @event("PlaybookTaskAdded")
    def _task_added(
        self,
        task_id: str,
        title: str,
        phase: str,
        owner: str | None,
        due: str | None,
        source: str | None,
        meta: dict[str, Any],
    ) -> None:
        self.tasks[task_id] = {
            "id": task_id,
            "title": title,
            "phase": phase,
            "owner": owner,
            "due": due,
        }

    @event("PlaybookResponsibilityAssigned")
    def _responsibility_assigned(
        self, role: str, person: str, meta: dict[str, Any]
    ) -> None:
        pass
