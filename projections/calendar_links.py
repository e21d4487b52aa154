"""The inspection's secret calendar links: whose, made by whom, revoked or not.

The secret's hash stays in the log; no row shows it.
"""

from __future__ import annotations

from typing import ClassVar

from typing_extensions import TypedDict

from projections.base import Folds, ReadModel
from projections.events import LoggedEvent


class CalendarLinkRow(TypedDict):
    id: str
    # None: the whole inspection's schedule.
    person: str | None
    created_by: str
    created_at: str
    revoked: bool
    revoked_by: str | None
    revoked_at: str | None


class CalendarLinksAnswer(TypedDict):
    links: list[CalendarLinkRow]


class CalendarLinks(ReadModel):
    name = "calendar_links"

    def __init__(self) -> None:
        self.links: dict[str, CalendarLinkRow] = {}

    def on_CalendarLinkCreated(self, e: LoggedEvent) -> CalendarLinkRow:
        link: CalendarLinkRow = {
            "id": e.aggregate_id,
            "person": e.data["person"],
            "created_by": e.actor_name,
            "created_at": e.recorded_iso,
            "revoked": False,
            "revoked_by": None,
            "revoked_at": None,
        }
        self.links[e.aggregate_id] = link
        return link

    def on_CalendarLinkRevoked(self, e: LoggedEvent) -> CalendarLinkRow:
        link: CalendarLinkRow = {
            **self.links[e.aggregate_id],
            "revoked": True,
            "revoked_by": e.actor_name,
            "revoked_at": e.recorded_iso,
        }
        self.links[e.aggregate_id] = link
        return link

    folds: ClassVar[Folds] = {
        "CalendarLinkCreated": on_CalendarLinkCreated,
        "CalendarLinkRevoked": on_CalendarLinkRevoked,
    }

    def render(self) -> CalendarLinksAnswer:
        return {"links": sorted(self.links.values(), key=lambda r: r["created_at"])}
