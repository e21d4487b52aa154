"""The verifiable log: signed checkpoints, the verifier key, RFC 9162 proofs,
the whole check (auditor and admin), and a receipt for each hand-over.

Each answers of the caller's organisation's own tree alone
(`warroom.evidence.tree`): its size, root, proofs and walk, never another
council's, whoever else shares the database."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Annotated, Any, NotRequired

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool
from typing_extensions import TypedDict

from commands.run import Actor
from warroom.domain import words
from warroom.evidence.log import OutOfRange
from warroom.evidence.tree import signer_for
from web.answers import OUT_OF_RANGE
from web.deps import ActorDep, StateDep
from web.state import ServerState
from web.verifications import Verifications

router = APIRouter(prefix="/api", tags=["evidence"])

# Who may walk the whole log: those who answer for it afterwards.
VERIFIES = frozenset({"auditor", "admin"})
# Who has the evidence view (the day seals listed): the auditor and the lead
# who answers for the war room, and admins.
EVIDENCE = VERIFIES | {"lead"}

# Declared with `response_class=Response`: with `PlainTextResponse` FastAPI
# would document the JSON refusals (401 ...) as text/plain too.
TEXT: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Signed-note text",
        "content": {"text/plain": {"schema": {"type": "string"}}},
    }
}


class InclusionProof(TypedDict):
    index: int
    size: int
    hashes: list[str]


ConsistencyProof = TypedDict(
    "ConsistencyProof", {"from": int, "to": int, "hashes": list[str]}
)


class VerifyAnswer(TypedDict):
    intact: bool
    events: int
    root: str
    position: int | None
    problem: str | None
    checkpoints: list[str]
    tree_size: int
    backfilled: dict[str, Any] | None


class NamingLeaf(TypedDict):
    """A leaf that named the hand-over's inspector, actor or request."""

    leaf: str
    index: int
    inclusion: InclusionProof


class Receipt(TypedDict):
    leaf: str
    index: int
    inclusion: InclusionProof
    checkpoint: str
    names: list[NamingLeaf]
    backfilled: NotRequired[dict[str, Any]]


class _Cached:
    """The last checkpoint signed of one tree, reused while it has not grown."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.size = -1
        self.note = ""


_PER_TREE = threading.Lock()


def _cache(request: Request, tree: str) -> _Cached:
    caches: dict[str, _Cached] | None = getattr(
        request.app.state, "evidence_checkpoints", None
    )
    with _PER_TREE:
        if caches is None:
            caches = request.app.state.evidence_checkpoints = {}
        return caches.setdefault(tree, _Cached())


def _verifications(request: Request, tree: str) -> Verifications:
    """Each tree's walks apart: a walk of one council's log is never the
    answer to another's auditor (the first council's where they always were)."""
    state = request.app.state
    with _PER_TREE:
        if not tree:
            first: Verifications | None = getattr(state, "verifications", None)
            if first is None:
                first = state.verifications = Verifications()
            return first
        walks: dict[str, Verifications] | None = getattr(
            state, "verifications_by_tree", None
        )
        if walks is None:
            walks = state.verifications_by_tree = {}
        return walks.setdefault(tree, Verifications())


def tree_of(state: ServerState, actor: Actor) -> str:
    """The caller's organisation's tree."""
    return state.app.tree_of(actor.organisation_id)


class SignedCheckpoint(TypedDict):
    """A checkpoint of the caller's council's log now, for a printed page:
    the note itself and its parts, in words a reader can check."""

    note: str
    origin: str
    size: int
    root: str  # base64, as in the note
    key_name: str
    key_id: str
    verifier_key: str


def signed_checkpoint(state: ServerState, actor: Actor) -> SignedCheckpoint | None:
    """None once the log was found broken: a broken log is never signed."""
    if state.app.log_health.broken:
        return None
    tree = tree_of(state, actor)
    note = state.app.evidence.checkpoint(state.signer, tree)
    own = signer_for(state.signer, tree)
    origin, size, root = note.split("\n")[:3]
    return {
        "note": note,
        "origin": origin,
        "size": int(size),
        "root": root,
        "key_name": own.name,
        "key_id": own.key_id.hex(),
        "verifier_key": own.verifier_text(),
    }


@router.get(
    "/log/checkpoint",
    summary="A signed checkpoint (C2SP tlog-checkpoint) of the log's head now",
    response_class=Response,
    responses=TEXT,
)
def checkpoint(request: Request, state: StateDep, actor: ActorDep) -> Response:
    state.app.log_health.refuse_if_broken()  # never sign a log found broken
    tree = tree_of(state, actor)
    cached = _cache(request, tree)
    evidence = state.app.evidence
    head = evidence.head(tree)
    with cached.lock:
        if head.size != cached.size:
            cached.note = evidence.checkpoint_of(head, state.signer, tree)
            cached.size = head.size
        return PlainTextResponse(cached.note)


@router.get(
    "/log/key",
    summary="The verifier key of the log's checkpoints (signed-note format)",
    response_class=Response,
    responses=TEXT,
)
def key(state: StateDep, actor: ActorDep) -> Response:
    # Each council's log has its own key name (its checkpoints' origin).
    own = signer_for(state.signer, tree_of(state, actor))
    return PlainTextResponse(own.verifier_text() + "\n")


@router.get(
    "/log/proof/inclusion",
    summary="RFC 9162 inclusion proof of leaf `index` in the tree of `size` leaves",
    responses=OUT_OF_RANGE,
)
def inclusion(
    state: StateDep,
    actor: ActorDep,
    index: Annotated[int, Query(ge=0)],
    size: Annotated[int, Query(ge=1)],
) -> InclusionProof:
    state.app.log_health.refuse_if_broken()
    tree = tree_of(state, actor)
    hashes = _proof(lambda: state.app.evidence.inclusion(index, size, tree))
    return {"index": index, "size": size, "hashes": hashes}


@router.get(
    "/log/proof/consistency",
    summary="RFC 9162 consistency proof between trees of `from` and `to` leaves",
    responses=OUT_OF_RANGE,
)
def consistency(
    state: StateDep,
    actor: ActorDep,
    old: Annotated[int, Query(alias="from", ge=1)],
    new: Annotated[int, Query(alias="to", ge=1)],
) -> ConsistencyProof:
    state.app.log_health.refuse_if_broken()
    tree = tree_of(state, actor)
    hashes = _proof(lambda: state.app.evidence.consistency(old, new, tree))
    return {"from": old, "to": new, "hashes": hashes}


def _proof(make: Callable[[], list[bytes]]) -> list[str]:
    try:
        return [h.hex() for h in make()]
    except OutOfRange as error:
        raise HTTPException(409, str(error)) from None


@router.get(
    "/verify",
    summary="Walk the whole log: intact, or where it breaks (auditor, admin)",
)
async def verify(request: Request, state: StateDep, actor: ActorDep) -> VerifyAnswer:
    if actor.role not in VERIFIES:
        raise HTTPException(403, f"a {actor.role} may not verify the log")
    # The walk runs on a thread of its own, one at a time, shared by all who
    # ask meanwhile (`web/verifications.py`); this request only waits for it.
    # It reads the log opened read-only: verification never writes.
    evidence = state.read_only.evidence
    tree = tree_of(state, actor)
    key = await run_in_threadpool(_head_key, state, tree)
    verifier = signer_for(state.signer, tree).verifier()
    walks = _verifications(request, tree)
    report = await asyncio.wrap_future(
        walks.report(
            key,
            lambda: evidence.verify(
                verifier=verifier, tree=tree, progress=walks.note_progress
            ),
        )
    )
    answer: VerifyAnswer = {
        "intact": report.intact,
        "events": report.events,
        "root": report.root.hex(),
        "position": report.position,
        "problem": report.problem,
        "checkpoints": report.checkpoints,
        "tree_size": report.size,
        "backfilled": report.backfilled.to_json() if report.backfilled else None,
    }
    return answer


class VerifyProgress(TypedDict):
    walking: bool
    walked: int
    of: int


@router.get(
    "/verify/progress",
    summary="How far the walk of the whole log has got (auditor, admin)",
)
def verify_progress(
    request: Request, state: StateDep, actor: ActorDep
) -> VerifyProgress:
    # Asked while `GET /api/verify` waits: the page shows "12,000 of 40,000".
    if actor.role not in VERIFIES:
        raise HTTPException(403, f"a {actor.role} may not verify the log")
    walking, walked, size = _verifications(request, tree_of(state, actor)).progress()
    return {"walking": walking, "walked": walked, "of": size}


def _head_key(state: ServerState, tree: str) -> tuple[int, bytes]:
    """What a report is reused for: the head it was made against, and, once
    this process found the log broken, that too (an old "intact" is not)."""
    broken = state.app.log_health.broken
    try:
        head = state.read_only.evidence.head(tree)
    except Exception:  # no head row: the walk says so
        return (-1, b"")
    return (head.size, head.root + (str(broken).encode() if broken else b""))


@router.get(
    "/inspections/{inspection_id}/ledger/{line}/receipt",
    summary="A receipt for one hand-over: its leaf, inclusion proof, checkpoint",
)
def receipt(inspection_id: str, line: int, state: StateDep, actor: ActorDep) -> Receipt:
    state.app.log_health.refuse_if_broken()
    position = _position_of_line(state, inspection_id, line)
    tree = tree_of(state, actor)
    found = state.app.evidence.receipt(position, state.signer, tree)
    if found is None:  # the read models hold a line the log does not
        raise HTTPException(404, f"no leaf for ledger line {line}")
    answer: Receipt = {
        "leaf": found["leaf"],
        "index": found["index"],
        "inclusion": found["inclusion"],
        "checkpoint": found["checkpoint"],
        "names": found["names"],
    }
    if "backfilled" in found:  # positions proven only from the backfill
        answer["backfilled"] = found["backfilled"]
    return answer


def _position_of_line(state: ServerState, inspection_id: str, line: int) -> int:
    lines, _ = state.reader.ask(
        inspection_id, lambda i, _: i.ledger.render(i.inspector_names())["lines"]
    )
    for row in lines:
        if row["line"] == line:
            return row["position"]
    raise HTTPException(404, f"no line {line} in the ledger")


class DaySeal(TypedDict):
    day: str
    size: int
    checkpoint: str


class DaySeals(TypedDict):
    seals: list[DaySeal]


@router.get(
    "/inspections/{inspection_id}/seals",
    summary="Each closed day's seal: the signed checkpoint of the log right "
    "after it (auditor, lead, admin)",
)
def seals(inspection_id: str, state: StateDep, actor: ActorDep) -> DaySeals:
    if actor.role not in EVIDENCE:
        raise HTTPException(403, f"{words.role(actor.role)} may not list the day seals")
    found = sorted(state.app.evidence.seals(inspection_id), key=lambda s: s.day)
    return {
        "seals": [{"day": s.day, "size": s.size, "checkpoint": s.note} for s in found]
    }
