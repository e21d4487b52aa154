"""What the read routes answer, for `/openapi.json`: each read model's answer
type (`projections/`), plus when it was asked about; and the error bodies.

The routes still return their prepared JSON themselves (FastAPI validates
nothing it did not serialise): these types describe, they cost nothing per
request. `tests/integration/test_read_answer_types.py` holds the answers to
them, and the schemathesis suite checks every answer against the schema.
"""

from __future__ import annotations

from typing import Any, Literal, NotRequired

from pydantic import BaseModel
from typing_extensions import TypedDict

from projections.annex_a import AnnexAAnswer
from projections.blog import BlogAnswer
from projections.cases import BrowsedPage, CasesAnswer
from projections.debriefs import DebriefsAnswer
from projections.inspection import InspectionAnswer
from projections.invitations import InvitationRow
from projections.kit_notes import KitNotesAnswer
from projections.ledger import LedgerAnswer
from projections.lines_of_enquiry import LinesOfEnquiryAnswer
from projections.playbook import PlaybookAnswer
from projections.requests import RequestsAnswer
from projections.schedule import AgendaAnswer, DayAnswer
from projections.views import UserRecord


class WhenAsked(TypedDict):
    """The log position the answer is true at, and whether it is the past."""

    position: int
    past: bool
    as_of: str | None
    # The instant of a `happened_by` read (what had happened by then); only
    # in an answer asked so.
    happened_by: NotRequired[str | None]


class InspectionOffered(InspectionAnswer):
    # What the caller may add to the inspection now (a request, a meeting,
    # a case...): GET /api/meta's command names; empty in the past.
    actions: list[str]


class InspectionRead(InspectionOffered, WhenAsked):
    pass


class DayRead(DayAnswer, WhenAsked):
    pass


class MeetingInvitationsAnswer(TypedDict):
    """Who was sent which calendar invitation about a meeting, and when."""

    meeting_id: str
    invitations: list[InvitationRow]


class MeetingInvitationsRead(MeetingInvitationsAnswer, WhenAsked):
    pass


class BriefedAgendaAnswer(AgendaAnswer):
    # What the caller may send on the person's briefing now (acknowledge it):
    # GET /api/meta's command names; empty in the past (web/offers.py).
    actions: list[str]


class AgendaRead(BriefedAgendaAnswer, WhenAsked):
    pass


class LedgerRead(LedgerAnswer, WhenAsked):
    pass


class RequestsRead(RequestsAnswer, WhenAsked):
    pass


class CasesRead(CasesAnswer, WhenAsked):
    pass


class BrowsedRead(BrowsedPage, WhenAsked):
    pass


class SealedBlogAnswer(BlogAnswer):
    # The signed checkpoint that sealed the day when it was closed (a C2SP
    # signed note, warroom/evidence); null while the day is open.
    seal: str | None
    # What the caller may do on the day now (write its blog, close it): GET
    # /api/meta's command names; empty in the past (web/offers.py).
    actions: list[str]


class BlogRead(SealedBlogAnswer, WhenAsked):
    pass


class LinesOfEnquiryRead(LinesOfEnquiryAnswer, WhenAsked):
    pass


class KitNotesRead(KitNotesAnswer, WhenAsked):
    pass


# --- the log, and who is who (web/routes/log.py, web/routes/users.py) -------


class EventRow(TypedDict):
    """One stored event as `/events` and the stream show it."""

    position: int
    type: str
    recorded_at: str
    occurred_at: str
    actor: str
    actor_name: str
    inspection_id: str
    aggregate_id: str
    aggregate_version: int
    data: dict[str, Any]


class EventsRead(TypedDict):
    """A page of the log; `next` is where the next page starts."""

    events: list[EventRow]
    next: int


class MeRead(TypedDict):
    id: str
    name: str
    role: str
    organisation_id: str | None
    expires_at: str | None
    # What they may do outside any inspection now (open one, add a user):
    # GET /api/meta's command names.
    actions: list[str]
    # Signed in by a browser's session (issue 26): send it as X-CSRF-Token
    # with every command. None when signed in by a bearer token.
    csrf_token: str | None


class UserListed(UserRecord):
    # What the caller may send on the user now (`commands.offered`).
    actions: list[str]


class UsersRead(TypedDict):
    users: list[UserListed]


class InspectionsRead(TypedDict):
    inspections: list[InspectionAnswer]


class TokenState(TypedDict):
    live: bool
    revoked: bool
    expires_at: str | None


class UserRead(TypedDict):
    id: str
    name: str
    role: str
    organisation_id: str | None
    inspection_ids: list[str] | None
    # To an admin and to the user themselves only (issue 24).
    email: NotRequired[str | None]
    version: int
    token: TokenState
    # What the caller may send on the user now (`commands.offered`).
    actions: list[str]


class PlaybookRead(PlaybookAnswer, WhenAsked):
    pass


class AnnexARead(AnnexAAnswer, WhenAsked):
    pass


class DebriefsRead(DebriefsAnswer, WhenAsked):
    pass


class Problem(BaseModel):
    """Why a request was refused."""

    detail: str


class RuleProblem(Problem):
    """A broken rule or an illegal transition, named for clients."""

    rule: str
    # The rule again, as `code` (issue 23's interface); a stale `If-Match`
    # and a position beyond the log answer `rule` only.
    code: str | None = None


class MeetingToCome(TypedDict):
    id: str
    title: str
    starts_at: str
    ends_at: str


class ReasonProblem(RuleProblem):
    """A rule, or a step that needs a reason the command did not give:
    `meetings_to_come` (with the meetings and when the last ends) or
    `sample_full` (with the selection, its sample and how many are selected)."""

    meetings_to_come: list[MeetingToCome] | None = None
    last_ends_at: str | None = None
    selection: str | None = None
    sample: int | None = None
    selected: int | None = None


class LogBrokenProblem(Problem):
    """The log disagrees with its tree: this server stores nothing more."""

    code: Literal["log_broken"]
    position: int | None


Responses = dict[int | str, dict[str, Any]]


def _problem(
    status: int, description: str, model: type[BaseModel] = Problem
) -> Responses:
    return {status: {"model": model, "description": description}}


BAD_BODY = _problem(400, "The body cannot be read: not UTF-8, or a broken form")
UNAUTHENTICATED = _problem(401, "No bearer token, or one the war room does not know")
FORBIDDEN = _problem(403, "The caller's role may not do this")
NOT_FOUND = _problem(404, "No such inspection (or thing in it)")
CONFLICT = _problem(409, "A rule would be broken", RuleProblem)
# Closing a day early, selecting a case beyond the sample (issue 23).
NEEDS_EARLY_REASON = _problem(
    409,
    "A rule would be broken; `meetings_to_come`: a meeting of the day has not "
    "ended yet, so the day closes only with an `early_reason`",
    ReasonProblem,
)
NEEDS_OVER_REASON = _problem(
    409,
    "A rule would be broken; `sample_full`: the template's sample of the "
    "selection is full, so the case is selected only with an `over_reason`",
    ReasonProblem,
)
TOO_LARGE = _problem(413, "The body is over the size limit")
NOT_YET = _problem(503, "The read models did not reach `min_position` in time")
BEYOND_LOG = _problem(
    409,
    "`at` or `min_position` is beyond the end of the log "
    "(`rule`: `position_beyond_log`, with the log's `head`)",
    RuleProblem,
)
# A proof of a tree larger than the log, or of a leaf beyond the tree.
OUT_OF_RANGE = _problem(409, "`index`, `size`, `from` or `to` is beyond the log")
LOG_BROKEN = _problem(
    503,
    "`log_broken`: the log disagrees with its Merkle tree (`warroom verify` "
    "names where); this server stores and signs nothing more",
    LogBrokenProblem,
)

# Every read route; 422 (malformed parameters) FastAPI documents itself.
READ_ERRORS: Responses = {
    **UNAUTHENTICATED,
    **NOT_FOUND,
    **BEYOND_LOG,
    **NOT_YET,
}

CSV: Responses = {
    200: {
        "description": "The read model, or the ledger as CSV for the printed copy",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
}

# Every command: who may, what exists, which rules hold, how large.
COMMAND_ERRORS: Responses = {
    **BAD_BODY,
    **UNAUTHENTICATED,
    **FORBIDDEN,
    **NOT_FOUND,
    **CONFLICT,
    **TOO_LARGE,
    **LOG_BROKEN,
}

# What a document is served as, by the ending of its name: what it claims
# to be, so that it opens as that; anything else as plain bytes. Always as an
# attachment, so no browser renders it in the page's place.
_OPENXML = "application/vnd.openxmlformats-officedocument."
DOCUMENT_TYPES = {
    ".pdf": "application/pdf",
    ".csv": "text/csv",
    ".txt": "text/plain",
    ".doc": "application/msword",
    ".docx": _OPENXML + "wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": _OPENXML + "spreadsheetml.sheet",
    ".pptx": _OPENXML + "presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".zip": "application/zip",
}
BYTES = "application/octet-stream"
DOCUMENT: Responses = {
    200: {
        "description": "The document's exact bytes, typed by its name's ending",
        "content": {
            media_type: {"schema": {"type": "string", "format": "binary"}}
            for media_type in (BYTES, *dict.fromkeys(DOCUMENT_TYPES.values()))
        },
    }
}
