"""What inspectors browsed in the case recording system: its access log
imported as CaseBrowsed events, over HTTP and from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from commands.models import ImportAccessLog
from tests.days import iso_day
from tests.helpers import Inspection, WarRoomClient, logged_events, refused_roles
from tests.servers import warroom
from warroom.config import Settings
from web.app import create_app

ON_DAY_TWO = f"{iso_day(1)}T10:15:00Z"
LOG = f"""user,case_ref,item,accessed_at
Helen Ward,CP-0042,Chronology,{iso_day(1)}T10:15:00Z
Tom Bright,CP-0042,Case notes,{iso_day(1)}T10:20:00+00:00
tom  bright,LAC-7,Care plan,{iso_day(1)}T11:00:00Z
""".encode()


def cases(client: WarRoomClient, inspection: Inspection) -> None:
    for ref, selection in (("CP-0042", "audited"), ("LAC-7", "tracked")):
        client.ok(
            "rapid_response",
            f"{inspection.path}/cases",
            {"ref": ref, "selection": selection, "plan": "CP"},
        )


def upload(
    client: WarRoomClient,
    inspection: Inspection,
    content: bytes,
    role: str = "rapid_response",
    **form: str,
) -> Any:
    return client.http.post(
        f"{inspection.path}/access-log",
        files={"file": ("access.csv", content, "text/csv")},
        data=form,
        headers=client.headers(role),
    )


def imported(
    client: WarRoomClient, inspection: Inspection, content: bytes, **form: str
) -> dict[str, Any]:
    response = upload(client, inspection, content, **form)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def board(client: WarRoomClient, inspection: Inspection) -> dict[str, Any]:
    body = client.get("staff", f"{inspection.path}/cases").json()
    return {c["ref"]: c for c in body["cases"]}


def test_the_same_file_imported_twice_is_stored_once(
    client: WarRoomClient, inspection: Inspection
) -> None:
    cases(client, inspection)
    before = client.stored()
    first = imported(client, inspection, LOG)
    assert (first["events"], first["already"], first["unmatched"]) == (3, 0, [])
    assert client.stored() > before
    stored = client.stored()

    second = imported(client, inspection, LOG)

    assert (second["events"], second["already"], second["unmatched"]) == (0, 3, [])
    assert client.stored() == stored
    shown = board(client, inspection)
    assert shown["CP-0042"]["browse_count"] == 2
    assert shown["CP-0042"]["browsed_by"] == {"Helen Ward": 1, "Tom Bright": 1}
    assert shown["LAC-7"]["items"] == {"Care plan": 1}
    browsed = [
        e for e in logged_events(client, inspection) if e["type"] == "CaseBrowsed"
    ]
    # Each event happened when the case system says it did.
    assert sorted(e["occurred_at"] for e in browsed) == [
        f"{iso_day(1)}T10:15:00+00:00",
        f"{iso_day(1)}T10:20:00+00:00",
        f"{iso_day(1)}T11:00:00+00:00",
    ]


def test_a_file_that_grew_stores_only_its_new_rows(
    client: WarRoomClient, inspection: Inspection
) -> None:
    cases(client, inspection)
    imported(client, inspection, LOG)
    more = f"Helen Ward,LAC-7,Health assessment,{iso_day(2)}T09:00:00Z\n"
    grown = LOG + more.encode()
    answer = imported(client, inspection, grown)
    assert (answer["events"], answer["already"]) == (1, 3)
    assert board(client, inspection)["LAC-7"]["browse_count"] == 2


def test_an_unknown_user_or_case_is_reported_with_its_line_and_not_stored(
    client: WarRoomClient, inspection: Inspection
) -> None:
    cases(client, inspection)
    log = (
        "user,case_ref,item,accessed_at\n"
        f"Helen Ward,CP-0042,Chronology,{iso_day(1)}T10:15:00Z\n"
        f"Ann Other,CP-0042,Chronology,{iso_day(1)}T10:16:00Z\n"
        f"Helen Ward,CP-9999,Chronology,{iso_day(1)}T10:17:00Z\n"
        f"Helen Ward,Jane Smith,Chronology,{iso_day(1)}T10:18:00Z\n"
        f"Helen Ward,LAC-7,Chronology,{iso_day(-6170)}T10:18:00Z\n"
    ).encode()
    before = client.stored()
    answer = imported(client, inspection, log)
    assert answer["events"] == 1
    lines = {row["line"]: row["reason"] for row in answer["unmatched"]}
    assert set(lines) == {3, 4, 5, 6}
    assert "Ann Other" in lines[3] and "roster" in lines[3]
    assert "CP-9999" in lines[4]
    assert "when it was opened" in lines[6] and "two years" in lines[6]
    browsed = [
        e
        for e in logged_events(client, inspection, after=before)
        if e["type"] == "CaseBrowsed"
    ]
    assert [(e["data"]["item"], e["data"]["inspector"]) for e in browsed] == [
        ("Chronology", inspection.lead_inspector)
    ]


def test_a_malformed_file_is_refused_with_the_line_and_the_reason_storing_nothing(
    client: WarRoomClient, inspection: Inspection
) -> None:
    cases(client, inspection)
    good = f"Helen Ward,CP-0042,Chronology,{iso_day(1)}T10:15:00Z\n".encode()
    header = b"user,case_ref,item,accessed_at\n"
    malformed = {
        header + good + b"Helen Ward,CP-0042,Chronology,yesterday\n": (3, "ISO 8601"),
        header + good + good + b"Helen Ward,CP-0042\n": (4, "fields"),
        header + f"Helen Ward,,Chronology,{ON_DAY_TWO}\n".encode(): (2, "case_ref"),
        b"who,case,what,when\n" + good: (1, "no column"),
        header + good + b"Helen Ward,CP-0042,\xff\xfe," + f"{ON_DAY_TWO}\n".encode(): (
            3,
            "UTF-8",
        ),
        b"": (1, "empty"),
    }
    for content, (line, reason) in malformed.items():
        before = client.stored()
        response = upload(client, inspection, content)
        assert response.status_code == 422, (content, response.text)
        (problem,) = response.json()["detail"]
        assert problem["loc"] == ["body", "file", line], (content, problem)
        assert problem["msg"].startswith(f"line {line}: "), problem
        assert reason in problem["msg"], problem
        assert client.stored() == before, content


def test_a_column_map_reads_another_layout(
    client: WarRoomClient, inspection: Inspection
) -> None:
    cases(client, inspection)
    log = (
        "Timestamp,Workstation,Username,Client ID,Document\n"
        f"{iso_day(1)}T10:15:00,x,Helen Ward,CP-0042,Chronology\n"
    ).encode()
    answer = imported(
        client,
        inspection,
        log,
        map="user=Username,case_ref=Client ID,item=Document,accessed_at=Timestamp",
    )
    assert answer["events"] == 1
    (browsed,) = [
        e for e in logged_events(client, inspection) if e["type"] == "CaseBrowsed"
    ]
    # A time without a zone is a time in the inspection's zone (London, GMT).
    assert browsed["occurred_at"] == f"{iso_day(1)}T10:15:00+00:00"
    bad = upload(client, inspection, log, map="who=Username")
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "map"]


def test_only_the_war_room_imports_an_access_log_and_a_refusal_stores_nothing(
    client: WarRoomClient, inspection: Inspection
) -> None:
    cases(client, inspection)
    for role in refused_roles(ImportAccessLog):
        for content in (LOG, b"not,a\nlog"):
            before = client.stored()
            assert upload(client, inspection, content, role=role).status_code == 403
            assert client.stored() == before


def test_the_command_line_imports_a_log_once_and_reports_what_matched_nothing(
    client: WarRoomClient, inspection: Inspection, database_url: str, tmp_path: Path
) -> None:
    cases(client, inspection)
    log = tmp_path / "access.csv"
    nobody = f"Nobody,CP-0042,Chronology,{ON_DAY_TWO}\n"
    log.write_bytes(LOG + nobody.encode())
    args = ("import-access-log", str(log), "--inspection", inspection.id)

    first = warroom(database_url, *args)
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines()[0] == (
        "3 rows became events, 0 were already there, 1 matched nothing"
    )
    assert "line 5: no inspector named 'Nobody'" in first.stdout
    stored = client.stored()
    second = warroom(database_url, *args)
    assert second.returncode == 0, second.stderr
    assert second.stdout.startswith("0 rows became events, 3 were already there")
    assert client.stored() == stored

    log.write_bytes(LOG + b"Helen Ward,CP-0042,Chronology,soon\n")
    bad = warroom(database_url, *args)
    assert bad.returncode == 2
    assert "line 5" in bad.stderr and "nothing stored" in bad.stderr
    assert client.stored() == stored


def rows(count: int, *, blank_lines: int = 0) -> bytes:
    """A log of `count` rows, each a different item of CP-0042."""
    lines = [
        f"Helen Ward,CP-0042,Case note {n},{iso_day(1)}T10:15:00Z\n".encode()
        for n in range(count)
    ]
    return b"user,case_ref,item,accessed_at\n" + b"\n" * blank_lines + b"".join(lines)


def test_a_log_over_the_row_limit_is_refused_whole_naming_the_limit(
    database_url: str,
) -> None:
    # The body limit well above the file: the rows are what is refused.
    settings = Settings(database_url=database_url, max_body_bytes=20_000_000)
    with TestClient(create_app(settings)) as http:
        client = WarRoomClient(http=http)
        client.add_users()
        inspection = Inspection.open(client)
        cases(client, inspection)
        before = client.stored()

        response = upload(client, inspection, rows(50_001))

        assert response.status_code == 413, response.text
        detail = response.json()["detail"]
        assert "at most 50,000 rows" in detail
        assert "WARROOM_ACCESS_LOG_MAX_ROWS" in detail
        assert client.stored() == before
        assert board(client, inspection)["CP-0042"]["browse_count"] == 0


def test_the_row_limit_is_a_setting_and_blank_lines_are_not_rows(
    database_url: str,
) -> None:
    settings = Settings(database_url=database_url, access_log_max_rows=3)
    with TestClient(create_app(settings)) as http:
        client = WarRoomClient(http=http)
        client.add_users()
        inspection = Inspection.open(client)
        cases(client, inspection)
        before = client.stored()
        refused = upload(client, inspection, rows(4))
        assert refused.status_code == 413
        assert "at most 3 rows" in refused.json()["detail"]
        assert client.stored() == before

        answer = imported(client, inspection, rows(3, blank_lines=5))

        assert answer["events"] == 3
        assert board(client, inspection)["CP-0042"]["browse_count"] == 3


def test_the_command_line_refuses_a_log_over_the_row_limit_storing_nothing(
    client: WarRoomClient,
    inspection: Inspection,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cases(client, inspection)
    log = tmp_path / "access.csv"
    log.write_bytes(rows(3))
    monkeypatch.setenv("WARROOM_ACCESS_LOG_MAX_ROWS", "2")
    stored = client.stored()

    refused = warroom(
        database_url, "import-access-log", str(log), "--inspection", inspection.id
    )

    assert refused.returncode == 2
    assert "at most 2 rows" in refused.stderr and "nothing stored" in refused.stderr
    assert client.stored() == stored
