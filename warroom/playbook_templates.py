"""Playbook templates: the responsibilities and the tasks of each day and phase.

Templates are data, not code: one TOML file per template in a folder, the
repository's `playbooks/` unless `WARROOM_PLAYBOOK_DIR` names another. An
admin copies the folder, changes what their council does differently and
points `WARROOM_PLAYBOOK_DIR` at the copy. Opening an inspection from a
template copies it into the log (`PlaybookStarted`), so a template changed
later never changes an inspection already opened from it.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any, get_args
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from warroom.config import Settings
from warroom.domain.inspection import Phase

# The repository's own templates, beside the packages.
DEFAULT_DIR = Path(__file__).resolve().parent.parent / "playbooks"
# A template's name is its file's name: no paths, nothing hidden.
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")
PHASES: tuple[str, ...] = get_args(Phase)


class TemplateProblem(Exception):
    """A template that does not exist, or cannot be read as one."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


Short = Annotated[str, Field(min_length=1, max_length=200)]


class Responsibility(_Strict):
    role: Short
    person: Annotated[str, Field(max_length=120)] | None = None


class TemplateTask(_Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")]
    title: Short
    phase: Phase
    # Due on this day of the inspection (day 1 is the day of the notification
    # call, the inspection's `starts_on`), at this time in its time zone.
    due_day: Annotated[int, Field(ge=1, le=60)]
    due_time: Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")] = (
        "17:00"
    )
    owner: Annotated[str, Field(max_length=120)] | None = None


class Sample(_Strict):
    """How many cases the inspectors audit and track: one selected beyond it
    needs a reason (`SelectCase.over_reason`)."""

    audited: Annotated[int, Field(ge=0, le=1000)]
    tracked: Annotated[int, Field(ge=0, le=1000)]


class Template(_Strict):
    name: Short
    framework: Short
    description: Annotated[str, Field(max_length=2000)] = ""
    # None: no sample, so no case is beyond it.
    sample: Sample | None = None
    responsibilities: list[Responsibility] = Field(max_length=100)
    tasks: list[TemplateTask] = Field(max_length=500)

    @model_validator(mode="after")
    def _ids_unique(self) -> Template:
        ids = [task.id for task in self.tasks]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"task ids must be unique; used twice: {twice}")
        return self

    def tasks_due(self, starts_on: date, timezone: str) -> list[dict[str, Any]]:
        """The tasks as the log keeps them: each due at a real instant."""
        zone = ZoneInfo(timezone)
        return [
            {
                "id": task.id,
                "title": task.title,
                "phase": task.phase,
                "owner": task.owner,
                "due": _due(starts_on, task.due_day, task.due_time, zone),
            }
            for task in self.tasks
        ]

    def responsibilities_as_logged(self) -> list[dict[str, Any]]:
        return [{"role": r.role, "person": r.person} for r in self.responsibilities]

    def sample_as_logged(self) -> dict[str, int] | None:
        return None if self.sample is None else self.sample.model_dump()


def _due(starts_on: date, day: int, at: str, zone: ZoneInfo) -> str:
    hour, minute = (int(part) for part in at.split(":"))
    when = datetime.combine(starts_on + timedelta(days=day - 1), time(hour, minute))
    return when.replace(tzinfo=zone).isoformat()


def template_dir() -> Path:
    configured = Settings().playbook_dir
    return Path(configured) if configured else DEFAULT_DIR


def template_names() -> list[str]:
    folder = template_dir()
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.glob("*.toml") if NAME.match(p.stem))


def load_template(name: str) -> Template:
    """The template of that name, read now from its file, or TemplateProblem."""
    path = template_dir() / f"{name}.toml"
    if not NAME.match(name) or not path.is_file():
        known = ", ".join(template_names()) or "none"
        raise TemplateProblem(
            f"there is no playbook template {name!r} in {template_dir()} "
            f"(templates there: {known})"
        )
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        return Template.model_validate(raw)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise TemplateProblem(f"{path} is not TOML: {error}") from None
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise TemplateProblem(
            f"{path} is not a playbook template: {where}: {first['msg']}"
        ) from None
