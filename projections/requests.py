"""The request tracker: every request, its state, who holds it, how old it is."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from typing_extensions import TypedDict, Unpack

from projections.base import Folds, ReadModel, each_rendered
from projections.events import LoggedEvent
from warroom.domain.request import OPEN_STATES

# Who has the next move, by state: the name shown on the board.
NEXT_MOVE = {
    "requested": "war room (assign a preparer)",
    "assigned": "preparer",
    "attached": "lead (approve)",
    "approved": "war room (final check)",
    "checked": "gatekeeper (release)",
}


class AttachedDocument(TypedDict):
    sha256: str
    name: str
    version: str
    size: int
    # Who attached it may not approve it: the page hides Approve for them.
    attached_by: str
    attached_by_name: str


class RequestRecord(TypedDict):
    id: str
    version: int
    title: str
    requested_by: str
    channel: str
    detail: str | None
    due_at: str | None
    line_of_enquiry: str | None
    state: str
    assignee: str | None
    document: AttachedDocument | None
    escalated_to: str | None
    requested_at: str
    recorded_at: str
    closed_at: str | None
    reason: str | None


class RequestChange(TypedDict, total=False):
    """What an event after the first may change of a request."""

    state: str
    assignee: str | None
    document: AttachedDocument | None
    escalated_to: str | None
    closed_at: str | None
    reason: str | None
    line_of_enquiry: str | None


class RequestRow(RequestRecord):
    open: bool
    requested_by_name: str
    assignee_name: str | None
    holder: str | None
    age_seconds: int
    overdue: bool
    # The commands the caller may send on it now (GET /api/meta's names):
    # none from the read model, which knows no caller; web/offers.py adds them.
    actions: list[str]


class RequestsAnswer(TypedDict):
    requests: list[RequestRow]
    open: int
    overdue: int


class Requests(ReadModel):
    name = "requests"

    def __init__(self) -> None:
        self.requests: dict[str, RequestRecord] = {}

    def on_DocumentRequested(self, e: LoggedEvent) -> RequestRecord:
        d = e.data
        request: RequestRecord = {
            "id": e.aggregate_id,
            "version": e.aggregate_version,
            "title": d["title"],
            "requested_by": d["requested_by"],
            "channel": d["channel"],
            "detail": d["detail"],
            "due_at": d["due_at"],
            "line_of_enquiry": d["line_of_enquiry"],
            "state": "requested",
            "assignee": None,
            "document": None,
            "escalated_to": None,
            "requested_at": e.occurred_iso,
            "recorded_at": e.recorded_iso,
            "closed_at": None,
            "reason": None,
        }
        self.requests[e.aggregate_id] = request
        return request

    def on_RequestAssigned(self, e: LoggedEvent) -> RequestRecord:
        # Reassigning later in the life cycle changes the holder, not the state.
        current = self.requests[e.aggregate_id]["state"]
        state = "assigned" if current == "requested" else current
        return self._update(e, assignee=e.data["assignee"], state=state)

    def on_DocumentAttached(self, e: LoggedEvent) -> RequestRecord:
        d = e.data
        document: AttachedDocument = {
            "sha256": d["sha256"],
            "name": d["name"],
            "version": d["version"],
            "size": d["size"],
            "attached_by": e.actor,
            "attached_by_name": e.actor_name,
        }
        return self._update(e, state="attached", document=document)

    def on_DocumentApproved(self, e: LoggedEvent) -> RequestRecord:
        return self._update(e, state="approved")

    def on_FinalCheckPassed(self, e: LoggedEvent) -> RequestRecord:
        return self._update(e, state="checked")

    def on_DocumentReleased(self, e: LoggedEvent) -> RequestRecord:
        return self._close(e, "released", None)

    def on_RequestDeclined(self, e: LoggedEvent) -> RequestRecord:
        return self._close(e, "declined", e.data["reason"])

    def on_RequestWithdrawn(self, e: LoggedEvent) -> RequestRecord:
        return self._close(e, "withdrawn", e.data["reason"])

    def on_RequestEscalated(self, e: LoggedEvent) -> RequestRecord:
        return self._update(e, escalated_to=e.data["to"])

    def on_RequestLinkedToLineOfEnquiry(self, e: LoggedEvent) -> RequestRecord:
        return self._update(e, line_of_enquiry=e.data["line_of_enquiry"])

    def _close(self, e: LoggedEvent, state: str, reason: str | None) -> RequestRecord:
        return self._update(e, state=state, reason=reason, closed_at=e.occurred_iso)

    def _update(self, e: LoggedEvent, **fields: Unpack[RequestChange]) -> RequestRecord:
        request: RequestRecord = {
            **self.requests[e.aggregate_id],
            **fields,
            "version": e.aggregate_version,
        }
        self.requests[e.aggregate_id] = request
        return request

    folds: ClassVar[Folds] = {
        "DocumentRequested": on_DocumentRequested,
        "RequestAssigned": on_RequestAssigned,
        "DocumentAttached": on_DocumentAttached,
        "DocumentApproved": on_DocumentApproved,
        "FinalCheckPassed": on_FinalCheckPassed,
        "DocumentReleased": on_DocumentReleased,
        "RequestDeclined": on_RequestDeclined,
        "RequestWithdrawn": on_RequestWithdrawn,
        "RequestEscalated": on_RequestEscalated,
        "RequestLinkedToLineOfEnquiry": on_RequestLinkedToLineOfEnquiry,
    }

    def render(
        self,
        *,
        state: str | None,
        now: datetime,
        inspector_names: dict[str, str],
        user_names: dict[str, str],
    ) -> RequestsAnswer:
        rows = each_rendered(
            (r for r in self.requests.values() if _matches(r["state"], state)),
            lambda r: self.row(r, now, inspector_names, user_names),
        )
        rows.sort(key=lambda r: (not r.get("overdue"), r["requested_at"]))
        return {
            "requests": rows,
            "open": sum(1 for r in rows if r["state"] in OPEN_STATES),
            "overdue": sum(1 for r in rows if r.get("overdue")),
        }

    @staticmethod
    def row(
        request: RequestRecord,
        now: datetime,
        inspector_names: dict[str, str],
        user_names: dict[str, str],
    ) -> RequestRow:
        is_open = request["state"] in OPEN_STATES
        # Only a closed request has closed_at, and a closed one is never reopened.
        closed_at = request["closed_at"]
        end = now if closed_at is None else datetime.fromisoformat(closed_at)
        age = end - datetime.fromisoformat(request["requested_at"])
        due = request["due_at"]
        assignee = request["assignee"]
        return {
            **request,
            "open": is_open,
            "requested_by_name": inspector_names.get(request["requested_by"], ""),
            "assignee_name": user_names.get(assignee, "") if assignee else None,
            "holder": _holder(request, user_names),
            "age_seconds": max(0, int(age.total_seconds())),
            "overdue": bool(is_open and due and datetime.fromisoformat(due) < now),
            "actions": [],
        }


def _holder(request: RequestRecord, user_names: dict[str, str]) -> str | None:
    state = request["state"]
    if state not in OPEN_STATES:
        return None
    if state == "assigned" and request["assignee"]:
        return user_names.get(request["assignee"], str(request["assignee"]))
    return NEXT_MOVE[state]


def _matches(state: str, wanted: str | None) -> bool:
    if wanted in (None, "", "all"):
        return True
    if wanted == "open":
        return state in OPEN_STATES
    if wanted == "closed":
        return state not in OPEN_STATES
    return state == wanted
