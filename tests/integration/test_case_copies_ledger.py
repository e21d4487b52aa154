"""The three copies of each case on the hand-over ledger (issue 15): "copies of
each case (one for the inspector, one for us and one for the social worker)",
made and handed over, recorded like any other hand-over: a ledger line with
its receipt, in the printed ledger, its CSV and the hand-over packet."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from typing import Any

from commands.models import HandOverCaseCopy, ReleaseCaseCopy
from tests.conftest import TEST_VERIFIER_KEY
from tests.helpers import (
    Inspection,
    WarRoomClient,
    new_request,
    refused,
    refused_roles,
    walk_request,
)
from warroom.evidence.notes import Verifier
from warroom.evidence.receipt import verify_receipt


def ledger(client: WarRoomClient, inspection: Inspection, **when: Any) -> list[Any]:
    lines: list[Any] = client.get(
        "auditor", f"{inspection.path}/ledger", **when
    ).json()["lines"]
    return lines


def copies_made(client: WarRoomClient, inspection: Inspection, ref: str) -> str:
    """A tracked case with its three copies made; the path of its copies."""
    cid = client.ok(
        "rapid_response",
        f"{inspection.path}/cases",
        {"ref": ref, "selection": "tracked", "plan": "LAC", "social_worker": "Sam"},
    )["id"]
    copies = f"{inspection.path}/cases/{cid}/copies"
    for which in ("inspector", "council", "social_worker"):
        client.ok("rapid_response", copies, {"copy_for": which})
    return copies


def test_each_copy_handed_over_is_a_ledger_line_after_the_releases(
    client: WarRoomClient, inspection: Inspection
) -> None:
    walk_request(client, inspection, new_request(client, inspection), "released")
    copies = copies_made(client, inspection, "LAC-7")
    assert len(ledger(client, inspection)) == 1  # made is not handed over
    release = {"to": inspection.team_inspector, "medium": "hard_copy"}
    released_at = client.ok("gatekeeper", f"{copies}/release", release)["position"]
    client.ok(
        "rapid_response",
        f"{copies}/hand-over",
        {"copy_for": "social_worker", "to": "Sam", "medium": "electronic"},
    )
    client.ok(
        "lead",
        f"{copies}/hand-over",
        {"copy_for": "council", "to": "War room file", "medium": "hard_copy"},
    )

    first, *copy_lines = ledger(client, inspection)
    assert (first["line"], first["kind"], first["case_ref"]) == (1, "release", None)
    shown = [
        (
            line["line"],
            line["kind"],
            line["case_ref"],
            line["copy_for"],
            line["to"],
            line["to_name"],
            line["medium"],
            line["released_by"],
            line["document"],
        )
        for line in copy_lines
    ]
    assert shown == [
        (
            2,
            "case_copy",
            "LAC-7",
            "inspector",
            inspection.team_inspector,
            "Tom Bright",
            "hard_copy",
            "A gatekeeper",
            "The inspector's copy of case LAC-7",
        ),
        (
            3,
            "case_copy",
            "LAC-7",
            "social_worker",
            "Sam",
            "Sam",
            "electronic",
            "A rapid_response",
            "The social worker's copy of case LAC-7",
        ),
        (
            4,
            "case_copy",
            "LAC-7",
            "council",
            "War room file",
            "War room file",
            "hard_copy",
            "A lead",
            "Our copy of case LAC-7",
        ),
    ]
    for line in copy_lines:
        # No request, approval or stored document answers to a copy.
        assert (line["request_id"], line["sha256"], line["version"]) == (None,) * 3
        assert (line["approved_by"], line["checked_by"]) == (None, None)
        assert line["request"] == "Case LAC-7" and line["occurred_at"]
    # The ledger as it stood when the inspector's copy was released.
    assert [line["line"] for line in ledger(client, inspection, at=released_at)] == [
        1,
        2,
    ]


def test_a_copy_line_has_a_receipt_and_is_in_the_print_csv_and_packet(
    client: WarRoomClient, inspection: Inspection
) -> None:
    copies = copies_made(client, inspection, "LAC-7")
    client.ok(
        "gatekeeper",
        f"{copies}/release",
        {"to": inspection.team_inspector, "medium": "packet"},
    )
    client.ok(
        "rapid_response",
        f"{copies}/hand-over",
        {"copy_for": "social_worker", "to": "Sam", "medium": "electronic"},
    )
    lines = ledger(client, inspection)
    verifier = Verifier.parse(TEST_VERIFIER_KEY)
    for line, kind in zip(
        lines, ("CaseCopyReleased", "CaseCopyHandedOver"), strict=True
    ):
        receipt = client.get(
            "auditor", f"{inspection.path}/ledger/{line['line']}/receipt"
        )
        assert receipt.status_code == 200, receipt.text
        event = verify_receipt(receipt.json(), verifier)
        assert (event["type"], event["position"]) == (kind, line["position"])
        assert event["data"]["to"] == line["to"]

    table = list(
        csv.DictReader(
            io.StringIO(
                client.get("auditor", f"{inspection.path}/ledger", format="csv").text
            )
        )
    )
    assert [
        (r["line"], r["kind"], r["case_ref"], r["copy_for"], r["to"]) for r in table
    ] == [
        ("1", "case_copy", "LAC-7", "inspector", "Tom Bright"),
        ("2", "case_copy", "LAC-7", "social_worker", "Sam"),
    ]
    assert table[0]["sha256"] == ""

    printed = client.get("auditor", f"/print/inspections/{inspection.id}/ledger")
    assert printed.status_code == 200, printed.text
    assert "The inspector&#39;s copy of case LAC-7" in printed.text
    assert "The social worker&#39;s copy of case LAC-7" in printed.text
    assert "SHA-256" not in printed.text  # no stored document, no hash to print

    answer = client.get("auditor", f"{inspection.path}/ledger/packet")
    assert answer.status_code == 200, answer.text
    with zipfile.ZipFile(io.BytesIO(answer.content)) as packed:
        files = {name: packed.read(name) for name in packed.namelist()}
    assert not [name for name in files if name.startswith("documents/")]
    packed_lines = json.loads(files["ledger.json"])["lines"]
    assert [(p["kind"], p["file"]) for p in packed_lines] == [
        ("case_copy", None),
        ("case_copy", None),
    ]
    for line in packed_lines:
        event = verify_receipt(
            json.loads(files[f"receipts/line-{line['line']}.json"]), verifier
        )
        assert event["position"] == line["position"]
    assert json.loads(files["packet.json"])["documents"] == []


def test_a_copy_refused_by_role_or_order_adds_no_ledger_line(
    client: WarRoomClient, inspection: Inspection
) -> None:
    cid = client.ok(
        "rapid_response",
        f"{inspection.path}/cases",
        {"ref": "CP-3", "selection": "audited", "plan": "CP", "social_worker": "Sam"},
    )["id"]
    copies = f"{inspection.path}/cases/{cid}/copies"
    release = {"to": inspection.team_inspector, "medium": "hard_copy"}
    hand_over = {"copy_for": "council", "to": "War room file", "medium": "hard_copy"}
    # Wrong order: a copy handed over before it is made.
    assert refused(client, 409, "gatekeeper", f"{copies}/release", release)["rule"] == (
        "copy_before_hand_over"
    )
    assert refused(client, 409, "lead", f"{copies}/hand-over", hand_over)["rule"] == (
        "copy_before_hand_over"
    )
    client.ok("rapid_response", copies, {"copy_for": "inspector"})
    client.ok("rapid_response", copies, {"copy_for": "council"})
    # Wrong role: only the gatekeeper releases the inspector's copy.
    for role in refused_roles(ReleaseCaseCopy):
        refused(client, 403, role, f"{copies}/release", release)
    for role in refused_roles(HandOverCaseCopy):
        refused(client, 403, role, f"{copies}/hand-over", hand_over)
    # The inspector's copy is never handed over by the war room itself.
    refused(
        client,
        422,
        "lead",
        f"{copies}/hand-over",
        {"copy_for": "inspector", "to": "Tom Bright", "medium": "hard_copy"},
    )
    assert ledger(client, inspection) == []
    client.ok("gatekeeper", f"{copies}/release", release)
    # Handed over once: the second is refused and the ledger keeps one line.
    assert refused(client, 409, "gatekeeper", f"{copies}/release", release)["rule"] == (
        "hand_over_once"
    )
    assert [line["copy_for"] for line in ledger(client, inspection)] == ["inspector"]
