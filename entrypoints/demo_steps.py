"""A step of the demo: one command, sent at its moment by one of the cast."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from commands import models as m

# The names the steps give the inspectors (an "@name" in a command is the id
# of what an earlier step kept under that name).
TEAM_INSPECTOR = "team"
LEAD_INSPECTOR = "lead_inspector"


@dataclass(frozen=True)
class Step:
    """One command of the demo, sent at `at` by one of the cast.

    `on` names the earlier step whose result it acts upon (a meeting, a
    request, a case), `target` an id known beforehand (a playbook task);
    `keep_as` names this step's result for later steps; `part` is a part of
    what it acts on (a KIT action's number).
    """

    at: datetime
    by: str
    command: m.Command
    on: str | None = None
    target: str | None = None
    keep_as: str | None = None
    part: str | None = None


def every(start: datetime, gap: timedelta) -> Iterator[datetime]:
    """start, start + gap, start + 2 gap, ...: a run of steps a person did in a row."""
    n = 0
    while True:
        yield start + gap * n
        n += 1
