"""KIT notes: what was said at each keep-in-touch meeting, and its actions.

"Actions from it go to the rapid response team": each action has an owner
(once someone is given it) and is done or not. An action is numbered from 0
across its meeting's notes, in the order they were recorded, as the commands
name it (`.../meetings/{id}/kit-actions/{n}`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar, NotRequired

from typing_extensions import TypedDict

from projections.base import Folds, ReadModel
from projections.events import LoggedEvent


class KitActionRow(TypedDict):
    n: int
    text: str
    owner: str | None
    done: bool
    note: str | None  # what was done, if the one marking it done said
    done_by: str | None
    done_at: str | None
    # The commands the caller may send on it now (GET /api/meta's names;
    # added per caller by web/offers.py, empty in the past).
    actions: NotRequired[list[str]]


class KitNoteRecord(TypedDict):
    meeting_id: str
    meeting_title: str
    text: str
    recorded_at: str  # when the note was taken (its `occurred_at`)
    # When it was written down (absent from read models saved before it was).
    written_at: NotRequired[str]
    by: str
    position: int
    actions: list[KitActionRow]


class KitNotesAnswer(TypedDict):
    kit_notes: list[KitNoteRecord]
    open_actions: int


class KitNotes(ReadModel):
    name = "kit_notes"

    def __init__(self) -> None:
        self.meeting_titles: dict[str, str] = {}
        # Meeting id -> its notes, in the order recorded.
        self.notes: dict[str, list[KitNoteRecord]] = {}

    def on_MeetingScheduled(self, e: LoggedEvent) -> None:
        self.meeting_titles[e.aggregate_id] = e.data["title"]

    def on_KitNoteRecorded(self, e: LoggedEvent) -> KitNoteRecord:
        earlier = self.notes.get(e.aggregate_id, [])
        first = sum(len(note["actions"]) for note in earlier)
        note: KitNoteRecord = {
            "meeting_id": e.aggregate_id,
            "meeting_title": self.meeting_titles.get(e.aggregate_id, ""),
            "text": e.data["text"],
            "recorded_at": e.occurred_iso,
            "written_at": e.recorded_iso,
            "by": e.actor_name,
            "position": e.position,
            "actions": [
                {
                    "n": first + i,
                    "text": text,
                    "owner": None,
                    "done": False,
                    "note": None,
                    "done_by": None,
                    "done_at": None,
                }
                for i, text in enumerate(e.data["actions"])
            ],
        }
        self.notes[e.aggregate_id] = [*earlier, note]
        return note

    def on_KitActionAssigned(self, e: LoggedEvent) -> KitNoteRecord:
        def assigned(action: KitActionRow) -> KitActionRow:
            return {**action, "owner": e.data["owner"]}

        return self._change(e, assigned)

    def on_KitActionDone(self, e: LoggedEvent) -> KitNoteRecord:
        def done(action: KitActionRow) -> KitActionRow:
            return {
                **action,
                "done": True,
                "note": e.data["note"],
                "done_by": e.actor_name,
                "done_at": e.occurred_iso,
            }

        return self._change(e, done)

    def _change(
        self, e: LoggedEvent, change: Callable[[KitActionRow], KitActionRow]
    ) -> KitNoteRecord:
        """The note holding action `n`, replaced by one with the action changed."""
        n: int = e.data["n"]
        notes = self.notes[e.aggregate_id]
        for i, note in enumerate(notes):
            if any(action["n"] == n for action in note["actions"]):
                new: KitNoteRecord = {
                    **note,
                    "actions": [
                        change(a) if a["n"] == n else a for a in note["actions"]
                    ],
                }
                self.notes[e.aggregate_id] = [*notes[:i], new, *notes[i + 1 :]]
                return new
        raise LookupError(f"no KIT action {n} at meeting {e.aggregate_id}")

    folds: ClassVar[Folds] = {
        "MeetingScheduled": on_MeetingScheduled,
        "KitNoteRecorded": on_KitNoteRecorded,
        "KitActionAssigned": on_KitActionAssigned,
        "KitActionDone": on_KitActionDone,
    }

    def render(self) -> KitNotesAnswer:
        notes = sorted(
            (note for notes in self.notes.values() for note in notes),
            key=lambda note: note["position"],
        )
        return {
            "kit_notes": notes,
            "open_actions": sum(
                1 for note in notes for action in note["actions"] if not action["done"]
            ),
        }
