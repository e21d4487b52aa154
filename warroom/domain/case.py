"""A case chosen for audit or tracking, by pseudonymous reference only."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Literal, get_args
from uuid import UUID

from eventsourcing.domain import event
from immutables import Map

from warroom.domain.aggregate import Aggregate
from warroom.domain.base import Context, RuleBroken, derived_id

Selection = Literal["audited", "tracked"]
SELECTIONS: tuple[str, ...] = get_args(Selection)
Plan = Literal["CIN", "CP", "LAC"]
PLANS: tuple[Plan, ...] = get_args(Plan)
Party = Literal[
    "social_worker",
    "team_manager",
    "iro",
    "parents_carers",
    "education",
    "health",
    "other_partners",
]
PARTIES: tuple[str, ...] = get_args(Party)
Judgement = Literal["outstanding", "good", "requires_improvement", "inadequate"]
JUDGEMENTS: tuple[str, ...] = get_args(Judgement)
# Who must have seen an audit's judgement, and understood it.
Seer = Literal["social_worker", "team_manager"]
SEERS: tuple[str, ...] = get_args(Seer)
# The three copies of each case: the inspector's, ours, the social worker's.
Copy = Literal["inspector", "council", "social_worker"]
COPIES: tuple[str, ...] = get_args(Copy)


# Cases are pseudonymous: a reference is the council's own case number, never a
# child's name. Councils' case-management systems (Liquidlogic, Mosaic,
# Eclipse) number their cases, and the lists inspectors ask for carry those
# numbers, sometimes behind a short prefix ("CP-0042", "LAC-7", "LCS/123456").
# A name holds no digit, and a name with a number added ("Smith1", "Jane-2")
# holds a run of four letters or more: both are refused.
LONGEST_LETTER_RUN = 3
_LETTER_RUN = re.compile(rf"[^\W\d_]{{{LONGEST_LETTER_RUN + 1},}}")


def ref_problem(ref: str) -> str | None:
    """Why this case reference may be a person's name, or None if it cannot be."""
    why = (
        "cases are pseudonymous: give the council's case number "
        "(such as CP-0042), never a child's name"
    )
    if not any(c.isdigit() for c in ref):
        return f"{why}; a case reference holds at least one digit"
    if _LETTER_RUN.search(ref):
        return (
            f"{why}; a case reference holds at most {LONGEST_LETTER_RUN} "
            "letters in a row"
        )
    return None


class BrowseKeys:
    """The keys of the access-log rows a case holds: a set never changed in
    place (adding one makes a new set sharing all but a few nodes of the old,
    an `immutables.Map`), so a copy of it is itself.

    The library hands each command a deep copy of the aggregate it caches: a
    plain set made that copy cost as much as the case's browses (issue 22:
    0.45 s for every command on a case of 50,000)."""

    __slots__ = ("_keys",)

    def __init__(self, keys: Map[str, bool] | None = None) -> None:
        self._keys: Map[str, bool] = Map() if keys is None else keys

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def with_key(self, key: str) -> BrowseKeys:
        return BrowseKeys(self._keys.set(key, True))

    def __copy__(self) -> BrowseKeys:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> BrowseKeys:
        return self


class Case(Aggregate):
    @staticmethod
    def create_id(inspection_id: str, ref: str) -> UUID:
        # One case per reference per inspection: a second selection of the same
        # reference conflicts in the event store itself.
        return derived_id("case", inspection_id, ref)

    class CaseSelected(Aggregate.Created):
        """Version 2 says why a case was selected beyond the template's sample
        (None: it was within it, or selected before the reason was asked)."""

        inspection_id: str
        ref: str
        selection: str
        plan: str
        social_worker: str | None
        team_manager: str | None
        iro: str | None
        meta: dict[str, Any]
        over_reason: str | None
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["over_reason"] = None

    @event(CaseSelected)
    def __init__(
        self,
        inspection_id: str,
        ref: str,
        selection: str,
        plan: str,
        social_worker: str | None,
        team_manager: str | None,
        iro: str | None,
        meta: dict[str, Any],
        over_reason: str | None = None,
    ) -> None:
        self.inspection_id = inspection_id
        self.ref = ref
        self.selection = selection
        self.over_reason = over_reason
        self.notified: list[str] = []
        self.judgement: str | None = None
        # The audit in full (issue 15): each step an event of its own.
        self.auditor: str | None = None
        self.multi_agency_reviewed = False
        self.form_complete = False
        self.seen_by: list[str] = []
        self.folder_ready = False
        self.copies_made: list[str] = []
        self.copies_handed_over: list[str] = []
        self.browse_keys = BrowseKeys()

    def notify(self, party: str, ctx: Context) -> None:
        if party in self.notified:
            raise RuleBroken(
                "notify_once", f"the {party} has already been notified of {self.ref}"
            )
        self._notified(party=party, meta=ctx.meta())

    def judge(self, judgement: str, ctx: Context) -> None:
        if self.selection != "audited":
            raise RuleBroken(
                "audit_audited_cases",
                f"{self.ref} is tracked, not audited: it takes no audit judgement",
            )
        self._audit_judged(judgement=judgement, meta=ctx.meta())

    def browse(self, inspector: str, item: str, ctx: Context) -> None:
        self._browsed(inspector=inspector, item=item, meta=ctx.meta())

    # The audit in full: auditor, multi-agency review, form, judgement with its
    # reason, seen by the social worker and team manager; folders and copies.

    def assign_auditor(self, auditor: str, ctx: Context) -> None:
        self._require_audited("is assigned no auditor")
        if self.auditor == auditor:
            raise RuleBroken(
                "assign_someone_new", f"{auditor} already audits {self.ref}"
            )
        self._auditor_assigned(auditor=auditor, meta=ctx.meta())

    def record_multi_agency_review(self, note: str | None, ctx: Context) -> None:
        self._require_audited("takes no multi-agency audit review")
        if self.multi_agency_reviewed:
            raise RuleBroken(
                "review_once", f"the multi-agency review of {self.ref} is recorded"
            )
        self._multi_agency_reviewed(note=note, meta=ctx.meta())

    def complete_audit_form(self, ctx: Context) -> None:
        self._require_audited("has no audit form")
        if self.auditor is None:
            raise RuleBroken(
                "auditor_before_form",
                f"assign an auditor to {self.ref} before completing its audit form",
            )
        if self.form_complete:
            raise RuleBroken("form_once", f"the audit form of {self.ref} is complete")
        self._audit_form_completed(meta=ctx.meta())

    def conclude_audit(self, judgement: str, reason: str, ctx: Context) -> None:
        self._require_audited("takes no audit judgement")
        if not self.form_complete:
            raise RuleBroken(
                "form_before_judgement",
                f"complete the audit form of {self.ref} before giving its judgement",
            )
        self._audit_concluded(judgement=judgement, reason=reason, meta=ctx.meta())

    def judgement_seen(self, by: str, ctx: Context) -> None:
        if self.judgement is None:
            raise RuleBroken(
                "judgement_before_seen", f"{self.ref} has no audit judgement yet"
            )
        if by in self.seen_by:
            raise RuleBroken("seen_once", f"the {by} has already seen it")
        self._judgement_seen(by=by, meta=ctx.meta())

    def folder_is_ready(self, ctx: Context) -> None:
        if self.selection != "tracked":
            raise RuleBroken(
                "folder_for_tracked_cases",
                f"{self.ref} is audited, not tracked: folders are for tracked cases",
            )
        if self.folder_ready:
            raise RuleBroken("folder_once", f"the folder of {self.ref} is ready")
        self._folder_ready(meta=ctx.meta())

    def make_copy(self, copy: str, ctx: Context) -> None:
        if copy in self.copies_made:
            raise RuleBroken("copy_once", f"the {copy}'s copy of {self.ref} is made")
        self._copy_made(copy=copy, meta=ctx.meta())

    def hand_over_copy(self, copy: str, to: str, medium: str, ctx: Context) -> None:
        self._require_copy(copy)
        self._copy_handed_over(copy=copy, to=to, medium=medium, meta=ctx.meta())

    def release_copy(self, to: str, medium: str, ctx: Context) -> None:
        """The inspector's copy: through the gatekeeper, like any release."""
        self._require_copy("inspector")
        self._copy_released(copy="inspector", to=to, medium=medium, meta=ctx.meta())

    def _require_audited(self, what: str) -> None:
        if self.selection != "audited":
            raise RuleBroken(
                "audit_audited_cases", f"{self.ref} is tracked, not audited: it {what}"
            )

    def _require_copy(self, copy: str) -> None:
        if copy not in self.copies_made:
            raise RuleBroken(
                "copy_before_hand_over",
                f"make the {copy}'s copy of {self.ref} before handing it over",
            )
        if copy in self.copies_handed_over:
            raise RuleBroken(
                "hand_over_once", f"the {copy}'s copy of {self.ref} is handed over"
            )

    @event("CaseAuditorAssigned")
    def _auditor_assigned(self, auditor: str, meta: dict[str, Any]) -> None:
        self.auditor = auditor

    @event("CaseMultiAgencyReviewed")
    def _multi_agency_reviewed(self, note: str | None, meta: dict[str, Any]) -> None:
        self.multi_agency_reviewed = True

    @event("CaseAuditFormCompleted")
    def _audit_form_completed(self, meta: dict[str, Any]) -> None:
        self.form_complete = True

    @event("CaseAuditConcluded")
    def _audit_concluded(
        self, judgement: str, reason: str, meta: dict[str, Any]
    ) -> None:
        self.judgement = judgement
        # A new judgement is one they have not seen.
        self.seen_by = []

    @event("CaseJudgementSeen")
    def _judgement_seen(self, by: str, meta: dict[str, Any]) -> None:
        self.seen_by = [*self.seen_by, by]

    @event("CaseFolderReady")
    def _folder_ready(self, meta: dict[str, Any]) -> None:
        self.folder_ready = True

    @event("CaseCopyMade")
    def _copy_made(self, copy: str, meta: dict[str, Any]) -> None:
        self.copies_made = [*self.copies_made, copy]

    @event("CaseCopyHandedOver")
    def _copy_handed_over(
        self, copy: str, to: str, medium: str, meta: dict[str, Any]
    ) -> None:
        self.copies_handed_over = [*self.copies_handed_over, copy]

    @event("CaseCopyReleased")
    def _copy_released(
        self, copy: str, to: str, medium: str, meta: dict[str, Any]
    ) -> None:
        self.copies_handed_over = [*self.copies_handed_over, copy]

    @event("CaseNotified")
    def _notified(self, party: str, meta: dict[str, Any]) -> None:
        self.notified.append(party)

    @event("CaseAuditJudged")
    def _audit_judged(self, judgement: str, meta: dict[str, Any]) -> None:
        self.judgement = judgement
        self.seen_by = []

    @event("CaseBrowsed")
    def _browsed(self, inspector: str, item: str, meta: dict[str, Any]) -> None:
        # A row imported from the case system's access log carries its key,
        # so importing the same row again stores nothing (issue 15).
        key = meta.get("idempotency_key")
        if key:
            self.browse_keys = self.browse_keys.with_key(key)
