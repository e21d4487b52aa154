"""Cases are pseudonymous: a reference that may be a person's name is refused
with the reason, and nothing is stored; a council's case numbers pass."""

from __future__ import annotations

import pytest

from tests.helpers import Inspection, WarRoomClient, refused


@pytest.mark.parametrize(
    "ref", ["Jane Smith", "JaneSmith", "Jane.Smith", "smith_j", "Smith1", "Jane-2"]
)
def test_a_case_reference_that_may_be_a_name_is_refused_saying_why(
    client: WarRoomClient, inspection: Inspection, ref: str
) -> None:
    body = {"ref": ref, "selection": "audited", "plan": "CP"}
    answer = refused(client, 422, "rapid_response", f"{inspection.path}/cases", body)
    [problem] = answer["detail"]
    assert problem["loc"][-1] == "ref"
    assert "pseudonymous" in problem["msg"]
    assert "never a child's name" in problem["msg"]
    cases = client.get("auditor", f"{inspection.path}/cases").json()
    assert cases["cases"] == []


@pytest.mark.parametrize("ref", ["CP-0042", "LAC-7", "LCS/123456", "1234567", "A-001"])
def test_a_councils_case_number_is_accepted(
    client: WarRoomClient, inspection: Inspection, ref: str
) -> None:
    body = {"ref": ref, "selection": "tracked", "plan": "LAC"}
    client.ok("rapid_response", f"{inspection.path}/cases", body)
    cases = client.get("auditor", f"{inspection.path}/cases").json()
    assert [case["ref"] for case in cases["cases"]] == [ref]
