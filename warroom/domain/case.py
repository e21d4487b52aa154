"""A case chosen for audit or tracking, by pseudonymous reference only."""

from __future__ import annotations

from typing import Any, Literal, get_args
from uuid import UUID

from eventsourcing.domain import Aggregate, event

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


class Case(Aggregate):
    @staticmethod
    def create_id(inspection_id: str, ref: str) -> UUID:
        # One case per reference per inspection: a second selection of the same
        # reference conflicts in the event store itself.
        return derived_id("case", inspection_id, ref)

    @event("CaseSelected")
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
    ) -> None:
        self.inspection_id = inspection_id
        self.ref = ref
        self.selection = selection
        self.notified: list[str] = []
        self.judgement: str | None = None

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

    @event("CaseNotified")
    def _notified(self, party: str, meta: dict[str, Any]) -> None:
        self.notified.append(party)

    @event("CaseAuditJudged")
    def _audit_judged(self, judgement: str, meta: dict[str, Any]) -> None:
        self.judgement = judgement

    @event("CaseBrowsed")
    def _browsed(self, inspector: str, item: str, meta: dict[str, Any]) -> None:
        pass
