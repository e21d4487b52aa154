"""The places of one selection's sample (audited, tracked) an inspection has filled.

The template's sample (SIF: 18 audited, 12 tracked) has that many places;
each case selected without a reason takes one, and once they are all taken
a case is selected only with a reason (`over_reason`), which says why it is
beyond the sample (a case sent with a reason is beyond it wherever it falls,
and takes no place). The count is kept here, on the write side, and each
place is taken in the same save as the case's `CaseSelected`: two selections
racing for the sample's last place both append this aggregate's next
version, so the library's optimistic concurrency lets one of them be stored
and the other runs again against the new count (`commands.executor`).
A read model, caught up or not, can never let both through.

Bookkeeping of the server, not part of the inspection's story
(`warroom.logged.INTERNAL_TYPES`): the story is each case's `CaseSelected`,
with its `over_reason` when it was selected beyond the sample.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from warroom.domain.aggregate import Aggregate
from warroom.domain.base import Context, RuleBroken, derived_id


class CaseSample(Aggregate):
    @staticmethod
    def create_id(inspection_id: str, selection: str) -> UUID:
        return derived_id("case-sample", inspection_id, selection)

    @event("CaseSampleCountStarted")
    def __init__(
        self,
        inspection_id: str,
        selection: str,
        refs: list[str],
        meta: dict[str, Any],
    ) -> None:
        """`refs`: the cases of the selection selected without a reason before
        the count was kept here (an inspection stored by an older war room),
        found in the log when the count starts."""
        self.inspection_id = inspection_id
        self.selection = selection
        self.refs: list[str] = list(refs)

    def take_place(self, ref: str, size: int, ctx: Context) -> None:
        """The case takes one of the sample's `size` places; refused
        `sample_full` if none is left."""
        selected = len(self.refs)
        if selected >= size:
            raise RuleBroken(
                "sample_full",
                f"the sample of {self.selection} cases is full: {selected} of "
                f"{size} are selected; say why this case is selected beyond the "
                f"sample of {size} to select it all the same",
                {"selection": self.selection, "sample": size, "selected": selected},
            )
        self._counted(ref=ref, meta=ctx.meta())

    @event("CaseCounted")
    def _counted(self, ref: str, meta: dict[str, Any]) -> None:
        self.refs = [*self.refs, ref]
