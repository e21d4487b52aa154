"""The verifiable log over HTTP, on both databases: leaves, checkpoints,
proofs, the day's seal, receipts, and who may walk the whole log.

Proofs are checked here by `included`, the few lines of RFC 9162 section
2.1.3.2 an auditor would write (docs/verifiable-log.md shows them), not by our code.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import sqlite3
import threading
import time as clock
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, time
from functools import partial
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
import pytest
from eventsourcing.persistence import StoredEvent
from fastapi.testclient import TestClient

from clock.closing import DayCloser, parse_hour
from entrypoints import cli
from tests.conftest import POSTGRES_URL, TEST_SIGNING_KEY, TEST_VERIFIER_KEY
from tests.days import iso_day, moment
from tests.helpers import (
    ROLES,
    Inspection,
    WarRoomClient,
    logged_events,
    new_request,
    refused,
    walk_request,
)
from tests.servers import running_server, warroom
from warroom.application import WarRoom
from warroom.config import Database, Settings
from warroom.evidence import merkle, walk
from warroom.evidence.backfill import TreeMissing
from warroom.evidence.notes import Checkpoint, NoteError, Signer, Verifier
from warroom.evidence.readonly import ReadOnlyLog
from warroom.evidence.receipt import verify_receipt
from web.app import create_app
from web.verifications import Verifications

FIXTURE = Path(__file__).parent.parent / "fixtures" / "before_organisations.json"
VERIFIABLE_LOG = Path(__file__).parent.parent.parent / "docs" / "verifiable-log.md"


def docs_receipt_checker() -> Any:
    """`check_receipt`, from the block of Python the docs give auditors."""
    after = VERIFIABLE_LOG.read_text().split("<!-- receipt-verifier -->", 1)[1]
    code = after.split("```python\n", 1)[1].split("```", 1)[0]
    scope: dict[str, Any] = {}
    exec(code, scope)
    return scope["check_receipt"]


def included(leaf: bytes, index: int, size: int, path: list[str], root: bytes) -> bool:
    """RFC 9162 2.1.3.2, as an auditor writes it: does the path lead to root?"""

    def h(b: bytes) -> bytes:
        return hashlib.sha256(b).digest()

    r, fn, sn = h(b"\x00" + leaf), index, size - 1
    for p in map(bytes.fromhex, path):
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            r = h(b"\x01" + p + r)
            while fn % 2 == 0 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = h(b"\x01" + r + p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def read_only(client: WarRoomClient) -> ReadOnlyLog:
    """The server's log opened read-only, which `/api/verify` walks."""
    log: ReadOnlyLog = client.http.app.state.warroom.read_only  # type: ignore[attr-defined]
    return log


def canonical(event: dict[str, Any]) -> bytes:
    text = json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode()


def signed_head(client: WarRoomClient) -> Checkpoint:
    note = client.get("auditor", "/api/log/checkpoint")
    assert note.status_code == 200, note.text
    assert note.headers["content-type"].startswith("text/plain")
    key = client.get("lead", "/api/log/key")
    assert key.text.strip() == TEST_VERIFIER_KEY
    return Checkpoint.verified(note.text, Verifier.parse(key.text))


def released(client: WarRoomClient, inspection: Inspection) -> str:
    rid = new_request(client, inspection)
    return walk_request(client, inspection, rid, "released")


def run_sql(database_url: str, statement: str) -> None:
    if database_url.startswith("sqlite"):
        with sqlite3.connect(database_url[len("sqlite:///") :]) as conn:
            conn.execute(statement)
        return
    schema = database_url.split("schema=", 1)[1]
    with psycopg.connect(POSTGRES_URL.split("?", 1)[0], autocommit=True) as conn:
        conn.execute(f'SET search_path TO "{schema}"')
        conn.execute(statement)


def forget_the_tree(database_url: str) -> None:
    """The database as a build before the tree left it: events, no leaves."""
    run_sql(database_url, "DELETE FROM warroom_leaves")
    run_sql(database_url, "DELETE FROM warroom_nodes")
    run_sql(database_url, "DELETE FROM warroom_seals")
    empty = "x''" if database_url.startswith("sqlite") else "''::bytea"
    run_sql(
        database_url,
        f"UPDATE warroom_tree SET size=0, last_position=0, compact={empty}",
    )


# --- leaves --------------------------------------------------------------------


def test_each_event_is_a_leaf_whose_bytes_are_the_event_as_events_shows_it(
    client: WarRoomClient, inspection: Inspection
) -> None:
    released(client, inspection)
    app = client.app
    stored = app.recorder.select_notifications(1, 10_000)
    assert app.evidence.head().size == len(stored)
    indexes = [app.evidence.leaf_at(n.id) for n in stored]
    assert [found[0] for found in indexes if found] == list(range(len(stored)))
    for event in logged_events(client, inspection):
        found = app.evidence.leaf_at(event["position"])
        assert found is not None
        # A new leaf is of version 2: its position is its council's own, its
        # leaf index + 1 (one council's log: the log's position too).
        assert found[0] + 1 == event["position"]
        assert found[1] == canonical({**event, "leaf_version": 2})


def test_a_checkpoint_is_signed_by_the_logs_key_over_the_rfc_root_of_the_leaves(
    client: WarRoomClient, inspection: Inspection
) -> None:
    released(client, inspection)
    checkpoint = signed_head(client)
    app = client.app
    stored = app.recorder.select_notifications(1, 10_000)
    assert checkpoint.size == len(stored)
    leaves = []
    for notification in stored:
        found = app.evidence.leaf_at(notification.id)
        assert found is not None
        leaves.append(found[1])
    for index in (0, len(leaves) // 2, len(leaves) - 1):
        proof = client.get(
            "staff", "/api/log/proof/inclusion", index=index, size=checkpoint.size
        ).json()
        assert proof["index"] == index and proof["size"] == checkpoint.size
        assert included(
            leaves[index], index, checkpoint.size, proof["hashes"], checkpoint.root
        )
        assert not included(
            leaves[index - 1], index, checkpoint.size, proof["hashes"], checkpoint.root
        )


def test_a_later_checkpoint_proves_consistent_with_an_earlier_one(
    client: WarRoomClient, inspection: Inspection
) -> None:
    before = signed_head(client)
    released(client, inspection)
    after = signed_head(client)
    assert after.size > before.size
    answer = client.get(
        "auditor",
        "/api/log/proof/consistency",
        **{"from": before.size, "to": after.size},
    ).json()
    assert answer["from"] == before.size and answer["to"] == after.size
    hashes = [bytes.fromhex(h) for h in answer["hashes"]]
    assert merkle.verify_consistency(
        before.size, after.size, before.root, after.root, hashes
    )
    assert not merkle.verify_consistency(
        before.size, after.size, hashlib.sha256(b"x").digest(), after.root, hashes
    )


def test_proofs_of_trees_the_log_does_not_have_are_refused(
    client: WarRoomClient, inspection: Inspection
) -> None:
    size = signed_head(client).size
    for params in ({"index": 0, "size": size + 1}, {"index": size, "size": size}):
        answer = client.get("auditor", "/api/log/proof/inclusion", **params)
        assert answer.status_code == 409, answer.text
    for params in ({"from": 0, "to": size}, {"index": -1, "size": 1}):
        path = "consistency" if "from" in params else "inclusion"
        answer = client.get("auditor", f"/api/log/proof/{path}", **params)
        assert answer.status_code == 422, answer.text
    answer = client.get("auditor", "/api/log/proof/consistency", **{"from": 3, "to": 2})
    assert answer.status_code == 409, answer.text
    assert client.http.get("/api/log/checkpoint").status_code == 401


# --- the whole check: auditor and admin only -------------------------------------


def test_an_auditor_and_an_admin_may_verify_the_log_and_find_it_intact(
    client: WarRoomClient, inspection: Inspection
) -> None:
    released(client, inspection)
    head = signed_head(client)
    for role in ("auditor", "admin"):
        answer = client.get(role, "/api/verify").json()
        assert answer["intact"] is True, answer
        assert answer["events"] == head.size
        assert bytes.fromhex(answer["root"]) == head.root


def test_the_log_is_walked_once_at_a_time_off_the_request_threads_and_shared(
    client: WarRoomClient, inspection: Inspection, monkeypatch: pytest.MonkeyPatch
) -> None:
    released(client, inspection)
    evidence = read_only(client).evidence  # the route walks the read-only log
    walk = evidence.verify
    walking, finish = threading.Event(), threading.Event()
    walks: list[str] = []

    def held(*args: Any, **kwargs: Any) -> Any:
        walks.append(threading.current_thread().name)
        walking.set()
        assert finish.wait(60)
        return walk(*args, **kwargs)

    monkeypatch.setattr(evidence, "verify", held)
    with ThreadPoolExecutor(4) as pool:
        first = pool.submit(client.get, "auditor", "/api/verify")
        assert walking.wait(60)
        others = [pool.submit(client.get, r, "/api/verify") for r in ("admin",) * 2]
        # While the walk runs the server answers everyone else.
        assert client.get("staff", "/api/log/checkpoint").status_code == 200
        clock.sleep(0.5)  # the others reach the server while it walks
        finish.set()
        answers = [f.result(60).json() for f in (first, *others)]
    assert answers[0]["intact"] and answers[0]["events"] == client.stored()
    assert answers == [answers[0]] * 3
    assert walks == ["warroom-verify"], walks  # one walk, on its own thread
    # The same head: the same report, not walked again.
    assert client.get("auditor", "/api/verify").json() == answers[0]
    assert len(walks) == 1
    # The log has grown: walked again.
    new_request(client, inspection)
    grown = client.get("auditor", "/api/verify").json()
    assert len(walks) == 2 and grown["events"] == client.stored() > answers[0]["events"]
    # A report is reused for a while only (the head stays when a row is
    # altered in place).
    client.http.app.state.verifications = Verifications(reuse_seconds=0)  # type: ignore[attr-defined]
    assert client.get("auditor", "/api/verify").json() == grown
    assert len(walks) == 3


def test_warroom_verify_shows_its_progress_on_stderr(
    client: WarRoomClient,
    inspection: Inspection,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    released(client, inspection)
    size = client.app.evidence.head().size
    monkeypatch.setenv("WARROOM_DATABASE_URL", database_url)
    monkeypatch.setattr(walk, "BATCH", 10)  # a line a batch, as on a long log
    monkeypatch.setattr(cli, "ProgressLines", partial(walk.ProgressLines, every=0))
    assert cli.main(["verify"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith(f"intact: {size} events, root ")
    lines = err.splitlines()
    assert len(lines) == -(-size // 10), err
    assert lines[0] == f"verify: 10 of {size:,} events ({1000 // size} %)"
    assert lines[-1] == f"verify: {size:,} of {size:,} events (100 %)"


def test_a_walk_that_fails_fails_each_waiter_and_is_not_kept(
    client: WarRoomClient, inspection: Inspection, monkeypatch: pytest.MonkeyPatch
) -> None:
    evidence = read_only(client).evidence  # the route walks the read-only log
    walk = evidence.verify

    def lost(*args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("the database went away")

    monkeypatch.setattr(evidence, "verify", lost)
    assert client.get("auditor", "/api/verify").status_code == 500
    monkeypatch.setattr(evidence, "verify", walk)
    answer = client.get("auditor", "/api/verify").json()
    assert answer["intact"] and answer["events"] == client.stored()


@pytest.mark.parametrize(
    "role", [r for r in ROLES if r not in ("auditor", "admin")] + ["preparer"]
)
def test_no_other_role_may_verify_the_log(
    client: WarRoomClient, inspection: Inspection, role: str
) -> None:
    before = client.stored()
    answer = client.get(role, "/api/verify")
    assert answer.status_code == 403, answer.text
    assert client.stored() == before
    assert client.http.get("/api/verify").status_code == 401


# --- the day's seal ----------------------------------------------------------------


def test_closing_a_day_seals_it_with_a_checkpoint_that_its_blog_prints(
    client: WarRoomClient, inspection: Inspection
) -> None:
    released(client, inspection)
    blog = f"{inspection.path}/blog/{iso_day(0)}"
    assert client.get("staff", blog).json()["seal"] is None
    closed = client.ok("lead", f"{inspection.path}/days/close", {"day": iso_day(0)})
    seal = client.get("staff", blog).json()["seal"]
    checkpoint = Checkpoint.verified(seal, Verifier.parse(TEST_VERIFIER_KEY))
    app = client.app
    found = app.evidence.leaf_at(closed["position"])
    assert found is not None and found[0] == checkpoint.size - 1  # its last leaf
    assert json.loads(found[1])["type"] == "DayClosed"
    assert app.evidence.root_at(checkpoint.size) == checkpoint.root
    # As the blog stood before the close, there was no seal yet.
    past = client.get("staff", blog, at=closed["position"] - 1).json()
    assert past["seal"] is None
    assert (
        client.get("staff", f"{inspection.path}/blog/{iso_day(1)}").json()["seal"]
        is None
    )


def test_a_day_is_closed_once_and_only_by_the_lead_or_the_gatekeeper(
    client: WarRoomClient, inspection: Inspection
) -> None:
    path = f"{inspection.path}/days/close"
    for role in ("rapid_response", "staff", "auditor", "admin"):
        refused(client, 403, role, path, {"day": iso_day(0)})
    refused(client, 422, "lead", path, {"day": "23/11/2026"})
    client.ok("gatekeeper", path, {"day": iso_day(0)})
    body = refused(client, 409, "lead", path, {"day": iso_day(0)})
    assert body["rule"] == "day_closed_once"


# --- receipts ----------------------------------------------------------------------


def test_a_receipt_proves_a_release_offline_and_one_flipped_byte_breaks_it(
    client: WarRoomClient, inspection: Inspection, tmp_path: Path
) -> None:
    digest = released(client, inspection)
    signed_head(client)  # a checkpoint cached before the receipt's is no matter
    receipt = client.get("auditor", f"{inspection.path}/ledger/1/receipt").json()
    # What an auditor does with the receipt and the key, and nothing else:
    checkpoint = Checkpoint.verified(
        receipt["checkpoint"], Verifier.parse(TEST_VERIFIER_KEY)
    )
    leaf = base64.b64decode(receipt["leaf"])
    proof = receipt["inclusion"]
    assert proof["size"] == checkpoint.size and receipt["index"] == proof["index"]
    assert included(
        leaf, proof["index"], proof["size"], proof["hashes"], checkpoint.root
    )
    event = json.loads(leaf)
    assert docs_receipt_checker()(receipt, TEST_VERIFIER_KEY) == event
    assert event["type"] == "DocumentReleased"
    assert event["data"]["sha256"] == digest
    assert event["data"]["to"] == inspection.team_inspector
    # The command line says the same, and refuses a receipt with a flipped byte.
    good = tmp_path / "receipt.json"
    good.write_text(json.dumps(receipt))
    checked = warroom(
        "sqlite:///unused.db", "verify-receipt", str(good), "--key", TEST_VERIFIER_KEY
    )
    assert checked.returncode == 0, checked.stderr
    assert "DocumentReleased" in checked.stdout and digest in checked.stdout
    flipped_leaf = bytearray(leaf)
    flipped_leaf[len(leaf) // 2] ^= 0x01
    tampered = {**receipt, "leaf": base64.b64encode(bytes(flipped_leaf)).decode()}
    assert not included(
        bytes(flipped_leaf),
        proof["index"],
        proof["size"],
        proof["hashes"],
        checkpoint.root,
    )
    with pytest.raises(ValueError, match="not in the signed log"):
        docs_receipt_checker()(tampered, TEST_VERIFIER_KEY)
    bad = tmp_path / "tampered.json"
    bad.write_text(json.dumps(tampered))
    refused_receipt = warroom(
        "sqlite:///unused.db", "verify-receipt", str(bad), "--key", TEST_VERIFIER_KEY
    )
    assert refused_receipt.returncode == 1
    assert "does not hold" in refused_receipt.stderr


def test_there_is_no_receipt_for_a_line_the_ledger_lacks(
    client: WarRoomClient, inspection: Inspection
) -> None:
    answer = client.get("auditor", f"{inspection.path}/ledger/1/receipt")
    assert answer.status_code == 404, answer.text


# --- old logs join the tree ---------------------------------------------------------


def test_a_log_written_before_the_tree_is_refused_until_backfilled_on_request(
    database_url: str,
) -> None:
    """No tree is made on start: `warroom tree backfill` makes it once, in log
    order, and records who and when; checkpoints, receipts and `verify` say
    the positions before it are proven only from that moment."""
    old = json.loads(FIXTURE.read_text())
    app = WarRoom(Database.from_url(database_url))
    app.recorder.insert_events(
        [
            StoredEvent(
                originator_id=UUID(e["originator_id"]),
                originator_version=e["originator_version"],
                topic=e["topic"],
                state=e["state"].encode(),
            )
            for e in old["events"]
        ]
    )
    root = app.evidence.head().root
    app.close()
    forget_the_tree(database_url)
    count = len(old["events"])
    with pytest.raises(TreeMissing, match="warroom tree backfill"):
        WarRoom(Database.from_url(database_url))
    refused = warroom(database_url, "serve", "--port", "1")
    assert refused.returncode == 2, refused.stderr
    # Named as it runs from here (the tests run from the repository root,
    # where `warroom` is `.venv/bin/warroom` unless the venv is on the PATH).
    here = "warroom" if shutil.which("warroom") else ".venv/bin/warroom"
    assert f"run `{here} tree backfill`" in refused.stderr
    broken = warroom(database_url, "verify")
    assert broken.returncode == 1
    assert f"leaves 0-{count - 1} are missing: the tree was removed" in broken.stdout

    done = warroom(database_url, "tree", "backfill", "--by", "Olive Operator")
    assert done.returncode == 0, done.stderr
    assert f"made {count} leaves" in done.stdout
    again = warroom(database_url, "tree", "backfill")
    assert again.returncode == 2 and "nothing done" in again.stderr

    reopened = WarRoom(Database.from_url(database_url))
    try:
        assert reopened.evidence.head().size == count + 1  # and the backfill's event
        assert reopened.evidence.root_at(count) == root
        backfilled = reopened.evidence.backfilled()
        assert backfilled is not None
        assert (backfilled.first_position, backfilled.leaves) == (1, count)
        assert backfilled.by == "Olive Operator"
        signer, verifier = (
            Signer.parse(TEST_SIGNING_KEY),
            Verifier.parse(TEST_VERIFIER_KEY),
        )
        old_receipt = reopened.evidence.receipt(1, signer)
        assert old_receipt is not None
        assert old_receipt["backfilled"]["by"] == "Olive Operator"
        assert verify_receipt(old_receipt, verifier)["position"] == 1
        assert backfilled.extension() in old_receipt["checkpoint"]
        newer = reopened.evidence.receipt(count + 1, signer)  # the backfill's own
        assert newer is not None and "backfilled" not in newer
        # The day seals signed from now on say so too.
        assert reopened.recorder.tree.extensions == (backfilled.extension(),)  # type: ignore[attr-defined]
    finally:
        reopened.close()
    verified = warroom(database_url, "verify")
    assert verified.returncode == 0, verified.stdout
    assert verified.stdout.startswith(f"intact: {count + 1} events")
    assert "proven only from that moment" in verified.stdout
    assert "Olive Operator" in verified.stdout
    with TestClient(create_app(Settings(database_url=database_url))) as http:
        client = WarRoomClient(
            http=http, tokens=old["tokens"], user_ids=old["user_ids"]
        )
        who = "auditor" if "auditor" in old["tokens"] else "admin"
        answer = client.get(who, "/api/verify").json()
        assert answer["intact"] and answer["backfilled"]["by"] == "Olive Operator"
        note = client.get(who, "/api/log/checkpoint").text
        assert f"warroom-backfilled 1-{backfilled.last_position} proven-from " in note
        signed = Checkpoint.verified(note, Verifier.parse(TEST_VERIFIER_KEY))
        assert signed.extensions and signed.size == count + 1
        # And the server carries on appending to it.
        opened = {"title": "After", "framework": "SIF", "starts_on": iso_day(0)}
        client.ok("lead", "/api/inspections", opened)
        assert client.get(who, "/api/verify").json()["intact"]


def test_a_note_signed_by_another_key_of_the_same_name_is_refused() -> None:
    ours = Verifier.parse(TEST_VERIFIER_KEY)
    impostor = Signer.generate(ours.name)
    forged = Checkpoint(ours.name, 5, hashlib.sha256(b"x").digest()).signed(impostor)
    with pytest.raises(NoteError):
        Checkpoint.verified(forged, ours)


def test_sqlite_without_a_key_makes_one_beside_the_database_and_keeps_it(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'warroom.db'}"
    key_file = tmp_path / "warroom.db.signing-key"
    with running_server(url, env={"WARROOM_SIGNING_KEY": ""}):
        pass
    first = key_file.read_text()
    assert first.startswith("PRIVATE+KEY+warroom.localhost/")
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    with running_server(url, env={"WARROOM_SIGNING_KEY": ""}):
        pass
    assert key_file.read_text() == first


def test_at_the_configured_hour_the_clock_closes_and_seals_each_open_day(
    client: WarRoomClient, inspection: Inspection
) -> None:
    state = client.http.app.state.warroom  # type: ignore[attr-defined]
    closer = DayCloser(state, parse_hour("18:00") or time())
    state.reader.catch_up()
    # The inspection starts on START, a Monday in November in London (UTC then).
    before = client.stored()
    assert closer.tick(moment(-1, 19, 0, tzinfo=UTC)) == []
    assert closer.tick(moment(0, 17, 59, tzinfo=UTC)) == []
    assert client.stored() == before
    closed = closer.tick(moment(0, 18, 0, tzinfo=UTC))
    assert closed == [(inspection.id, iso_day(0))]
    blog = client.get("staff", f"{inspection.path}/blog/{iso_day(0)}").json()
    Checkpoint.verified(blog["seal"], Verifier.parse(TEST_VERIFIER_KEY))
    after = client.stored()
    assert closer.tick(moment(0, 18, 30, tzinfo=UTC)) == []
    assert client.stored() == after
    with pytest.raises(ValueError, match="WARROOM_CLOSE_DAYS_AT"):
        parse_hour("6pm")


def test_an_altered_leaf_hash_or_stored_node_is_named_by_its_position(
    client: WarRoomClient, inspection: Inspection, database_url: str
) -> None:
    app = client.app
    stored = app.recorder.select_notifications(1, 10_000)
    zeros = (
        "X'" + "00" * 32 + "'"
        if database_url.startswith("sqlite")
        else "decode('" + "00" * 32 + "', 'hex')"
    )
    run_sql(
        database_url, f"UPDATE warroom_nodes SET hash={zeros} WHERE level=1 AND idx=2"
    )
    report = app.evidence.verify()
    assert not report.intact
    assert report.position == stored[4].id  # node (1, 2) covers leaves 4 and 5
    assert "stored node (1, 2)" in (report.problem or "")
    run_sql(database_url, f"UPDATE warroom_leaves SET hash={zeros} WHERE leaf_index=3")
    report = app.evidence.verify()
    assert report.position == stored[3].id
    assert "does not match leaf 3's hash" in (report.problem or "")
    answer = client.get("auditor", "/api/verify").json()
    assert answer["intact"] is False and answer["position"] == stored[3].id
