"""GET .../ledger/packet: the documents released in a span with their ledger
lines and SHA-256 sums, as a zip, optionally AES-256 with a password."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import uuid
import zipfile
from typing import Any

import pytest
import pyzipper

from rendering.packet import Packet, Span
from tests.conftest import TEST_VERIFIER_KEY
from tests.days import iso_day
from tests.helpers import ROLES, Inspection, WarRoomClient, new_request, walk_request
from warroom.evidence.notes import Verifier
from warroom.evidence.receipt import verify_receipt
from web.routes.documents import READS_DOCUMENTS

FIRST = b"%PDF-1.7 Annex A: the list of children in need, as at Monday"
SECOND = b"%PDF-1.7 Minutes of the Kestrel panel, 12 May"


def released_two(client: WarRoomClient, inspection: Inspection) -> list[dict[str, Any]]:
    """Two documents released, one after the other; their ledger lines."""
    for title, content in (("Annex A", FIRST), ("Panel minutes", SECOND)):
        rid = new_request(client, inspection, title=title)
        walk_request(client, inspection, rid, "released", content=content)
    lines: list[dict[str, Any]] = client.get(
        "auditor", f"{inspection.path}/ledger"
    ).json()["lines"]
    assert len(lines) == 2
    return lines


def packet(
    client: WarRoomClient,
    inspection: Inspection,
    role: str = "auditor",
    password: str | None = None,
    **span: str,
) -> Any:
    headers = client.headers(role)
    if password is not None:
        headers["X-Packet-Password"] = password
    params = {"from": span["start"]} if "start" in span else {}
    if "end" in span:
        params["to"] = span["end"]
    return client.http.get(
        f"{inspection.path}/ledger/packet", params=params, headers=headers
    )


def files_of(body: bytes, password: str | None = None) -> dict[str, bytes]:
    with pyzipper.AESZipFile(io.BytesIO(body)) as packed:
        if password is not None:
            packed.setpassword(password.encode())
        return {name: packed.read(name) for name in packed.namelist()}


def test_a_packet_holds_each_released_document_its_ledger_lines_and_their_sums(
    client: WarRoomClient, inspection: Inspection
) -> None:
    lines = released_two(client, inspection)
    answer = packet(client, inspection)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/zip"
    files = files_of(answer.content)

    documents = {k: v for k, v in files.items() if k.startswith("documents/")}
    assert sorted(documents.values()) == sorted([FIRST, SECOND])
    packed = json.loads(files["ledger.json"])["lines"]
    assert [{k: v for k, v in p.items() if k != "file"} for p in packed] == lines
    assert [files[p["file"]] for p in packed] == [FIRST, SECOND]
    for line in packed:
        assert hashlib.sha256(files[line["file"]]).hexdigest() == line["sha256"]
    table = list(csv.DictReader(io.StringIO(files["ledger.csv"].decode())))
    assert [(r["line"], r["sha256"], r["file"]) for r in table] == [
        (str(p["line"]), p["sha256"], p["file"]) for p in packed
    ]
    assert table[0]["to"] == "Tom Bright"  # inspectors by name, as printed

    rows = files["SHA256SUMS"].decode().splitlines()
    sums = {path: digest for digest, path in (row.split("  ", 1) for row in rows)}
    assert sums.keys() == files.keys() - {"SHA256SUMS"}
    for path, digest in sums.items():
        assert hashlib.sha256(files[path]).hexdigest() == digest
    manifest = json.loads(files["packet.json"])
    assert manifest["lines"] == [1, 2] and manifest["inspection_id"] == inspection.id

    # Each line's receipt proves, offline, that its release is in the signed log.
    verifier = Verifier.parse(TEST_VERIFIER_KEY)
    for line in packed:
        receipt = json.loads(files[f"receipts/line-{line['line']}.json"])
        event = verify_receipt(receipt, verifier)
        assert event["position"] == line["position"]
        assert event["data"]["sha256"] == line["sha256"]


def test_a_packet_holds_only_the_lines_released_in_its_span(
    client: WarRoomClient, inspection: Inspection
) -> None:
    first, second = released_two(client, inspection)
    cut = second["occurred_at"]  # from is inclusive, to exclusive

    def packed(**span: str) -> list[int]:
        answer = packet(client, inspection, **span)
        assert answer.status_code == 200, answer.text
        files = files_of(answer.content)
        lines = json.loads(files["ledger.json"])["lines"]
        documents = [f for f in files if f.startswith("documents/")]
        assert sorted(documents) == sorted({line["file"] for line in lines})
        return [line["line"] for line in lines]

    assert packed(start=cut) == [second["line"]]
    assert packed(end=cut) == [first["line"]]
    assert packed(start=first["occurred_at"], end=cut) == [first["line"]]
    assert packed(start="2099-01-01T00:00:00Z") == []


def test_a_password_makes_an_aes_256_zip_that_opens_with_it_and_only_with_it(
    client: WarRoomClient, inspection: Inspection
) -> None:
    released_two(client, inspection)
    password = "correct horse battery"
    answer = packet(client, inspection, password=password)
    assert answer.status_code == 200, answer.text
    assert b"Kestrel" not in answer.content and b"Annex" not in answer.content

    files = files_of(answer.content, password)
    assert sorted(v for k, v in files.items() if k.startswith("documents/")) == sorted(
        [FIRST, SECOND]
    )
    with pyzipper.AESZipFile(io.BytesIO(answer.content)) as packed:
        infos = packed.infolist()
        assert all(info.flag_bits & 0x1 for info in infos)  # every entry encrypted
        packed.setpassword(b"wrong password")
        with pytest.raises(RuntimeError, match="Bad password"):
            packed.read("ledger.json")
    with (
        zipfile.ZipFile(io.BytesIO(answer.content)) as plain,
        pytest.raises((RuntimeError, NotImplementedError)),
    ):
        plain.read("ledger.json")


def test_a_password_too_short_to_protect_anything_is_refused(
    client: WarRoomClient, inspection: Inspection
) -> None:
    released_two(client, inspection)
    before = client.stored()
    for password in ("1234", "x" * 201):
        answer = packet(client, inspection, password=password)
        assert answer.status_code == 422
        assert answer.json()["detail"][0]["loc"] == ["header", "X-Packet-Password"]
        assert password[:4] not in answer.text  # never quoted back
    assert client.stored() == before


@pytest.mark.parametrize("password", ["", " ", "x", "7 chars"])
def test_an_empty_or_short_password_header_is_refused_not_answered_with_a_plain_zip(
    client: WarRoomClient, inspection: Inspection, password: str
) -> None:
    """Issue 22, finding 9: an empty header once answered an unencrypted zip."""
    released_two(client, inspection)
    before = client.stored()
    answer = packet(client, inspection, password=password)
    assert answer.status_code == 422, answer.headers
    [problem] = answer.json()["detail"]
    assert problem["loc"] == ["header", "X-Packet-Password"]
    assert problem["msg"] == "a packet's password has 8 to 200 characters"
    assert b"Kestrel" not in answer.content
    assert client.stored() == before


@pytest.mark.parametrize("length", [8, 200])
def test_a_password_of_8_or_200_characters_seals_the_packet_and_says_so(
    client: WarRoomClient, inspection: Inspection, length: int
) -> None:
    released_two(client, inspection)
    password = "p" * length
    answer = packet(client, inspection, password=password)
    assert answer.status_code == 200, answer.text
    assert answer.headers["X-Packet-Encryption"] == "aes-256"
    assert b"Kestrel" not in answer.content
    assert SECOND in files_of(answer.content, password).values()


def test_a_packet_asked_for_without_the_header_says_it_is_not_sealed(
    client: WarRoomClient, inspection: Inspection
) -> None:
    """`curl -H "X-Packet-Password:"` removes the header: a plain zip, told."""
    released_two(client, inspection)
    answer = packet(client, inspection)
    assert answer.status_code == 200, answer.text
    assert answer.headers["X-Packet-Encryption"] == "none"
    assert SECOND in files_of(answer.content).values()


def test_a_span_that_ends_before_it_starts_is_refused(
    client: WarRoomClient, inspection: Inspection
) -> None:
    before = client.stored()
    answer = packet(
        client,
        inspection,
        start=f"{iso_day(1)}T10:00:00Z",
        end=f"{iso_day(1)}T09:00:00Z",
    )
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["query", "to"]
    answer = packet(client, inspection, start=f"{iso_day(1)}T10:00:00")  # no zone
    assert answer.status_code == 422
    assert client.stored() == before


def test_only_those_who_may_read_documents_get_a_packet(
    client: WarRoomClient, inspection: Inspection
) -> None:
    released_two(client, inspection)
    before = client.stored()
    assert {"lead", "gatekeeper", "rapid_response", "auditor"} == READS_DOCUMENTS
    for role in ROLES:
        answer = packet(client, inspection, role=role)
        expected = 200 if role in READS_DOCUMENTS else 403
        assert answer.status_code == expected, (role, answer.text)
    anonymous = client.http.get(f"{inspection.path}/ledger/packet")
    assert anonymous.status_code == 401
    assert client.stored() == before


@pytest.mark.parametrize("password", ["", "short", "x" * 201])
def test_a_packet_is_never_zipped_with_a_password_out_of_bounds(password: str) -> None:
    empty = Packet(str(uuid.uuid4()), Span(), 0, [], {})
    with pytest.raises(ValueError, match="8 to 200 characters"):
        empty.zip(password)
