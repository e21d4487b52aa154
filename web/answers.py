"""What the read routes answer, for `/openapi.json`: each read model's answer
type (`projections/`), plus when it was asked about; and the error bodies.

The routes still return their prepared JSON themselves (FastAPI validates
nothing it did not serialise): these types describe, they cost nothing per
request. `tests/integration/test_read_answer_types.py` holds the answers to
them, and the schemathesis suite checks every answer against the schema.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel
from typing_extensions import TypedDict

from projections.annex_a import AnnexAAnswer
from projections.blog import BlogAnswer
from projections.cases import CasesAnswer
from projections.debriefs import DebriefsAnswer
from projections.inspection import InspectionAnswer
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


class InspectionRead(InspectionAnswer, WhenAsked):
    pass


class DayRead(DayAnswer, WhenAsked):
    pass


class AgendaRead(AgendaAnswer, WhenAsked):
    pass


class LedgerRead(LedgerAnswer, WhenAsked):
    pass


class RequestsRead(RequestsAnswer, WhenAsked):
    pass


class CasesRead(CasesAnswer, WhenAsked):
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


class UsersRead(TypedDict):
    users: list[UserRecord]


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
    version: int
    token: TokenState


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

DOCUMENT: Responses = {
    200: {
        "description": "The document's exact bytes",
        "content": {
            "application/octet-stream": {
                "schema": {"type": "string", "format": "binary"}
            }
        },
    }
}
