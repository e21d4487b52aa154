"""Leaves of version 2 (issue 22, finding 11): a new leaf's position is its
council's own, its leaf index + 1, so that no council's leaves (in receipts,
proofs, exports) show by their gaps how many events another stored. Leaves
stored before stay version 1, as they were: `warroom verify`, receipts,
export and import hold a log of both.
"""

from __future__ import annotations

import base64
import io
import json
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import TEST_VERIFIER_KEY, postgres_schema
from tests.helpers import Inspection, WarRoomClient, new_request, walk_request
from tests.integration import test_organisation_trees as two_councils
from tests.integration.test_evidence import docs_receipt_checker
from tests.integration.test_export_import import _signer, opened
from tests.integration.test_organisation_trees import Council, busy, release
from tests.integration.test_verify_reads_only import alter_2026_to_2025
from tests.servers import warroom
from warroom import storage as recorders
from warroom.archive import export_log, import_log
from warroom.config import Settings
from warroom.evidence.notes import Verifier
from warroom.evidence.receipt import verify_receipt
from web.app import create_app

# Leeds, the first council, and York, added after (their fixtures).
leeds, york = two_councils.leeds, two_councils.york


def lines_of_export(council: Council) -> list[dict[str, Any]]:
    """The council's leaves, as its auditor downloads them (`log.jsonl`)."""
    answer = council.client.get("auditor", "/api/log/export")
    assert answer.status_code == 200, answer.text
    with zipfile.ZipFile(io.BytesIO(answer.content)) as packed:
        log = packed.read("log.jsonl")
    return [json.loads(line) for line in log.splitlines()]


def receipt_of(council: Council, line: int) -> dict[str, Any]:
    path = f"{council.inspection.path}/ledger/{line}/receipt"
    answer = council.client.get("auditor", path)
    assert answer.status_code == 200, answer.text
    receipt: dict[str, Any] = answer.json()
    return receipt


def test_a_councils_new_leaves_count_its_own_events_whatever_another_stores(
    leeds: Council, york: Council
) -> None:
    """The two councils write in turn, Leeds a lot more than York: every leaf
    of York's (its export, its receipt's leaf and names) counts York's events
    alone, 1, 2, 3... (before version 2, each leaf held the one log's
    position, and York's skipped every number Leeds took)."""
    for requests in (0, 1, 25, 3):
        busy(leeds, requests)
        busy(york, 1)
    line = release(york, b"%PDF-1.7 York's Annex A")
    busy(leeds, 40)
    receipt = receipt_of(york, line)
    verifier = Verifier.parse(york.client.get("staff", "/api/log/key").text)
    event = verify_receipt(receipt, verifier)
    assert event["leaf_version"] == 2
    assert event["position"] == receipt["index"] + 1
    for named in receipt["names"]:
        leaf = json.loads(base64.b64decode(named["leaf"]))
        assert leaf["position"] == named["index"] + 1
    york_leaves = lines_of_export(york)
    assert [leaf["position"] for leaf in york_leaves] == list(
        range(1, len(york_leaves) + 1)
    )
    assert all(leaf["leaf_version"] == 2 for leaf in york_leaves)
    leeds_leaves = lines_of_export(leeds)
    assert [leaf["position"] for leaf in leeds_leaves] == list(
        range(1, len(leeds_leaves) + 1)
    )


@contextmanager
def another_database(database_url: str, tmp_path: Path) -> Iterator[str]:
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'imported.db'}"
        return
    with postgres_schema() as url:
        yield url


def released_line(client: WarRoomClient, inspection: Inspection) -> int:
    walk_request(client, inspection, new_request(client, inspection), "released")
    ledger = client.get("auditor", f"{inspection.path}/ledger").json()
    line: int = ledger["lines"][-1]["line"]
    return line


def test_a_log_of_version_1_and_2_leaves_verifies_proves_exports_and_names_a_tamper(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with TestClient(create_app(Settings(database_url=database_url))) as http:
        client = WarRoomClient(http=http)
        # What a build before version 2 stored: version 1 leaves.
        monkeypatch.setattr(recorders, "v2_from_of", lambda kwargs: None)
        client.add_users()
        inspection = Inspection.open(client)
        old_line = released_line(client, inspection)
        monkeypatch.undo()
        first_new = client.stored() + 1
        new_line = released_line(client, inspection)
        receipts = {
            line: client.get(
                "auditor", f"{inspection.path}/ledger/{line}/receipt"
            ).json()
            for line in (old_line, new_line)
        }
    old = json.loads(base64.b64decode(receipts[old_line]["leaf"]))
    new = json.loads(base64.b64decode(receipts[new_line]["leaf"]))
    assert "leaf_version" not in old
    assert new["leaf_version"] == 2 and new["position"] >= first_new
    assert new["position"] == receipts[new_line]["index"] + 1
    checker = docs_receipt_checker()
    for line, receipt in receipts.items():
        # The README's offline verifier and `warroom verify-receipt` alike.
        assert checker(receipt, TEST_VERIFIER_KEY)["type"] == "DocumentReleased"
        path = tmp_path / f"receipt-{line}.json"
        path.write_text(json.dumps(receipt))
        checked = warroom(
            "sqlite:///unused.db",
            "verify-receipt",
            str(path),
            "--key",
            TEST_VERIFIER_KEY,
        )
        assert checked.returncode == 0, checked.stderr
        assert "DocumentReleased" in checked.stdout

    intact = warroom(database_url, "verify")
    assert intact.returncode == 0, intact.stdout + intact.stderr
    assert intact.stdout.startswith("intact: ")

    # Exported and imported into an empty database: each leaf in its version.
    export = tmp_path / "export.zip"
    with opened(database_url) as app:
        manifest = export_log(app, export, _signer())
    with zipfile.ZipFile(export) as packed:
        versions = [
            json.loads(line).get("leaf_version", 1)
            for line in packed.read("log.jsonl").splitlines()
        ]
    assert versions == sorted(versions) and versions[0] == 1 and versions[-1] == 2
    with another_database(database_url, tmp_path) as url:
        with opened(url) as app:
            assert import_log(app, export, Verifier.parse(TEST_VERIFIER_KEY)) == len(
                versions
            )
            head = app.evidence.head()
            assert (head.size, head.root.hex()) == (
                manifest.events,
                manifest.root.hex(),
            )
        again = warroom(url, "verify")
        assert again.returncode == 0, again.stdout + again.stderr

    # One new (version 2) event changed where it is stored: named.
    at = released_position(database_url, new["position"])
    alter_2026_to_2025(database_url, at)
    broken = warroom(database_url, "verify")
    assert broken.returncode == 1
    assert f"broken at position {at}: altered content" in broken.stdout


def released_position(database_url: str, council_position: int) -> int:
    """The log's position of the event at a council's own position (one
    council: its leaf index + 1)."""
    with (
        opened(database_url) as app,
        app.evidence.datastore.transaction(commit=False) as c,
    ):
        c.execute(
            f"SELECT position FROM {app.evidence.tree.leaves} "
            f"WHERE tree = '' AND leaf_index = {council_position - 1}"
        )
        row = c.fetchone()
    assert row is not None
    return int(row["position"])
