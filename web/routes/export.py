"""The caller's organisation's whole record as `warroom export --org` writes
it, for its auditor (or admin), whatever other councils share the database:
its own tree's events, documents and checkpoints, nothing of theirs."""

from __future__ import annotations

import tempfile
from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from warroom.archive import Refused, export_log
from warroom.domain.base import RuleBroken
from web.answers import CONFLICT, FORBIDDEN, UNAUTHENTICATED, Responses
from web.deps import ActorDep, StateDep
from web.routes.evidence import VERIFIES

router = APIRouter(prefix="/api/log", tags=["evidence"])

ZIP: Responses = {
    200: {
        "description": "The export: `log.jsonl`, `stored.jsonl`, `documents/`, "
        "`checkpoints/`, `manifest.json` (see `warroom import`)",
        "content": {"application/zip": {"schema": {"type": "string"}}},
    },
}


@router.get(
    "/export",
    summary="Your organisation's whole log, its documents and checkpoints, "
    "as `warroom export --org`",
    response_class=FileResponse,
    responses={**ZIP, **UNAUTHENTICATED, **FORBIDDEN, **CONFLICT},
)
def export(state: StateDep, actor: ActorDep) -> FileResponse:
    if actor.role not in VERIFIES:
        raise HTTPException(403, f"a {actor.role} may not export the log")
    tree = state.app.tree_of(actor.organisation_id)
    out = Path(tempfile.mkdtemp(prefix="warroom-export-")) / "warroom-export.zip"
    try:
        export_log(state.app, out, state.signer, tree)
    except BaseException as error:
        _remove(out)
        if isinstance(error, Refused):
            raise RuleBroken("log_verifies", str(error)) from None
        raise
    return FileResponse(
        out,
        media_type="application/zip",
        filename="warroom-export.zip",
        headers={"Cache-Control": "no-store"},
        background=BackgroundTask(_remove, out),
    )


def _remove(path: Path) -> None:
    path.unlink(missing_ok=True)
    path.parent.rmdir()
