"""The hand-over ledger: one line per hand-over, never edited.

"Keep a hard and electronic copy so we knew what had been handed over."

A line is a document released to an inspector (`kind` "release"), or one of
the three copies of a case handed over (`kind` "case_copy": the inspector's
copy, released by the gatekeeper, and ours and the social worker's, handed
over in the war room): "copies of each case (one for the inspector, one for
us and one for the social worker)", recorded like any other hand-over, each
with its receipt. A copy answers to no request and holds no stored document,
so its `request_id`, `version` and `sha256` are None and it names its case.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import ClassVar, NotRequired

from typing_extensions import TypedDict

from projections.base import Folds, ReadModel
from projections.events import LoggedEvent
from warroom.text import printable

# Columns are only ever added at the end: a spreadsheet that reads the
# printed copy by position keeps working.
COLUMNS = (
    "line",
    "request_id",
    "request",
    "document",
    "version",
    "sha256",
    "to",
    "medium",
    "approved_by",
    "checked_by",
    "released_by",
    "recorded_at",
    "occurred_at",
    "position",
    "kind",
    "case_ref",
    "copy_for",
)

# A line's kind: a document released, or a case's copy handed over.
RELEASE = "release"
CASE_COPY = "case_copy"
# How a copy reads on the ledger, by whom it is for.
COPY_WORDS = {
    "inspector": "The inspector's copy",
    "council": "Our copy",
    "social_worker": "The social worker's copy",
}


class DocumentVersion(TypedDict):
    name: str
    version: str


class LedgerRequest(TypedDict):
    """What the ledger needs to know of a request to write its line."""

    title: str
    versions: dict[str, DocumentVersion]  # by sha256
    # Who approved and who checked the version attached last: absent until
    # the first attachment.
    approved_by: NotRequired[str | None]
    checked_by: NotRequired[str | None]


class LedgerLine(TypedDict):
    line: int
    kind: str  # RELEASE or CASE_COPY
    request_id: str | None  # None for a case's copy
    request: str
    document: str
    version: str | None
    sha256: str | None
    to: str
    medium: str
    approved_by: str | None
    checked_by: str | None
    released_by: str
    recorded_at: str
    occurred_at: str
    position: int
    # A case's copy: the case's reference and whose copy (inspector, council,
    # social_worker); None on a release.
    case_ref: str | None
    copy_for: str | None


class LedgerRow(LedgerLine):
    to_name: str


class LedgerAnswer(TypedDict):
    lines: list[LedgerRow]


class Ledger(ReadModel):
    name = "ledger"

    def __init__(self) -> None:
        self.requests: dict[str, LedgerRequest] = {}
        self.lines: list[LedgerLine] = []
        self.case_refs: dict[str, str] = {}  # case id -> its reference

    def on_DocumentRequested(self, e: LoggedEvent) -> None:
        self.requests[e.aggregate_id] = {"title": e.data["title"], "versions": {}}

    def on_DocumentAttached(self, e: LoggedEvent) -> None:
        request = self.requests[e.aggregate_id]
        version: DocumentVersion = {
            "name": e.data["name"],
            "version": e.data["version"],
        }
        self.requests[e.aggregate_id] = {
            **request,
            "versions": {**request["versions"], e.data["sha256"]: version},
            "approved_by": None,
            "checked_by": None,
        }

    def on_DocumentApproved(self, e: LoggedEvent) -> None:
        request = self.requests[e.aggregate_id]
        self.requests[e.aggregate_id] = {**request, "approved_by": e.actor_name}

    def on_FinalCheckPassed(self, e: LoggedEvent) -> None:
        request = self.requests[e.aggregate_id]
        self.requests[e.aggregate_id] = {**request, "checked_by": e.actor_name}

    def on_DocumentReleased(self, e: LoggedEvent) -> LedgerLine:
        request = self.requests[e.aggregate_id]
        version = request["versions"][e.data["sha256"]]
        line: LedgerLine = {
            "line": len(self.lines) + 1,
            "kind": RELEASE,
            "request_id": e.aggregate_id,
            "request": request["title"],
            "document": version["name"],
            "version": version["version"],
            "sha256": e.data["sha256"],
            "to": e.data["to"],
            "medium": e.data["medium"],
            "approved_by": request["approved_by"],
            "checked_by": request["checked_by"],
            "released_by": e.actor_name,
            "recorded_at": e.recorded_iso,
            "occurred_at": e.occurred_iso,
            "position": e.position,
            "case_ref": None,
            "copy_for": None,
        }
        self.lines.append(line)
        return line

    def on_CaseSelected(self, e: LoggedEvent) -> None:
        self.case_refs[e.aggregate_id] = e.data["ref"]

    def on_CaseCopyHandedOver(self, e: LoggedEvent) -> LedgerLine:
        # Ours or the social worker's copy, handed over by the war room; the
        # inspector's copy (CaseCopyReleased) by the gatekeeper, `to` an
        # inspector's id. Either is a line like a release.
        ref = self.case_refs.get(e.aggregate_id, e.aggregate_id)
        copy_for: str = e.data["copy"]
        line: LedgerLine = {
            "line": len(self.lines) + 1,
            "kind": CASE_COPY,
            "request_id": None,
            "request": f"Case {ref}",
            "document": f"{COPY_WORDS.get(copy_for, copy_for)} of case {ref}",
            "version": None,
            "sha256": None,
            "to": e.data["to"],
            "medium": e.data["medium"],
            "approved_by": None,
            "checked_by": None,
            "released_by": e.actor_name,
            "recorded_at": e.recorded_iso,
            "occurred_at": e.occurred_iso,
            "position": e.position,
            "case_ref": ref,
            "copy_for": copy_for,
        }
        self.lines.append(line)
        return line

    def on_CaseCopyReleased(self, e: LoggedEvent) -> LedgerLine:
        # The inspector's copy, by the gatekeeper: `to` is an inspector's id.
        return self.on_CaseCopyHandedOver(e)

    folds: ClassVar[Folds] = {
        "DocumentRequested": on_DocumentRequested,
        "DocumentAttached": on_DocumentAttached,
        "DocumentApproved": on_DocumentApproved,
        "FinalCheckPassed": on_FinalCheckPassed,
        "DocumentReleased": on_DocumentReleased,
        "CaseSelected": on_CaseSelected,
        "CaseCopyHandedOver": on_CaseCopyHandedOver,
        "CaseCopyReleased": on_CaseCopyReleased,
    }

    def document_name(self, request_id: str, sha256: str) -> str | None:
        """The name of one attached version of a request's document, if any."""
        request = self.requests.get(request_id)
        version = None if request is None else request["versions"].get(sha256)
        return None if version is None else version["name"]

    def render(self, inspector_names: dict[str, str]) -> LedgerAnswer:
        return {
            "lines": [
                {**line, "to_name": inspector_names.get(line["to"], line["to"])}
                for line in self.lines
            ]
        }

    def render_csv(self, inspector_names: dict[str, str]) -> str:
        return ledger_csv(
            {**line, "to": inspector_names.get(line["to"], line["to"])}
            for line in self.lines
        )


def ledger_csv(
    rows: Iterable[Mapping[str, object]], columns: Sequence[str] = COLUMNS
) -> str:
    """Ledger lines as CSV, in these columns (a hand-over packet adds its own)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row[c]) for c in columns])
    return out.getvalue()


def _cell(value: object) -> object:
    if not isinstance(value, str):
        return value
    # Text stored before commands refused control characters: a NUL makes
    # the file unreadable to many CSV readers (Python's among them).
    value = printable(value)
    # A spreadsheet runs a cell that starts like a formula; a document name
    # from a request must never do that on the printed copy's machine.
    if value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value
