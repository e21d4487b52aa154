"""Two things the war room does only with a reason written down (issue 23).

Closing a day seals its record and cannot be undone: closed before its last
meeting has ended, what those meetings bring is left out of the sealed day.
A case selected beyond the template's sample breaks the sample the lead
inspector agreed. Either is refused (409) unless the command says why; the
reason is stored with the event and shown where the day or the case is.

The day's meetings are read from the read side, caught up with this
process's own saves, as the clash warnings do. The cases selected so far are
counted on the write side (`warroom.domain.case_sample`), so that two
selections sent at the same moment cannot both take the sample's last place.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from eventsourcing.utils import get_topic

from commands.run import Run
from warroom.application import WarRoom
from warroom.domain.base import RuleBroken
from warroom.domain.case import Case
from warroom.domain.case_sample import CaseSample
from warroom.domain.inspection import Inspection
from warroom.domain.meeting import Meeting, Slot
from warroom.domain.playbook import Playbook
from warroom.storage import indexed


def meetings_to_come(run: Run, inspection: Inspection, day: date) -> list[Slot]:
    """The meetings of the day (not cancelled) that end after the moment the
    day is closed, the last to end last.

    From the read side when the caller has it (a server), else from the log
    (the demo's loader, the command line): a caller without a schedule of
    its own never closes a day early unasked."""
    if run.calendar is not None:
        slots = run.calendar(str(inspection.id))
    else:
        slots = _meetings_in_log(run.app, str(inspection.id))
    zone = ZoneInfo(inspection.timezone)
    closing_at = run.ctx.occurred_at
    return sorted(
        (
            slot
            for slot in slots
            if slot.starts_at.astimezone(zone).date() == day
            and slot.ends_at > closing_at
        ),
        key=lambda slot: (slot.ends_at, slot.starts_at),
    )


def refuse_closing_early(
    inspection: Inspection, day: date, to_come: list[Slot]
) -> None:
    """Refuses `meetings_to_come`, naming them."""
    zone = ZoneInfo(inspection.timezone)
    last_ends = _clock(to_come[-1].ends_at, zone)
    count = _meetings(len(to_come))
    # For clients, beside the words (kept out of the call: see
    # tests/unit/test_refusal_words.py, which reads the call's words).
    details = {
        "meetings_to_come": [
            {
                "id": slot.meeting_id,
                "title": slot.title,
                "starts_at": slot.starts_at.isoformat(),
                "ends_at": slot.ends_at.isoformat(),
            }
            for slot in to_come
        ],
        "last_ends_at": to_come[-1].ends_at.isoformat(),
    }
    raise RuleBroken(
        "meetings_to_come",
        f"{count} of {day.isoformat()} still to come "
        f"({'; '.join(_told(slot, zone) for slot in to_come)}), "
        f"the last ends at {last_ends}: closing the day now seals its record "
        "without them; say why it is closed early to close it all the same",
        details,
    )


def count_in_sample(
    run: Run, ref: str, selection: str, over_reason: str | None
) -> None:
    """A case selected without a reason takes a place of the template's
    sample of its selection, counted on the write side
    (`warroom.domain.case_sample`): refused `sample_full` if none is left.
    A case selected with a reason is beyond the sample and takes none; an
    inspection opened from no template, or from one that names no sample of
    this selection, has no places to count."""
    assert run.inspection_id is not None
    if over_reason is not None:
        return
    playbook_id = Playbook.create_id(run.inspection_id)
    if not run.app.exists(playbook_id):
        return
    # The sample is copied into the playbook's start and never changes.
    size = (run.app.read_only(Playbook, playbook_id).sample or {}).get(selection)
    if size is None:
        return
    sample_id = CaseSample.create_id(run.inspection_id, selection)
    if run.app.exists(sample_id):
        sample = run.app.load(CaseSample, sample_id)
    else:
        sample = CaseSample(
            inspection_id=run.inspection_id,
            selection=selection,
            refs=_selected_before(run.app, run.inspection_id, selection),
            meta=run.ctx.meta(),
        )
    sample.take_place(ref, size, run.ctx)
    # Saved before the case, in the same append; a race for its next version
    # runs the command again (`Run.retry_on_conflict`).
    run.stage(sample)
    run.retry_on_conflict.append(sample.id)


def _meetings_in_log(app: WarRoom, inspection_id: str) -> list[Slot]:
    """The inspection's meetings that still take place, read from the log
    through the inspection's index (a caller with no read side)."""
    topic = get_topic(Meeting) + ".MeetingScheduled"
    slots: list[Slot] = []
    after = 0
    while page := indexed(app.recorder).select_indexed(
        inspection_id, after, None, _PAGE
    ):
        for notification in page:
            if notification.topic == topic:
                meeting = app.load(Meeting, notification.originator_id)
                if not meeting.cancelled:
                    slots.append(replace(meeting.slot(), title=meeting.title))
        after = page[-1].id
    return slots


def _selected_before(app: WarRoom, inspection_id: str, selection: str) -> list[str]:
    """The cases of a selection, selected without a reason, whose
    `CaseSelected` the log holds: those an older war room selected before
    the count was kept (none, for an inspection opened since). Read from the
    log through the inspection's index, once per inspection and selection."""
    topic = get_topic(Case.CaseSelected)
    recorder = indexed(app.recorder)
    refs: list[str] = []
    after = 0
    while page := recorder.select_indexed(inspection_id, after, None, _PAGE):
        for notification in page:
            if notification.topic != topic:
                continue
            selected = app.mapper.to_domain_event(notification)
            if (
                getattr(selected, "selection", None) == selection
                and getattr(selected, "over_reason", None) is None
            ):
                refs.append(str(getattr(selected, "ref", "")))
        after = page[-1].id
    return refs


# Events read at a time while the count of an older inspection's cases starts.
_PAGE = 1000


def _meetings(count: int) -> str:
    return "1 meeting" if count == 1 else f"{count} meetings"


def _clock(instant: datetime, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).strftime("%H:%M")


def _told(slot: Slot, zone: ZoneInfo) -> str:
    title = slot.title or "a meeting"
    return f"{title} {_clock(slot.starts_at, zone)}-{_clock(slot.ends_at, zone)}"
