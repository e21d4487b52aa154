"""Attaching a document (multipart) and handing its exact bytes over again."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, HTTPException, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError

from commands.executor import execute
from commands.handlers import roles_allowed
from commands.models import (
    ApproveDocument,
    AttachDocument,
    CheckDocument,
    ReleaseDocument,
)
from warroom.domain import words
from warroom.storage import Document
from web.answers import BYTES, DOCUMENT, DOCUMENT_TYPES
from web.deps import ActorDep, IdempotencyKeyDep, IfMatchDep, StateDep, WhenDep

# Who may read a document's bytes: those who handle documents, and the auditor.
READS_DOCUMENTS = frozenset().union(
    *(
        roles_allowed(command)
        for command in (AttachDocument, ApproveDocument, CheckDocument, ReleaseDocument)
    )
) | {"auditor"}

router = APIRouter(
    prefix="/api/inspections/{inspection_id}/requests/{request_id}", tags=["requests"]
)


@router.post("/documents", status_code=201, summary="Attach a document version")
def attach_document(
    inspection_id: str,
    request_id: str,
    state: StateDep,
    actor: ActorDep,
    file: Annotated[UploadFile, File(description="The document itself")],
    version: Annotated[str, Form(min_length=1, max_length=40)],
    if_match: IfMatchDep,
    # When it was attached, if entered after the fact; now if left out.
    occurred_at: Annotated[str | None, Form()] = None,
    idempotency_key: IdempotencyKeyDep = None,
) -> JSONResponse:
    content = file.file.read()
    if len(content) > state.settings.max_body_bytes:
        raise HTTPException(
            413, f"documents are limited to {state.settings.max_body_bytes} bytes"
        )
    sha256 = hashlib.sha256(content).hexdigest()
    command = _command(
        sha256, file.filename or "document", version, len(content), occurred_at
    )
    outcome = execute(
        state.app,
        actor,
        command,
        inspection_id=inspection_id,
        target_id=request_id,
        if_match=if_match,
        idempotency_key=idempotency_key,
        status=201,
        # Stored in the same transaction as the event that names them: a
        # refused or conflicting upload stores no bytes.
        documents=[Document(sha256, content)],
    )
    return JSONResponse(outcome.body, status_code=outcome.status)


def _command(
    sha256: str, name: str, version: str, size: int, occurred_at: str | None
) -> AttachDocument:
    """The command, or 422 naming the form field: a file's name, blank or over
    255 characters, is the `file` field's fault."""
    try:
        return AttachDocument.model_validate(
            {
                "sha256": sha256,
                "name": name,
                "version": version,
                "size": size,
                "occurred_at": occurred_at,
            }
        )
    except ValidationError as error:
        problems = [_as_form_field(problem) for problem in error.errors()]
        raise RequestValidationError(problems) from None


def _as_form_field(problem: Any) -> Any:
    if problem["loc"] == ("name",):
        return {**problem, "loc": ("body", "file", "filename")}
    return {**problem, "loc": ("body", *problem["loc"])}


@router.get(
    "/documents/{sha256}",
    summary="The exact bytes of an attached version",
    response_class=Response,
    responses=DOCUMENT,
)
def document_content(
    inspection_id: str,
    request_id: str,
    sha256: str,
    state: StateDep,
    actor: ActorDep,
    when: WhenDep,
) -> Response:
    if actor.role not in READS_DOCUMENTS:
        raise HTTPException(
            403, f"{words.role(actor.role)} may not read documents' contents"
        )
    name, _ = state.reader.ask(
        inspection_id,
        lambda inspection, _: inspection.ledger.document_name(request_id, sha256),
        min_position=when.min_position,
    )
    content = state.app.store.get_document(sha256) if name else None
    if name is None or content is None:
        raise HTTPException(404, f"request {request_id} has no document {sha256}")
    return Response(
        content,
        media_type=_type_of(name),
        headers={
            "Content-Disposition": f'attachment; filename="{_safe(name)}"',
            "X-Content-SHA256": sha256,
        },
    )


def _type_of(name: str) -> str:
    ending = name[name.rfind(".") :].lower() if "." in name else ""
    return DOCUMENT_TYPES.get(ending, BYTES)


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "._- " else "_" for c in name)
