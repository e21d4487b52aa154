"""The Annex A register: owners, submission, two RAG ratings with every
rating kept, and the countdown to "ready for submission by the start of day 2".

A document is ready when it is submitted and rated green on both counts.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import ClassVar
from zoneinfo import ZoneInfo

from typing_extensions import TypedDict

from projections.base import Folds, ReadModel
from projections.events import LoggedEvent

# "The start of day 2": the kick-off, in the inspection's time zone.
START_OF_DAY = time(9, 0)


class Rating(TypedDict):
    rag_complete: str | None  # as given; None: that rating left as it was
    rag_quality: str | None
    reason: str | None
    by: str
    at: str
    position: int


class AnnexADocumentRecord(TypedDict):
    id: str
    version: int
    title: str
    owner: str
    listed_by: str
    listed_at: str
    submitted: bool
    submitted_by: str | None
    submitted_at: str | None
    rag_complete: str | None
    rag_quality: str | None
    history: list[Rating]


class AnnexADocumentRow(AnnexADocumentRecord):
    ready: bool
    # The commands the caller may send on it now (GET /api/meta's names):
    # none from the read model, which knows no caller; web/offers.py adds them.
    actions: list[str]


class AnnexASummaryRecord(TypedDict):
    id: str
    text: str
    by: str
    at: str
    position: int


class Countdown(TypedDict):
    ready_by: str
    seconds_left: int  # below zero once passed
    documents: int
    ready: int
    outstanding: list[str]  # the titles of those not ready
    all_ready: bool


class AnnexAAnswer(TypedDict):
    documents: list[AnnexADocumentRow]
    countdown: Countdown
    summary: AnnexASummaryRecord | None
    summaries_written: int


class AnnexA(ReadModel):
    name = "annex_a"

    def __init__(self) -> None:
        self.documents: dict[str, AnnexADocumentRecord] = {}
        self.summaries: list[AnnexASummaryRecord] = []

    def on_AnnexADocumentListed(self, e: LoggedEvent) -> AnnexADocumentRecord:
        document: AnnexADocumentRecord = {
            "id": e.aggregate_id,
            "version": e.aggregate_version,
            "title": e.data["title"],
            "owner": e.data["owner"],
            "listed_by": e.actor_name,
            "listed_at": e.occurred_iso,
            "submitted": False,
            "submitted_by": None,
            "submitted_at": None,
            "rag_complete": None,
            "rag_quality": None,
            "history": [],
        }
        self.documents[e.aggregate_id] = document
        return document

    def on_AnnexADocumentRated(self, e: LoggedEvent) -> AnnexADocumentRecord:
        old = self.documents[e.aggregate_id]
        d = e.data
        rating: Rating = {
            "rag_complete": d["rag_complete"],
            "rag_quality": d["rag_quality"],
            "reason": d["reason"],
            "by": e.actor_name,
            "at": e.occurred_iso,
            "position": e.position,
        }
        document: AnnexADocumentRecord = {
            **old,
            "version": e.aggregate_version,
            "rag_complete": d["rag_complete"] or old["rag_complete"],
            "rag_quality": d["rag_quality"] or old["rag_quality"],
            "history": [*old["history"], rating],
        }
        self.documents[e.aggregate_id] = document
        return document

    def on_AnnexADocumentSubmitted(self, e: LoggedEvent) -> AnnexADocumentRecord:
        document: AnnexADocumentRecord = {
            **self.documents[e.aggregate_id],
            "version": e.aggregate_version,
            "submitted": True,
            "submitted_by": e.actor_name,
            "submitted_at": e.occurred_iso,
        }
        self.documents[e.aggregate_id] = document
        return document

    def on_AnnexASummaryWritten(self, e: LoggedEvent) -> AnnexASummaryRecord:
        summary: AnnexASummaryRecord = {
            "id": e.aggregate_id,
            "text": e.data["text"],
            "by": e.actor_name,
            "at": e.occurred_iso,
            "position": e.position,
        }
        self.summaries = [*self.summaries, summary]
        return summary

    folds: ClassVar[Folds] = {
        "AnnexADocumentListed": on_AnnexADocumentListed,
        "AnnexADocumentRated": on_AnnexADocumentRated,
        "AnnexADocumentSubmitted": on_AnnexADocumentSubmitted,
        "AnnexASummaryWritten": on_AnnexASummaryWritten,
    }

    def render(self, now: datetime, starts_on: str, timezone: str) -> AnnexAAnswer:
        rows: list[AnnexADocumentRow] = [
            {**d, "ready": _ready(d), "actions": []}
            for d in sorted(self.documents.values(), key=lambda d: d["title"])
        ]
        day2 = date.fromisoformat(starts_on) + timedelta(days=1)
        ready_by = datetime.combine(day2, START_OF_DAY, ZoneInfo(timezone))
        ready = [r for r in rows if r["ready"]]
        return {
            "documents": rows,
            "countdown": {
                "ready_by": ready_by.isoformat(),
                "seconds_left": int((ready_by - now).total_seconds()),
                "documents": len(rows),
                "ready": len(ready),
                "outstanding": [r["title"] for r in rows if not r["ready"]],
                "all_ready": bool(rows) and len(ready) == len(rows),
            },
            "summary": self.summaries[-1] if self.summaries else None,
            "summaries_written": len(self.summaries),
        }


def _ready(document: AnnexADocumentRecord) -> bool:
    return (
        document["submitted"]
        and document["rag_complete"] == "green"
        and document["rag_quality"] == "green"
    )
