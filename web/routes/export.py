"""The whole log as `warroom export` writes it, for the auditor (or the admin)
of a database that holds one council only."""

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
    summary="The whole log, its documents and checkpoints, as `warroom export`",
    response_class=FileResponse,
    responses={**ZIP, **UNAUTHENTICATED, **FORBIDDEN, **CONFLICT},
)
def export(state: StateDep, actor: ActorDep) -> FileResponse:
    if actor.role not in VERIFIES:
        raise HTTPException(403, f"a {actor.role} may not export the log")
    # The log is one tree over every council in the database: a council's
    # auditor may take it whole only when no other council's records are in it.
    others = state.read_side.read(
        lambda views: set(views.organisations) - {actor.organisation_id}
    )
    if others:
        raise RuleBroken(
            "export_one_council",
            "this database holds other councils' records too: the operator "
            "exports it with `warroom export`",
        )
    out = Path(tempfile.mkdtemp(prefix="warroom-export-")) / "warroom-export.zip"
    try:
        export_log(state.app, out, state.signer)
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
