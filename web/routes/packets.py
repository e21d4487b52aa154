"""The hand-over packet: a span of the ledger with its documents, as a zip."""

from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import APIRouter, Header, HTTPException, Query, Request
from fastapi.responses import Response
from pydantic import AwareDatetime, WithJsonSchema

from rendering.packet import Packet, Span, password_problem
from web.answers import FORBIDDEN, READ_ERRORS, Responses
from web.deps import NOT_A_NUMBER, ActorDep, StateDep, WhenDep
from web.routes.documents import READS_DOCUMENTS

router = APIRouter(prefix="/api/inspections/{inspection_id}", tags=["read models"])

ZIP: Responses = {
    200: {
        "description": "A zip: the documents released in the span, `ledger.csv`, "
        "`ledger.json`, each line's receipt, `SHA256SUMS` and `packet.json` "
        "(AES-256 with a password)",
        "content": {"application/zip": {"schema": {"type": "string"}}},
        "headers": {
            "X-Packet-Encryption": {
                "description": "`aes-256` with a password, `none` without",
                "schema": {"type": "string", "enum": ["aes-256", "none"]},
            }
        },
    }
}

PasswordDep = Annotated[
    str | None,
    # Declared as checked below (an empty one too), never `null`.
    WithJsonSchema({"type": "string", "minLength": 8, "maxLength": 200}),
    Header(
        alias="X-Packet-Password",
        description="Protects the zip with AES-256 (WinZip AES: 7-Zip, WinZip and "
        "pyzipper open it; Windows' own zip folders cannot): 8 to 200 characters, "
        "whenever the header is sent (an empty one is refused, not a plain zip). "
        "A header, so that it never appears in a URL or an access log; give it to "
        "the inspector by another way (a phone call).",
    ),
]


@router.get(
    "/ledger/packet",
    summary="The documents released in a span, with their ledger lines, as a zip",
    response_class=Response,
    responses={**ZIP, **READ_ERRORS, **FORBIDDEN},
)
def packet(
    inspection_id: str,
    request: Request,
    state: StateDep,
    actor: ActorDep,
    when: WhenDep,
    start: Annotated[
        AwareDatetime | None,
        NOT_A_NUMBER,
        Query(alias="from", description="Released at or after (with its zone)"),
    ] = None,
    end: Annotated[
        AwareDatetime | None,
        NOT_A_NUMBER,
        Query(alias="to", description="Released before (with its zone)"),
    ] = None,
    password: PasswordDep = None,
) -> Response:
    if actor.role not in READS_DOCUMENTS:
        raise HTTPException(403, f"a {actor.role} may not read documents' contents")
    if start is not None and end is not None and end < start:
        raise HTTPException(
            422,
            [
                {
                    "loc": ["query", "to"],
                    "msg": "to is before from",
                    "type": "value_error",
                }
            ],
        )
    # Read from the headers themselves: FastAPI takes an empty header for
    # none, and an empty password must be refused, not make a plain zip.
    password = request.headers.get("X-Packet-Password", password)
    problem = password_problem(password)
    if problem is not None:
        # Checked here, not by the header's schema: a 422 from the schema would
        # quote the password back.
        raise HTTPException(
            422,
            [
                {
                    "loc": ["header", "X-Packet-Password"],
                    "msg": problem,
                    "type": "value_error",
                }
            ],
        )
    span = Span(start, end)
    lines, position = state.reader.ask(
        inspection_id,
        lambda i, _: [
            line
            for line in i.ledger.render(i.inspector_names())["lines"]
            if span.holds(line)
        ],
        at=when.at,
        as_of=when.as_of,
        happened_by=when.happened_by,
        min_position=when.min_position,
    )
    documents: dict[str, bytes] = {}
    for sha256 in {line["sha256"] for line in lines if line["sha256"]}:
        content = state.app.store.get_document(sha256)
        if content is None:  # saved with its event: only a damaged store lacks it
            raise LookupError(f"the ledger names a document not stored: {sha256}")
        documents[sha256] = content
    receipts: dict[int, bytes] = {}
    for line in lines:
        receipt = state.app.evidence.receipt(line["position"], state.signer)
        if receipt is not None:
            receipts[line["line"]] = orjson.dumps(receipt, option=orjson.OPT_INDENT_2)
    made = Packet(inspection_id, span, position, lines, documents, receipts)
    return Response(
        made.zip(password),
        media_type="application/zip",
        headers={
            "Content-Disposition": 'attachment; filename="handover-packet.zip"',
            "Cache-Control": "no-store",
            # Says whether it is sealed: `curl -H "X-Packet-Password:"` sends
            # no header at all (curl's way to remove one), and gets a plain zip.
            "X-Packet-Encryption": "none" if password is None else "aes-256",
        },
    )
