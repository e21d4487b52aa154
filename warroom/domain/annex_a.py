"""The Annex A register: each document, its owner, submitted or not, and two
RAG ratings (present and complete; quality and fit for purpose), every
rating kept. It must be ready "by the start of day 2"."""

from __future__ import annotations

from typing import Any, Literal, get_args

from eventsourcing.domain import event

from warroom.domain.aggregate import Aggregate
from warroom.domain.base import Context, RuleBroken

Rag = Literal["red", "amber", "green"]
RAGS: tuple[str, ...] = get_args(Rag)


class AnnexADocument(Aggregate):
    @event("AnnexADocumentListed")
    def __init__(
        self, inspection_id: str, title: str, owner: str, meta: dict[str, Any]
    ) -> None:
        self.inspection_id = inspection_id
        self.title = title
        self.owner = owner
        self.rag_complete: str | None = None
        self.rag_quality: str | None = None
        self.submitted = False

    def rate(
        self,
        rag_complete: str | None,
        rag_quality: str | None,
        reason: str | None,
        ctx: Context,
    ) -> None:
        if (rag_complete or self.rag_complete, rag_quality or self.rag_quality) == (
            self.rag_complete,
            self.rag_quality,
        ):
            raise RuleBroken(
                "rating_changes",
                f"{self.title} is already rated {self.rag_complete} / "
                f"{self.rag_quality}: a rating must change something",
            )
        self._rated(
            rag_complete=rag_complete,
            rag_quality=rag_quality,
            reason=reason,
            meta=ctx.meta(),
        )

    def submit(self, ctx: Context) -> None:
        if self.submitted:
            raise RuleBroken("submit_once", f"{self.title} is already submitted")
        self._submitted(meta=ctx.meta())

    @event("AnnexADocumentRated")
    def _rated(
        self,
        rag_complete: str | None,
        rag_quality: str | None,
        reason: str | None,
        meta: dict[str, Any],
    ) -> None:
        self.rag_complete = rag_complete or self.rag_complete
        self.rag_quality = rag_quality or self.rag_quality

    @event("AnnexADocumentSubmitted")
    def _submitted(self, meta: dict[str, Any]) -> None:
        self.submitted = True


class AnnexASummary(Aggregate):
    """What Annex A says about performance, for the day-2 presentation: each
    version written is a summary of its own, the latest one shown."""

    @event("AnnexASummaryWritten")
    def __init__(self, inspection_id: str, text: str, meta: dict[str, Any]) -> None:
        self.inspection_id = inspection_id
