"""A meeting in the inspection's schedule, and the KIT notes taken at it.

Double bookings and tight gaps are warnings, not refusals: the war room often
has no better slot, but everyone must see the clash.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, get_args

from eventsourcing.domain import event

from warroom.domain.aggregate import Aggregate
from warroom.domain.base import Context, NotFound, RuleBroken

MeetingKind = Literal[
    "kit",
    "lead_inspector",
    "staff_interview",
    "focus_group",
    "partner_meeting",
    "case_discussion",
    "team_visit",
    "end_of_day_briefing",
]
KINDS: tuple[str, ...] = get_args(MeetingKind)
# "Give the inspectors time to draw breath between meetings."
BREATHING_SPACE = timedelta(minutes=15)


class Meeting(Aggregate):
    @event("MeetingScheduled")
    def __init__(
        self,
        inspection_id: str,
        title: str,
        kind: str,
        starts_at: str,
        ends_at: str,
        venue: str,
        attendees: list[str],
        inspectors: list[str],
        topics: list[str],
        meta: dict[str, Any],
    ) -> None:
        self.inspection_id = inspection_id
        self.title = title
        self.kind = kind
        self.starts_at = starts_at
        self.ends_at = ends_at
        self.venue = venue
        self.attendees = list(attendees)
        self.inspectors = list(inspectors)
        self.topics = list(topics)
        self.cancelled = False
        # The actions of its KIT notes, in the order recorded: numbered from
        # 0 across all its notes, as `kit_actions/{n}` names them.
        self.kit_actions: list[KitAction] = []

    def reschedule(
        self, starts_at: str, ends_at: str, reason: str, ctx: Context
    ) -> None:
        self._require_not_cancelled("reschedule")
        self._rescheduled(
            starts_at=starts_at, ends_at=ends_at, reason=reason, meta=ctx.meta()
        )

    def move(self, venue: str, reason: str | None, ctx: Context) -> None:
        self._require_not_cancelled("move")
        if venue == self.venue:
            raise RuleBroken("move_changes_venue", f"the meeting is already in {venue}")
        self._moved(venue=venue, reason=reason, meta=ctx.meta())

    def change_attendees(self, add: list[str], remove: list[str], ctx: Context) -> None:
        self._require_not_cancelled("change the attendees of")
        missing = [name for name in remove if name not in self.attendees]
        if missing:
            raise RuleBroken(
                "remove_only_attendees",
                f"not attending, so cannot be removed: {', '.join(missing)}",
            )
        already = [name for name in add if name in self.attendees]
        if already:
            raise RuleBroken(
                "add_only_newcomers",
                f"already attending, so cannot be added: {', '.join(already)}",
            )
        for name in remove:
            self._attendee_removed(name=name, meta=ctx.meta())
        for name in dict.fromkeys(add):  # each name once, in the order given
            self._attendee_added(name=name, meta=ctx.meta())

    def change_topics(self, topics: list[str], ctx: Context) -> None:
        self._require_not_cancelled("change the topics of")
        self._topics_changed(topics=topics, meta=ctx.meta())

    def cancel(self, reason: str, ctx: Context) -> None:
        self._require_not_cancelled("cancel")
        self._cancelled(reason=reason, meta=ctx.meta())

    def record_kit_note(
        self,
        text: str,
        lines_of_enquiry: list[str],
        actions: list[str],
        ctx: Context,
    ) -> None:
        self._require_not_cancelled("take notes at")
        self._kit_note_recorded(
            text=text,
            lines_of_enquiry=lines_of_enquiry,
            actions=actions,
            meta=ctx.meta(),
        )

    def assign_kit_action(
        self, n: int, owner: str, owner_id: str, ctx: Context
    ) -> None:
        """Gives a KIT action to someone; it may change hands until it is done.

        A meeting cancelled after its notes were taken keeps its actions."""
        action = self.kit_action(n)
        if action.done:
            raise RuleBroken(
                "kit_action_open", "this action is done, so it cannot change hands"
            )
        if action.owner_id == owner_id:
            raise RuleBroken(
                "kit_action_new_owner", f"this action is already with {owner}"
            )
        self._kit_action_assigned(n=n, owner=owner, owner_id=owner_id, meta=ctx.meta())

    def mark_kit_action_done(self, n: int, note: str | None, ctx: Context) -> None:
        if self.kit_action(n).done:
            raise RuleBroken(
                "kit_action_done_once", "this action is already marked done"
            )
        self._kit_action_done(n=n, note=note, meta=ctx.meta())

    def kit_action(self, n: int) -> KitAction:
        if not 0 <= n < len(self.kit_actions):
            held = len(self.kit_actions)
            raise NotFound(
                f"this meeting's KIT notes hold {held} action"
                f"{'' if held == 1 else 's'}: there is no action {n} "
                "(they are counted from 0)"
            )
        return self.kit_actions[n]

    def slot(self) -> Slot:
        return Slot.of(
            meeting_id=str(self.id),
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            venue=self.venue,
            people=self.attendees,
            inspectors=self.inspectors,
        )

    def _require_not_cancelled(self, action: str) -> None:
        if self.cancelled:
            raise RuleBroken(
                "meeting_not_cancelled", f"cannot {action} a cancelled meeting"
            )

    @event("MeetingRescheduled")
    def _rescheduled(
        self, starts_at: str, ends_at: str, reason: str, meta: dict[str, Any]
    ) -> None:
        self.starts_at = starts_at
        self.ends_at = ends_at

    class MeetingMoved(Aggregate.Event):
        """Version 2 says why the meeting moved; version 1 events said nothing."""

        class_version = 2
        venue: str
        reason: str | None
        meta: dict[str, Any]

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["reason"] = None

    @event(MeetingMoved)
    def _moved(self, venue: str, reason: str | None, meta: dict[str, Any]) -> None:
        self.venue = venue

    @event("AttendeeAdded")
    def _attendee_added(self, name: str, meta: dict[str, Any]) -> None:
        self.attendees.append(name)

    @event("AttendeeRemoved")
    def _attendee_removed(self, name: str, meta: dict[str, Any]) -> None:
        self.attendees.remove(name)

    @event("TopicsChanged")
    def _topics_changed(self, topics: list[str], meta: dict[str, Any]) -> None:
        self.topics = list(topics)

    @event("MeetingCancelled")
    def _cancelled(self, reason: str, meta: dict[str, Any]) -> None:
        self.cancelled = True

    @event("KitNoteRecorded")
    def _kit_note_recorded(
        self,
        text: str,
        lines_of_enquiry: list[str],
        actions: list[str],
        meta: dict[str, Any],
    ) -> None:
        self.kit_actions.extend(KitAction(text) for text in actions)

    @event("KitActionAssigned")
    def _kit_action_assigned(
        self, n: int, owner: str, owner_id: str, meta: dict[str, Any]
    ) -> None:
        self.kit_actions[n].owner_id = owner_id

    @event("KitActionDone")
    def _kit_action_done(self, n: int, note: str | None, meta: dict[str, Any]) -> None:
        self.kit_actions[n].done = True


@dataclass
class KitAction:
    """One action from a KIT note, as far as the rules need it."""

    text: str
    owner_id: str | None = None
    done: bool = False


@dataclass(frozen=True)
class Slot:
    """Where and when a meeting takes whom, for clash detection."""

    meeting_id: str
    starts_at: datetime
    ends_at: datetime
    venue: str
    people: frozenset[str]
    inspectors: frozenset[str]
    # For a refusal to name it (closing a day before it ends).
    title: str = ""

    @classmethod
    def of(
        cls,
        *,
        meeting_id: str,
        starts_at: str,
        ends_at: str,
        venue: str,
        people: Iterable[str],
        inspectors: Iterable[str],
        title: str = "",
    ) -> Slot:
        return cls(
            meeting_id=meeting_id,
            starts_at=datetime.fromisoformat(starts_at),
            ends_at=datetime.fromisoformat(ends_at),
            venue=venue,
            people=frozenset(people),
            inspectors=frozenset(inspectors),
            title=title,
        )

    def overlaps(self, other: Slot) -> bool:
        return self.starts_at < other.ends_at and other.starts_at < self.ends_at

    def gap_to(self, other: Slot) -> timedelta:
        if self.ends_at <= other.starts_at:
            return other.starts_at - self.ends_at
        return self.starts_at - other.ends_at


class SlotIndex:
    """Slots by start time, so that a meeting is checked only against those
    near enough to clash with it or to crowd it (a day of hundreds of
    meetings, each checked against every other, took a tenth of a second)."""

    def __init__(self, slots: Iterable[Slot]) -> None:
        self._slots = list(slots)
        self._by_start = sorted(
            range(len(self._slots)), key=lambda i: self._slots[i].starts_at
        )
        self._starts = [self._slots[i].starts_at for i in self._by_start]
        self._longest = max(
            (s.ends_at - s.starts_at for s in self._slots), default=timedelta(0)
        )

    def near(self, slot: Slot) -> list[Slot]:
        """Every slot that may overlap `slot` or lie within the breathing space
        of it (and maybe a few more), in the order they were given."""
        # One that ends after `slot` starts (less the space) started at most
        # the longest meeting's length before that.
        low = bisect.bisect_left(
            self._starts, _moved(slot.starts_at, -BREATHING_SPACE - self._longest)
        )
        high = bisect.bisect_right(self._starts, _moved(slot.ends_at, BREATHING_SPACE))
        return [self._slots[i] for i in sorted(self._by_start[low:high])]


def _moved(instant: datetime, by: timedelta) -> datetime:
    """The instant moved by `by`, or the first or last there is. Commands keep
    meetings within the years 2000 to 2099 (`window`), but a log written
    before that rule may hold one from year 1 to 9999."""
    try:
        return instant + by
    except OverflowError:
        edge = datetime.min if by < timedelta(0) else datetime.max
        return edge.replace(tzinfo=UTC)


def find_warnings(
    slot: Slot, others: Iterable[Slot], inspector_names: dict[str, str]
) -> list[dict[str, Any]]:
    """Double bookings of a person, inspector or venue, and tight gaps."""
    warnings: list[dict[str, Any]] = []
    for other in others:
        if other.meeting_id == slot.meeting_id:
            continue
        if slot.overlaps(other):
            if slot.venue == other.venue:
                warnings.append(_clash("venue_double_booked", slot.venue, other))
            for person in sorted(slot.people & other.people):
                warnings.append(_clash("person_double_booked", person, other))
            for inspector in sorted(slot.inspectors & other.inspectors):
                name = inspector_names.get(inspector, inspector)
                warnings.append(_clash("inspector_double_booked", name, other))
            continue
        if slot.gap_to(other) < BREATHING_SPACE:
            for inspector in sorted(slot.inspectors & other.inspectors):
                name = inspector_names.get(inspector, inspector)
                warnings.append(
                    {
                        "kind": "inspector_no_breathing_space",
                        "who": name,
                        "meeting_id": other.meeting_id,
                        "message": f"{name} has under 15 minutes between this "
                        "meeting and another",
                    }
                )
    return warnings


def _clash(kind: str, who: str, other: Slot) -> dict[str, Any]:
    return {
        "kind": kind,
        "who": who,
        "meeting_id": other.meeting_id,
        "message": f"{who} is booked in another meeting at the same time",
    }
