"""`/openapi.json` says what each route answers, so clients and fuzzers can check."""

from __future__ import annotations

from typing import Any

from tests.helpers import WarRoomClient

READS = {
    "/api/inspections/{inspection_id}": "InspectionRead",
    "/api/inspections/{inspection_id}/schedule": "DayRead",
    "/api/inspections/{inspection_id}/agenda/{person}": "AgendaRead",
    "/api/inspections/{inspection_id}/ledger": "LedgerRead",
    "/api/inspections/{inspection_id}/requests": "RequestsRead",
    "/api/inspections/{inspection_id}/cases": "CasesRead",
    # issue 22: a case's items browsed, a page at a time
    "/api/inspections/{inspection_id}/cases/{case_id}/browsed": "BrowsedRead",
    "/api/inspections/{inspection_id}/blog/{day}": "BlogRead",
    "/api/inspections/{inspection_id}/lines-of-enquiry": "LinesOfEnquiryRead",
    "/api/inspections/{inspection_id}/kit-notes": "KitNotesRead",
    # issue 15
    "/api/inspections/{inspection_id}/playbook": "PlaybookRead",
    "/api/inspections/{inspection_id}/annex-a": "AnnexARead",
    "/api/inspections/{inspection_id}/debriefs": "DebriefsRead",
}


def _spec(client: WarRoomClient) -> dict[str, Any]:
    spec: dict[str, Any] = client.http.get("/openapi.json").json()
    return spec


def test_every_read_route_declares_its_answer_and_its_errors(
    client: WarRoomClient,
) -> None:
    spec = _spec(client)
    for path, model in READS.items():
        responses = spec["paths"][path]["get"]["responses"]
        schema = responses["200"]["content"]["application/json"]["schema"]
        assert schema == {"$ref": f"#/components/schemas/{model}"}, path
        assert {"401", "404", "422"} <= responses.keys(), path
        read = spec["components"]["schemas"][model]
        assert {"position", "past", "as_of"} <= set(read["required"]), model


def test_the_ledger_says_it_also_answers_csv(client: WarRoomClient) -> None:
    responses = _spec(client)["paths"]["/api/inspections/{inspection_id}/ledger"][
        "get"
    ]["responses"]
    assert "text/csv" in responses["200"]["content"]


# A wall screen asks for its code and its token signed in as nobody (issue
# 25): no 401 or 403, and its refusals are RFC 8628's (400, 429).
SIGNED_IN_AS_NOBODY = {
    "/api/device/codes": {"429"},
    "/api/device/token": {"400", "422"},
    # People's sign-in (issue 26): a link's secret exchanged, a session ended.
    "/auth/link": {"401", "403", "413", "422"},
    # Signing out of single sign-on (issue 26): whoever asks, a page moving on.
    "/auth/logout": {"200"},
}


def test_every_command_declares_its_refusals(client: WarRoomClient) -> None:
    spec = _spec(client)
    for path, operations in spec["paths"].items():
        if path in SIGNED_IN_AS_NOBODY:
            declared = operations["post"]["responses"].keys()
            assert SIGNED_IN_AS_NOBODY[path] <= declared, path
            continue
        if "post" in operations:
            declared = operations["post"]["responses"].keys()
            assert {"401", "403", "404", "409", "413", "422"} <= declared, path
            conflict = operations["post"]["responses"]["409"]["content"]
            schema = conflict["application/json"]["schema"]
            # ReasonProblem: a RuleProblem with what a missing reason needs
            # (closing a day early, a case beyond the sample; issue 23).
            named = {"RuleProblem", "ReasonProblem"}
            assert schema in [{"$ref": f"#/components/schemas/{n}"} for n in named], (
                path
            )
