"""Receipts prove names and titles, on both databases: beside the hand-over's
leaf, the leaves that named its inspector, the person who released it and
its request, each with an inclusion proof against the same checkpoint, so
that offline (the command line with no server, the docs' few lines of
Python) a receipt reads "Helen Ward (lead inspector)" and the request's
title, and a name's leaf altered by one byte is refused."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TEST_VERIFIER_KEY
from tests.helpers import Inspection, WarRoomClient, new_request, walk_request
from tests.integration.test_organisation_trees import Council, organisation
from tests.servers import warroom
from warroom.evidence.notes import Verifier
from warroom.evidence.receipt import BadReceipt, verify_receipt_names

TITLE = "Annex A: list of children in need"
ROOT = Path(__file__).parent.parent.parent
DOCS = (ROOT / "docs" / "verifiable-log.md", ROOT / "docs" / "evidence.md")


def docs_receipt_checker() -> Any:
    """`check_receipt` and `proven_names`, from the few lines of Python the
    docs/verifiable-log.md and docs/evidence.md give auditors (the same block
    in both)."""
    blocks = {
        doc.read_text()
        .split("<!-- receipt-verifier -->", 1)[1]
        .split("```python\n", 1)[1]
        .split("```", 1)[0]
        for doc in DOCS
    }
    assert len(blocks) == 1, "the two pages' verifiers differ"
    scope: dict[str, Any] = {}
    exec(blocks.pop(), scope)
    return scope


def released_to_the_lead(
    client: WarRoomClient, inspection: Inspection
) -> dict[str, Any]:
    """A release to the lead inspector by the gatekeeper; its receipt."""
    rid = new_request(client, inspection, title=TITLE)
    digest = walk_request(client, inspection, rid, "checked")
    client.ok(
        "gatekeeper",
        f"{inspection.path}/requests/{rid}/release",
        {"sha256": digest, "to": inspection.lead_inspector, "medium": "electronic"},
    )
    ledger = client.get("auditor", f"{inspection.path}/ledger").json()
    line = ledger["lines"][-1]["line"]
    answer = client.get("auditor", f"{inspection.path}/ledger/{line}/receipt")
    assert answer.status_code == 200, answer.text
    receipt: dict[str, Any] = answer.json()
    return receipt


def check_offline(tmp_path: Path, receipt: dict[str, Any], key: str) -> Any:
    """`warroom verify-receipt` as a program on its own, with no server and
    no database it could read (the file named does not exist)."""
    path = tmp_path / "receipt.json"
    path.write_text(json.dumps(receipt))
    nowhere = f"sqlite:///{tmp_path / 'no-such-database.db'}"
    return warroom(nowhere, "verify-receipt", str(path), "--key", key)


def flipped(receipt: dict[str, Any], which: int) -> dict[str, Any]:
    """The receipt with one byte of its `which`th name's leaf changed."""
    names = [dict(entry) for entry in receipt["names"]]
    leaf = bytearray(base64.b64decode(names[which]["leaf"]))
    leaf[len(leaf) // 2] ^= 0x01
    names[which]["leaf"] = base64.b64encode(bytes(leaf)).decode()
    return {**receipt, "names": names}


def test_a_receipt_names_the_inspector_the_releaser_and_the_request_offline(
    client: WarRoomClient, inspection: Inspection, tmp_path: Path
) -> None:
    receipt = released_to_the_lead(client, inspection)
    assert len(receipt["names"]) == 3
    size = receipt["inclusion"]["size"]
    assert all(entry["inclusion"]["size"] == size for entry in receipt["names"])
    event, names = verify_receipt_names(receipt, Verifier.parse(TEST_VERIFIER_KEY))
    assert event["data"]["to"] == inspection.lead_inspector
    assert names == {
        "to": "Helen Ward (lead inspector)",
        "by": "A gatekeeper (gatekeeper)",
        "request": TITLE,
    }
    checked = check_offline(tmp_path, receipt, TEST_VERIFIER_KEY)
    assert checked.returncode == 0, checked.stderr
    assert "handed over to: Helen Ward (lead inspector)" in checked.stdout
    assert "released by: A gatekeeper (gatekeeper)" in checked.stdout
    assert f"the request: {TITLE}" in checked.stdout
    docs = docs_receipt_checker()
    assert docs["check_receipt"](receipt, TEST_VERIFIER_KEY) == event
    assert docs["proven_names"](receipt, TEST_VERIFIER_KEY) == names


@pytest.mark.parametrize("which", [0, 1, 2])
def test_a_name_whose_leaf_was_altered_is_refused_offline(
    client: WarRoomClient, inspection: Inspection, tmp_path: Path, which: int
) -> None:
    receipt = released_to_the_lead(client, inspection)
    tampered = flipped(receipt, which)
    with pytest.raises(BadReceipt, match=f"name {which + 1}: the inclusion proof"):
        verify_receipt_names(tampered, Verifier.parse(TEST_VERIFIER_KEY))
    refused = check_offline(tmp_path, tampered, TEST_VERIFIER_KEY)
    assert refused.returncode == 1
    assert "does not hold" in refused.stderr and refused.stdout == ""
    with pytest.raises(ValueError, match="not in the signed log"):
        docs_receipt_checker()["proven_names"](tampered, TEST_VERIFIER_KEY)


def test_a_name_of_something_else_in_the_log_is_refused(
    client: WarRoomClient, inspection: Inspection, tmp_path: Path
) -> None:
    """A genuine leaf of the same log put on the wrong id: the team
    inspector's joining offered as the name of a release to the lead."""
    first = released_to_the_lead(client, inspection)
    rid = new_request(client, inspection, title="Another")
    walk_request(client, inspection, rid, "released", content=b"%PDF another")
    ledger = client.get("auditor", f"{inspection.path}/ledger").json()
    other = client.get(
        "auditor", f"{inspection.path}/ledger/{ledger['lines'][-1]['line']}/receipt"
    ).json()
    joined_team = [
        entry
        for entry in other["names"]
        if json.loads(base64.b64decode(entry["leaf"]))["type"] == "InspectorJoined"
    ]
    # Proven against the newer checkpoint: the release put with it holds too.
    first_now = client.get(
        "auditor",
        f"{inspection.path}/ledger/{ledger['lines'][0]['line']}/receipt",
    ).json()
    assert first_now["checkpoint"] == other["checkpoint"]
    wrong = {**first_now, "names": [*first_now["names"][1:], *joined_team]}
    with pytest.raises(BadReceipt, match="not of this hand-over"):
        verify_receipt_names(wrong, Verifier.parse(TEST_VERIFIER_KEY))
    refused = check_offline(tmp_path, wrong, TEST_VERIFIER_KEY)
    assert refused.returncode == 1 and "not of this hand-over" in refused.stderr
    assert first["names"] and first["inclusion"]["size"] < other["inclusion"]["size"]


def test_another_councils_receipt_names_come_from_its_own_tree(
    client: WarRoomClient, tmp_path: Path
) -> None:
    organisation(client, "Leeds")
    york_id = organisation(client, "York")
    york_client = WarRoomClient(http=client.http)
    york_client.add_users(york_id)
    york = Council(york_id, york_client, Inspection.open(york_client))
    receipt = released_to_the_lead(york.client, york.inspection)
    key = york.client.get("staff", "/api/log/key").text.strip()
    assert len(receipt["names"]) == 3
    checked = check_offline(tmp_path, receipt, key)
    assert checked.returncode == 0, checked.stderr
    assert "handed over to: Helen Ward (lead inspector)" in checked.stdout
    # The first council's key proves nothing of York's log, names included.
    refused = check_offline(tmp_path, receipt, TEST_VERIFIER_KEY)
    assert refused.returncode == 1
