from tests.helpers import Inspection, WarRoomClient, sha256


def test_a_request_walks_from_requested_to_released(
    client: WarRoomClient, inspection: Inspection
) -> None:
    rid = client.ok(
        "gatekeeper",
        f"{inspection.path}/requests",
        {
            "title": "Annex A",
            "requested_by": inspection.lead_inspector,
            "channel": "kit",
        },
    )["id"]
    client.ok(
        "gatekeeper",
        f"{inspection.path}/requests/{rid}/assign",
        {"assignee": client.user_ids["preparer"]},
    )
    attached = client.attach("preparer", inspection.id, rid, b"content")
    assert attached.status_code == 201, attached.text
    digest = sha256(b"content")
    assert attached.json()["sha256"] == digest
    client.ok("lead", f"{inspection.path}/requests/{rid}/approve", {"sha256": digest})
    client.ok(
        "rapid_response", f"{inspection.path}/requests/{rid}/check", {"sha256": digest}
    )
    released = client.ok(
        "gatekeeper",
        f"{inspection.path}/requests/{rid}/release",
        {"sha256": digest, "to": inspection.lead_inspector, "medium": "electronic"},
    )
    ledger = client.get("staff", f"{inspection.path}/ledger").json()
    assert [line["sha256"] for line in ledger["lines"]] == [digest]
    assert ledger["position"] >= released["position"]
