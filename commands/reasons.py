"""Two things the war room does only with a reason written down (issue 23).

Closing a day seals its record and cannot be undone: closed before its last
meeting has ended, what those meetings bring is left out of the sealed day.
A case selected beyond the template's sample breaks the sample the lead
inspector agreed. Either is refused (409) unless the command says why; the
reason is stored with the event and shown where the day or the case is.

Both read the read side (the day's meetings, the cases selected so far),
caught up with this process's own saves, as the clash warnings do. A call
without it (the clock closing days at its configured hour, the demo's
loader) is not asked: its hour and its cases are chosen in advance.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from commands.run import Run
from warroom.domain.base import RuleBroken
from warroom.domain.inspection import Inspection
from warroom.domain.meeting import Slot
from warroom.domain.playbook import Playbook


def require_meetings_ended(run: Run, inspection: Inspection, day: date) -> None:
    """Refuses `meetings_to_come` if a meeting of the day ends after the
    moment the day is closed."""
    if run.calendar is None:
        return
    zone = ZoneInfo(inspection.timezone)
    closing_at = run.ctx.occurred_at
    to_come = sorted(
        (
            slot
            for slot in run.calendar(str(inspection.id))
            if slot.starts_at.astimezone(zone).date() == day
            and slot.ends_at > closing_at
        ),
        key=lambda slot: (slot.ends_at, slot.starts_at),
    )
    if not to_come:
        return
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


def require_within_sample(run: Run, selection: str) -> None:
    """Refuses `sample_full` if the inspection's template sample of this
    selection is already full. An inspection opened from no template, or from
    one that names no sample, has none to fill."""
    assert run.inspection_id is not None
    playbook_id = Playbook.create_id(run.inspection_id)
    if run.cases_selected is None or not run.app.exists(playbook_id):
        return
    sample = run.app.read_only(Playbook, playbook_id).sample or {}
    size = sample.get(selection)
    if size is None:
        return
    selected = run.cases_selected(run.inspection_id).get(selection, 0)
    if selected < size:
        return
    details = {"selection": selection, "sample": size, "selected": selected}
    raise RuleBroken(
        "sample_full",
        f"the sample of {selection} cases is full: {selected} of {size} are "
        f"selected; say why this case is selected beyond the sample of {size} "
        "to select it all the same",
        details,
    )


def _meetings(count: int) -> str:
    return "1 meeting" if count == 1 else f"{count} meetings"


def _clock(instant: datetime, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).strftime("%H:%M")


def _told(slot: Slot, zone: ZoneInfo) -> str:
    title = slot.title or "a meeting"
    return f"{title} {_clock(slot.starts_at, zone)}-{_clock(slot.ends_at, zone)}"
