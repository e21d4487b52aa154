"""Key lines of enquiry: owner, evidence gathered, answered or not."""

from __future__ import annotations

from typing import ClassVar, NotRequired

from typing_extensions import TypedDict

from projections.base import Folds, ReadModel
from projections.events import LoggedEvent


class Evidence(TypedDict):
    kind: str  # "kit_note", "request" or "release"
    summary: str
    source_id: str
    at: str
    position: int


class LineOfEnquiryRecord(TypedDict):
    id: str
    version: int
    title: str
    owner: str | None
    raised_at_meeting: str | None
    raised_by: str
    raised_at: str
    answered: bool
    response: str | None
    evidence: list[Evidence]
    answered_by: NotRequired[str]  # once answered
    # The commands the caller may send on it now (GET /api/meta's names;
    # added per caller by web/offers.py, empty in the past).
    actions: NotRequired[list[str]]


class LinesOfEnquiryAnswer(TypedDict):
    lines_of_enquiry: list[LineOfEnquiryRecord]
    open: int


class LinesOfEnquiry(ReadModel):
    name = "lines_of_enquiry"

    def __init__(self) -> None:
        self.lines: dict[str, LineOfEnquiryRecord] = {}
        # Which line each request answers, to file its release as evidence.
        self.request_line: dict[str, str] = {}
        self.request_title: dict[str, str] = {}
        # Each request's release, filed as evidence under a line it is
        # linked to later (issue 25).
        self.request_release: dict[str, Evidence] = {}

    def on_LineOfEnquiryRaised(self, e: LoggedEvent) -> LineOfEnquiryRecord:
        line: LineOfEnquiryRecord = {
            "id": e.aggregate_id,
            "version": e.aggregate_version,
            "title": e.data["title"],
            "owner": e.data["owner"],
            "raised_at_meeting": e.data["raised_at_meeting"],
            "raised_by": e.actor_name,
            "raised_at": e.occurred_iso,
            "answered": False,
            "response": None,
            "evidence": [],
        }
        self.lines[e.aggregate_id] = line
        return line

    def on_LineOfEnquiryAnswered(self, e: LoggedEvent) -> LineOfEnquiryRecord:
        line: LineOfEnquiryRecord = {
            **self.lines[e.aggregate_id],
            "version": e.aggregate_version,
            "answered": True,
            "response": e.data["response"],
            "answered_by": e.actor_name,
        }
        self.lines[e.aggregate_id] = line
        return line

    def on_LineOfEnquiryOwnerAssigned(self, e: LoggedEvent) -> LineOfEnquiryRecord:
        line: LineOfEnquiryRecord = {
            **self.lines[e.aggregate_id],
            "version": e.aggregate_version,
            "owner": e.data["owner"],
        }
        self.lines[e.aggregate_id] = line
        return line

    def on_KitNoteRecorded(self, e: LoggedEvent) -> None:
        for line_id in e.data["lines_of_enquiry"]:
            self._evidence(line_id, e, "kit_note", e.data["text"])

    def on_DocumentRequested(self, e: LoggedEvent) -> None:
        self.request_title[e.aggregate_id] = e.data["title"]
        line_id = e.data["line_of_enquiry"]
        if line_id:
            self.request_line[e.aggregate_id] = line_id
            self._evidence(line_id, e, "request", e.data["title"])

    def on_DocumentReleased(self, e: LoggedEvent) -> None:
        title = self.request_title[e.aggregate_id]
        item = _item(e, "release", f"{title} ({e.data['sha256'][:12]})")
        self.request_release[e.aggregate_id] = item
        line_id = self.request_line.get(e.aggregate_id)
        if line_id:
            self._file(line_id, item)

    def on_RequestLinkedToLineOfEnquiry(self, e: LoggedEvent) -> None:
        """The request (and its release, if it was released) moves to the
        line it is now linked to: a line's evidence is what is filed under
        it now, and the log keeps where it was before."""
        request_id = e.aggregate_id
        before = self.request_line.get(request_id)
        old = self.lines.get(before) if before else None
        if before and old is not None:
            kept = [i for i in old["evidence"] if i["source_id"] != request_id]
            self.lines[before] = {**old, "evidence": kept}
        line_id = e.data["line_of_enquiry"]
        self.request_line[request_id] = line_id
        self._evidence(line_id, e, "request", self.request_title[request_id])
        release = self.request_release.get(request_id)
        if release is not None:
            self._file(line_id, release)

    def _evidence(self, line_id: str, e: LoggedEvent, kind: str, summary: str) -> None:
        self._file(line_id, _item(e, kind, summary))

    def _file(self, line_id: str, item: Evidence) -> None:
        line = self.lines.get(line_id)
        if line is None:
            return
        self.lines[line_id] = {**line, "evidence": [*line["evidence"], item]}

    folds: ClassVar[Folds] = {
        "LineOfEnquiryRaised": on_LineOfEnquiryRaised,
        "LineOfEnquiryAnswered": on_LineOfEnquiryAnswered,
        "LineOfEnquiryOwnerAssigned": on_LineOfEnquiryOwnerAssigned,
        "KitNoteRecorded": on_KitNoteRecorded,
        "DocumentRequested": on_DocumentRequested,
        "DocumentReleased": on_DocumentReleased,
        "RequestLinkedToLineOfEnquiry": on_RequestLinkedToLineOfEnquiry,
    }

    def render(self) -> LinesOfEnquiryAnswer:
        lines = sorted(self.lines.values(), key=lambda line: line["raised_at"])
        return {
            "lines_of_enquiry": lines,
            "open": sum(1 for line in lines if not line["answered"]),
        }


def _item(e: LoggedEvent, kind: str, summary: str) -> Evidence:
    return {
        "kind": kind,
        "summary": summary,
        "source_id": e.aggregate_id,
        "at": e.occurred_iso,
        "position": e.position,
    }
