"""A case chosen for audit or tracking, by pseudonymous reference only."""

from __future__ import annotations

import re
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
