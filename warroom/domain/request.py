"""A document request: from an inspector's ask to the gatekeeper's release.

requested -> assigned -> attached -> approved -> checked -> released, or
declined / withdrawn from any open state. Attaching a new version after
approval voids the approval and the check: what is released is exactly the
version that was approved and checked.
"""

from __future__ import annotations

from typing import Any, Literal, get_args

from eventsourcing.domain import event

from warroom.domain.aggregate import Aggregate
from warroom.domain.base import Context, RuleBroken

Channel = Literal["kit", "email", "lead_inspector", "direct_to_worker"]
CHANNELS: tuple[str, ...] = get_args(Channel)
Medium = Literal["electronic", "hard_copy", "packet"]
MEDIA: tuple[str, ...] = get_args(Medium)
OPEN_STATES = ("requested", "assigned", "attached", "approved", "checked")
CLOSED_STATES = ("released", "declined", "withdrawn")


class DocumentRequest(Aggregate):
    @event("DocumentRequested")
    def __init__(
        self,
        inspection_id: str,
        title: str,
        requested_by: str,
        channel: str,
        due_at: str | None,
        detail: str | None,
        line_of_enquiry: str | None,
        meta: dict[str, Any],
    ) -> None:
        self.inspection_id = inspection_id
        self.title = title
        self.requested_by = requested_by
        self.channel = channel
        self.state = "requested"
        self.assignee: str | None = None
        # The attached version that is current, and who attached it.
        self.current: dict[str, Any] | None = None
        self.approved_sha256: str | None = None
        self.checked_sha256: str | None = None
        self.escalated_to: str | None = None
        # The key line of enquiry it answers, if any (issue 25: it may be
        # linked after it was recorded).
        self.line_of_enquiry = line_of_enquiry

    # Commands: each checks the rules, then records one event.

    def assign(self, assignee: str, ctx: Context) -> None:
        self._require_open("assign")
        self._assigned(assignee=assignee, meta=ctx.meta())

    def attach(
        self, sha256: str, name: str, version: str, size: int, ctx: Context
    ) -> None:
        self._require_open("attach a document to")
        if self.state == "requested":
            raise RuleBroken(
                "assign_before_attach",
                "assign the request to a preparer before attaching a document",
            )
        self._document_attached(
            sha256=sha256, name=name, version=version, size=size, meta=ctx.meta()
        )

    def approve(self, sha256: str, ctx: Context) -> None:
        self._require_state("attached", "approve")
        self._require_current(sha256, "approve")
        assert self.current is not None
        if self.current["attached_by"] == ctx.actor:
            raise RuleBroken(
                "approver_is_not_preparer",
                "the person who attached a document may not approve it",
            )
        self._document_approved(sha256=sha256, meta=ctx.meta())

    def check(self, sha256: str, ctx: Context) -> None:
        self._require_state("approved", "check")
        self._require_current(sha256, "check")
        self._final_check_passed(sha256=sha256, meta=ctx.meta())

    def release(self, sha256: str, to: str, medium: str, ctx: Context) -> None:
        self._require_state("checked", "release")
        if sha256 != self.checked_sha256:
            raise RuleBroken(
                "release_what_was_approved",
                "that is not the version that was approved and checked: "
                f"{self._current_words()} was",
            )
        self._document_released(sha256=sha256, to=to, medium=medium, meta=ctx.meta())

    def decline(self, reason: str, ctx: Context) -> None:
        self._require_open("decline")
        self._declined(reason=reason, meta=ctx.meta())

    def withdraw(self, reason: str, ctx: Context) -> None:
        self._require_open("withdraw")
        self._withdrawn(reason=reason, meta=ctx.meta())

    def escalate(self, to: str, reason: str, ctx: Context) -> None:
        self._require_open("escalate")
        if self.escalated_to is not None:
            raise RuleBroken("escalate_once", "this request has already been escalated")
        self._escalated(to=to, reason=reason, meta=ctx.meta())

    def link_to_line_of_enquiry(self, line_id: str, title: str, ctx: Context) -> None:
        """Files the request under a line of enquiry, or under another one.

        A request released or closed still answers its line: the link says
        what it was for, not what happens to it next."""
        if self.line_of_enquiry == line_id:
            raise RuleBroken(
                "link_to_another_line",
                f"this request is already linked to the line of enquiry {title!r}",
            )
        self._linked_to_line_of_enquiry(line_of_enquiry=line_id, meta=ctx.meta())

    # Guards.

    def _require_open(self, action: str) -> None:
        if self.state in CLOSED_STATES:
            raise RuleBroken(
                "request_is_open",
                f"cannot {action} a request that is already {self.state}",
            )

    def _require_state(self, state: str, action: str) -> None:
        if self.state != state:
            raise RuleBroken(
                f"{action}_needs_{state}",
                f"cannot {action} a request that is {self.state}; it must be "
                f"{state} first",
            )

    def _require_current(self, sha256: str, action: str) -> None:
        current = self.current["sha256"] if self.current else None
        if sha256 != current:
            raise RuleBroken(
                "current_version_only",
                f"cannot {action} that document: it is not the current version"
                + (f" ({self._current_words()} is)" if self.current else ""),
            )

    def _current_words(self) -> str:
        """The current document as people know it: its name and version."""
        assert self.current is not None
        return f"{self.current['name']}, version {self.current['version']}"

    # Events: they only change state, because they run again on every replay.

    @event("RequestAssigned")
    def _assigned(self, assignee: str, meta: dict[str, Any]) -> None:
        self.assignee = assignee
        if self.state == "requested":
            self.state = "assigned"

    @event("DocumentAttached")
    def _document_attached(
        self, sha256: str, name: str, version: str, size: int, meta: dict[str, Any]
    ) -> None:
        self.current = {
            "sha256": sha256,
            "name": name,
            "version": version,
            "attached_by": meta["actor"],
        }
        self.approved_sha256 = None
        self.checked_sha256 = None
        self.state = "attached"

    @event("DocumentApproved")
    def _document_approved(self, sha256: str, meta: dict[str, Any]) -> None:
        self.approved_sha256 = sha256
        self.state = "approved"

    @event("FinalCheckPassed")
    def _final_check_passed(self, sha256: str, meta: dict[str, Any]) -> None:
        self.checked_sha256 = sha256
        self.state = "checked"

    @event("DocumentReleased")
    def _document_released(
        self, sha256: str, to: str, medium: str, meta: dict[str, Any]
    ) -> None:
        self.state = "released"

    @event("RequestDeclined")
    def _declined(self, reason: str, meta: dict[str, Any]) -> None:
        self.state = "declined"

    @event("RequestWithdrawn")
    def _withdrawn(self, reason: str, meta: dict[str, Any]) -> None:
        self.state = "withdrawn"

    @event("RequestLinkedToLineOfEnquiry")
    def _linked_to_line_of_enquiry(
        self, line_of_enquiry: str, meta: dict[str, Any]
    ) -> None:
        self.line_of_enquiry = line_of_enquiry

    @event("RequestEscalated")
    def _escalated(self, to: str, reason: str, meta: dict[str, Any]) -> None:
        self.escalated_to = to
